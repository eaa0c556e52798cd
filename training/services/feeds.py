"""Secret iCalendar feeds of lab bookings: a person's own, and one per resource for staff.

A calendar app fetches a feed without signing in, so the address itself is the secret:
a token from `secrets.token_urlsafe(32)`, compared in constant time, and reset at will
(the old address then answers 404). Times are written in UTC; calendar apps show them in
the reader's own zone.
"""

import re
import secrets
from datetime import UTC, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from toolkit.audit import record_audit
from toolkit.thaidates import format_datetime

from ..exceptions import NotAllowed
from ..models import (
    BLOCKING_STATES,
    Blackout,
    Booking,
    BookingStatus,
    CalendarFeed,
    Resource,
)

# A feed shows this much of the past and of the future.
PAST = timedelta(days=30)
AHEAD = timedelta(days=180)
# What secrets.token_urlsafe makes: anything else is not a token of ours (404 at once).
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,64}")
PERSONAL_STATES = BLOCKING_STATES
TENTATIVE_STATES = {BookingStatus.REQUESTED, BookingStatus.HELD}


def new_token():
    return secrets.token_urlsafe(32)


def same_token(stored, given):
    """Constant-time comparison; an empty stored token matches nothing."""
    if not stored or not given:
        return False
    return secrets.compare_digest(stored.encode(), given.encode())


def _well_formed(token):
    return bool(token) and TOKEN_SHAPE.fullmatch(token) is not None


# --- Personal feeds -------------------------------------------------------------------


def personal_feed(*, user):
    """The person's feed, made on first use."""
    feed = CalendarFeed.objects.filter(owner=user).first()
    if feed is None:
        feed, _created = CalendarFeed.objects.get_or_create(
            owner=user, defaults={"token": new_token()}
        )
    return feed


@transaction.atomic
def reset_personal_feed(*, user):
    """A new secret address for the person's feed; the old one stops working."""
    # The person's row, locked: two first resets at once would both create a feed.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    feed = CalendarFeed.objects.select_for_update().filter(owner=user).first()
    if feed is None:
        return CalendarFeed.objects.create(owner=user, token=new_token())
    feed.token = new_token()
    feed.created_at = timezone.now()
    feed.save(update_fields=["token", "created_at"])
    return feed


def feed_for_token(token):
    """The personal feed `token` opens, or None."""
    if not _well_formed(token):
        return None
    feed = CalendarFeed.objects.select_related("owner").filter(token=token).first()
    if feed is None or not same_token(feed.token, token) or not feed.owner.is_active:
        return None
    return feed


# --- Resource feeds -------------------------------------------------------------------


@transaction.atomic
def reset_resource_feed(*, resource, by):
    """A new secret address for the resource's staff feed (made on the first reset)."""
    if not by.has_perm("training.run_lab"):
        raise NotAllowed()
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    first = not resource.feed_token
    resource.feed_token = new_token()
    resource.save(update_fields=["feed_token"])
    record_audit(actor=by, action="resource.feed_reset", target=resource, first=first)
    return resource


def resource_for_token(pk, token):
    """The resource whose staff feed `token` opens, or None (also for an unset token)."""
    if not _well_formed(token):
        return None
    resource = Resource.objects.filter(pk=pk).first()
    if resource is None or not same_token(resource.feed_token, token):
        return None
    return resource


# --- Building the calendars -----------------------------------------------------------


def _host():
    return urlsplit(settings.SITE_URL).hostname or "nakhon-ceramic.local"


def _absolute(path):
    return settings.SITE_URL + path


def _utc(value):
    return value.astimezone(UTC)


def _calendar(name):
    calendar = Calendar()
    calendar.add("prodid", "-//Nakhon Ceramic//Ko Kha lab//TH")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    return calendar


def booking_uid(booking):
    return f"lab-booking-{booking.pk}@{_host()}"


def blackout_uid(blackout):
    return f"lab-blackout-{blackout.pk}@{_host()}"


def _booking_event(booking, *, summary, stamp, description_lines):
    event = Event()
    event.add("uid", booking_uid(booking))
    event.add("dtstamp", _utc(stamp))
    event.add("dtstart", _utc(booking.starts_at))
    event.add("dtend", _utc(booking.ends_at))
    event.add("summary", summary)
    if booking.resource.location:
        event.add("location", booking.resource.location)
    event.add("status", "TENTATIVE" if booking.status in TENTATIVE_STATES else "CONFIRMED")
    if booking.has_cooldown:
        description_lines.append(
            _("Cool-down until %(until)s") % {"until": format_datetime(booking.blocked_until)}
        )
    if description_lines:
        event.add("description", "\n".join(str(line) for line in description_lines))
    return event


def _window(now):
    return now - PAST, now + AHEAD


def personal_calendar(feed, now=None):
    """The .ics text of the person's bookings, live and completed, in their language."""
    now = now or timezone.now()
    owner = feed.owner
    start, end = _window(now)
    bookings = (
        Booking.objects.filter(
            owner=owner, status__in=PERSONAL_STATES, starts_at__gte=start, starts_at__lt=end
        )
        .select_related("resource")
        .order_by("starts_at", "pk")
    )
    with translation.override(owner.language or settings.LANGUAGE_CODE):
        calendar = _calendar(_("Ko Kha lab: my bookings"))
        for booking in bookings:
            summary = _("%(resource)s (%(state)s)") % {
                "resource": booking.resource.name,
                "state": booking.get_status_display(),
            }
            lines = [booking.get_purpose_display()]
            if booking.description:
                lines.append(booking.description)
            lines.append(_absolute(booking.get_absolute_url()))
            event = _booking_event(booking, summary=summary, stamp=now, description_lines=lines)
            event.add("url", _absolute(booking.get_absolute_url()))
            calendar.add_component(event)
    return calendar.to_ical()


def resource_calendar(resource, now=None):
    """The .ics text of every booking that takes the resource's time, and its blackouts."""
    now = now or timezone.now()
    start, end = _window(now)
    bookings = (
        Booking.objects.filter(
            resource=resource, status__in=BLOCKING_STATES, starts_at__gte=start, starts_at__lt=end
        )
        .select_related("resource", "owner")
        .order_by("starts_at", "pk")
    )
    blackouts = (
        Blackout.objects.filter(starts_at__lt=end, ends_at__gt=start)
        .filter(Q(resource=resource) | Q(resource__isnull=True))
        .order_by("starts_at", "pk")
    )
    with translation.override(settings.LANGUAGE_CODE):
        calendar = _calendar(_("Ko Kha lab: %(resource)s") % {"resource": resource.name})
        for booking in bookings:
            summary = _("%(owner)s (%(state)s)") % {
                "owner": booking.owner.full_name or booking.owner.email,
                "state": booking.get_status_display(),
            }
            lines = [booking.get_purpose_display()]
            if booking.description:
                lines.append(booking.description)
            lines.append(_absolute(booking.get_absolute_url()))
            calendar.add_component(
                _booking_event(booking, summary=summary, stamp=now, description_lines=lines)
            )
        for blackout in blackouts:
            event = Event()
            event.add("uid", blackout_uid(blackout))
            event.add("dtstamp", _utc(now))
            event.add("dtstart", _utc(blackout.starts_at))
            event.add("dtend", _utc(blackout.ends_at))
            event.add(
                "summary", _("Closed: %(reason)s") % {"reason": blackout.get_reason_display()}
            )
            if blackout.note:
                event.add("description", blackout.note)
            event.add("transp", "OPAQUE")
            calendar.add_component(event)
    return calendar.to_ical()
