"""The officer's dashboard: this fiscal year's figures, computed together and cached.

The figures are aggregates over the national tables (50,000 enterprises, 190,000
products, 200,000 lab bookings), so they are computed at most once every
DASHBOARD_CACHE_SECONDS per fiscal year and month, and the page says when. The cache
holds plain numbers, codes and both names of a resource, never a translated word, so
Thai and English readers share one entry. The queries are the apps' own reads
(uplift_summary, people_trained, utilisation), the ones the reports use too.
"""

from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from entrepreneurs.models import Enterprise, VerificationStatus
from products.models import Product, ProductStatus, UpgradeArea, UpgradeRecord
from programmes.models import Enrolment, EnrolmentStatus
from toolkit.charts import chart
from toolkit.thaidates import fiscal_year, fiscal_year_bounds, fiscal_year_dates, format_month
from training.models import Certificate
from training.selectors_attendance import people_trained
from training.selectors_utilisation import month_start, next_month, utilisation

# Bump when the shape of the cached figures changes, so an old entry is never read.
CACHE_VERSION = 1
# Enrolments taking part now: accepted, or active in the programme.
ACTIVE_ENROLMENT_STATES = (EnrolmentStatus.ACCEPTED, EnrolmentStatus.ACTIVE)


def cache_key(today):
    """One entry per fiscal year and month: the lab's figures are the month's."""
    return f"officer-dashboard:{CACHE_VERSION}:{fiscal_year(today)}:{today:%Y-%m}"


def _counts_by_status(model, statuses, since, until):
    """Every row, each status, and those created in [since, until): one query."""
    counts = {
        "total": Count("pk"),
        "new": Count("pk", filter=Q(created_at__gte=since, created_at__lt=until)),
    }
    counts.update({status: Count("pk", filter=Q(status=status)) for status in statuses})
    return model.objects.aggregate(**counts)


def _trained_by_month(start, end):
    """[(first day of month, people trained that month)] for the months of [start, end)."""
    rows = dict(
        Certificate.objects.valid()
        .issued_between(start, end)
        .annotate(month=TruncMonth("issued_at"))
        .order_by()
        .values_list("month")
        .annotate(n=Count("holder", distinct=True))
    )
    by_day = {timezone.localtime(month).date(): n for month, n in rows.items()}
    months = []
    day = timezone.localtime(start).date()
    while day < timezone.localtime(end).date():
        months.append((day, by_day.get(day, 0)))
        day = next_month(day)
    return months


def _lab(today):
    """This month's utilisation per resource, as plain values."""
    start, end = month_start(today), month_start(next_month(today))
    return {
        "first_day": today.replace(day=1),
        "last_day": next_month(today) - timedelta(days=1),
        "resources": [
            {
                "pk": row.resource.pk,
                "name_th": row.resource.name_th,
                "name_en": row.resource.name_en,
                "kind": row.resource.kind,
                "hours_open": row.hours_open,
                "hours_booked": row.hours_booked,
                "hours_used": row.hours_used,
                "booked_percent": row.booked_percent,
                "used_percent": row.used_percent,
                "no_shows": row.no_shows,
            }
            for row in utilisation(start, end)
        ],
    }


