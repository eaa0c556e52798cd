"""How the lab's resources were used over a period: hours open, booked, used, cooling down.

A fixed number of queries whatever the number of bookings: booking hours are summed in
SQL, grouped by resource; opening hours and blackouts (a handful of rows per resource)
are read once and laid over the days of the period in Python. The dashboard and the lab
utilisation report both read these.

Hours used are the booked hours of checked-in and completed bookings: a UsageLog records
what was done (a firing's program, an instrument's results), not when the resource was
in use, so the booking's own time is the best record of use there is.

`using` names the database alias to read through: a report reads its worker's snapshot.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Count, DateTimeField, DurationField, F, Q, Sum, Value
from django.db.models.functions import Greatest, Least
from django.utils import timezone

from .models import BLOCKING_STATES, Blackout, Booking, BookingStatus, OpeningHours, Resource

# Bookings whose time counts as used: the person came.
USED_STATES = (BookingStatus.CHECKED_IN, BookingStatus.COMPLETED)
HOUR = Decimal("0.01")


@dataclass
class Utilisation:
    """One resource's hours over a period; hours to two decimals."""

    resource: Resource
    start: datetime
    end: datetime
    hours_open: Decimal
    hours_booked: Decimal
    hours_used: Decimal
    cooldown_hours: Decimal
    blackout_hours: Decimal
    no_shows: int

    @property
    def booked_percent(self):
        return _percent(self.hours_booked, self.hours_open)

    @property
    def used_percent(self):
        return _percent(self.hours_used, self.hours_open)


def _percent(part, whole):
    return round(part * 100 / whole) if whole else None


def _hours(delta):
    """A timedelta (or None) as hours to two decimals."""
    if not delta:
        return Decimal("0.00")
    return (Decimal(delta.total_seconds()) / 3600).quantize(HOUR)


def _clipped(start_field, end_field, start, end):
    """SQL for the length of [start_field, end_field) inside [start, end)."""
    return Least(F(end_field), Value(end, output_field=DateTimeField())) - Greatest(
        F(start_field), Value(start, output_field=DateTimeField())
    )


def _booking_totals(resource_ids, start, end, using="default"):
    """{resource id: sums} of the bookings meeting [start, end): one grouped query."""
    meets = Q(starts_at__lt=end, ends_at__gt=start)
    cools = Q(ends_at__lt=end, blocked_until__gt=start)
    rows = (
        Booking.objects.using(using)
        .filter(resource__in=resource_ids, starts_at__lt=end, blocked_until__gt=start)
        .order_by()
        .values("resource")
        .annotate(
            booked=Sum(
                _clipped("starts_at", "ends_at", start, end),
                filter=meets & Q(status__in=BLOCKING_STATES),
                output_field=DurationField(),
            ),
            used=Sum(
                _clipped("starts_at", "ends_at", start, end),
                filter=meets & Q(status__in=USED_STATES),
                output_field=DurationField(),
            ),
            cooldown=Sum(
                _clipped("ends_at", "blocked_until", start, end),
                filter=cools & Q(status__in=BLOCKING_STATES),
                output_field=DurationField(),
            ),
            no_shows=Count("pk", filter=Q(status=BookingStatus.NO_SHOW, starts_at__gte=start)),
        )
    )
    return {row["resource"]: row for row in rows}


def _opening_periods(hours, day):
    """The aware [opens, closes) periods of one day from a resource's opening hours."""
    for row in hours.get(day.weekday(), ()):
        yield (
            timezone.make_aware(datetime.combine(day, row.opens)),
            timezone.make_aware(datetime.combine(day, row.closes)),
        )


def _overlap(a_start, a_end, b_start, b_end):
    return max(timedelta(0), min(a_end, b_end) - max(a_start, b_start))


def _days(start, end):
    """Local dates from the one `start` falls on to the one just before `end`."""
    day = timezone.localtime(start).date()
    last = timezone.localtime(end - timedelta(microseconds=1)).date()
    while day <= last:
        yield day
        day += timedelta(days=1)


def _merged(intervals):
    """Overlapping intervals joined, so time closed twice is counted once."""
    merged = []
    for begin, finish in sorted(intervals):
        if merged and begin <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], finish)
        else:
            merged.append([begin, finish])
    return merged


