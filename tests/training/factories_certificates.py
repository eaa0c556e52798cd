"""Closed course runs with certificates, for the tests of certificates and verification."""

from datetime import timedelta
from unittest import mock

from django.test import TestCase
from django.utils import timezone

from tests.factories import ClearanceKindFactory, UserFactory
from training.models import Course, CourseClearance, CourseRun, CourseSession
from training.services import courses

KILN_COURSE_TH = "การใช้เตาเผาไฟฟ้า"
KILN_COURSE_EN = "Electric kiln operation"


def open_run(*, capacity=300, sessions=2, title_th=KILN_COURSE_TH, title_en=KILN_COURSE_EN):
    """A run of a 12-hour course that grants the electric-kiln clearance for a year."""
    course = Course.objects.create(
        title_th=title_th,
        title_en=title_en,
        hours=12,
        audience=["student", "faculty", "entrepreneur"],
        attendance_required=50,
    )
    CourseClearance.objects.create(course=course, kind=ClearanceKindFactory(), valid_days=365)
    now = timezone.now()
    run = CourseRun.objects.create(
        course=course,
        name="รุ่นที่ 1/2570",
        capacity=capacity,
        enrol_opens_at=now - timedelta(days=20),
        enrol_closes_at=now + timedelta(days=1),
    )
    for day in range(sessions):
        CourseSession.objects.create(
            run=run,
            starts_at=now - timedelta(days=10 - day),
            ends_at=now - timedelta(days=10 - day, hours=-3),
            place="ห้อง 201",
        )
    return run


def attend(run, people, *, by, mark="present"):
    """Enrol each person and mark them at every session of the run."""
    enrolments = []
    for person in people:
        enrolment = courses.enrol(run=run, person=person, by=by, check_rules=False)
        for session in run.sessions.all():
            courses.mark_attendance(session=session, enrolment=enrolment, mark=mark, by=by)
        enrolments.append(enrolment)
    return enrolments


def closed_run(*, by, completing, failing=(), instructor=None, build=False, **run_kw):
    """A closed run: `completing` attended every session, `failing` none.

    The PDFs are left to build (tasks.build_certificates) unless `build` is True.
    """
    run = open_run(**run_kw)
    if instructor is not None:
        run.instructors.add(instructor)
    attend(run, completing, by=by)
    attend(run, failing, by=by, mark="absent")
    # The build queued on commit is caught here: tests build (or not) on purpose.
    with (
        mock.patch("training.tasks.build_certificates.delay") as queued,
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        courses.close_run(run=run, by=by)
    run.refresh_from_db()
    if build:
        from training.services.certificates import build_pdfs

        build_pdfs(run.pk)
    run.queued = queued
    return run


def people(count, **kw):
    return [UserFactory(role="student", **kw) for _ in range(count)]
