"""Reads behind the lab's calendars: who sees which resources, and what fills a window of time.

A window's content comes from four queries whatever the number of bookings in it: the
resources with their opening hours, the blackouts, and the bookings (with their owners)
in the blocking states, found through the (resource, starts_at) index as
`starts_at < end AND blocked_until > start`.

Someone else's booking is only ever "Booked": its owner, purpose and description are
shown to the owner and to centre staff, never to another person.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from accounts.models import Role

from .models import (
    BLOCKING_STATES,
    Blackout,
    Booking,
    Clearance,
    OpeningHours,
    Resource,
    ResourceStatus,
)

# The longest window the JSON endpoint serves: a month view with the days around it.
MAX_WINDOW = timedelta(days=62)


def is_lab_staff(user):
    """Centre staff acting with two-factor sign-in: they see every booking's owner."""
    return user.has_perm("training.run_lab")


def visible_resources(user):
    """The resources a person may see and book (staff: all), with their opening hours."""
    role = Role.CENTRE_STAFF if is_lab_staff(user) else user.role
    return (
        Resource.objects.bookable_by_role(role)
        .select_related("required_clearance")
        .prefetch_related(
            Prefetch("opening_hours", queryset=OpeningHours.objects.order_by("weekday", "opens"))
        )
    )


def clearance_needs(resources, user, *, today=None):
    """{resource pk: True} for each resource whose required clearance `user` lacks today.

    One query for all resources; the booking service still checks for the booked day.
    """
    today = today or timezone.localdate()
    if is_lab_staff(user) or user.role == Role.CENTRE_STAFF:
        return {}
    held = {}
    for clearance in Clearance.objects.valid_on(today).filter(holder=user):
        held.setdefault(clearance.kind_id, []).append(clearance)
    needs = {}
    for resource in resources:
        kind_id = resource.required_clearance_id
        if kind_id is None:
            continue
        standing = held.get(kind_id, [])
        needs[resource.pk] = not any(
            c.lapses_on(resource.clearance_lapse_days) >= today for c in standing
        )
    return needs


# --- A window of time -------------------------------------------------------------------


def local_midnight(day):
    return timezone.make_aware(datetime.combine(day, time(0)))


def days_between(start, end):
    """The local dates that [start, end) touches."""
    day = timezone.localtime(start).date()
    last = timezone.localtime(end - timedelta(microseconds=1)).date()
    while day <= last:
        yield day
        day += timedelta(days=1)


def opening_periods(resource, start, end):
    """(opens, closes) aware datetimes of `resource`'s opening hours within [start, end)."""
    by_weekday = {}
    for hours in resource.opening_hours.all():
        by_weekday.setdefault(hours.weekday, []).append(hours)
    for day in days_between(start, end):
        for hours in by_weekday.get(day.weekday(), ()):
            opens = timezone.make_aware(datetime.combine(day, hours.opens))
            closes = timezone.make_aware(datetime.combine(day, hours.closes))
            if opens < end and closes > start:
                yield max(opens, start), min(closes, end)


def window_blackouts(resources, start, end):
    """Blackouts meeting [start, end) of these resources or of the whole centre."""
    return list(
        Blackout.objects.filter(starts_at__lt=end, ends_at__gt=start)
        .filter(Q(resource__in=resources) | Q(resource__isnull=True))
        .order_by("starts_at", "pk")
    )


def window_bookings(resources, start, end):
    """Bookings in blocking states whose time or cool-down meets [start, end)."""
    return list(
        Booking.objects.filter(resource__in=resources, status__in=BLOCKING_STATES)
        .overlapping(start, end)
        .select_related("owner")
        .order_by("starts_at", "pk")
    )


def blackout_label(blackout):
    reason = blackout.get_reason_display()
    if blackout.note:
        reason = f"{reason} ({blackout.note})"
    return _("Closed: %(reason)s") % {"reason": reason}


def booking_view(booking, viewer, *, staff):
    """What `viewer` may know of a booking: (title, state or None, url or None, own)."""
    own = booking.owner_id == viewer.pk
    if own:
        return (
            _("Your booking: %(state)s") % {"state": booking.get_status_display()},
            booking.status,
            reverse("training:booking_detail", args=[booking.pk]),
            True,
        )
    if staff:
        return (
            f"{booking.owner.full_name or booking.owner.email}: {booking.get_status_display()}",
            booking.status,
            reverse("training:booking_detail", args=[booking.pk]),
            False,
        )
    return _("Booked"), None, None, False


def _iso(moment):
    return timezone.localtime(moment).isoformat(timespec="minutes")