def _open_and_blacked_out(hours, blackouts, start, end):
    """(opening time in [start, end), the part of it under a blackout) as timedeltas."""
    opening = timedelta(0)
    for day in _days(start, end):
        for opens, closes in _opening_periods(hours, day):
            opening += _overlap(opens, closes, start, end)
    closed = timedelta(0)
    for begin, finish in _merged((max(b.starts_at, start), min(b.ends_at, end)) for b in blackouts):
        # Only the days the blackout spans: a blackout of an afternoon costs a few periods.
        for day in _days(begin, finish):
            for opens, closes in _opening_periods(hours, day):
                closed += _overlap(opens, closes, begin, finish)
    return opening, closed


def _resources(resources, using="default"):
    queryset = Resource.objects.using(using)
    if resources is not None:
        queryset = queryset.filter(pk__in=[getattr(r, "pk", r) for r in resources])
    return list(queryset.order_by("kind", "name_th", "pk"))


def _opening_hours(resource_ids, using="default"):
    """{resource id: {weekday: [opening rows]}}: one query."""
    table = {}
    rows = OpeningHours.objects.using(using).filter(resource__in=resource_ids)
    for row in rows.order_by("opens"):
        table.setdefault(row.resource_id, {}).setdefault(row.weekday, []).append(row)
    return table


def _blackouts(resource_ids, start, end, using="default"):
    """{resource id or None (every resource): [blackouts meeting [start, end)]}: one query."""
    table = {}
    for blackout in Blackout.objects.using(using).filter(
        Q(resource__in=resource_ids) | Q(resource__isnull=True),
        starts_at__lt=end,
        ends_at__gt=start,
    ):
        table.setdefault(blackout.resource_id, []).append(blackout)
    return table


def _rows(resources, hours, blackouts, totals, start, end):
    rows = []
    for resource in resources:
        own_blackouts = blackouts.get(resource.pk, []) + blackouts.get(None, [])
        opening, closed = _open_and_blacked_out(
            hours.get(resource.pk, {}), own_blackouts, start, end
        )
        sums = totals.get(resource.pk, {})
        rows.append(
            Utilisation(
                resource=resource,
                start=start,
                end=end,
                hours_open=_hours(opening - closed),
                hours_booked=_hours(sums.get("booked")),
                hours_used=_hours(sums.get("used")),
                cooldown_hours=_hours(sums.get("cooldown")),
                blackout_hours=_hours(closed),
                no_shows=sums.get("no_shows", 0),
            )
        )
    return rows


def utilisation(start, end, resources=None, *, using="default"):
    """Each resource's Utilisation over [start, end) (aware datetimes): four queries.

    Hours open are the opening hours of the days of the period minus the blackouts that
    fall in them (blackout_hours); booked are blocking bookings (live or completed),
    used the checked-in and completed ones, cool-down the time after those bookings until
    blocked_until, all clipped to the period; no-shows count bookings starting in it.
    """
    resources = _resources(resources, using)
    ids = [r.pk for r in resources]
    return _rows(
        resources,
        _opening_hours(ids, using),
        _blackouts(ids, start, end, using),
        _booking_totals(ids, start, end, using),
        start,
        end,
    )


def month_start(day):
    """Local midnight of the first day of `day`'s month."""
    return timezone.make_aware(datetime.combine(day.replace(day=1), datetime.min.time()))


def next_month(day):
    """The first day of the month after `day`'s."""
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def months(first: date, last: date):
    """(start, end) aware bounds of each month from `first`'s to `last`'s, both included."""
    day = first.replace(day=1)
    while day <= last:
        following = next_month(day)
        yield month_start(day), month_start(following)
        day = following


def utilisation_by_month(first: date, last: date, resources=None, *, using="default"):
    """(month start, [Utilisation per resource]) for each month from `first`'s to `last`'s.

    Three queries, then one grouped booking query per month, whatever the bookings.
    """
    resources = _resources(resources, using)
    ids = [r.pk for r in resources]
    periods = list(months(first, last))
    if not periods:
        return []
    hours = _opening_hours(ids, using)
    blackouts = _blackouts(ids, periods[0][0], periods[-1][1], using)
    result = []
    for start, end in periods:
        in_month = {
            key: [b for b in rows if b.starts_at < end and b.ends_at > start]
            for key, rows in blackouts.items()
        }
        totals = _booking_totals(ids, start, end, using)
        result.append((start, _rows(resources, hours, in_month, totals, start, end)))
    return result
