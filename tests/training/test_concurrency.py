"""Bookings made at the same moment never double-book a kiln.

Each call runs in a thread with its own database connection (tests.concurrency.at_once),
all released together. On PostgreSQL the resource's row lock and, behind it, the
exclusion constraint `booking_no_overlap` keep the rule; on SQLite (a file database here,
see config/settings.py) the IMMEDIATE transaction holds the one write lock from its first
statement, so the service's check cannot interleave with another writer's. The tests that
prove the constraint on its own need PostgreSQL and fail, not skip, in CI without it.
"""

from datetime import timedelta

import pytest
from django.db import connection

from accounts.models import Role
from tests.concurrency import at_once, require_postgresql
from tests.conftest import enable_totp
from tests.factories import BookingFactory, ResourceFactory, UserFactory, at
from training.exceptions import BookingRefused, TransitionRefused
from training.models import LIVE_STATES, Booking, BookingStatus, Purpose
from training.services import bookings
from training.services.bookings import Reason

S = BookingStatus
pytestmark = pytest.mark.django_db(transaction=True)

REQUESTS = 50
# Every refusal an overlap can give: the slot itself, or the winner's cool-down, or this
# request's own cool-down running into the winner.
OVERLAP_CODES = {Reason.OVERLAP, Reason.COOLDOWN, Reason.OWN_COOLDOWN}


@pytest.fixture(autouse=True)
def _file_database():
    """Threads need a database every connection sees: PostgreSQL or an SQLite file."""
    if connection.vendor == "sqlite":
        assert connection.settings_dict["NAME"] != ":memory:"
        assert "mode=memory" not in str(connection.settings_dict["NAME"])


def kiln():
    """An electric kiln in 10-minute steps with an 8-hour cool-down after each firing."""
    return ResourceFactory(slot_minutes=10, min_minutes=30, cooldown_minutes=8 * 60)


def overlapping_slots(n):
    """n one-hour slots two days ahead, starting 08:00, 08:10, … 16:10.

    Each pair overlaps: the slot itself for starts less than an hour apart, otherwise
    only the earlier slot's cool-down (it runs until eight hours after its end, past
    every later start).
    """
    starts = [at(2, 8) + timedelta(minutes=10 * i) for i in range(n)]
    slots = [(start, start + timedelta(hours=1)) for start in starts]
    assert slots[0][1] + timedelta(hours=8) > slots[-1][0]  # all meet the first's cool-down
    return slots


def people(n, role=Role.STUDENT):
    return [UserFactory(role=role) for _ in range(n)]


def outcome(results):
    booked = [r for r in results if isinstance(r, Booking)]
    refused = [r for r in results if isinstance(r, BookingRefused)]
    others = [r for r in results if not isinstance(r, (Booking, BookingRefused))]
    return booked, refused, others


def assert_one_booking_and_clear_refusals(resource, results):
    booked, refused, others = outcome(results)
    assert others == [], others  # no IntegrityError, no database error, nothing else
    assert (len(booked), len(refused)) == (1, REQUESTS - 1), results
    assert {r.code for r in refused} <= OVERLAP_CODES, {r.code for r in refused}
    for refusal in refused:
        message = str(refusal.message)
        assert message, refusal
        if refusal.code in (Reason.OVERLAP, Reason.COOLDOWN):
            assert resource.name in message, message
    live = Booking.objects.filter(resource=resource, status__in=LIVE_STATES)
    assert list(live) == booked
    return booked[0], refused


def test_fifty_simultaneous_requests_for_overlapping_slots_give_one_booking():
    resource = kiln()
    slots = overlapping_slots(REQUESTS)
    persons = people(REQUESTS)

    results = at_once(
        [
            lambda p=p, s=s: bookings.book(
                resource=resource, by=p, starts_at=s[0], ends_at=s[1], purpose=Purpose.RESEARCH
            )
            for p, s in zip(persons, slots, strict=True)
        ]
    )

    winner, refused = assert_one_booking_and_clear_refusals(resource, results)
    assert winner.status == S.APPROVED
    assert winner.blocked_until == winner.ends_at + timedelta(hours=8)
    # Whoever won, the others were told which booking or cool-down was in the way.
    codes = {r.code for r in refused}
    if winner.starts_at == slots[0][0]:
        # The earliest slot won: the later ones overlap it or only its cool-down.
        assert Reason.COOLDOWN in codes