def compute_figures(now):
    """This fiscal year's figures at `now`, read from the database (about a dozen queries)."""
    today = timezone.localdate(now)
    year = fiscal_year(today)
    since, until = fiscal_year_bounds(year)
    first_day, next_first_day = fiscal_year_dates(year)
    upgrades = UpgradeRecord.objects.filter(
        started_on__gte=first_day, started_on__lt=next_first_day
    )
    areas = dict(
        upgrades.order_by().values_list("area").annotate(n=Count("product", distinct=True))
    )
    enrolments = dict(
        Enrolment.objects.filter(status__in=ACTIVE_ENROLMENT_STATES)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    lab = _lab(today)
    return {
        "computed_at": now,
        "fiscal_year": year,
        "enterprises": _counts_by_status(Enterprise, VerificationStatus.values, since, until),
        "products": _counts_by_status(Product, ProductStatus.values, since, until),
        "enrolments": {
            status.value: enrolments.get(status, 0) for status in ACTIVE_ENROLMENT_STATES
        },
        "upgrades_by_area": {area: areas.get(area, 0) for area in UpgradeArea.values},
        "upgraded_products": upgrades.aggregate(n=Count("product", distinct=True))["n"],
        "uplift": upgrades.uplift_summary(),
        "people_trained": people_trained(since, until),
        "trained_by_month": _trained_by_month(since, min(until, month_start(next_month(today)))),
        "lab": lab,
    }


def officer_figures(now=None):
    """The dashboard's figures from the cache, computed afresh when it has none."""
    now = now or timezone.now()
    key = cache_key(timezone.localdate(now))
    figures = cache.get(key)
    if figures is None:
        figures = compute_figures(now)
        cache.set(key, figures, settings.DASHBOARD_CACHE_SECONDS)
    return figures


# --- What the page shows: labels, links and charts, in the reader's language ------------


def _url(name, **query):
    address = reverse(name)
    return f"{address}?{urlencode(query)}" if query else address


def _row(label, url, *cells):
    return {"label": label, "url": url, "cells": list(cells)}


def _signed_percent(value):
    return "—" if value is None else f"{value:+}%"


# A horizontal chart with more rows than this gets the long box (portal.css .nc-chart-long).
LONG_CHART_ROWS = 8


def _section(key, title, note, headers, rows, chart_data, foot=()):
    if chart_data["horizontal"]:
        size = "nc-chart-long" if len(rows) > LONG_CHART_ROWS else "nc-chart-tall"
    else:
        size = ""
    return {
        "id": key,
        "size": size,
        "title": title,
        "note": note,
        "headers": headers,
        "rows": rows,
        "foot": list(foot),
        "chart": chart_data,
    }


def _enterprise_section(figures):
    counts, year = figures["enterprises"], figures["fiscal_year"]
    states = [
        (VerificationStatus.VERIFIED, _("Verified")),
        (VerificationStatus.UNVERIFIED, _("Waiting for verification")),
        (VerificationStatus.INACTIVE, _("Inactive")),
    ]
    rows = [
        _row(label, _url("entrepreneurs:enterprise_list", status=status), counts[status])
        for status, label in states
    ]
    return _section(
        "enterprises",
        _("Enterprises"),
        _("Every registered enterprise by its verification now."),
        [_("Verification"), _("Enterprises")],
        rows,
        chart([r["label"] for r in rows], (_("Enterprises"), [r["cells"][0] for r in rows])),
        foot=[
            _row(_("All registered"), _url("entrepreneurs:enterprise_list"), counts["total"]),
            _row(
                _("Registered this fiscal year"),
                _url("entrepreneurs:enterprise_list", registered=year),
                counts["new"],
            ),
        ],
    )


def _product_section(figures):
    counts, year = figures["products"], figures["fiscal_year"]
    rows = [
        _row(label, _url("products:product_list", status=status), counts[status])
        for status, label in ProductStatus.choices
    ]
    return _section(
        "products",
        _("Products"),
        _("Every registered product by its status now."),
        [_("Status"), _("Products")],
        rows,
        chart([r["label"] for r in rows], (_("Products"), [r["cells"][0] for r in rows])),
        foot=[
            _row(_("All registered"), _url("products:product_list"), counts["total"]),
            _row(
                _("Registered this fiscal year"),
                _url("products:product_list", registered=year),
                counts["new"],
            ),
        ],
    )


def _enrolment_section(figures):
    counts = figures["enrolments"]
    rows = [
        _row(label, _url("programmes:review_queue", status=status), counts[status])
        for status, label in EnrolmentStatus.choices
        if status in ACTIVE_ENROLMENT_STATES
    ]
    return _section(
        "enrolments",
        _("Active enrolments"),
        _("Applications accepted, or taking part in their programme, now."),
        [_("State"), _("Enrolments")],
        rows,
        chart([r["label"] for r in rows], (_("Enrolments"), [r["cells"][0] for r in rows])),
        foot=[_row(_("Total"), None, sum(counts.values()))],
    )


def _upgrade_section(figures):
    counts, year = figures["upgrades_by_area"], figures["fiscal_year"]
    rows = [
        _row(label, _url("products:product_list", area=area, upgrade_year=year), counts[area])
        for area, label in UpgradeArea.choices
    ]
    return _section(
        "upgrades",
        _("Products upgraded by area"),
        _(
            "Products with an upgrade record started this fiscal year; "
            "a product counts once per area."
        ),
        [_("Area"), _("Products")],
        rows,
        chart([r["label"] for r in rows], (_("Products upgraded"), [r["cells"][0] for r in rows])),
        foot=[
            _row(
                _("Products upgraded in any area"),
                _url("products:product_list", upgrade_year=year),
                figures["upgraded_products"],
            )
        ],
    )


def _uplift_section(figures):
    uplift, year = figures["uplift"], figures["fiscal_year"]
    upgraded = _url("products:product_list", upgrade_year=year)
    rows = [
        _row(_("Monthly sales before (THB)"), upgraded, uplift["sales_before"]),
        _row(_("Monthly sales after (THB)"), upgraded, uplift["sales_after"]),
    ]
    return _section(
        "uplift",
        _("Price and sales uplift"),
        _(
            "Upgrade records started this fiscal year that give the price, "
            "or the monthly sales, before and after."
        ),
        [_("Figure"), _("Value")],
        rows,
        chart(
            [_("Before"), _("After")],
            (
                _("Monthly sales (THB)"),
                [float(uplift["sales_before"]), float(uplift["sales_after"])],
            ),
        ),
        foot=[
            _row(_("Change in monthly sales"), None, _signed_percent(uplift["sales_uplift"])),
            _row(_("Records with the price before and after"), upgraded, uplift["priced"]),
            _row(_("Mean price uplift"), None, _signed_percent(uplift["mean_price_uplift"])),
        ],
    )


def _training_section(figures):
    year = figures["fiscal_year"]
    certificates = _url("training:certificate_list", year=year, state="valid")
    rows = [_row(format_month(month), None, n) for month, n in figures["trained_by_month"]]
    return _section(
        "trained",
        _("People trained"),
        _(
            "People given a certificate (not revoked) this fiscal year, by month of issue; "
            "a person trained twice in a month counts once."
        ),
        [_("Month"), _("People")],
        rows,
        chart([r["label"] for r in rows], (_("People trained"), [r["cells"][0] for r in rows])),
        foot=[_row(_("People trained this fiscal year"), certificates, figures["people_trained"])],
    )


def _percent_text(value):
    return "—" if value is None else f"{value}%"


def _lab_section(figures):
    lab = figures["lab"]
    english = translation.get_language() == "en"
    rows = []
    for resource in lab["resources"]:
        url = _url(
            "training:staff_booking_list",
            resource=resource["pk"],
            date_from=lab["first_day"].isoformat(),
            date_to=lab["last_day"].isoformat(),
        )
        name = (english and resource["name_en"]) or resource["name_th"]
        rows.append(
            _row(
                name,
                url,
                resource["hours_open"],
                resource["hours_booked"],
                _percent_text(resource["booked_percent"]),
                resource["hours_used"],
                _percent_text(resource["used_percent"]),
            )
        )
    resources = lab["resources"]
    return _section(
        "lab",
        _("Lab utilisation this month"),
        _(
            "Hours each resource is open this month (less blackouts), booked (live or "
            "completed bookings) and used (checked in or completed)."
        ),
        [
            _("Resource"),
            _("Open (h)"),
            _("Booked (h)"),
            _("Share booked"),
            _("Used (h)"),
            _("Share used"),
        ],
        rows,
        chart(
            [r["label"] for r in rows],
            (_("Open hours"), [float(r["hours_open"]) for r in resources]),
            (_("Booked hours"), [float(r["hours_booked"]) for r in resources]),
            (_("Used hours"), [float(r["hours_used"]) for r in resources]),
            horizontal=True,
        ),
        foot=[
            _row(
                _("All bookings this month"),
                _url(
                    "training:staff_booking_list",
                    date_from=lab["first_day"].isoformat(),
                    date_to=lab["last_day"].isoformat(),
                ),
                sum(r["hours_open"] for r in resources),
                sum(r["hours_booked"] for r in resources),
                "",
                sum(r["hours_used"] for r in resources),
                "",
            )
        ],
    )


def officer_sections(figures):
    """The dashboard's sections, each a chart and the same numbers in a linked table."""
    return [
        _enterprise_section(figures),
        _product_section(figures),
        _enrolment_section(figures),
        _upgrade_section(figures),
        _uplift_section(figures),
        _training_section(figures),
        _lab_section(figures),
    ]
