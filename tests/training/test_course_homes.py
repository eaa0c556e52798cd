"""Courses on the homes: a person's courses and certificates; an instructor's teaching."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.conftest import sign_in
from tests.factories import BookingFactory, EnterpriseFactory, UserFactory, at
from training.models import CourseEnrolmentStatus, RunStatus
from training.services import courses

from .factories_attend import add_session, enrol, make_certificate, make_course, make_run

pytestmark = pytest.mark.django_db
E = CourseEnrolmentStatus


def in_english(user):
    user.language = "en"
    user.save(update_fields=["language"])
    return user


def home(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


# --- The student's home -------------------------------------------------------------------


def test_the_student_home_shows_my_courses_with_next_session_and_attendance(
    client, student, faculty
):
    run = make_run(course=make_course(attendance_required=80), instructors=[faculty])
    held = add_session(run, -2)
    add_session(run, -1)
    upcoming = add_session(run, 3, hour=13)
    enrolment = enrol(run, student)
    courses.mark_attendance(session=held, enrolment=enrolment, mark="present", by=faculty)
    client.force_login(in_english(student))
    response = home(client)
    html = response.content.decode()
    assert "Electric kiln operation" in html
    assert f"Next session {timezone.localtime(upcoming.starts_at):%-d %b %Y} 13:00" in html
    assert "attended 1 of 2 sessions held" in html
    assert "33.3% of 80% needed" in html
    assert reverse("training:my_attendance", args=[enrolment.pk]) in html
    assert reverse("training:my_courses") in html
    [mine] = response.context["my_courses"]
    assert mine.share == courses.attendance_share(enrolment)


def test_the_student_home_shows_the_next_session_in_the_buddhist_era(client, student):
    run = make_run()
    add_session(run, 5)
    enrol(run, student)
    client.force_login(student)
    html = home(client).content.decode()
    assert "การใช้เตาเผาไฟฟ้า" in html
    assert str(timezone.localdate(at(5, 9)).year + 543) in html


def test_the_student_home_leaves_out_other_peoples_cancelled_and_finished_courses(client, student):
    waiting = enrol(make_run(course=make_course(title_en="Glaze chemistry")), student, E.WAITLISTED)
    enrol(make_run(course=make_course(title_en="Cancelled by me")), student, E.CANCELLED)
    enrol(make_run(course=make_course(title_en="Someone else's")))
    finished = make_run(course=make_course(title_en="Finished run"), status=RunStatus.CLOSED)
    enrol(finished, student, E.COMPLETED)
    client.force_login(in_english(student))
    response = home(client)
    html = response.content.decode()
    assert [e.pk for e in response.context["my_courses"]] == [waiting.pk]
    assert "Glaze chemistry" in html and "Waitlisted" in html
    for absent in ("Cancelled by me", "Someone else", "Finished run"):
        assert absent not in html


def test_the_student_home_shows_my_certificates_and_keeps_the_lab(client, student):
    finished = make_run(course=make_course(title_en="Kiln safety"), status=RunStatus.CLOSED)
    certificate = make_certificate(enrol(finished, student, E.COMPLETED), serial=7)
    other = make_run(status=RunStatus.CLOSED)
    make_certificate(enrol(other, student, E.COMPLETED), serial=8, revoked_at=timezone.now())
    make_certificate(enrol(other, UserFactory(role="student"), E.COMPLETED), serial=9)
    BookingFactory(owner=student, starts_at=at(2, 9))
    client.force_login(in_english(student))
    response = home(client)
    html = response.content.decode()
    assert response.context["my_certificates"] == [certificate]
    assert "Kiln safety" in html and "no. 2570-000007" in html
    assert reverse("training:my_certificates") in html
    for lab_part in ('id="home-bookings"', 'id="home-clearance-list"', 'id="home-bookable-list"'):
        assert lab_part in html


def test_the_student_home_keeps_its_queries_flat(client, student, faculty):
    client.force_login(student)

    def add(n):
        run = make_run(instructors=[faculty], name=f"รุ่นที่ {n}")
        session = add_session(run, -1)
        add_session(run, n + 1)
        enrolment = enrol(run, student)
        courses.mark_attendance(session=session, enrolment=enrolment, mark="late", by=faculty)
        closed = make_run(status=RunStatus.CLOSED)
        make_certificate(enrol(closed, student, E.COMPLETED))

    add(0)
    url = reverse("home")
    few = queries(client, url)
    for n in range(1, 5):
        add(n)
    assert queries(client, url) == few
    assert len(home(client).context["my_courses"]) == 5


# --- The instructor's parts (the faculty home and the teaching page) ------------------------


@pytest.fixture
def teaching(faculty):
    """Runs of `faculty`: today's session, a past one half marked, one fully marked, and a run
    of a course `faculty` teaches."""
    run = make_run(course=make_course(title_en="Throwing on the wheel"), instructors=[faculty])
    first, second = enrol(run), enrol(run)
    half = add_session(run, -2, title="half")
    full = add_session(run, -1, title="full")
    for enrolment in (first, second):
        courses.mark_attendance(session=full, enrolment=enrolment, mark="present", by=faculty)
    courses.mark_attendance(session=half, enrolment=first, mark="absent", by=faculty)
    # Fully marked, so it is never a sheet to fill whatever the hour the test runs.
    today = add_session(run, 0, hour=23, hours=1)
    for enrolment in (first, second):
        courses.mark_attendance(session=today, enrolment=enrolment, mark="late", by=faculty)
    course_run = make_run(course=make_course(title_en="Taught as the course's instructor"))
    course_run.course.instructors.add(faculty)
    return {"run": run, "half": half, "full": full, "today": today, "course_run": course_run}


def test_the_faculty_home_shows_my_runs_todays_sessions_and_sheets_to_fill(
    client, faculty, teaching
):
    make_run(course=make_course(title_en="Someone else's run"), instructors=[UserFactory()])
    closed = make_run(
        course=make_course(title_en="Closed run"), instructors=[faculty], status=RunStatus.CLOSED
    )
    enrol(closed, status=E.COMPLETED)
    add_session(closed, -3)
    client.force_login(in_english(faculty))
    response = home(client)
    html = response.content.decode()
    assert response.context["todays_sessions"] == [teaching["today"]]
    assert response.context["sheets_to_fill"] == [teaching["half"]]
    assert response.context["sheets_to_fill"][0].unmarked == 1
    runs = {r.pk for r in response.context["taught_runs"]}
    assert runs == {teaching["run"].pk, teaching["course_run"].pk}
    assert reverse("training:attendance_sheet", args=[teaching["half"].pk]) in html
    assert reverse("training:attendance_sheet", args=[teaching["today"].pk]) in html
    assert "Throwing on the wheel" in html and "Taught as the course" in html
    assert "Someone else" not in html and "Closed run" not in html
    assert "2 enrolled of 30" in html
    assert reverse("training:teaching") in html
    # The lab parts stay.
    assert 'id="home-bookings"' in html


def test_the_teaching_page_lists_every_run_and_the_sheets(client, faculty, teaching):
    closed = make_run(
        course=make_course(title_en="Closed run"), instructors=[faculty], status=RunStatus.CLOSED
    )
    client.force_login(in_english(faculty))
    response = client.get(reverse("training:teaching"))
    assert response.status_code == 200
    html = response.content.decode()
    assert {r.pk for r in response.context["page_obj"]} == {
        teaching["run"].pk,
        teaching["course_run"].pk,
        closed.pk,
    }
    assert response.context["sheets_to_fill"] == [teaching["half"]]
    assert "1 not marked" in html
    assert "All marked" in html
    assert reverse("training:run_roster", args=[teaching["run"].pk]) in html


def test_the_teaching_page_of_someone_who_teaches_nothing_is_empty(client, student):
    client.force_login(in_english(student))
    html = client.get(reverse("training:teaching")).content.decode()
    assert "You teach no course run." in html
    assert "No session of yours today." in html


def test_the_teaching_page_needs_a_sign_in(client):
    response = client.get(reverse("training:teaching"))
    assert response.status_code == 302


def test_the_faculty_home_and_teaching_page_keep_their_queries_flat(client, faculty):
    client.force_login(faculty)

    def add(n):
        run = make_run(instructors=[faculty], name=f"รุ่นที่ {n}")
        people = [enrol(run) for _ in range(2)]
        past = add_session(run, -1)
        add_session(run, 0, hour=23, hours=1)
        courses.mark_attendance(session=past, enrolment=people[0], mark="present", by=faculty)
        enrol(run, faculty)

    add(0)
    urls = [reverse("home"), reverse("training:teaching")]
    few = [queries(client, url) for url in urls]
    for n in range(1, 6):
        add(n)
    assert [queries(client, url) for url in urls] == few
    response = home(client)
    assert len(response.context["taught_runs"]) == 5
    assert len(response.context["sheets_to_fill"]) == 5


def test_an_officer_home_still_opens(client, officer_2fa):
    sign_in(client, officer_2fa)
    assert home(client).status_code == 200


# --- The entrepreneur's home --------------------------------------------------------------


def test_the_entrepreneur_home_shows_my_courses_beside_my_applications(client, owner):
    EnterpriseFactory(owner=owner)
    run = make_run(course=make_course(title_en="Design for small makers"))
    add_session(run, 4)
    enrol(run, owner)
    client.force_login(in_english(owner))
    html = home(client).content.decode()
    assert "Design for small makers" in html
    assert html.index('id="my-applications"') < html.index('id="home-courses"')
    assert 'id="home-certificates"' in html


def test_the_entrepreneur_home_keeps_its_queries_flat(client, owner):
    client.force_login(owner)

    def add():
        run = make_run()
        add_session(run, 2)
        enrol(run, owner)
        make_certificate(enrol(make_run(status=RunStatus.CLOSED), owner, E.COMPLETED))

    add()
    url = reverse("home")
    few = queries(client, url)
    for _ in range(4):
        add()
    assert queries(client, url) == few