def test_requests_that_overlap_only_the_cool_down_are_refused_with_the_cool_down():
    """Fifty requests, all after a firing's end but inside its cool-down: none gets in."""
    resource = ResourceFactory(slot_minutes=3, cooldown_minutes=8 * 60)
    BookingFactory(resource=resource, starts_at=at(2, 7), ends_at=at(2, 8))  # cools to 16:00
    starts = [at(2, 8) + timedelta(minutes=9 * i) for i in range(REQUESTS)]  # 08:00 … 15:21
    slots = [(start, start + timedelta(minutes=30)) for start in starts]
    persons = people(REQUESTS)

    results = at_once(
        [
            lambda p=p, s=s: bookings.book(
                resource=resource, by=p, starts_at=s[0], ends_at=s[1], purpose=Purpose.RESEARCH
            )
            for p, s in zip(persons, slots, strict=True)
        ]
    )

    booked, refused, others = outcome(results)
    assert (booked, others) == ([], [])
    assert {r.code for r in refused} == {Reason.COOLDOWN}
    assert Booking.objects.filter(resource=resource).count() == 1


def test_the_constraint_alone_keeps_fifty_requests_to_one_booking(monkeypatch):
    """With the service's check and its row lock switched off, PostgreSQL still refuses.

    Every request then reaches the INSERT; the exclusion constraint lets one through and
    the service turns each violation into the overlap refusal, never an IntegrityError.
    """
    require_postgresql()
    monkeypatch.setattr(bookings, "refusals", lambda **kwargs: [])
    monkeypatch.setattr(bookings, "_lock_resource", _unlocked_resource)
    resource = kiln()
    slots = overlapping_slots(REQUESTS)
    persons = people(REQUESTS)

    results = at_once(
        [
            lambda p=p, s=s: bookings.book(
                resource=resource, by=p, starts_at=s[0], ends_at=s[1], purpose=Purpose.RESEARCH
            )
            for p, s in zip(persons, slots, strict=True)
        ]
    )

    assert_one_booking_and_clear_refusals(resource, results)


def test_the_constraint_turns_a_violation_into_the_overlap_message(monkeypatch):
    """Even when the service cannot name the clash, the person gets a clear message."""
    require_postgresql()
    monkeypatch.setattr(bookings, "refusals", lambda **kwargs: [])
    monkeypatch.setattr(bookings, "overlap_refusal", lambda *args, **kwargs: None)
    monkeypatch.setattr(bookings, "_lock_resource", _unlocked_resource)
    resource = kiln()
    slots = overlapping_slots(REQUESTS)
    persons = people(REQUESTS)

    results = at_once(
        [
            lambda p=p, s=s: bookings.book(
                resource=resource, by=p, starts_at=s[0], ends_at=s[1], purpose=Purpose.RESEARCH
            )
            for p, s in zip(persons, slots, strict=True)
        ]
    )

    booked, refused, others = outcome(results)
    assert others == [], others
    assert (len(booked), len(refused)) == (1, REQUESTS - 1)
    assert {r.code for r in refused} == {Reason.OVERLAP}
    assert Booking.objects.filter(resource=resource).count() == 1


def _unlocked_resource(resource_id):
    from training.models import Resource

    return Resource.objects.select_related("required_clearance").get(pk=resource_id)


# --- Approvals ------------------------------------------------------------------------


@pytest.fixture
def two_staff():
    return [enable_totp(UserFactory(role=Role.CENTRE_STAFF)) for _ in range(2)]


def requested(resource, n, *, first=None, apart=timedelta(hours=1), length=timedelta(hours=1)):
    first = first or at(2, 8)
    return [
        BookingFactory(
            resource=resource,
            starts_at=first + i * apart,
            ends_at=first + i * apart + length,
            status=S.REQUESTED,
        )
        for i in range(n)
    ]


def test_two_staff_approving_the_same_requests_at_once_approve_each_exactly_once(two_staff):
    resource = ResourceFactory(needs_approval=True)
    pending = requested(resource, 10)
    first, second = two_staff

    results = at_once(
        [
            lambda by=by, b=b: bookings.approve(booking=b, by=by)
            for b in pending
            for by in (first, second)
        ]
    )

    approved = [r for r in results if isinstance(r, Booking)]
    refused = [r for r in results if isinstance(r, TransitionRefused)]
    others = [r for r in results if not isinstance(r, (Booking, TransitionRefused))]
    assert others == [], others
    assert (len(approved), len(refused)) == (10, 10)
    assert sorted(b.pk for b in approved) == sorted(b.pk for b in pending)
    assert set(Booking.objects.values_list("status", flat=True)) == {S.APPROVED}
    # One decision per booking, by whichever of the two came first.
    for booking in Booking.objects.all():
        assert booking.decided_by_id in {first.pk, second.pk}


