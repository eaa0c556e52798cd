"""The heart of the lab: a booking is refused with its reason, and never overlaps another."""

import pytest
from django.db import IntegrityError, connection, transaction

from tests.factories import BookingFactory, ResourceFactory, at
from training.exceptions import BookingRefused
from training.models import Booking, BookingStatus, Purpose
from training.services import bookings
from training.services.bookings import Reason

pytestmark = pytest.mark.django_db


def book(resource, person, start, end, **kw):
    kw.setdefault("purpose", Purpose.RESEARCH)
    return bookings.book(resource=resource, by=person, starts_at=start, ends_at=end, **kw)


def test_a_free_slot_is_booked(student):
    kiln = ResourceFactory()
    booking = book(kiln, student, at(2, 9), at(2, 12))
    assert booking.status == BookingStatus.APPROVED
    assert booking.blocked_until == at(2, 12)


def test_an_overlap_is_refused_with_its_reason(student, faculty):
    kiln = ResourceFactory()
    book(kiln, student, at(2, 9), at(2, 12))
    with pytest.raises(BookingRefused) as refused:
        book(kiln, faculty, at(2, 11), at(2, 13))
    assert refused.value.code == Reason.OVERLAP
    assert Booking.objects.count() == 1


def test_a_booking_inside_the_cool_down_is_refused(student, faculty):
    kiln = ResourceFactory(cooldown_minutes=8 * 60)
    book(kiln, student, at(2, 8), at(2, 10))
    with pytest.raises(BookingRefused) as refused:
        book(kiln, faculty, at(2, 14), at(2, 16))
    assert refused.value.code == Reason.COOLDOWN
    # After the cool-down ends the kiln is free again.
    assert book(kiln, faculty, at(2, 18), at(2, 19))


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_the_database_refuses_an_overlap_the_service_did_not_see(student):
    kiln = ResourceFactory(cooldown_minutes=60)
    first = BookingFactory(resource=kiln, starts_at=at(2, 9), ends_at=at(2, 10))
    assert first.blocked_until == at(2, 11)
    with pytest.raises(IntegrityError), transaction.atomic():
        BookingFactory(resource=kiln, starts_at=at(2, 10, 30), ends_at=at(2, 12))
    # Not live: no objection.
    BookingFactory(resource=kiln, starts_at=at(2, 10, 30), ends_at=at(2, 12), status="cancelled")
    assert connection.vendor == "postgresql"


def test_a_request_whose_time_has_begun_is_not_approved(staff_2fa, student):
    from training.exceptions import TransitionRefused

    kiln = ResourceFactory(needs_approval=True)
    started = BookingFactory(
        resource=kiln, owner=student, starts_at=at(0, 0), ends_at=at(0, 1), status="requested"
    )
    with pytest.raises(TransitionRefused) as refused:
        bookings.approve(booking=started, by=staff_2fa)
    assert "อนุมัติไม่ได้อีก" in str(refused.value.message)
    started.refresh_from_db()
    assert started.status == BookingStatus.REQUESTED
