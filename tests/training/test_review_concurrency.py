"""The same request sent twice at once (a double tap, a retry) never answers 500.

Rows that may exist once — a person's watch of a slot, a standing clearance of a kind,
a calendar feed — were checked for and then created, and two requests could both pass
the check; the second then failed on the unique constraint. Needs PostgreSQL (SQLite
serialises every writer).
"""

import pytest
from django.db import connection

from accounts.models import Role
from tests.concurrency import at_once, require_postgresql
from tests.conftest import enable_totp
from tests.factories import BookingFactory, ClearanceKindFactory, ResourceFactory, UserFactory, at
from training.models import CalendarFeed, Clearance, Purpose, SlotWatch
from training.services import clearances, feeds, waiting

pytestmark = pytest.mark.django_db(transaction=True)
TIMES = 8


@pytest.fixture(autouse=True)
def _postgresql():
    require_postgresql()
    assert connection.vendor == "postgresql"


def test_one_person_watching_one_slot_twice_at_once_waits_once():
    resource = ResourceFactory()
    BookingFactory(resource=resource, starts_at=at(2, 9), ends_at=at(2, 11))
    person = UserFactory(role=Role.STUDENT)

    results = at_once(
        [
            lambda: waiting.watch(
                resource=resource, by=person, starts_at=at(2, 9), ends_at=at(2, 11),
                purpose=Purpose.RESEARCH,
            )
        ]
        * TIMES
    )  # fmt: skip

    assert all(isinstance(r, SlotWatch) for r in results), results
    assert SlotWatch.objects.filter(person=person).count() == 1


def test_granting_one_clearance_twice_at_once_grants_it_once():
    staff = enable_totp(UserFactory(role=Role.CENTRE_STAFF))
    holder = UserFactory(role=Role.STUDENT)
    kind = ClearanceKindFactory()
    until = at(300, 9).date()

    results = at_once(
        [lambda: clearances.grant(holder=holder, kind=kind, valid_until=until, by=staff)] * TIMES
    )

    assert all(isinstance(r, Clearance) for r in results), results
    assert Clearance.objects.filter(holder=holder, kind=kind).count() == 1


def test_a_first_feed_reset_twice_at_once_makes_one_feed():
    person = UserFactory(role=Role.STUDENT)

    results = at_once([lambda: feeds.reset_personal_feed(user=person)] * TIMES)

    assert all(isinstance(r, CalendarFeed) for r in results), results
    assert CalendarFeed.objects.filter(owner=person).count() == 1


@pytest.mark.parametrize("whole_centre", [False, True])
def test_a_blackout_and_bookings_inside_it_at_once_leave_no_live_booking_inside(whole_centre):
    """Either a booking is saved first and the blackout cancels it, or the booking is
    refused for the blackout; never a live booking inside a blackout."""
    from datetime import timedelta

    from training.models import LIVE_STATES, Booking
    from training.services import blackouts, bookings

    staff = enable_totp(UserFactory(role=Role.CENTRE_STAFF))
    resource = ResourceFactory()
    starts = [at(2, 9) + timedelta(minutes=30 * i) for i in range(6)]
    persons = [UserFactory(role=Role.STUDENT) for _ in starts]
    calls = [
        lambda p=p, s=s: bookings.book(
            resource=resource, by=p, starts_at=s, ends_at=s + timedelta(minutes=30),
            purpose=Purpose.RESEARCH,
        )
        for p, s in zip(persons, starts, strict=True)
    ]  # fmt: skip
    calls.insert(
        3,
        lambda: blackouts.create_blackout(
            resource=None if whole_centre else resource,
            starts_at=at(2, 9), ends_at=at(2, 12), reason="maintenance", by=staff,
        ),
    )  # fmt: skip

    results = at_once(calls)

    assert not [r for r in results if isinstance(r, Exception) and not hasattr(r, "code")]
    live = Booking.objects.filter(resource=resource, status__in=LIVE_STATES)
    assert list(live) == []
