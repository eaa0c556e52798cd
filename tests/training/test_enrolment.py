"""Enrolment through the pages: window, audience, capacity, waitlist, cancelling, lists."""

import pytest
from django.urls import reverse

from notifications.models import Notification
from tests.conftest import sign_in
from tests.factories import UserFactory
from training.models import CourseEnrolment, CourseEnrolmentStatus
from training.services import courses

from .factories_enrol import make_run

pytestmark = pytest.mark.django_db
E = CourseEnrolmentStatus


def enrol_url(run):
    return reverse("training:run_enrol", args=[run.pk])


def students(n):
    return [UserFactory(role="student") for _ in range(n)]


def test_the_confirm_page_shows_the_run(client, student):
    run = make_run(capacity=3)
    client.force_login(student)
    page = client.get(enrol_url(run)).content.decode()
    assert "การใช้เตาเผาไฟฟ้า" in page and "ห้อง 201" in page
    assert 'id="places-left"' in page and "3" in page
    assert not CourseEnrolment.objects.exists()


def test_a_student_enrols_and_sees_it_in_my_courses(client, student):
    run = make_run()
    client.force_login(student)
    response = client.post(enrol_url(run))
    assert response.status_code == 302
    enrolment = CourseEnrolment.objects.get(run=run, person=student)
    assert enrolment.status == E.ENROLLED
    assert Notification.objects.filter(recipient=student, kind="course_enrolled").count() == 1
    page = client.get(reverse("training:my_courses")).content.decode()
    assert "การใช้เตาเผาไฟฟ้า" in page
    assert reverse("training:my_attendance", args=[enrolment.pk]) in page


@pytest.mark.parametrize(
    ("opens", "closes", "words"),
    [(1, 7, "เปิดรับลงทะเบียนวันที่"), (-7, -1, "ปิดรับลงทะเบียนแล้ว")],
)
def test_outside_the_window_is_refused_with_a_message(client, student, opens, closes, words):
    run = make_run(opens=opens, closes=closes)
    client.force_login(student)
    response = client.post(enrol_url(run), HTTP_ACCEPT_LANGUAGE="th")
    assert response.status_code == 400
    assert words in response.content.decode()
    assert not CourseEnrolment.objects.exists()


def test_the_audience_is_checked_in_the_persons_language(client, owner):
    run = make_run()
    client.force_login(owner)
    response = client.post(enrol_url(run))
    assert response.status_code == 400
    assert "หลักสูตรนี้สำหรับนักศึกษา" in response.content.decode()
    owner.language = "en"
    owner.save()
    client.force_login(owner)
    response = client.post(enrol_url(run), HTTP_ACCEPT_LANGUAGE="en")
    assert "This course is for Students and Faculty." in response.content.decode()
    assert not CourseEnrolment.objects.exists()


def test_enrolling_twice_is_refused(client, student):
    run = make_run()
    client.force_login(student)
    client.post(enrol_url(run))
    response = client.post(enrol_url(run))
    assert response.status_code == 400
    assert CourseEnrolment.objects.filter(run=run, person=student).count() == 1


def test_a_full_run_waitlists_in_order_with_positions(client):
    run = make_run(capacity=1)
    people = students(3)
    for person in people:
        client.force_login(person)
        client.post(enrol_url(run))
    states = [CourseEnrolment.objects.get(person=p).status for p in people]
    assert states == [E.ENROLLED, E.WAITLISTED, E.WAITLISTED]
    assert Notification.objects.filter(kind="course_waitlisted").count() == 2
    client.force_login(people[2])
    page = client.get(reverse("training:my_courses")).content.decode()
    assert "2" in page and ("ลำดับที่ 2" in page or "number 2" in page)


def test_cancelling_promotes_the_next_who_is_told_and_one_may_enrol_again(client):
    run = make_run(capacity=1)
    first, second, third = students(3)
    for person in (first, second, third):
        courses.enrol(run=run, person=person)
    mine = CourseEnrolment.objects.get(person=first)
    url = reverse("training:enrolment_cancel", args=[mine.pk])
    client.force_login(first)
    asked = client.post(url)  # no confirmation: asks first
    assert asked.status_code == 200 and "confirmed" in asked.content.decode()
    mine.refresh_from_db()
    assert mine.status == E.ENROLLED
    assert client.post(url, {"confirmed": "yes"}).status_code == 302
    mine.refresh_from_db()
    assert mine.status == E.CANCELLED
    assert CourseEnrolment.objects.get(person=second).status == E.ENROLLED
    assert Notification.objects.filter(recipient=second, kind="course_promoted").count() == 1
    assert not Notification.objects.filter(recipient=third, kind="course_promoted").exists()
    assert courses.waitlist_position(CourseEnrolment.objects.get(person=third)) == 1
    # Enrolling again after cancelling: the end of the line.
    client.post(enrol_url(run))
    again = CourseEnrolment.objects.get(person=first, status=E.WAITLISTED)
    assert courses.waitlist_position(again) == 2


def test_someone_elses_enrolment_cannot_be_cancelled(client, student):
    run = make_run()
    enrolment = courses.enrol(run=run, person=student)
    other = students(1)[0]
    client.force_login(other)
    url = reverse("training:enrolment_cancel", args=[enrolment.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"confirmed": "yes"}).status_code == 404
    enrolment.refresh_from_db()
    assert enrolment.status == E.ENROLLED


