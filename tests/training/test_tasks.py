"""The lab's background work: each beat task and the service behind it."""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.db.models import QuerySet
from django.utils import timezone, translation

from notifications.models import Notification, OutboundEmail
from notifications.rendering import render_subject, render_summary
from notifications.services import notify
from tests.concurrency import at_once, require_postgresql
from tests.factories import BookingFactory, ResourceFactory, UserFactory, at
from training import tasks
from training.models import (
    Booking,
    BookingQuerySet,
    BookingStatus,
    Purpose,
    SlotWatch,
    SlotWatchStatus,
    Suspension,
)
from training.services import bookings, clearances, reminders, waiting

pytestmark = pytest.mark.django_db
S = BookingStatus


def kinds(user):
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


# --- The beat schedule ----------------------------------------------------------------


def test_every_lab_task_is_on_the_beat_schedule():
    scheduled = {
        entry["task"]: entry["schedule"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()
    }
    for name in ("mark_no_shows", "expire_requests", "lapse_holds"):
        assert scheduled[f"training.tasks.{name}"] == 300.0
    hourly = scheduled["training.tasks.remind_tomorrow"]
    assert hourly.hour == set(range(24)) and len(hourly.minute) == 1
    daily = scheduled["training.tasks.remind_lapsing_clearances"]
    assert len(daily.hour) == 1 and len(daily.minute) == 1


# --- No-shows -------------------------------------------------------------------------


def test_an_approved_booking_becomes_a_no_show_only_after_the_resources_grace(student):
    kiln = ResourceFactory(no_show_after_minutes=15)
    now = timezone.now()
    booking = BookingFactory(
        resource=kiln, owner=student, starts_at=now - timedelta(minutes=10),
        ends_at=now + timedelta(hours=2),
    )  # fmt: skip

    assert tasks.mark_no_shows.delay().get() == 0
    booking.refresh_from_db()
    assert booking.status == S.APPROVED

    assert bookings.mark_no_shows(now=now + timedelta(minutes=6)) == 1
    booking.refresh_from_db()
    assert booking.status == S.NO_SHOW
    assert kinds(student) == ["booking_no_show"]
    # A second run changes nothing and tells no one again.
    assert bookings.mark_no_shows(now=now + timedelta(minutes=7)) == 0
    assert kinds(student) == ["booking_no_show"]


def test_a_checked_in_booking_is_never_a_no_show(student):
    now = timezone.now()
    BookingFactory(
        owner=student, status=S.CHECKED_IN, starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=1),
    )  # fmt: skip
    assert tasks.mark_no_shows.delay().get() == 0


def test_the_no_show_limit_suspends_self_booking(student, settings):
    now = timezone.now()
    kiln = ResourceFactory(no_show_after_minutes=15)
    for days in (20, 10):
        BookingFactory(
            resource=kiln, owner=student, status=S.NO_SHOW, starts_at=at(-days, 9),
            ends_at=at(-days, 10),
        )  # fmt: skip
    assert settings.LAB_NO_SHOW_LIMIT == 3
    BookingFactory(
        resource=kiln, owner=student, starts_at=now - timedelta(minutes=30),
        ends_at=now + timedelta(minutes=30),
    )  # fmt: skip

    assert tasks.mark_no_shows.delay().get() == 1

    suspension = Suspension.objects.get(person=student)
    assert suspension.is_active
    assert suspension.ends_at == pytest.approx(
        now + timedelta(days=settings.LAB_SUSPENSION_DAYS), abs=timedelta(minutes=1)
    )
    assert "booking_suspended" in kinds(student)


def test_fewer_no_shows_than_the_limit_do_not_suspend(student, settings):
    settings.LAB_NO_SHOW_LIMIT = 3
    now = timezone.now()
    BookingFactory(owner=student, status=S.NO_SHOW, starts_at=at(-5, 9), ends_at=at(-5, 10))
    BookingFactory(
        owner=student, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1)
    )
    assert tasks.mark_no_shows.delay().get() == 1
    assert not Suspension.objects.filter(person=student).exists()


# --- Expired requests -----------------------------------------------------------------


def test_a_request_undecided_at_its_start_expires(student):
    now = timezone.now()
    late = BookingFactory(
        owner=student, status=S.REQUESTED, starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(hours=1),
    )  # fmt: skip
    future = BookingFactory(owner=student, status=S.REQUESTED, starts_at=at(2, 9))

    assert tasks.expire_requests.delay().get() == 1

    late.refresh_from_db()
    future.refresh_from_db()
    assert late.status == S.EXPIRED
    assert future.status == S.REQUESTED
    assert kinds(student) == ["booking_expired"]
    assert tasks.expire_requests.delay().get() == 0


# --- Holds for those waiting ----------------------------------------------------------