def test_two_staff_bulk_approving_the_same_queue_decide_each_request_once(two_staff):
    resource = ResourceFactory(needs_approval=True, cooldown_minutes=60)
    pending = requested(resource, 6, apart=timedelta(hours=2))
    first, second = two_staff

    results = at_once(
        [lambda by=by: bookings.bulk_approve(bookings=pending, by=by) for by in (first, second)]
    )

    assert all(isinstance(r, tuple) for r in results), results
    approved = [b for approved, _refused in results for b in approved]
    refused = [item for _approved, refused in results for item in refused]
    assert sorted(b.pk for b in approved) == sorted(b.pk for b in pending)
    assert len(refused) == len(pending)
    assert {str(message) for _booking, message in refused} == {str(TransitionRefused.message)}
    assert set(Booking.objects.values_list("status", flat=True)) == {S.APPROVED}


def test_an_approval_and_fifty_bookings_of_its_time_at_once_keep_one_live_booking(two_staff):
    """The request is approved while others try its slot and its cool-down: none gets in."""
    resource = ResourceFactory(needs_approval=True, slot_minutes=10, cooldown_minutes=8 * 60)
    (pending,) = requested(resource, 1)  # 08:00-09:00, cools until 17:00
    slots = overlapping_slots(REQUESTS - 1)
    persons = people(REQUESTS - 1, role=Role.FACULTY)

    results = at_once(
        [lambda: bookings.approve(booking=pending, by=two_staff[0])]
        + [
            lambda p=p, s=s: bookings.book(
                resource=resource, by=p, starts_at=s[0], ends_at=s[1], purpose=Purpose.RESEARCH
            )
            for p, s in zip(persons, slots, strict=True)
        ]
    )

    assert isinstance(results[0], Booking), results[0]
    assert all(isinstance(r, BookingRefused) for r in results[1:]), results[1:]
    assert {r.code for r in results[1:]} <= OVERLAP_CODES
    assert list(Booking.objects.filter(resource=resource, status__in=LIVE_STATES)) == [pending]
    assert Booking.objects.get(pk=pending.pk).status == S.APPROVED


def test_approval_and_the_owners_cancel_at_once_end_in_one_consistent_state(two_staff):
    resource = ResourceFactory(needs_approval=True)
    pending = requested(resource, 20)
    staff = two_staff[0]

    results = at_once(
        [lambda b=b: bookings.approve(booking=b, by=staff) for b in pending]
        + [lambda b=b: bookings.cancel(booking=b, by=b.owner) for b in pending]
    )

    others = [r for r in results if not isinstance(r, (Booking, TransitionRefused))]
    assert others == [], others
    approvals, cancels = results[: len(pending)], results[len(pending) :]
    # The owner may cancel a requested or an approved booking before the cut-off, so the
    # cancel always succeeds; the approval succeeds only when it came first. Either way
    # neither overwrote the other (no approved booking that the owner cancelled).
    assert all(isinstance(c, Booking) for c in cancels), cancels
    for booking, approval in zip(pending, approvals, strict=True):
        booking.refresh_from_db()
        assert booking.status == S.CANCELLED
        assert booking.cancelled_at is not None
        if isinstance(approval, TransitionRefused):  # the cancel came first
            assert booking.decided_by_id is None
        else:  # approved, then cancelled
            assert booking.decided_by_id == staff.pk
    assert not Booking.objects.filter(status=S.REQUESTED).exists()


class _Deadlock(Exception):
    pgcode = bookings.DEADLOCK


def _deadlocking_save(times):
    """Booking.save failing as PostgreSQL's deadlock victim `times` times, then saving."""
    from django.db import OperationalError

    real_save = Booking.save
    left = {"n": times}

    def save(self, *args, **kwargs):
        if left["n"]:
            left["n"] -= 1
            error = OperationalError("deadlock detected")
            error.__cause__ = _Deadlock()
            raise error
        return real_save(self, *args, **kwargs)

    return save


@pytest.mark.django_db
def test_a_deadlock_victim_tries_again_and_is_booked(monkeypatch):
    resource = kiln()
    person = people(1)[0]
    slot = overlapping_slots(1)[0]
    monkeypatch.setattr(Booking, "save", _deadlocking_save(2))
    booking = bookings.book(
        resource=resource, by=person, starts_at=slot[0], ends_at=slot[1], purpose=Purpose.RESEARCH
    )
    assert booking.pk


@pytest.mark.django_db
def test_a_deadlock_victim_every_time_gets_the_overlap_message(monkeypatch):
    resource = kiln()
    person = people(1)[0]
    slot = overlapping_slots(1)[0]
    monkeypatch.setattr(Booking, "save", _deadlocking_save(bookings.DEADLOCK_RETRIES))
    with pytest.raises(BookingRefused) as refused:
        bookings.book(
            resource=resource,
            by=person,
            starts_at=slot[0],
            ends_at=slot[1],
            purpose=Purpose.RESEARCH,
        )
    assert refused.value.code == Reason.OVERLAP
    assert not Booking.objects.filter(resource=resource).exists()
