"""Lab utilisation: one row per resource per month, hours open, booked, used and cooling down.

The hours come from training.selectors_utilisation (the dashboard reads the same), whose
rules are: hours open are the resource's opening hours in the month less the part of
them under a blackout (the blackout hours column); booked are the hours of bookings that
took the resource (live or completed), used those of checked-in and completed ones,
cool-down the time after them until the resource was free again, all clipped to the
month; no-shows count the bookings starting in the month that nobody came to.

The months are the whole months the period touches (a fiscal year: October to
September); with no start or no end, the first or last month any booking starts in (the
current month when there are none). The queries are a fixed few plus one per month,
whatever the number of resources and bookings; the rows (resources × months) are few.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Role
from training.models import Booking, Resource, ResourceKind
from training.selectors_utilisation import utilisation_by_month

from ..base import Report, choice_label, register

kind_label = choice_label(ResourceKind.choices)
ONE_DECIMAL = Decimal("0.1")


def percent(part, whole):
    """`part` as a percentage of `whole`, to one decimal; None when `whole` is nothing."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(ONE_DECIMAL)


def month_count(first: date, last: date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month + 1


@register
class LabUtilisationReport(Report):
    slug = "lab_utilisation"
    title = gettext_lazy("Lab utilisation")
    description = gettext_lazy(
        "Each lab resource month by month: hours open, booked, used and cooling down, "
        "no-shows and hours lost to blackouts."
    )
    personal_data = False
    filters = ("fiscal_year", "date_from", "date_to")
    roles = (Role.CENTRE_STAFF,)

    def columns(self):
        return [
            (_("Resource"), 32),
            (_("Kind"), 20),
            (_("Month"), 12),
            (_("Hours open"), 10),
            (_("Hours booked"), 10),
            (_("Hours used"), 10),
            (_("Cool-down hours"), 10),
            (_("No-shows"), 10),
            (_("Blackout hours"), 10),
            (_("Booked / open (%)"), 12),
            (_("Used / open (%)"), 12),
        ]

    def months(self, filters, *, using="default") -> tuple[date, date]:
        """The first days of the first and the last month the report covers."""
        start, end = filters.period()
        first = start
        last = end - timedelta(days=1) if end else None
        if first is None or last is None:
            bounds = Booking.objects.using(using).aggregate(
                first=Min("starts_at"), last=Max("starts_at")
            )
            today = timezone.localdate()
            if first is None:
                first = timezone.localdate(bounds["first"]) if bounds["first"] else today
            if last is None:
                last = max(timezone.localdate(bounds["last"]), today) if bounds["last"] else today
        return first.replace(day=1), last.replace(day=1)

    def count(self, filters, *, using="default"):
        first, last = self.months(filters, using=using)
        if last < first:
            return 0
        return Resource.objects.using(using).count() * month_count(first, last)

    def rows(self, filters, *, using="default"):
        first, last = self.months(filters, using=using)
        if last < first:
            return
        by_month = utilisation_by_month(first, last, using=using)
        # Resource by resource, each over the months in order.
        table = {}
        for month_start, resources in by_month:
            month = timezone.localdate(month_start)
            for figures in resources:
                table.setdefault(figures.resource.pk, []).append((month, figures))
        for months in table.values():
            for month, figures in months:
                resource = figures.resource
                yield [
                    resource.name,
                    kind_label(resource.kind),
                    month,
                    figures.hours_open,
                    figures.hours_booked,
                    figures.hours_used,
                    figures.cooldown_hours,
                    figures.no_shows,
                    figures.blackout_hours,
                    percent(figures.hours_booked, figures.hours_open),
                    percent(figures.hours_used, figures.hours_open),
                ]