def test_a_manager_cancels_from_the_roster(client, faculty, student):
    run = make_run()
    enrolment = courses.enrol(run=run, person=student)
    client.force_login(faculty)
    url = reverse("training:enrolment_cancel", args=[enrolment.pk])
    response = client.post(url, {"confirmed": "yes"})
    assert response.url == reverse("training:run_roster", args=[run.pk])
    enrolment.refresh_from_db()
    assert enrolment.status == E.CANCELLED


def test_the_roster_is_for_managers_and_the_runs_instructors(client, student, owner, faculty):
    run = make_run()
    url = reverse("training:run_roster", args=[run.pk])
    for person in (student, owner):
        client.force_login(person)
        assert client.get(url).status_code == 403
    instructor = UserFactory(role="student")
    run.instructors.add(instructor)
    client.force_login(instructor)
    assert client.get(url).status_code == 200
    client.force_login(faculty)
    assert client.get(url).status_code == 200
    client.logout()
    assert client.get(url).status_code == 302


def test_officers_need_their_second_factor(client, officer_2fa):
    run = make_run()
    url = reverse("training:run_roster", args=[run.pk])
    client.force_login(officer_2fa)
    assert client.get(url).status_code != 200
    sign_in(client, officer_2fa)
    assert client.get(url).status_code == 200


def test_the_roster_lists_enrolled_and_waiting_in_order(client, faculty):
    run = make_run(capacity=2)
    people = students(4)
    for person in people:
        courses.enrol(run=run, person=person)
    client.force_login(faculty)
    page = client.get(reverse("training:run_roster", args=[run.pk])).content.decode()
    enrolled, waitlist = page.split('id="roster-waitlist"')
    assert enrolled.index(people[0].email) < enrolled.index(people[1].email)
    assert people[2].email not in enrolled
    assert waitlist.index(people[2].email) < waitlist.index(people[3].email)


def test_enrol_many_previews_then_enrols(client, officer_2fa):
    run = make_run(capacity=2)
    sign_in(client, officer_2fa)
    a, b, c = students(3)
    entrepreneur = UserFactory(role="entrepreneur")
    already = students(1)[0]
    courses.enrol(run=run, person=already)
    text = (
        f"{a.email}\n{b.email.upper()}, {c.email}\nnobody@example.com\n"
        f"{entrepreneur.email}\nnot-an-email\n{already.email}"
    )
    url = reverse("training:run_enrol_many", args=[run.pk])
    page = client.post(url, {"emails": text}).content.decode()
    preview = page.split('id="preview-enrol"')[1]
    section = {
        key: preview.split(f'id="preview-{key}"')[1].split("</ul>")[0]
        for key in ("waitlist", "unknown", "wrong-role", "already")
    }
    enrol_part = preview.split("</ul>")[0]
    assert a.email in enrol_part and b.email not in enrol_part
    assert b.email in section["waitlist"] and c.email in section["waitlist"]
    assert "nobody@example.com" in section["unknown"] and "not-an-email" in section["unknown"]
    assert entrepreneur.email in section["wrong-role"]
    assert already.email in section["already"]
    assert CourseEnrolment.objects.count() == 1  # the preview changed nothing

    result = client.post(url, {"emails": text, "step": "confirm"})
    assert result.status_code == 200
    assert CourseEnrolment.objects.get(person=a).status == E.ENROLLED
    assert CourseEnrolment.objects.get(person=b).status == E.WAITLISTED
    assert courses.waitlist_position(CourseEnrolment.objects.get(person=c)) == 2
    assert not CourseEnrolment.objects.filter(person=entrepreneur).exists()
    assert 'id="result-waitlisted"' in result.content.decode()


def test_enrol_many_is_for_managers_and_bad_input_is_a_message(client, student, officer_2fa):
    run = make_run()
    url = reverse("training:run_enrol_many", args=[run.pk])
    client.force_login(student)
    assert client.post(url, {"emails": student.email}).status_code == 403
    sign_in(client, officer_2fa)
    response = client.post(url, {"emails": "  ,\n "})
    assert response.status_code == 400
    response = client.post(url, {"emails": "a\x00b@example.com"})
    assert response.status_code in (200, 400)
    assert not CourseEnrolment.objects.exists()


def test_my_courses_queries_do_not_grow(client, student, django_assert_max_num_queries):
    client.force_login(student)
    url = reverse("training:my_courses")
    courses.enrol(run=make_run(), person=student)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for _ in range(5):
        courses.enrol(run=make_run(capacity=1), person=UserFactory(role="student"))
        courses.enrol(run=make_run(capacity=1), person=student)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert page.count('class="list-group-item"') == 6


def test_the_roster_queries_do_not_grow(client, faculty, django_assert_max_num_queries):
    run = make_run(capacity=2)
    client.force_login(faculty)
    url = reverse("training:run_roster", args=[run.pk])
    courses.enrol(run=run, person=students(1)[0])
    with django_assert_max_num_queries(15) as few:
        client.get(url)
    for person in students(8):
        courses.enrol(run=run, person=person)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
