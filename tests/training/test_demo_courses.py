"""The demo courses: idempotent, a finished run with certificates, an open run with a waitlist."""

import pytest
from django.core.management import call_command

from accounts.demo import DEMO_USERS
from accounts.models import User
from training.demo import FACULTY_EMAIL, OWNER_EMAIL, STUDENT_EMAIL
from training.demo_courses import DESIGN_COURSE, KILN_COURSE
from training.models import (
    Certificate,
    Clearance,
    Course,
    CourseEnrolment,
    CourseEnrolmentStatus,
    CourseRun,
    CourseSession,
    RunStatus,
)
from training.services import courses

pytestmark = pytest.mark.django_db
E = CourseEnrolmentStatus
MODELS = [Course, CourseRun, CourseSession, CourseEnrolment, Certificate, Clearance, User]


@pytest.fixture
def seeded(settings):
    settings.DEBUG = True  # seed_demo refuses to run without it
    call_command("seed_demo")


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_seed_demo_twice_changes_nothing(seeded):
    first = counts()
    call_command("seed_demo")
    assert counts() == first
    assert first["Course"] == 2
    assert first["User"] == len(DEMO_USERS)  # only the demo accounts take part


def test_the_kiln_course_grants_the_electric_kiln_clearance(seeded):
    kiln = Course.objects.get(title_en=KILN_COURSE["title_en"])
    assert [g.kind.code for g in kiln.course_clearances.select_related("kind")] == ["electric-kiln"]
    design = Course.objects.get(title_en=DESIGN_COURSE["title_en"])
    assert "entrepreneur" in design.audience


def test_a_finished_run_with_certificates(seeded):
    run = CourseRun.objects.get(status=RunStatus.CLOSED)
    student = User.objects.get(email=STUDENT_EMAIL)
    owner = User.objects.get(email=OWNER_EMAIL)
    holders = set(Certificate.objects.filter(enrolment__run=run).values_list("holder", flat=True))
    assert holders == {student.pk, owner.pk}
    assert list(
        run.enrolments.filter(status=E.NOT_COMPLETED).values_list("person__email", flat=True)
    ) == [FACULTY_EMAIL]
    for person in (student, owner):
        clearance = Clearance.objects.get(holder=person, kind__code="electric-kiln")
        assert clearance.certificate.enrolment.run == run
    assert all(s.ends_at < run.closed_at for s in run.sessions.all())


def test_an_open_run_with_a_waitlist(seeded):
    student = User.objects.get(email=STUDENT_EMAIL)
    run = CourseRun.objects.get(course__title_en=DESIGN_COURSE["title_en"])
    assert run.is_open_for_enrolment()
    assert run.enrolments.filter(status=E.ENROLLED).count() == run.capacity
    waiting = CourseEnrolment.objects.get(run=run, person=student)
    assert waiting.status == E.WAITLISTED
    assert courses.waitlist_position(waiting) == 1
    assert run.enrolments.filter(status=E.WAITLISTED).count() == 2


def test_the_demo_student_sees_them_in_my_courses(seeded, client):
    client.force_login(User.objects.get(email=STUDENT_EMAIL))
    page = client.get("/courses/mine/").content.decode()
    assert DESIGN_COURSE["title_th"] in page and KILN_COURSE["title_th"] in page
