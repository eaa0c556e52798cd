"""Waiting for a taken slot: when it frees, the first in line gets it held for a while.

A held booking is live, so the exclusion constraint protects it like any other; its
holder confirms it (it becomes requested or approved, as the resource says) or lets it
lapse, and then the next person waiting is offered the time.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications.services import notify

from ..exceptions import BookingRefused, LabError, NotAllowed, TransitionRefused
from ..models import Booking, BookingStatus, SlotWatch, SlotWatchStatus
from . import bookings as booking_services

S = BookingStatus
W = SlotWatchStatus
# Refusals that waiting can cure: the time is taken now, and may free.
TAKEN = {
    booking_services.Reason.OVERLAP,
    booking_services.Reason.COOLDOWN,
    booking_services.Reason.OWN_COOLDOWN,
}


@transaction.atomic
def watch(*, resource, by, starts_at, ends_at, purpose, description="", product=None):
    """Ask to be told when [starts_at, ends_at) frees; only for a slot taken by others."""
    booking_services._check_purpose(purpose, product, by)
    # The resource's row, locked as booking does: the same watch sent twice at once is
    # looked for by the second only after the first is saved.
    resource = booking_services._lock_resource(resource.pk)
    found = booking_services.refusals(
        resource=resource, person=by, starts_at=starts_at, ends_at=ends_at
    )
    if not found:
        raise LabError(_("This time is free: book it now instead of waiting for it."))
    other = [r for r in found if r.code not in TAKEN]
    if other:
        raise other[0].error()
    existing = SlotWatch.objects.filter(
        person=by, resource=resource, starts_at=starts_at, status__in=[W.WAITING, W.OFFERED]
    ).first()
    if existing is not None:
        return existing
    return SlotWatch.objects.create(
        person=by,
        resource=resource,
        starts_at=starts_at,
        ends_at=ends_at,
        purpose=purpose,
        description=description,
        product=product if product is not None else None,
    )


@transaction.atomic
def withdraw(*, slot_watch, by):
    slot_watch = SlotWatch.objects.select_for_update().get(pk=slot_watch.pk)
    if slot_watch.person_id != by.pk:
        raise NotAllowed()
    if slot_watch.status == W.WAITING:
        slot_watch.status = W.WITHDRAWN
        slot_watch.save(update_fields=["status"])
    return slot_watch


def position(slot_watch):
    """1 for the first in line for this slot."""
    return (
        SlotWatch.objects.filter(
            resource=slot_watch.resource_id,
            status=W.WAITING,
            starts_at__lt=slot_watch.ends_at,
            ends_at__gt=slot_watch.starts_at,
        )
        .filter(created_at__lte=slot_watch.created_at)
        .exclude(created_at=slot_watch.created_at, pk__gt=slot_watch.pk)
        .count()
    )


def offer_freed_time(freed, now=None):
    """Called in the transaction that freed `freed`'s time: hold it for those waiting.

    Watches are taken first come first served; each is held only if the person could
    book it now. Returns the held bookings.
    """
    now = now or timezone.now()
    SlotWatch.objects.filter(booking=freed, status=W.OFFERED).update(status=W.LAPSED)
    waiting = (
        SlotWatch.objects.filter(
            resource=freed.resource_id,
            status=W.WAITING,
            starts_at__lt=freed.blocked_until,
            ends_at__gt=freed.starts_at,
            starts_at__gt=now,
        )
        .select_related("person", "resource", "resource__required_clearance", "product")
        .order_by("created_at", "pk")
        .select_for_update(of=("self",))
    )
    held = []
    for slot_watch in waiting:
        resource = slot_watch.resource
        if booking_services.refusals(
            resource=resource,
            person=slot_watch.person,
            starts_at=slot_watch.starts_at,
            ends_at=slot_watch.ends_at,
            now=now,
        ):
            continue
        booking = booking_services.new_booking(
            resource,
            slot_watch.person,
            slot_watch.starts_at,
            slot_watch.ends_at,
            status=S.HELD,
            purpose=slot_watch.purpose,
            description=slot_watch.description,
            product=slot_watch.product,
            hold_expires_at=min(
                now + timedelta(hours=settings.LAB_HOLD_HOURS), slot_watch.starts_at
            ),
        )
        try:
            booking_services._insert(booking)
        except BookingRefused:
            continue
        slot_watch.status, slot_watch.booking = W.OFFERED, booking
        slot_watch.save(update_fields=["status", "booking"])
        notify(slot_watch.person, "booking_held", booking, url=booking.get_absolute_url())
        held.append(booking)
    return held


@transaction.atomic
def confirm_hold(*, booking, by, now=None):
    """The person waiting takes the held slot: requested or approved, as the resource says."""
    now = now or timezone.now()
    booking = booking_services._lock_booking(booking.pk)
    if booking.owner_id != by.pk:
        raise NotAllowed()
    if booking.status != S.HELD or (booking.hold_expires_at and booking.hold_expires_at <= now):
        raise TransitionRefused(
            _("This hold has lapsed; the slot was offered to the next person waiting.")
        )
    booking.status = booking_services.initial_status(booking.resource, booking.owner)
    booking.hold_expires_at = None
    booking.save()
    SlotWatch.objects.filter(booking=booking).update(status=W.FULFILLED)
    return booking


def lapse_holds(now=None):
    """Holds not confirmed in time expire; the time goes to the next in line."""
    now = now or timezone.now()
    lapsed = 0
    due = Booking.objects.filter(status=S.HELD, hold_expires_at__lte=now).values_list(
        "pk", flat=True
    )
    for pk in list(due):
        with transaction.atomic():
            booking = booking_services._lock_booking(pk)
            if booking.status != S.HELD:
                continue
            booking.status = S.EXPIRED
            booking.save()
            lapsed += 1
            offer_freed_time(booking, now=now)
    return lapsed
