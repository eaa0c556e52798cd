"""Course runs for the attendance, reminder and home tests, written straight to the tables."""

from datetime import timedelta

from django.utils import timezone

from tests.factories import UserFactory, at
from training.models import (
    Course,
    CourseEnrolment,
    CourseEnrolmentStatus,
    CourseRun,
    CourseSession,
    RunStatus,
)


def make_course(**kw):
    fields = {
        "title_th": "การใช้เตาเผาไฟฟ้า",
        "title_en": "Electric kiln operation",
        "hours": 12,
        "audience": ["student", "faculty", "entrepreneur"],
        "attendance_required": 50,
    }
    fields.update(kw)
    return Course.objects.create(**fields)


def make_run(*, course=None, instructors=(), capacity=30, status=RunStatus.OPEN, name="รุ่นที่ 1"):
    now = timezone.now()
    run = CourseRun.objects.create(
        course=course or make_course(),
        name=name,
        capacity=capacity,
        status=status,
        enrol_opens_at=now - timedelta(days=30),
        enrol_closes_at=now + timedelta(days=30),
    )
    run.instructors.add(*instructors)
    return run


def add_session(run, days, hour=9, hours=3, **kw):
    """A session `days` from today (negative: in the past) at `hour` local time."""
    starts = at(days, hour)
    kw.setdefault("place", "ห้อง 201")
    return CourseSession.objects.create(
        run=run, starts_at=starts, ends_at=starts + timedelta(hours=hours), **kw
    )


def enrol(run, person=None, status=CourseEnrolmentStatus.ENROLLED, **person_kw):
    person = person or UserFactory(role="student", **person_kw)
    return CourseEnrolment.objects.create(run=run, person=person, status=status)


def make_certificate(enrolment, serial=None, **kw):
    from training.models import Certificate

    serial = serial or Certificate.objects.count() + 1
    fields = {
        "enrolment": enrolment,
        "holder": enrolment.person,
        "fiscal_year": 2570,
        "serial": serial,
        "code": f"CODE{serial:08d}",
        "holder_name": enrolment.person.full_name,
        "course_title_th": enrolment.run.course.title_th,
        "course_title_en": enrolment.run.course.title_en,
        "hours": enrolment.run.course.hours,
    }
    fields.update(kw)
    return Certificate.objects.create(**fields)
