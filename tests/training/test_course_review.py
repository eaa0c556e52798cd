"""Course behaviour found wrong in review, each pinned by a test."""

from datetime import UTC, date, datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import sign_in
from tests.factories import UserFactory
from tests.training.factories_certificates import attend, open_run
from training.models import (
    Certificate,
    Clearance,
    CourseClearance,
    CourseEnrolment,
    CourseEnrolmentStatus,
    RunStatus,
)
from training.services import courses

pytestmark = pytest.mark.django_db


def test_a_clearance_granted_just_after_local_midnight_counts_from_the_local_day(officer_2fa):
    """00:30 in Lampang is still the day before in UTC; validity runs from the Thai date."""
    run = open_run()
    student = UserFactory(role="student")
    attend(run, [student], by=officer_2fa)
    now = datetime(2026, 12, 8, 0, 30, tzinfo=ZoneInfo("Asia/Bangkok")).astimezone(UTC)
    with mock.patch("training.tasks.build_certificates.delay"):
        courses.close_run(run=run, by=officer_2fa, now=now)
    certificate = Certificate.objects.get(holder=student)
    clearance = Clearance.objects.get(certificate=certificate)
    assert clearance.valid_until == date(2026, 12, 8) + timedelta(days=365)


def _run_data(run, **changes):
    local = timezone.localtime
    data = {
        "name": run.name,
        "capacity": str(run.capacity),
        "status": run.status,
        "opens_date": local(run.enrol_opens_at).strftime("%d/%m/%Y"),
        "opens_time": local(run.enrol_opens_at).strftime("%H:%M"),
        "closes_date": local(run.enrol_closes_at).strftime("%d/%m/%Y"),
        "closes_time": local(run.enrol_closes_at).strftime("%H:%M"),
    }
    return {**data, **changes}


def test_a_run_is_not_closed_by_editing_it_which_would_issue_no_certificate(officer_2fa):
    run = open_run()
    student = UserFactory(role="student")
    attend(run, [student], by=officer_2fa)
    client = sign_in(Client(), officer_2fa)
    response = client.post(
        reverse("training:run_edit", args=[run.pk]), _run_data(run, status=RunStatus.CLOSED)
    )
    assert response.status_code == 200
    run.refresh_from_db()
    assert run.status == RunStatus.OPEN
    # Closing through its page still issues the certificate.
    with mock.patch("training.tasks.build_certificates.delay"):
        courses.close_run(run=run, by=officer_2fa)
    assert Certificate.objects.filter(holder=student).exists()


def test_more_places_on_a_run_go_to_its_waitlist_in_order(officer_2fa):
    run = open_run(capacity=1)
    first, second, third = (UserFactory(role="student") for _ in range(3))
    for person in (first, second, third):
        courses.enrol(run=run, person=person)
    client = sign_in(Client(), officer_2fa)
    response = client.post(
        reverse("training:run_edit", args=[run.pk]), _run_data(run, capacity="2")
    )
    assert response.status_code == 302
    statuses = dict(CourseEnrolment.objects.filter(run=run).values_list("person", "status"))
    assert statuses == {
        first.pk: CourseEnrolmentStatus.ENROLLED,
        second.pk: CourseEnrolmentStatus.ENROLLED,
        third.pk: CourseEnrolmentStatus.WAITLISTED,
    }


@pytest.mark.parametrize("days", ["3000000", "2147483647"])
def test_a_clearance_valid_beyond_the_calendar_is_refused_not_a_500_at_closing(officer_2fa, days):
    from tests.factories import ClearanceKindFactory
    from tests.training.test_courses_manage import course_data, management

    kind = ClearanceKindFactory()
    data = course_data()
    data.update(management("grants", total=1))
    data.update({"grants-0-kind": str(kind.pk), "grants-0-valid_days": days})
    client = sign_in(Client(), officer_2fa)
    response = client.post(reverse("training:course_create"), data)
    assert response.status_code == 200
    assert not CourseClearance.objects.exists()
