"""Blackouts: time when a resource, or the whole centre, is closed.

Creating one cancels the live bookings inside it, after staff have seen the list
(`bookings_hit`), and tells each owner why in their own language.
"""

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from notifications.services import notify
from toolkit.audit import record_audit

from ..exceptions import LabError, NotAllowed
from ..models import LIVE_STATES, Blackout, Booking, BookingStatus, Resource
from .waiting import offer_freed_time

NOTIFICATION_KIND = "booking_cancelled_blackout"


def _require_staff(by):
    if not by.has_perm("training.run_lab"):
        raise NotAllowed()


def bookings_hit(*, resource, starts_at, ends_at):
    """Live bookings whose time meets [starts_at, ends_at) of `resource` (None: every one)."""
    hit = Booking.objects.filter(
        status__in=LIVE_STATES, starts_at__lt=ends_at, ends_at__gt=starts_at
    )
    if resource is not None:
        hit = hit.filter(resource=resource)
    return hit.select_related("resource", "owner").order_by("starts_at", "pk")


def cancel_reason(blackout):
    """What the cancelled booking keeps as its reason, in the centre's language."""
    with translation.override(settings.LANGUAGE_CODE):
        label = str(blackout.get_reason_display())
    return f"{label}: {blackout.note}" if blackout.note else label


@transaction.atomic
def create_blackout(*, resource, starts_at, ends_at, reason, by, note=""):
    """Close `resource` (None: every resource) for [starts_at, ends_at).

    Cancels the live bookings inside it and notifies their owners; returns
    (blackout, cancelled bookings).
    """
    _require_staff(by)
    if ends_at <= starts_at:
        raise LabError(_("The end must come after the start."))
    # The resources' rows, locked as booking locks them: a booking being made now is
    # either saved first (and cancelled below) or checked after this blackout exists.
    closed = Resource.objects.select_for_update(of=("self",)).order_by("pk")
    if resource is not None:
        closed = closed.filter(pk=resource.pk)
    list(closed.values_list("pk", flat=True))
    blackout = Blackout.objects.create(
        resource=resource,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason,
        note=note,
        created_by=by,
    )
    now = timezone.now()
    text = cancel_reason(blackout)
    hit = bookings_hit(resource=resource, starts_at=starts_at, ends_at=ends_at)
    cancelled = list(hit.select_for_update(of=("self",)))
    for booking in cancelled:
        booking.status = BookingStatus.CANCELLED
        booking.cancelled_at, booking.cancelled_by, booking.cancel_reason = now, by, text
        booking.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason"])
        notify(
            booking.owner,
            NOTIFICATION_KIND,
            booking,
            url=booking.get_absolute_url(),
            context={"blackout": blackout},
        )
        # Its time outside the blackout (and a hold's place in line) passes on.
        offer_freed_time(booking, now=now)
    record_audit(
        actor=by,
        action="blackout.create",
        target=blackout,
        resource=resource.pk if resource else None,
        starts_at=starts_at.isoformat(),
        ends_at=ends_at.isoformat(),
        reason=reason,
        cancelled=[b.pk for b in cancelled],
    )
    return blackout, cancelled


@transaction.atomic
def delete_blackout(*, blackout, by):
    """Reopen the time of a blackout; bookings it cancelled stay cancelled."""
    _require_staff(by)
    record_audit(
        actor=by,
        action="blackout.delete",
        target=blackout,
        resource=blackout.resource_id,
        starts_at=blackout.starts_at.isoformat(),
        ends_at=blackout.ends_at.isoformat(),
    )
    blackout.delete()


def upcoming(resource=None, now=None):
    """Blackouts not yet over, of `resource` and the whole centre (or all, with none)."""
    found = Blackout.objects.filter(ends_at__gt=now or timezone.now())
    if resource is not None:
        found = found.filter(Q(resource=resource) | Q(resource__isnull=True))
    return found.select_related("resource", "created_by").order_by("starts_at", "pk")