def calendar_events(resources, start, end, viewer):
    """The events of [start, end) for EventCalendar: free time, blackouts, bookings, cool-downs."""
    resources = list(resources)
    staff = is_lab_staff(viewer)
    events = []
    for resource in resources:
        for opens, closes in opening_periods(resource, start, end):
            events.append(
                {
                    "start": _iso(opens),
                    "end": _iso(closes),
                    "resourceId": resource.pk,
                    "display": "background",
                    "classNames": ["free"],
                    "extendedProps": {"kind": "free"},
                }
            )
    ids = [r.pk for r in resources]
    for blackout in window_blackouts(resources, start, end):
        events.append(
            {
                "start": _iso(max(blackout.starts_at, start)),
                "end": _iso(min(blackout.ends_at, end)),
                "resourceIds": [blackout.resource_id] if blackout.resource_id else ids,
                "display": "background",
                "title": blackout_label(blackout),
                "classNames": ["blackout"],
                "extendedProps": {"kind": "blackout"},
            }
        )
    for booking in window_bookings(resources, start, end):
        title, state, url, own = booking_view(booking, viewer, staff=staff)
        event = {
            "start": _iso(booking.starts_at),
            "end": _iso(booking.ends_at),
            "resourceId": booking.resource_id,
            "title": title,
            "classNames": ["booked", "own"] if own else ["booked"],
            "extendedProps": {"kind": "booking"},
        }
        if state:
            event["extendedProps"].update(state=state, url=url)
        events.append(event)
        if booking.has_cooldown:
            events.append(
                {
                    "start": _iso(booking.ends_at),
                    "end": _iso(booking.blocked_until),
                    "resourceId": booking.resource_id,
                    "title": _("Cooling down"),
                    "classNames": ["cool-down"],
                    "extendedProps": {"kind": "cool-down"},
                }
            )
    return events


# --- The list of a week ------------------------------------------------------------------


@dataclass
class Span:
    starts_at: datetime
    ends_at: datetime
    kind: str  # free, passed, booked, cool-down, blackout
    label: str = ""
    url: str = ""


@dataclass
class Day:
    date: date
    spans: list = field(default_factory=list)


def week_start(day):
    """The Monday of `day`'s week."""
    return day - timedelta(days=day.weekday())


def _round_up(moment, minutes):
    """`moment` rounded up to the next step of `minutes` counted from the hour."""
    local = timezone.localtime(moment).replace(second=0, microsecond=0)
    if local < timezone.localtime(moment):
        local += timedelta(minutes=1)
    past = (local.hour * 60 + local.minute) % minutes
    return local + timedelta(minutes=(minutes - past) % minutes)


def week_days(resource, monday, viewer, *, now=None):
    """Each day of the week from `monday`: its opening periods split into free and taken spans."""
    now = now or timezone.now()
    start = local_midnight(monday)
    end = local_midnight(monday + timedelta(days=7))
    staff = is_lab_staff(viewer)
    taken = []
    for blackout in window_blackouts([resource], start, end):
        taken.append(
            (blackout.starts_at, blackout.ends_at, "blackout", blackout_label(blackout), "")
        )
    for booking in window_bookings([resource], start, end):
        title, _state, url, _own = booking_view(booking, viewer, staff=staff)
        taken.append((booking.starts_at, booking.ends_at, "booked", title, url or ""))
        if booking.has_cooldown:
            taken.append(
                (booking.ends_at, booking.blocked_until, "cool-down", _("Cooling down"), "")
            )
    taken.sort(key=lambda t: (t[0], t[1]))
    book_url = reverse("training:book", args=[resource.pk])

    days = {monday + timedelta(days=n): Day(monday + timedelta(days=n)) for n in range(7)}
    for opens, closes in opening_periods(resource, start, end):
        spans = days[timezone.localtime(opens).date()].spans
        cursor = opens
        for t_start, t_end, kind, label, url in taken:
            if t_end <= cursor or t_start >= closes:
                continue
            if t_start > cursor:
                spans.extend(_free(resource, cursor, t_start, now, book_url))
            spans.append(Span(max(t_start, cursor), min(t_end, closes), kind, label, url))
            cursor = min(t_end, closes)
            if cursor >= closes:
                break
        if cursor < closes:
            spans.extend(_free(resource, cursor, closes, now, book_url))
    return list(days.values())


def _free(resource, start, end, now, book_url):
    """A free span; the part already past is shown as passed, without a link."""
    if end <= now:
        return [Span(start, end, "passed", pgettext("time that has gone by", "Passed"))]
    spans = []
    if start < now:
        bookable = min(_round_up(now, resource.slot_minutes), end)
        spans.append(Span(start, bookable, "passed", pgettext("time that has gone by", "Passed")))
        start = bookable
    if start < end:
        spans.append(Span(start, end, "free", _("Free"), book_link(book_url, start, end)))
    return spans


def book_link(book_url, start, end):
    """The booking page's address with ?start=&end= in local time (YYYY-MM-DDTHH:MM)."""
    return (
        f"{book_url}?start={timezone.localtime(start):%Y-%m-%dT%H:%M}"
        f"&end={timezone.localtime(end):%Y-%m-%dT%H:%M}"
    )


def is_bookable_now(resource):
    return resource.status == ResourceStatus.IN_SERVICE
