"""The heart of courses: places and the waitlist, completion, certificates and clearances."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import ClearanceKindFactory, UserFactory
from training.models import (
    Clearance,
    Course,
    CourseClearance,
    CourseEnrolmentStatus,
    CourseRun,
    CourseSession,
)
from training.services import courses

pytestmark = pytest.mark.django_db
E = CourseEnrolmentStatus


def make_run(capacity=2, sessions=2, **course_kw):
    course = Course.objects.create(
        title_th="การใช้เตาเผาไฟฟ้า",
        title_en="Electric kiln operation",
        hours=12,
        audience=["student", "faculty"],
        attendance_required=50,
        **course_kw,
    )
    now = timezone.now()
    run = CourseRun.objects.create(
        course=course,
        name="รุ่นที่ 1",
        capacity=capacity,
        enrol_opens_at=now - timedelta(days=1),
        enrol_closes_at=now + timedelta(days=7),
    )
    for day in range(sessions):
        CourseSession.objects.create(
            run=run,
            starts_at=now + timedelta(days=10 + day),
            ends_at=now + timedelta(days=10 + day, hours=3),
            place="ห้อง 201",
        )
    return run


def test_full_run_waitlists_and_a_cancellation_promotes(student):
    run = make_run(capacity=1)
    first = courses.enrol(run=run, person=student)
    second_person = UserFactory(role="student")
    second = courses.enrol(run=run, person=second_person)
    assert (first.status, second.status) == (E.ENROLLED, E.WAITLISTED)
    assert courses.waitlist_position(second) == 1
    courses.cancel(enrolment=first, by=student)
    second.refresh_from_db()
    assert second.status == E.ENROLLED


def test_audience_is_checked(owner):
    run = make_run()
    with pytest.raises(courses.EnrolmentRefused):
        courses.enrol(run=run, person=owner)


def test_closing_completes_issues_certificates_and_grants_clearances(student, officer_2fa):
    kind = ClearanceKindFactory()
    run = make_run(capacity=5)
    CourseClearance.objects.create(course=run.course, kind=kind, valid_days=365)
    run.instructors.add(officer_2fa)
    present = courses.enrol(run=run, person=student)
    absent_person = UserFactory(role="student")
    absent = courses.enrol(run=run, person=absent_person)
    for session in run.sessions.all():
        courses.mark_attendance(session=session, enrolment=present, mark="present", by=officer_2fa)
        courses.mark_attendance(session=session, enrolment=absent, mark="absent", by=officer_2fa)
    completed, not_completed = courses.close_run(run=run, by=officer_2fa)
    assert [e.pk for e in completed] == [present.pk]
    assert [e.pk for e in not_completed] == [absent.pk]
    certificate = present.certificate
    assert courses.verify(certificate.code) == certificate
    clearance = Clearance.objects.get(holder=student, kind=kind)
    assert clearance.certificate == certificate
    courses.revoke_certificate(certificate=certificate, by=officer_2fa, reason="ทุจริตการสอบ")
    clearance.refresh_from_db()
    assert clearance.revoked_at is not None


@pytest.mark.parametrize("status", ["planned", "cancelled"])
def test_a_run_never_taught_is_not_closed(student, officer_2fa, status):
    run = make_run()
    courses.enrol(run=run, person=student)
    CourseRun.objects.filter(pk=run.pk).update(status=status)
    run.refresh_from_db()
    with pytest.raises(courses.TransitionRefused):
        courses.close_run(run=run, by=officer_2fa)
    assert not run.enrolments.filter(status=E.COMPLETED).exists()
