"""Officers and faculty manage courses, runs and sessions; a session in a room of the
centre is booked in the lab calendar, so a session and a booking never clash."""

from datetime import timedelta

import pytest
from django.urls import reverse

from tests.conftest import sign_in
from tests.factories import BookingFactory, ClearanceKindFactory, ResourceFactory, at
from toolkit.models import AuditEntry
from toolkit.thaidates import format_date_input
from training.exceptions import BookingRefused, NotAllowed
from training.models import (
    Booking,
    BookingStatus,
    Course,
    CourseClearance,
    CourseRun,
    CourseSession,
    Purpose,
)
from training.services import course_admin

from .factories_courses import CourseFactory, CourseRunFactory, CourseSessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def faculty_client(client, faculty):
    faculty.language = "en"
    faculty.save(update_fields=["language"])
    client.force_login(faculty)  # faculty pages need no two-factor session
    return client


@pytest.fixture
def room(db):
    return ResourceFactory(
        kind="room",
        name_th="ห้องอบรม 1",
        name_en="Training room 1",
        cooldown_minutes=30,
        slot_minutes=30,
    )


def management(prefix, total=0, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def course_data(**overrides):
    data = {
        "title_th": "การใช้เตาเผาไฟฟ้า",
        "title_en": "Electric kiln operation",
        "description_th": "ฝึกการเผาอย่างปลอดภัย",
        "description_en": "",
        "audience": ["student", "faculty"],
        "hours": "12",
        "attendance_required": "80",
        "is_published": "on",
        **management("grants"),
    }
    data.update(overrides)
    return data


def run_data(**overrides):
    opens, closes = at(-1, 8), at(14, 17)
    data = {
        "name": "รุ่นที่ 1/2570",
        "capacity": "20",
        "status": "open",
        "opens_date": format_date_input(opens.date()),
        "opens_time": "08:00",
        "closes_date": format_date_input(closes.date()),
        "closes_time": "17:00",
    }
    data.update(overrides)
    return data


def session_data(day=5, start="09:00", end="12:00", room=None, place="", title="เตรียมดิน"):
    return {
        "title": title,
        "date": format_date_input(at(day, 9).date()),
        "start": start,
        "end": end,
        "room": str(room.pk) if room else "",
        "place": place,
    }


MANAGE_PAGES = [
    ("training:course_manage_list", False),
    ("training:course_create", False),
    ("training:course_edit", "course"),
    ("training:run_create", "course"),
    ("training:run_edit", "run"),
    ("training:session_create", "run"),
    ("training:session_edit", "session"),
    ("training:session_delete", "session"),
]


def manage_urls():
    session = CourseSessionFactory()
    objects = {"course": session.run.course, "run": session.run, "session": session}
    return [
        reverse(name, args=[objects[arg].pk]) if arg else reverse(name)
        for name, arg in MANAGE_PAGES
    ]


# --- Who may manage -------------------------------------------------------------------


def test_faculty_and_officer_with_two_factor_manage(client, faculty, officer_2fa):
    urls = manage_urls()
    client.force_login(faculty)
    for url in urls:
        assert client.get(url).status_code == 200, url
    sign_in(client, officer_2fa)
    for url in urls:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("who", ["student", "owner", "outsider", "staff_2fa"])
def test_others_are_refused(client, request, who):
    urls = manage_urls()
    person = request.getfixturevalue(who)
    if who == "staff_2fa":
        sign_in(client, person)
    else:
        client.force_login(person)
    for url in urls:
        assert client.get(url).status_code == 403, url


def test_anonymous_is_sent_to_log_in(client):
    for url in manage_urls():
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url


def test_officer_without_a_two_factor_session_is_refused(client, officer_2fa):
    urls = manage_urls()
    client.force_login(officer_2fa)  # the password step only
    for url in urls:
        response = client.get(url)
        assert response.status_code != 200, url
    assert not Course.objects.exclude(pk__in=CourseRun.objects.values("course")).exists()
    response = client.post(reverse("training:course_create"), course_data())
    assert response.status_code != 200
    assert Course.objects.count() == 1


def test_the_services_refuse_people_who_may_not_manage(student, staff_2fa):
    run = CourseRunFactory()
    for person in (student, staff_2fa):
        with pytest.raises(NotAllowed):
            course_admin.save_course(course=run.course, by=person, audience=[], instructors=[])
        with pytest.raises(NotAllowed):
            course_admin.add_session(
                run=run, by=person, starts_at=at(5, 9), ends_at=at(5, 10), place="ห้อง 201"
            )


# --- Courses --------------------------------------------------------------------------


def test_create_a_course_with_instructors_and_clearances(faculty_client, faculty, officer):
    kind = ClearanceKindFactory()
    data = course_data(instructors=[str(faculty.pk), str(officer.pk)])
    data.update(management("grants", total=2))
    # The second row is left as the page shows it: no clearance, the default validity.
    data.update({"grants-0-kind": str(kind.pk), "grants-0-valid_days": "365"})
    data.update({"grants-1-kind": "", "grants-1-valid_days": "365"})
    response = faculty_client.post(reverse("training:course_create"), data)
    assert response.status_code == 302
    course = Course.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("training:course_edit", args=[course.pk])
    assert course.audience == ["student", "faculty"]
    assert set(course.instructors.all()) == {faculty, officer}
    assert course.created_by == faculty
    grant = CourseClearance.objects.get(course=course)
    assert (grant.kind, grant.valid_days) == (kind, 365)
    assert AuditEntry.objects.filter(action="course.create", target_id=str(course.pk)).exists()


def test_only_faculty_and_officers_may_be_instructors(faculty_client, student):
    response = faculty_client.post(
        reverse("training:course_create"), course_data(instructors=[str(student.pk)])
    )
    assert response.status_code == 200
    assert "instructors" in response.context["form"].errors
    assert not Course.objects.exists()


def test_attendance_share_over_100_is_refused(faculty_client):
    response = faculty_client.post(
        reverse("training:course_create"), course_data(attendance_required="101")
    )
    assert response.status_code == 200
    assert "attendance_required" in response.context["form"].errors
    assert not Course.objects.exists()


def test_a_course_needs_an_audience(faculty_client):
    data = course_data()
    del data["audience"]
    response = faculty_client.post(reverse("training:course_create"), data)
    assert "Choose at least one audience." in response.content.decode()
    assert not Course.objects.exists()


def test_a_clearance_is_granted_once(faculty_client):
    kind = ClearanceKindFactory()
    data = course_data()
    data.update(management("grants", total=2))
    for i in range(2):
        data.update({f"grants-{i}-kind": str(kind.pk), f"grants-{i}-valid_days": "365"})
    response = faculty_client.post(reverse("training:course_create"), data)
    assert response.status_code == 200
    assert response.context["grants"].non_form_errors()
    assert not Course.objects.exists()


def test_edit_a_course_removes_a_clearance(faculty_client):
    course = CourseFactory()
    grant = CourseClearance.objects.create(course=course, kind=ClearanceKindFactory())
    data = course_data(title_th="หลักสูตรใหม่", is_published="")
    data.update(management("grants", total=1, initial=1))
    data.update(
        {
            "grants-0-id": str(grant.pk),
            "grants-0-course": str(course.pk),
            "grants-0-kind": str(grant.kind_id),
            "grants-0-valid_days": "365",
            "grants-0-DELETE": "on",
        }
    )
    response = faculty_client.post(reverse("training:course_edit", args=[course.pk]), data)
    assert response.status_code == 302
    course.refresh_from_db()
    assert (course.title_th, course.is_published) == ("หลักสูตรใหม่", False)
    assert not CourseClearance.objects.exists()


# --- Runs -----------------------------------------------------------------------------


def test_create_a_run(faculty_client, faculty):
    course = CourseFactory()
    response = faculty_client.post(
        reverse("training:run_create", args=[course.pk]), run_data(instructors=[str(faculty.pk)])
    )
    run = CourseRun.objects.get()
    assert response.status_code == 302
    assert (run.course, run.capacity, run.status) == (course, 20, "open")
    assert run.enrol_opens_at == at(-1, 8)
    assert run.enrol_closes_at == at(14, 17)
    assert list(run.instructors.all()) == [faculty]


def test_run_dates_are_typed_in_the_buddhist_era(client, faculty):
    client.force_login(faculty)  # Thai
    course = CourseFactory()
    closes = at(14, 17).date()
    data = run_data(closes_date=f"{closes.day}/{closes.month}/{closes.year + 543}")
    client.post(reverse("training:run_create", args=[course.pk]), data)
    assert CourseRun.objects.get().enrol_closes_at == at(14, 17)


def test_capacity_zero_is_refused(faculty_client):
    course = CourseFactory()
    response = faculty_client.post(
        reverse("training:run_create", args=[course.pk]), run_data(capacity="0")
    )
    assert response.status_code == 200
    assert "capacity" in response.context["form"].errors
    assert not CourseRun.objects.exists()


def test_enrolment_must_close_after_it_opens(faculty_client):
    course = CourseFactory()
    opens = at(5, 8)
    data = run_data(
        opens_date=format_date_input(opens.date()), closes_date=format_date_input(at(1, 8).date())
    )
    response = faculty_client.post(reverse("training:run_create", args=[course.pk]), data)
    assert "Enrolment must close after it opens." in response.content.decode()
    assert not CourseRun.objects.exists()


def test_edit_a_run(faculty_client):
    run = CourseRunFactory()
    response = faculty_client.post(
        reverse("training:run_edit", args=[run.pk]), run_data(capacity="3", status="cancelled")
    )
    assert response.status_code == 302
    run.refresh_from_db()
    assert (run.capacity, run.status) == (3, "cancelled")


# --- Sessions -------------------------------------------------------------------------


def test_a_session_elsewhere_books_nothing(faculty_client):
    run = CourseRunFactory()
    response = faculty_client.post(
        reverse("training:session_create", args=[run.pk]), session_data(place="ห้อง 201")
    )
    assert response.status_code == 302
    session = CourseSession.objects.get()
    assert (session.place, session.room, session.booking) == ("ห้อง 201", None, None)
    assert session.starts_at == at(5, 9)
    assert not Booking.objects.exists()


def test_session_end_before_start_is_refused(faculty_client):
    run = CourseRunFactory()
    response = faculty_client.post(
        reverse("training:session_create", args=[run.pk]),
        session_data(start="12:00", end="09:00", place="ห้อง 201"),
    )
    assert "The session must end after it starts." in response.content.decode()
    assert not CourseSession.objects.exists()


def test_a_session_needs_one_place(faculty_client, room):
    run = CourseRunFactory()
    url = reverse("training:session_create", args=[run.pk])
    neither = faculty_client.post(url, session_data())
    assert "Choose a room of the centre or write where it takes place." in neither.content.decode()
    both = faculty_client.post(url, session_data(room=room, place="ห้อง 201"))
    assert "not both" in both.content.decode()
    assert not CourseSession.objects.exists()


def test_a_session_in_a_room_is_booked_in_the_lab_calendar(faculty_client, faculty, room):
    run = CourseRunFactory()
    response = faculty_client.post(
        reverse("training:session_create", args=[run.pk]), session_data(room=room)
    )
    assert response.status_code == 302
    session = CourseSession.objects.select_related("booking").get()
    booking = session.booking
    assert session.room == room
    assert (booking.resource, booking.owner, booking.status, booking.purpose) == (
        room,
        faculty,
        BookingStatus.APPROVED,
        Purpose.COURSE_PROJECT,
    )
    assert (booking.starts_at, booking.ends_at) == (at(5, 9), at(5, 12))
    assert booking.blocked_until == at(5, 12) + timedelta(minutes=30)


def test_opening_hours_do_not_bind_a_session(faculty_client, room):
    run = CourseRunFactory()
    # The room opens 08:00–20:00; an evening session is the centre's own decision.
    response = faculty_client.post(
        reverse("training:session_create", args=[run.pk]),
        session_data(start="19:00", end="21:15", room=room),
    )
    assert response.status_code == 302
    assert CourseSession.objects.get().booking.ends_at == at(5, 21, 15)


def test_a_session_clashing_with_a_lab_booking_is_refused_with_the_labs_message(
    faculty_client, room
):
    BookingFactory(resource=room, starts_at=at(5, 10), ends_at=at(5, 11), status="approved")
    run = CourseRunFactory()
    response = faculty_client.post(
        reverse("training:session_create", args=[run.pk]), session_data(room=room)
    )
    assert response.status_code == 200
    assert "Training room 1 is already booked" in response.content.decode()
    assert not CourseSession.objects.exists()
    assert Booking.objects.count() == 1


def test_a_session_in_a_bookings_cool_down_is_refused(faculty_client, room):
    BookingFactory(resource=room, starts_at=at(5, 7), ends_at=at(5, 8, 45), status="approved")
    run = CourseRunFactory()
    response = faculty_client.post(
        reverse("training:session_create", args=[run.pk]), session_data(room=room)
    )
    assert "is cooling down" in response.content.decode()
    assert not CourseSession.objects.exists()


def test_the_lab_cannot_book_over_a_session(faculty, room, student):
    from training.services import bookings

    run = CourseRunFactory()
    course_admin.add_session(run=run, by=faculty, starts_at=at(5, 9), ends_at=at(5, 12), room=room)
    with pytest.raises(BookingRefused):
        bookings.book(
            resource=room,
            by=student,
            starts_at=at(5, 10),
            ends_at=at(5, 11),
            purpose=Purpose.COURSE_PROJECT,
        )


def test_moving_a_session_moves_its_booking(faculty_client, faculty, room):
    run = CourseRunFactory()
    session = course_admin.add_session(
        run=run, by=faculty, starts_at=at(5, 9), ends_at=at(5, 12), room=room
    )
    old = session.booking
    response = faculty_client.post(
        reverse("training:session_edit", args=[session.pk]),
        session_data(start="10:00", end="13:00", room=room),
    )
    assert response.status_code == 302
    session.refresh_from_db()
    old.refresh_from_db()
    assert old.status == BookingStatus.CANCELLED
    assert session.booking != old
    assert (session.booking.starts_at, session.booking.status) == (at(5, 10), "approved")
    assert session.starts_at == at(5, 10)


def test_a_move_into_a_clash_changes_nothing(faculty_client, faculty, room):
    BookingFactory(resource=room, starts_at=at(6, 9), ends_at=at(6, 10), status="approved")
    run = CourseRunFactory()
    session = course_admin.add_session(
        run=run, by=faculty, starts_at=at(5, 9), ends_at=at(5, 12), room=room
    )
    response = faculty_client.post(
        reverse("training:session_edit", args=[session.pk]), session_data(day=6, room=room)
    )
    assert "Training room 1 is already booked" in response.content.decode()
    session.refresh_from_db()
    assert session.starts_at == at(5, 9)
    assert session.booking.status == BookingStatus.APPROVED
    assert Booking.objects.filter(status="approved").count() == 2


def test_moving_a_session_elsewhere_frees_the_room(faculty_client, faculty, room):
    run = CourseRunFactory()
    session = course_admin.add_session(
        run=run, by=faculty, starts_at=at(5, 9), ends_at=at(5, 12), room=room
    )
    old = session.booking
    faculty_client.post(
        reverse("training:session_edit", args=[session.pk]), session_data(place="ห้อง 201")
    )
    session.refresh_from_db()
    old.refresh_from_db()
    assert (session.room, session.booking, session.place) == (None, None, "ห้อง 201")
    assert old.status == BookingStatus.CANCELLED


def test_editing_only_the_topic_keeps_the_booking(faculty_client, faculty, room):
    run = CourseRunFactory()
    session = course_admin.add_session(
        run=run, by=faculty, starts_at=at(5, 9), ends_at=at(5, 12), room=room
    )
    faculty_client.post(
        reverse("training:session_edit", args=[session.pk]),
        session_data(room=room, title="เคลือบ"),
    )
    booking = session.booking
    session.refresh_from_db()
    assert (session.title, session.booking) == ("เคลือบ", booking)
    assert Booking.objects.count() == 1


def test_deleting_a_session_asks_then_cancels_its_booking(faculty_client, faculty, room):
    run = CourseRunFactory()
    session = course_admin.add_session(
        run=run, by=faculty, starts_at=at(5, 9), ends_at=at(5, 12), room=room
    )
    url = reverse("training:session_delete", args=[session.pk])
    assert faculty_client.post(url).status_code == 200  # the question, not the deed
    assert CourseSession.objects.exists()
    response = faculty_client.post(url, {"confirmed": "yes"})
    assert response.status_code == 302
    assert not CourseSession.objects.exists()
    booking = Booking.objects.get()
    assert booking.status == BookingStatus.CANCELLED
    assert AuditEntry.objects.filter(action="course_session.delete").exists()


def test_a_nul_byte_does_not_break_the_session_form(faculty_client):
    run = CourseRunFactory()
    response = faculty_client.post(
        reverse("training:session_create", args=[run.pk]), session_data(place="ห้อง\x00201")
    )
    assert response.status_code in (200, 302, 400)


def test_manage_list_queries_do_not_grow(faculty_client, django_assert_max_num_queries):
    for _ in range(3):
        CourseRunFactory()
    with django_assert_max_num_queries(12) as few:
        faculty_client.get(reverse("training:course_manage_list"))
    for _ in range(10):
        CourseRunFactory()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = faculty_client.get(reverse("training:course_manage_list"))
    assert response.status_code == 200


def test_the_exclusion_constraint_has_the_last_word_on_a_session(faculty, room, monkeypatch):
    """Two requests at one instant both pass the check; the database refuses the second."""
    from django.db import connection

    from training.services import bookings

    if connection.vendor != "postgresql":
        pytest.skip("the exclusion constraint exists on PostgreSQL only")
    BookingFactory(resource=room, starts_at=at(5, 10), ends_at=at(5, 11), status="approved")
    monkeypatch.setattr(bookings, "overlap_refusal", lambda *args, **kwargs: None)
    run = CourseRunFactory()
    with pytest.raises(BookingRefused):
        course_admin.add_session(
            run=run, by=faculty, starts_at=at(5, 9), ends_at=at(5, 12), room=room
        )
    assert not CourseSession.objects.exists()