def test_a_lapsed_hold_passes_the_slot_to_the_next_person_waiting(student, faculty, owner):
    kiln = ResourceFactory()
    taken = bookings.book(
        resource=kiln, by=student, starts_at=at(2, 9), ends_at=at(2, 11), purpose=Purpose.RESEARCH
    )
    for person in (faculty, owner):
        waiting.watch(
            resource=kiln, by=person, starts_at=at(2, 9), ends_at=at(2, 11),
            purpose=Purpose.RESEARCH,
        )  # fmt: skip

    bookings.cancel(booking=taken, by=student)

    first = Booking.objects.get(owner=faculty)
    assert first.status == S.HELD
    assert first.hold_expires_at is not None
    assert kinds(faculty) == ["booking_held"]
    assert kinds(owner) == []

    # Not yet lapsed: the task leaves the hold alone.
    assert tasks.lapse_holds.delay().get() == 0
    assert waiting.lapse_holds(now=first.hold_expires_at + timedelta(minutes=1)) == 1

    first.refresh_from_db()
    assert first.status == S.EXPIRED
    second = Booking.objects.get(owner=owner)
    assert second.status == S.HELD
    assert kinds(owner) == ["booking_held"]
    assert SlotWatch.objects.get(person=faculty).status == SlotWatchStatus.LAPSED
    assert SlotWatch.objects.get(person=owner).status == SlotWatchStatus.OFFERED


def test_the_held_notice_says_until_when_and_links_to_the_booking(student, faculty):
    faculty.language = "en"
    faculty.save()
    kiln = ResourceFactory(name_en="Electric kiln A")
    taken = bookings.book(
        resource=kiln, by=student, starts_at=at(2, 9), ends_at=at(2, 11), purpose=Purpose.RESEARCH
    )
    waiting.watch(
        resource=kiln, by=faculty, starts_at=at(2, 9), ends_at=at(2, 11), purpose=Purpose.RESEARCH
    )
    bookings.cancel(booking=taken, by=student)
    held = Booking.objects.get(owner=faculty)
    email = OutboundEmail.objects.get(to=faculty.email)
    assert "Electric kiln A" in email.subject
    assert held.get_absolute_url() in email.body
    assert "held for you until" in email.body


# --- Reminders the day before ---------------------------------------------------------


def test_an_approved_booking_tomorrow_is_reminded_once_in_its_owners_language(student):
    english = UserFactory(role="faculty", language="en", email="en@tu.ac.th")
    kiln = ResourceFactory(name_th="เตาเผาไฟฟ้า ก", name_en="Electric kiln A")
    thai_booking = BookingFactory(resource=kiln, owner=student, starts_at=at(1, 9))
    english_booking = BookingFactory(resource=kiln, owner=english, starts_at=at(1, 13))

    assert tasks.remind_tomorrow.delay().get() == 2

    thai = OutboundEmail.objects.get(to=student.email)
    assert thai.subject.startswith("แจ้งเตือน")
    assert "เตาเผาไฟฟ้า ก" in thai.subject
    assert (
        str(timezone.localdate().year + 543) in thai.subject
        or str(timezone.localdate().year + 544) in thai.subject
    )
    en = OutboundEmail.objects.get(to=english.email)
    assert en.subject.startswith("Reminder: your booking of Electric kiln A tomorrow")
    assert thai_booking.get_absolute_url() in thai.body
    for booking in (thai_booking, english_booking):
        booking.refresh_from_db()
        assert booking.reminded_at is not None
        assert kinds(booking.owner) == ["booking_reminder"]

    # Hourly runs after that send nothing more.
    assert tasks.remind_tomorrow.delay().get() == 0
    assert OutboundEmail.objects.count() == 2


@pytest.mark.parametrize(
    "status", [S.REQUESTED, S.HELD, S.CANCELLED, S.REJECTED, S.EXPIRED, S.CHECKED_IN]
)
def test_only_approved_bookings_are_reminded(student, status):
    BookingFactory(owner=student, status=status, starts_at=at(1, 9))
    assert reminders.remind_tomorrow() == 0
    assert kinds(student) == []


def test_only_bookings_starting_tomorrow_local_time_are_reminded(student):
    now = at(0, 12)
    BookingFactory(owner=student, starts_at=at(0, 23), ends_at=at(0, 23, 30))
    first = BookingFactory(owner=student, starts_at=at(1, 0, 30), ends_at=at(1, 1))
    last = BookingFactory(owner=student, starts_at=at(1, 23, 30), ends_at=at(2, 0))
    BookingFactory(owner=student, starts_at=at(2, 0), ends_at=at(2, 1))

    assert reminders.remind_tomorrow(now=now) == 2
    assert set(Booking.objects.filter(reminded_at__isnull=False)) == {first, last}


def test_a_booking_approved_late_the_day_before_is_reminded_by_the_next_run(student):
    now = at(0, 18)
    assert reminders.remind_tomorrow(now=now) == 0
    late = BookingFactory(owner=student, starts_at=at(1, 8))
    assert reminders.remind_tomorrow(now=now + timedelta(hours=1)) == 1
    late.refresh_from_db()
    assert late.reminded_at == now + timedelta(hours=1)


