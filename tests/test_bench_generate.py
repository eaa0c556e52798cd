"""bench/generate.py at a tiny volume: the national data set obeys the models' rules."""

import importlib.util
from collections import Counter, defaultdict
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.models import User
from entrepreneurs.models import VerificationStatus
from products.models import UpgradeRecord
from programmes.models import (
    OPEN_STATES,
    PLACE_HOLDING,
    Enrolment,
    EnrolmentEvent,
    EnrolmentStatus,
    Intake,
    Programme,
)
from programmes.services import DECISIONS
from training.models import (
    ATTENDED,
    BLOCKING_STATES,
    COURSE_PLACE_HOLDING,
    Attendance,
    Booking,
    Certificate,
    Clearance,
    CourseEnrolment,
    CourseEnrolmentStatus,
    CourseRun,
    CourseSession,
    RunStatus,
)
from training.services.courses import CODE_ALPHABET

pytestmark = pytest.mark.django_db

S = EnrolmentStatus
C = CourseEnrolmentStatus
ARGS = [
    "--yes",
    "--enterprises=200",
    "--products=600",
    "--enrolments=700",
    "--course-enrolments=400",
    "--lab-bookings=300",
]


@pytest.fixture(scope="module")
def generate():
    path = Path(__file__).resolve().parent.parent / "bench" / "generate.py"
    spec = importlib.util.spec_from_file_location("bench_generate", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main


@pytest.fixture
def generated(generate, capsys):
    assert generate(ARGS) == 0
    return capsys.readouterr().out


def counts():
    models = [Programme, Intake, Enrolment, EnrolmentEvent, CourseRun, CourseSession]
    models += [CourseEnrolment, Attendance, Certificate, Clearance, Booking, User]
    return {model.__name__: model.objects.count() for model in models}


def test_applications_obey_the_intakes_rules(generated):
    now = timezone.now()
    assert Enrolment.objects.count() == 700
    assert set(Programme.objects.values_list("fiscal_year", flat=True)) == {
        2567,
        2568,
        2569,
        2570,
    }
    assert all(p.partnerships.count() >= 2 for p in Programme.objects.all())
    for intake in Intake.objects.with_rules().select_related("programme"):
        enrolments = list(
            intake.enrolments.select_related("enterprise").prefetch_related("products")
        )
        if intake.opens_at > now:
            assert not enrolments
        held = sum(e.status in PLACE_HOLDING for e in enrolments)
        assert held <= intake.capacity
        if any(e.status == S.WAITLISTED for e in enrolments):
            assert held == intake.capacity
        provinces = {p.pk for p in intake.eligible_provinces.all()}
        groups = {c.pk for c in intake.eligible_categories.all()}
        for enrolment in enrolments:
            enterprise = enrolment.enterprise
            if intake.verified_only:
                assert enterprise.status == VerificationStatus.VERIFIED
            assert not provinces or enterprise.province_id in provinces
            assert not intake.eligible_kinds or enterprise.kind in intake.eligible_kinds
            products = list(enrolment.products.select_related("category"))
            assert 1 <= len(products) <= 3
            for product in products:
                assert product.enterprise_id == enterprise.pk
                assert not groups or product.category.parent_id in groups
            assert intake.opens_at <= enrolment.submitted_at <= intake.closes_at
    states = Counter(Enrolment.objects.values_list("status", flat=True))
    for state in (S.SUBMITTED, S.UNDER_REVIEW, S.ACCEPTED, S.REJECTED, S.ACTIVE, S.COMPLETED):
        assert states[state], state


def test_upgrade_records_have_sales_once_done(generated):
    records = list(UpgradeRecord.objects.all())
    assert records
    for record in records:
        assert record.price_after >= record.price_before
        assert record.monthly_sales_before
        assert (record.monthly_sales_after is None) == (record.completed_on is None)
        assert record.completed_on is None or record.completed_on >= record.started_on
    assert any(r.completed_on for r in records) and any(not r.completed_on for r in records)


def test_each_application_has_the_history_of_its_state(generated):
    now = timezone.now()
    history = defaultdict(list)
    for event in EnrolmentEvent.objects.order_by("at", "pk"):
        history[event.enrolment_id].append(event)
    for enrolment in Enrolment.objects.all():
        events = history[enrolment.pk]
        assert (events[0].from_status, events[0].to_status) == ("", S.DRAFT)
        assert (events[1].from_status, events[1].to_status) == (S.DRAFT, S.SUBMITTED)
        assert events[1].at == enrolment.submitted_at
        for before, after in zip(events, events[1:], strict=False):
            assert after.from_status == before.to_status
            assert before.at <= after.at <= now
        for event in events[2:]:
            if event.to_status == S.WITHDRAWN:
                assert event.from_status in OPEN_STATES
            else:
                assert event.from_status in DECISIONS[event.to_status]
        assert events[-1].to_status == enrolment.status
        decisions = [e for e in events[2:] if e.to_status != S.WITHDRAWN]
        assert enrolment.decided_at == (decisions[-1].at if decisions else None)
        if enrolment.status == S.REJECTED:
            assert events[-1].note


def test_course_records_obey_the_models_rules(generated):
    now = timezone.now()
    assert CourseEnrolment.objects.count() >= 300
    people = User.objects.filter(email__startswith="bench.trainee")
    assert people.exists() and not people.filter(is_active=True).exists()
    assert not User.objects.filter(is_active=True).exclude(email__endswith="@bench.invalid")
    # Rooms: each session's booking holds its room for its time; blocking bookings of a
    # resource never overlap (the exclusion constraint's rule, checked on SQLite too).
    for session in CourseSession.objects.exclude(room=None).select_related("booking"):
        booking = session.booking
        assert booking.resource_id == session.room_id
        assert (booking.starts_at, booking.ends_at) == (session.starts_at, session.ends_at)
    assert not CourseSession.objects.filter(room=None, place="").exists()
    spans = defaultdict(list)
    for b in Booking.objects.filter(status__in=BLOCKING_STATES).order_by("starts_at"):
        spans[b.resource_id].append((b.starts_at, b.blocked_until))
    for resource_spans in spans.values():
        for (_start, end), (start, _end) in zip(resource_spans, resource_spans[1:], strict=False):
            assert end <= start
    for run in CourseRun.objects.select_related("course").prefetch_related("sessions"):
        enrolments = list(run.enrolments.all())
        holding = [e for e in enrolments if e.status in COURSE_PLACE_HOLDING]
        assert len(holding) <= run.capacity
        assert len({e.person_id for e in enrolments if e.status != C.CANCELLED}) == len(
            [e for e in enrolments if e.status != C.CANCELLED]
        )
        sessions = list(run.sessions.all())
        marks = Attendance.objects.filter(enrolment__run=run)
        assert not marks.filter(session__starts_at__gte=now).exists()
        assert not marks.exclude(enrolment__status__in=COURSE_PLACE_HOLDING).exists()
        if run.status != RunStatus.CLOSED:
            assert not any(e.status in (C.COMPLETED, C.NOT_COMPLETED) for e in enrolments)
            continue
        assert run.closed_at <= now and run.closed_by_id
        assert not any(e.status in (C.ENROLLED, C.WAITLISTED) for e in enrolments)
        for enrolment in holding:
            attended = marks.filter(enrolment=enrolment, mark__in=ATTENDED).count()
            share = Decimal(attended) * 100 / len(sessions)
            completed = share >= run.course.attendance_required
            assert enrolment.status == (C.COMPLETED if completed else C.NOT_COMPLETED)
            assert hasattr(enrolment, "certificate") == completed


def test_certificates_and_the_clearances_they_grant(generated):
    certificates = list(Certificate.objects.select_related("enrolment__run__course"))
    assert certificates
    assert len({c.code for c in certificates}) == len(certificates)
    assert all(set(c.code) <= set(CODE_ALPHABET) and len(c.code) == 12 for c in certificates)
    for certificate in certificates:
        assert certificate.enrolment.status == C.COMPLETED
        assert certificate.holder_id == certificate.enrolment.person_id
        assert certificate.issued_at == certificate.enrolment.run.closed_at
    # One standing clearance per person and kind, until the latest date a course gave.
    expected = {}
    for certificate in certificates:
        for grant in certificate.enrolment.run.course.course_clearances.all():
            until = timezone.localdate(certificate.issued_at) + timedelta(days=grant.valid_days)
            key = certificate.holder_id, grant.kind_id
            expected[key] = max(expected.get(key, until), until)
    clearances = {(c.holder_id, c.kind_id): c for c in Clearance.objects.all()}
    assert clearances and {k: c.valid_until for k, c in clearances.items()} == expected
    for clearance in clearances.values():
        assert clearance.certificate.holder_id == clearance.holder_id


def test_a_second_run_keeps_everything(generated, generate, capsys):
    first = counts()
    assert generate(ARGS) == 0
    assert counts() == first
    assert generate(["--yes", "--only", "enrolments", "training"]) == 0
    assert counts() == first
    assert "kept" in capsys.readouterr().out


def test_enrolments_alone_on_a_registry_and_refusing_foreign_programmes(generate, capsys):
    assert generate(["--yes", "--enterprises=60", "--products=150", "--only", "registry"]) == 0
    assert not Enrolment.objects.exists() and not CourseRun.objects.exists()
    assert generate(["--yes", "--only", "enrolments", "--enrolments=50"]) == 0
    assert Enrolment.objects.count() == 50
    assert not CourseRun.objects.exists()
    Programme.objects.update(created_by=None)
    assert generate(["--yes", "--only", "training", "enrolments"]) == 0
    out = capsys.readouterr().out
    assert "refused: the database holds programmes" in out
    assert Enrolment.objects.count() == 50
    assert CourseRun.objects.exists()
