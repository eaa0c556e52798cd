"""Course runs for the enrolment tests."""

from datetime import timedelta

from django.utils import timezone

from training.models import Course, CourseRun, CourseSession


def make_run(capacity=2, sessions=2, audience=("student", "faculty"), opens=-1, closes=7, **kw):
    """An open run whose window is `opens`..`closes` days from now, with sessions after it."""
    course = Course.objects.create(
        title_th="การใช้เตาเผาไฟฟ้า",
        title_en="Electric kiln operation",
        hours=12,
        audience=list(audience),
        attendance_required=50,
        **kw,
    )
    now = timezone.now()
    run = CourseRun.objects.create(
        course=course,
        name="รุ่นที่ 1",
        capacity=capacity,
        enrol_opens_at=now + timedelta(days=opens),
        enrol_closes_at=now + timedelta(days=closes),
    )
    for day in range(sessions):
        CourseSession.objects.create(
            run=run,
            starts_at=now + timedelta(days=10 + day),
            ends_at=now + timedelta(days=10 + day, hours=3),
            place="ห้อง 201",
        )
    return run