def test_a_booking_another_worker_already_claimed_is_not_reminded_again(student, monkeypatch):
    booking = BookingFactory(owner=student, starts_at=at(1, 9))

    def claimed_meanwhile(queryset, **kwargs):
        # Another worker's UPDATE lands between this one's SELECT and its own UPDATE.
        QuerySet.update(Booking.objects.filter(pk=booking.pk), reminded_at=timezone.now())
        return QuerySet.update(queryset, **kwargs)

    monkeypatch.setattr(BookingQuerySet, "update", claimed_meanwhile)
    assert reminders.remind_tomorrow() == 0
    assert kinds(student) == []


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_one_reminder_per_booking(student):
    require_postgresql()
    for hour in (8, 10, 12, 14):
        BookingFactory(owner=student, starts_at=at(1, hour), ends_at=at(1, hour + 1))

    results = at_once([reminders.remind_tomorrow for _ in range(4)])

    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == 4
    assert Notification.objects.filter(kind="booking_reminder").count() == 4
    assert OutboundEmail.objects.count() == 4


# --- Clearance lapse reminders --------------------------------------------------------


def test_the_clearance_task_runs_the_lapse_reminders(monkeypatch):
    calls = []
    monkeypatch.setattr(clearances, "remind_lapsing", lambda: calls.append(1) or 7)
    assert tasks.remind_lapsing_clearances.delay().get() == 7
    assert calls == [1]


# --- The notices in the inbox ---------------------------------------------------------

BOOKING_KINDS = [
    "booking_approved",
    "booking_rejected",
    "booking_cancelled",
    "booking_no_show",
    "booking_expired",
    "booking_reminder",
    "booking_held",
]


@pytest.mark.parametrize("kind", BOOKING_KINDS)
def test_every_booking_notice_has_a_summary_in_both_languages(student, kind):
    kiln = ResourceFactory(name_th="เตาเผาไฟฟ้า ก", name_en="Electric kiln A")
    booking = BookingFactory(
        resource=kiln, owner=student, starts_at=at(2, 9), hold_expires_at=at(1, 9)
    )
    notification = notify(student, kind, booking, url=booking.get_absolute_url())
    with translation.override("en"):
        english = render_summary(notification)
        english_subject = render_subject(notification)
    with translation.override("th"):
        thai = render_summary(notification)
        thai_subject = render_subject(notification)
    assert "Electric kiln A" in english
    assert "เตาเผาไฟฟ้า ก" in thai
    assert str(timezone.localdate(booking.starts_at).year + 543) in thai
    assert not any(word in thai for word in ("booking", "your", "Your"))
    assert not any(word in thai_subject for word in ("booking", "your", "Your"))
    assert english_subject != thai_subject


@pytest.mark.parametrize("kind", ["booking_suspended", "booking_suspension_lifted"])
def test_suspension_notices_have_a_summary_in_both_languages(student, kind):
    suspension = Suspension.objects.create(
        person=student, ends_at=timezone.now() + timedelta(days=30)
    )
    notification = notify(student, kind, suspension, url="/lab/bookings/")
    with translation.override("en"):
        english = render_summary(notification)
    with translation.override("th"):
        thai = render_summary(notification)
    assert english and thai and english != thai


@pytest.mark.parametrize("kind", BOOKING_KINDS)
def test_a_booking_notice_whose_booking_is_gone_still_renders(student, kind):
    booking = BookingFactory(owner=student, starts_at=at(2, 9))
    notification = notify(student, kind, booking, url="/lab/", email=False)
    Booking.objects.filter(pk=booking.pk).delete()
    notification.refresh_from_db()
    assert render_summary(notification) == ""


def test_an_expired_request_offers_the_rest_of_its_time_to_the_first_waiting(student, faculty):
    """Its docstring says so: the part of an expired request still ahead is freed and held."""
    kiln = ResourceFactory(needs_approval=True)
    request = bookings.book(
        resource=kiln, by=student, starts_at=at(2, 9), ends_at=at(2, 12), purpose=Purpose.RESEARCH
    )
    waiting.watch(
        resource=kiln, by=faculty, starts_at=at(2, 10), ends_at=at(2, 11), purpose=Purpose.RESEARCH
    )

    assert bookings.expire_requests(now=at(2, 9, 1)) == 1

    request.refresh_from_db()
    assert request.status == S.EXPIRED
    held = Booking.objects.get(owner=faculty)
    assert held.status == S.HELD
    assert held.hold_expires_at <= at(2, 10)
    assert kinds(faculty) == ["booking_held"]


def test_a_booking_cancelled_by_a_blackout_offers_its_time_outside_it(student, faculty, staff_2fa):
    """A blackout over the first hour of a booking cancels it; the hours after are free again."""
    from training.services import blackouts

    kiln = ResourceFactory()
    taken = bookings.book(
        resource=kiln, by=student, starts_at=at(2, 9), ends_at=at(2, 12), purpose=Purpose.RESEARCH
    )
    waiting.watch(
        resource=kiln, by=faculty, starts_at=at(2, 11), ends_at=at(2, 12), purpose=Purpose.RESEARCH
    )

    blackouts.create_blackout(
        resource=kiln, starts_at=at(2, 9), ends_at=at(2, 10), reason="maintenance", by=staff_2fa
    )

    taken.refresh_from_db()
    assert taken.status == S.CANCELLED
    held = Booking.objects.get(owner=faculty)
    assert held.status == S.HELD
    assert "booking_held" in kinds(faculty)
