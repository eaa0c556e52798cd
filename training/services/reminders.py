"""The reminder the day before a booking, sent once in its owner's language.

Beat runs `remind_tomorrow` every hour, so a booking approved late in the day before
still gets its reminder. Each booking is claimed with a compare-and-swap UPDATE of
`reminded_at` in the transaction that queues the notice: of two workers running at once
only one changes the row, and only that one sends.
"""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from notifications.services import notify

from ..models import Booking, BookingStatus


def tomorrow_bounds(now):
    """Local midnight to midnight of the day after `now`."""
    tomorrow = timezone.localdate(now) + timedelta(days=1)
    start = timezone.make_aware(datetime.combine(tomorrow, time(0)))
    end = timezone.make_aware(datetime.combine(tomorrow + timedelta(days=1), time(0)))
    return start, end


def remind_tomorrow(now=None):
    """Remind the owner of every approved booking starting tomorrow; returns how many."""
    now = now or timezone.now()
    start, end = tomorrow_bounds(now)
    due = (
        Booking.objects.filter(
            status=BookingStatus.APPROVED,
            starts_at__gte=start,
            starts_at__lt=end,
            reminded_at__isnull=True,
        )
        .select_related("resource", "owner")
        .order_by("starts_at", "pk")
    )
    reminded = 0
    for booking in due.iterator(chunk_size=200):
        with transaction.atomic():
            claimed = Booking.objects.filter(
                pk=booking.pk, status=BookingStatus.APPROVED, reminded_at__isnull=True
            ).update(reminded_at=now)
            if not claimed:
                continue
            notify(booking.owner, "booking_reminder", booking, url=booking.get_absolute_url())
            reminded += 1
    return reminded
