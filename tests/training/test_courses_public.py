"""The public course pages: courses with their upcoming runs and places left, a course
with its runs and sessions, one run; open to everyone, flat in queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import sign_in
from tests.factories import ClearanceKindFactory, ResourceFactory, UserFactory, at
from toolkit.thaidates import format_date
from training.models import CourseClearance, CourseEnrolment, CourseEnrolmentStatus, RunStatus
from training.services import course_admin

from .factories_courses import CourseFactory, CourseRunFactory, CourseSessionFactory

pytestmark = pytest.mark.django_db
E = CourseEnrolmentStatus


def english(client):
    client.cookies["django_language"] = "en"
    return client


def fill(run, enrolled=0, waitlisted=0, cancelled=0):
    for status, count in (
        (E.ENROLLED, enrolled),
        (E.WAITLISTED, waitlisted),
        (E.CANCELLED, cancelled),
    ):
        for _ in range(count):
            CourseEnrolment.objects.create(
                run=run, person=UserFactory(role="student"), status=status
            )


PUBLIC = ["training:course_list", "training:course_detail", "training:run_detail"]


@pytest.mark.parametrize("who", [None, "student", "owner", "outsider", "faculty", "officer_2fa"])
def test_everyone_sees_the_public_pages(client, request, who):
    session = CourseSessionFactory()
    if who == "officer_2fa":
        sign_in(client, request.getfixturevalue(who))
    elif who:
        client.force_login(request.getfixturevalue(who))
    for url in (
        reverse("training:course_list"),
        reverse("training:course_detail", args=[session.run.course.pk]),
        reverse("training:run_detail", args=[session.run.pk]),
    ):
        assert client.get(url).status_code == 200, url


def test_course_list_shows_open_runs_with_places_left(client):
    kind = ClearanceKindFactory(name_en="Electric kiln operation clearance")
    course = CourseFactory(title_en="Kiln basics", audience=["student", "entrepreneur"], hours=12)
    CourseClearance.objects.create(course=course, kind=kind, valid_days=365)
    run = CourseRunFactory(course=course, name="Run A", capacity=5)
    fill(run, enrolled=3, waitlisted=2, cancelled=4)
    full = CourseRunFactory(course=course, name="Run B", capacity=2)
    fill(full, enrolled=2)
    CourseRunFactory(course=course, name="Planned run", status=RunStatus.PLANNED)
    CourseRunFactory(
        course=course,
        name="Closed window",
        enrol_opens_at=timezone.now() - timedelta(days=10),
        enrol_closes_at=timezone.now() - timedelta(days=1),
    )
    CourseFactory(title_en="Hidden course", is_published=False)
    page = english(client).get(reverse("training:course_list")).content.decode()
    assert "Kiln basics" in page
    assert "Hidden course" not in page
    assert "Run A" in page and "2 places left of 5" in page
    assert "Run B" in page and "Full: you may join the waitlist" in page
    assert "Planned run" not in page and "Closed window" not in page
    assert "12 hours" in page
    assert "Students" in page and "Entrepreneurs" in page
    assert "Electric kiln operation clearance" in page
    assert reverse("training:run_enrol", args=[run.pk]) in page


def test_thai_pages_show_dates_in_the_buddhist_era(client):
    session = CourseSessionFactory(starts_at=at(20, 9), ends_at=at(20, 12))
    be_year = str(at(20, 9).year + 543)
    detail = client.get(reverse("training:course_detail", args=[session.run.course.pk]))
    text = detail.content.decode()
    assert format_date(at(20, 9)) in text
    assert be_year in text
    assert "09:00–12:00" in text
    assert "ห้อง 201 อาคารเรียนรวม" in text
    run_page = client.get(reverse("training:run_detail", args=[session.run.pk])).content.decode()
    assert be_year in run_page


def test_english_pages_show_dates_in_the_common_era(client):
    session = CourseSessionFactory(starts_at=at(20, 9), ends_at=at(20, 12))
    page = english(client).get(reverse("training:run_detail", args=[session.run.pk]))
    text = page.content.decode()
    assert str(at(20, 9).year) in text
    assert str(at(20, 9).year + 543) not in text


def test_course_detail_shows_runs_sessions_places_and_enrol(client):
    room = ResourceFactory(kind="room", name_en="Training room 1")
    faculty = UserFactory(role="faculty")
    run = CourseRunFactory(capacity=3)
    fill(run, enrolled=1)
    course_admin.add_session(
        run=run, by=faculty, starts_at=at(20, 9), ends_at=at(20, 12), room=room, title="Safety"
    )
    cancelled = CourseRunFactory(
        course=run.course, name="Cancelled run", status=RunStatus.CANCELLED
    )
    page = english(client).get(reverse("training:course_detail", args=[run.course.pk]))
    text = page.content.decode()
    assert "2 places left of 3" in text
    assert "Training room 1" in text and "Safety" in text
    assert reverse("training:run_enrol", args=[run.pk]) in text
    assert cancelled.name not in text


def test_run_detail_shows_manage_links_only_to_managers(client, faculty, student):
    run = CourseRunFactory()
    url = reverse("training:run_detail", args=[run.pk])
    edit = reverse("training:run_edit", args=[run.pk])
    assert edit not in client.get(url).content.decode()
    client.force_login(student)
    assert edit not in client.get(url).content.decode()
    client.force_login(faculty)
    page = client.get(url).content.decode()
    assert edit in page
    assert reverse("training:run_roster", args=[run.pk]) in page


def test_run_detail_offers_enrolment_only_while_open(client):
    later = CourseRunFactory(
        enrol_opens_at=timezone.now() + timedelta(days=2),
        enrol_closes_at=timezone.now() + timedelta(days=9),
    )
    page = client.get(reverse("training:run_detail", args=[later.pk])).content.decode()
    assert reverse("training:run_enrol", args=[later.pk]) not in page


def test_an_unpublished_course_is_hidden_from_visitors(client, faculty):
    run = CourseRunFactory(course__is_published=False)
    for url in (
        reverse("training:course_detail", args=[run.course.pk]),
        reverse("training:run_detail", args=[run.pk]),
    ):
        assert client.get(url).status_code in (403, 404)
    client.force_login(faculty)
    assert client.get(reverse("training:course_detail", args=[run.course.pk])).status_code == 200


def test_unknown_course_is_404(client):
    assert client.get(reverse("training:course_detail", args=[999999])).status_code == 404
    assert client.get(reverse("training:run_detail", args=[999999])).status_code == 404


def _courses(n):
    for _ in range(n):
        course = CourseFactory()
        CourseClearance.objects.create(course=course, kind=ClearanceKindFactory())
        for _ in range(2):
            run = CourseRunFactory(course=course, capacity=4)
            fill(run, enrolled=1, waitlisted=1)


def test_course_list_queries_do_not_grow(client, django_assert_max_num_queries):
    _courses(2)
    with django_assert_max_num_queries(10) as few:
        assert client.get(reverse("training:course_list")).status_code == 200
    _courses(8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("training:course_list")).status_code == 200


def test_course_detail_queries_do_not_grow(client, django_assert_max_num_queries):
    room = ResourceFactory(kind="room")
    course = CourseFactory()
    run = CourseRunFactory(course=course)
    CourseSessionFactory(run=run)
    CourseSessionFactory(run=run, place="", room=room)
    url = reverse("training:course_detail", args=[course.pk])
    with django_assert_max_num_queries(10) as few:
        assert client.get(url).status_code == 200
    for _ in range(5):
        more = CourseRunFactory(course=course)
        fill(more, enrolled=2)
        for day in range(3):
            CourseSessionFactory(run=more, starts_at=at(20 + day, 9), ends_at=at(20 + day, 12))
            CourseSessionFactory(
                run=more, place="", room=room, starts_at=at(30 + day, 9), ends_at=at(30 + day, 10)
            )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200
