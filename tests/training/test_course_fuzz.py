"""Fuzzed input to the course pages: never a 500, always the right answer.

Every course URL as every member of the cast, with GET and POST and odd values (NUL,
huge, wrong types, dates far out of range, other people's ids); then the particular
inputs that once made a page fail.
"""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from tests.conftest import enable_totp, sign_in
from tests.factories import UserFactory
from tests.training.factories_certificates import closed_run, open_run
from toolkit.confirm import FIELD as CONFIRM_FIELD
from toolkit.confirm import VALUE as CONFIRM_VALUE
from training.models import Certificate
from training.services import courses

pytestmark = pytest.mark.django_db

CAST = [
    "anonymous",
    "student",
    "other_student",
    "instructor",
    "faculty",
    "owner",
    "officer",
    "officer_no_2fa",
    "staff",
]


def client_for(user, *, two_factor=True):
    client = Client(raise_request_exception=False)
    if user is None:
        return client
    if two_factor:
        enable_totp(user)
        return sign_in(client, user)
    client.force_login(user)
    return client


@pytest.fixture
def world(officer_2fa):
    officer = officer_2fa
    people = {
        "student": UserFactory(role=Role.STUDENT),
        "other_student": UserFactory(role=Role.STUDENT),
        "instructor": UserFactory(role=Role.FACULTY),
        "faculty": UserFactory(role=Role.FACULTY),
        "owner": UserFactory(role=Role.ENTREPRENEUR),
        "officer": officer_2fa,
        "officer_no_2fa": UserFactory(role=Role.OFFICER),
        "staff": UserFactory(role=Role.CENTRE_STAFF),
    }
    done = closed_run(
        by=officer, completing=[people["student"]], instructor=people["instructor"], build=True
    )
    run = open_run(capacity=1)
    run.instructors.add(people["instructor"])
    mine = courses.enrol(run=run, person=people["student"], by=people["student"])
    theirs = courses.enrol(run=run, person=people["owner"], by=officer, check_rules=False)
    return {
        "people": people,
        "done": done,
        "run": run,
        "session": run.sessions.first(),
        "mine": mine,
        "theirs": theirs,
        "certificate": Certificate.objects.get(enrolment__run=done),
    }


def urls(w):
    run, session, cert = w["run"], w["session"], w["certificate"]
    course = run.course
    return [
        ("course_list", []),
        ("course_detail", [course.pk]),
        ("run_detail", [run.pk]),
        ("course_manage_list", []),
        ("course_create", []),
        ("course_edit", [course.pk]),
        ("run_create", [course.pk]),
        ("run_edit", [run.pk]),
        ("session_create", [run.pk]),
        ("session_edit", [session.pk]),
        ("session_delete", [session.pk]),
        ("run_enrol", [run.pk]),
        ("enrolment_cancel", [w["mine"].pk]),
        ("enrolment_cancel", [w["theirs"].pk]),
        ("run_enrol_many", [run.pk]),
        ("run_roster", [run.pk]),
        ("my_courses", []),
        ("attendance_sheet", [session.pk]),
        ("attendance_mark", [session.pk, w["mine"].pk]),
        ("attendance_mark", [session.pk, w["theirs"].pk]),
        ("my_attendance", [w["mine"].pk]),
        ("teaching", []),
        ("run_close", [run.pk]),
        ("certificate_pdf", [cert.pk]),
        ("my_certificates", []),
        ("certificate_list", []),
        ("certificate_revoke", [cert.pk]),
        ("certificate_verify_form", []),
        ("certificate_verify", [cert.code]),
        ("certificate_verify_json", [cert.code]),
    ]


ODD = ["\x00", "99999999999999999999"]
FIELDS = [
    "title_th", "title_en", "description_th", "audience", "hours", "attendance_required",
    "is_published", "instructors", "name", "capacity", "status", "opens_date", "opens_time",
    "closes_date", "closes_time", "date", "start", "end", "room", "place", "title", "emails",
    "mark", "reason", "q", "page", "code", "grants-TOTAL_FORMS", "grants-INITIAL_FORMS",
    "grants-0-kind", "grants-0-valid_days", "next",
]  # fmt: skip


@pytest.mark.parametrize("odd", ODD)
@pytest.mark.parametrize("role", ["anonymous", "student", "instructor", "officer"])
def test_no_course_page_fails_on_odd_input(world, role, odd):
    user = world["people"].get(role)
    client = client_for(user)
    failures = []
    data = dict.fromkeys(FIELDS, odd)
    for name, args in urls(world):
        url = reverse(f"training:{name}", args=args)
        for method, payload in (
            ("get", data),
            ("post", {**data, CONFIRM_FIELD: CONFIRM_VALUE}),
        ):
            response = getattr(client, method)(url, payload)
            if response.status_code >= 500:
                failures.append((name, method, response.status_code))
    assert not failures


# --- Particular inputs that once failed ----------------------------------------------------


@pytest.mark.parametrize("pk", ["99999999999999999999", "-99999999999999999999"])
def test_an_instructor_id_beyond_any_key_is_refused_not_a_500(officer_2fa, pk):
    client = client_for(officer_2fa)
    response = client.post(
        reverse("training:course_create"),
        {
            "title_th": "หลักสูตร",
            "title_en": "Course",
            "audience": ["student"],
            "hours": "6",
            "attendance_required": "80",
            "instructors": [pk],
            "grants-TOTAL_FORMS": "0",
            "grants-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code in (200, 400)
    assert "instructors" in response.context["form"].errors


@pytest.mark.parametrize("day", ["0001-01-01", "01/01/0001"])
def test_a_run_or_session_at_the_first_moment_of_year_1_is_refused_not_a_500(world, day):
    client = client_for(world["people"]["officer"])
    run = world["run"]
    sessions = run.sessions.count()
    response = client.post(
        reverse("training:session_create", args=[run.pk]),
        {"date": day, "start": "00:00", "end": "03:00", "place": "ห้อง 201"},
    )
    assert response.status_code in (200, 400)
    assert run.sessions.count() == sessions
    response = client.post(
        reverse("training:run_edit", args=[run.pk]),
        {
            "name": "รุ่นที่ 1",
            "capacity": "5",
            "status": "open",
            "opens_date": day,
            "opens_time": "00:00",
            "closes_date": "31/12/2569",
            "closes_time": "23:59",
        },
    )
    assert response.status_code in (200, 400)
    run.refresh_from_db()
    assert run.enrol_opens_at.year > 1
