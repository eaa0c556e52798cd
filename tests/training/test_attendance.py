"""Attendance: the instructor's one-tap sheet, who may use it, and a person's own attendance."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import sign_in
from tests.factories import UserFactory
from training.models import Attendance, CourseEnrolmentStatus, RunStatus
from training.services import courses

from .factories_attend import add_session, enrol, make_course, make_run

pytestmark = pytest.mark.django_db


def in_english(user):
    user.language = "en"
    user.save(update_fields=["language"])
    return user


@pytest.fixture
def run(faculty):
    return make_run(instructors=[faculty])


@pytest.fixture
def session(run):
    return add_session(run, 0, hour=9)


def sheet_url(session):
    return reverse("training:attendance_sheet", args=[session.pk])


def mark_url(session, enrolment):
    return reverse("training:attendance_mark", args=[session.pk, enrolment.pk])


def htmx(client, url, **data):
    return client.post(url, data, HTTP_HX_REQUEST="true")


# --- The sheet --------------------------------------------------------------------------


def test_the_sheet_lists_the_people_with_the_session_date_in_the_buddhist_era(
    client, faculty, run, session, student
):
    enrolment = enrol(run, student)
    enrol(run, full_name="ดวงใจ รอคิว", status=CourseEnrolmentStatus.WAITLISTED)
    enrol(run, full_name="สมหมาย ยกเลิก", status=CourseEnrolmentStatus.CANCELLED)
    client.force_login(faculty)
    page = client.get(sheet_url(session))
    assert page.status_code == 200
    html = page.content.decode()
    assert student.full_name in html
    assert "ดวงใจ รอคิว" not in html
    assert "สมหมาย ยกเลิก" not in html
    assert str(timezone.localdate().year + 543) in html
    assert mark_url(session, enrolment) in html
    assert 'hx-post="' + mark_url(session, enrolment) in html
    assert html.count('aria-pressed="false"') == 4
    assert page.context["session"].unmarked == 1


def test_the_sheet_in_english_counts_marked_and_unmarked(client, faculty, run, session):
    first, second, _third = (enrol(run) for _ in range(3))
    courses.mark_attendance(session=session, enrolment=first, mark="present", by=faculty)
    courses.mark_attendance(session=session, enrolment=second, mark="absent", by=faculty)
    client.force_login(in_english(faculty))
    html = client.get(sheet_url(session)).content.decode()
    assert "2 marked" in html
    assert "1 not marked" in html
    assert html.count('aria-pressed="true"') == 2
    assert "Present" in html and "Excused" in html


def test_a_tap_with_htmx_saves_and_returns_the_row_and_the_counts(client, faculty, run, session):
    enrolment = enrol(run)
    enrol(run)
    client.force_login(in_english(faculty))
    response = htmx(client, mark_url(session, enrolment), mark="late")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="attendance-row-{enrolment.pk}"' in html
    assert 'value="late" class="btn btn-warning" aria-pressed="true"' in html
    assert 'id="attendance-counts"' in html and 'hx-swap-oob="true"' in html
    assert "1 marked" in html and "1 not marked" in html
    attendance = Attendance.objects.get()
    assert (attendance.mark, attendance.marked_by) == ("late", faculty)


def test_a_tap_without_scripts_redirects_back_to_the_row(client, faculty, run, session):
    enrolment = enrol(run)
    client.force_login(faculty)
    response = client.post(mark_url(session, enrolment), {"mark": "present"})
    assert response.status_code == 302
    assert response["Location"] == sheet_url(session) + f"#attendance-row-{enrolment.pk}"
    assert Attendance.objects.get().mark == "present"


def test_a_second_tap_replaces_the_mark(client, faculty, run, session):
    enrolment = enrol(run)
    client.force_login(faculty)
    client.post(mark_url(session, enrolment), {"mark": "present"})
    htmx(client, mark_url(session, enrolment), mark="excused")
    client.post(mark_url(session, enrolment), {"mark": "absent"})
    assert list(Attendance.objects.values_list("mark", flat=True)) == ["absent"]


def test_a_tap_on_a_later_page_comes_back_to_that_page(client, faculty, run, session):
    enrolment = enrol(run)
    client.force_login(faculty)
    response = client.post(mark_url(session, enrolment), {"mark": "present", "page": "2"})
    assert response["Location"] == sheet_url(session) + f"?page=2#attendance-row-{enrolment.pk}"


def test_an_unknown_mark_is_refused_with_a_message(client, faculty, run, session):
    enrolment = enrol(run)
    client.force_login(in_english(faculty))
    # A NUL byte is stopped before the view (toolkit's middleware), never a 500.
    assert htmx(client, mark_url(session, enrolment), mark="late\x00").status_code == 400
    response = htmx(client, mark_url(session, enrolment), mark="asleep")
    assert response.status_code == 200
    assert "Choose present, late, absent or excused." in response.content.decode()
    response = client.post(mark_url(session, enrolment), {"mark": "asleep"}, follow=True)
    assert "Choose present, late, absent or excused." in response.content.decode()
    assert not Attendance.objects.exists()


def test_a_person_of_another_run_cannot_be_marked_on_this_sheet(client, faculty, session):
    other = enrol(make_run(instructors=[faculty]))
    client.force_login(faculty)
    assert client.post(mark_url(session, other), {"mark": "present"}).status_code == 404
    assert not Attendance.objects.exists()


def test_marking_takes_only_post(client, faculty, run, session):
    enrolment = enrol(run)
    client.force_login(faculty)
    assert client.get(mark_url(session, enrolment)).status_code == 405


def test_a_closed_run_is_read_only(client, faculty, run, session):
    enrolment = enrol(run)
    courses.mark_attendance(session=session, enrolment=enrolment, mark="present", by=faculty)
    run.status = RunStatus.CLOSED
    run.save(update_fields=["status"])
    enrolment.status = CourseEnrolmentStatus.COMPLETED
    enrolment.save(update_fields=["status"])
    client.force_login(in_english(faculty))
    html = client.get(sheet_url(session)).content.decode()
    assert "its attendance can no longer change" in html
    assert enrolment.person.full_name in html
    assert "<form" not in html.split('id="attendance-counts"')[1].split("</main>")[0]
    assert mark_url(session, enrolment) not in html
    response = client.post(mark_url(session, enrolment), {"mark": "absent"}, follow=True)
    assert "can no longer change" in response.content.decode()
    assert Attendance.objects.get().mark == "present"


# --- Who may take attendance --------------------------------------------------------------


def test_an_instructor_of_the_course_may_mark_a_run_of_it(client, session):
    teacher = UserFactory(role="faculty")
    session.run.course.instructors.add(teacher)
    enrolment = enrol(session.run)
    client.force_login(teacher)
    assert client.get(sheet_url(session)).status_code == 200
    assert htmx(client, mark_url(session, enrolment), mark="present").status_code == 200
    assert Attendance.objects.count() == 1


def test_an_officer_with_two_factor_may_mark(client, officer_2fa, session):
    enrolment = enrol(session.run)
    sign_in(client, officer_2fa)
    assert client.get(sheet_url(session)).status_code == 200
    assert client.post(mark_url(session, enrolment), {"mark": "present"}).status_code == 302
    assert Attendance.objects.count() == 1


def test_an_officer_without_the_code_is_sent_to_give_it(client, officer_2fa, session):
    client.force_login(officer_2fa)
    response = client.get(sheet_url(session))
    assert response.status_code == 302
    assert reverse("mfa_reauthenticate") in response["Location"]


@pytest.mark.parametrize("person", ["student", "outsider", "other_faculty", "staff_2fa"])
def test_others_may_neither_see_the_sheet_nor_mark(client, request, session, person):
    if person == "other_faculty":
        user = UserFactory(role="faculty")
    else:
        user = request.getfixturevalue(person)
    enrolment = enrol(session.run, request.getfixturevalue("student"))
    sign_in(client, user)
    assert client.get(sheet_url(session)).status_code == 404
    assert client.post(mark_url(session, enrolment), {"mark": "present"}).status_code == 404
    assert htmx(client, mark_url(session, enrolment), mark="present").status_code == 404
    assert not Attendance.objects.exists()


def test_a_visitor_is_sent_to_sign_in(client, session):
    response = client.get(sheet_url(session))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_the_service_refuses_a_faculty_member_who_does_not_teach_the_run(session):
    enrolment = enrol(session.run)
    with pytest.raises(courses.NotAllowed):
        courses.mark_attendance(
            session=session, enrolment=enrolment, mark="present", by=UserFactory(role="faculty")
        )


def test_the_sheet_keeps_its_queries_flat(
    client, faculty, run, session, django_assert_max_num_queries
):
    client.force_login(faculty)
    for _ in range(2):
        courses.mark_attendance(session=session, enrolment=enrol(run), mark="late", by=faculty)

    def count():
        with django_assert_max_num_queries(30) as captured:
            assert client.get(sheet_url(session)).status_code == 200
        return len(captured)

    few = count()
    for _ in range(15):
        courses.mark_attendance(session=session, enrolment=enrol(run), mark="present", by=faculty)
        enrol(run)
    assert count() == few


# --- My attendance ------------------------------------------------------------------------


def test_a_person_sees_their_attendance_and_share(client, faculty, student):
    run = make_run(course=make_course(attendance_required=80), instructors=[faculty])
    sessions = [add_session(run, day) for day in (-3, -2, -1, 2)]
    enrolment = enrol(run, student)
    for session, mark in zip(sessions[:3], ("present", "late", "absent"), strict=True):
        courses.mark_attendance(session=session, enrolment=enrolment, mark=mark, by=faculty)
    client.force_login(in_english(student))
    response = client.get(reverse("training:my_attendance", args=[enrolment.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "You attended 2 of 4 sessions." in html
    assert "50.0%" in html
    assert "the course needs 80% to complete" in html
    assert "Late" in html and "Absent" in html and "Not marked" in html
    assert response.context["share"] == courses.attendance_share(enrolment)


@pytest.mark.parametrize("person", ["outsider", "faculty", "other_student"])
def test_no_one_else_sees_a_persons_attendance(client, request, student, person):
    run = make_run(instructors=[request.getfixturevalue("faculty")])
    enrolment = enrol(run, student)
    user = (
        UserFactory(role="student")
        if person == "other_student"
        else request.getfixturevalue(person)
    )
    client.force_login(user)
    assert client.get(reverse("training:my_attendance", args=[enrolment.pk])).status_code == 404
