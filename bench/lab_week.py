"""Time the lab calendar's week query on the bookings bench/generate.py --lab-bookings wrote.

    .venv/bin/python bench/lab_week.py [--repeat 50] [--resource PK]

The calendar fills a week of one resource with the bookings in the blocking states whose
time or cool-down meets the week (training/calendar.py `window_bookings` on the calendar's
branch):

    resource_id = X AND status IN (blocking) AND starts_at < week_end
    AND blocked_until > week_start  ORDER BY starts_at, id   (+ the owner, joined)

It is run for the busiest generated resource and for a kiln, for a week a year ago (the
start of the data), this week, and a week in eleven months (near its end), each --repeat
times after three warm-ups; the table gives the median and the 95th percentile (nearest
rank), the rows returned, and the plan's index and the rows it read (EXPLAIN ANALYZE,
BUFFERS), whose full text is printed after the table.
"""

import argparse
import math
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.postgres.fields import RangeBoundary  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange  # noqa: E402
from django.db.models import BigIntegerField, Count, Value  # noqa: E402
from django.db.models.functions import Cast  # noqa: E402
from django.utils import timezone  # noqa: E402

from training.models import BLOCKING_STATES, Booking, Resource, TsTzRange  # noqa: E402
from training.services.bookings import week_bounds  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import LAB_LOCATION  # noqa: E402


def week_query(resource, start, end):
    """The calendar's query (training/calendar.py window_bookings), for one resource."""
    return (
        Booking.objects.filter(resource=resource, status__in=BLOCKING_STATES)
        .overlapping(start, end)
        .select_related("owner")
        .order_by("starts_at", "pk")
    )


def gist_week_query(resource, start, end):
    """The same rows, asked as the exclusion constraint's GiST index is built:
    `resource_id = X::bigint AND tstzrange(starts_at, blocked_until) && [start, end)`.

    btree_gist has no cross-type operators, so the resource's id must be a bigint for the
    index's first column to be used; the range must be the constraint's expression."""
    return (
        Booking.objects.filter(status__in=BLOCKING_STATES)
        .alias(span=TsTzRange("starts_at", "blocked_until", RangeBoundary()))
        .filter(
            resource_id=Cast(Value(resource.pk), BigIntegerField()),
            span__overlap=DateTimeTZRange(start, end, "[)"),
        )
        .select_related("owner")
        .order_by("starts_at", "pk")
    )


def percentile(values, p):
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def measure(query, repeat):
    for _ in range(3):
        list(query.all())
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        rows = list(query.all())
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), percentile(times, 95), len(rows)


def explain(query):
    return (
        query.explain(analyze=True, buffers=True)
        if connection.vendor == "postgresql"
        else (query.explain())
    )


def plan_summary(plan):
    """The indexes the plan used, the rows its filters threw away, its execution time."""
    lines = plan.splitlines()
    used = set()
    for line in lines:
        if "Index Scan using " in line:  # Index Scan using <index> on <table>
            used.add(line.split("Index Scan using ")[1].split(" ")[0])
        elif "Bitmap Index Scan on " in line:
            used.add(line.split("Bitmap Index Scan on ")[1].split(" ")[0])
        elif "Seq Scan on training_booking" in line:
            used.add("Seq Scan")
    used = sorted(used)
    removed = sum(
        int(line.split("Rows Removed by Filter:")[1])
        for line in lines
        if "Rows Removed by Filter:" in line and "accounts_user" not in line
    )
    sql_ms = next(
        (line.split(":")[1].strip().split(" ")[0] for line in lines if "Execution Time" in line),
        "",
    )
    return ", ".join(used), removed, sql_ms


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--resource", type=int, help="a resource's pk (default: see above)")
    args = parser.parse_args(argv)
    settings.DEBUG = False  # no query log while timing

    generated = Resource.objects.filter(location=LAB_LOCATION)
    total = Booking.objects.filter(resource__in=generated).count()
    if not total:
        print("no generated lab: run bench/generate.py --yes --lab-only --lab-bookings 200000")
        return 2
    counted = generated.annotate(n=Count("bookings")).order_by("-n")
    resources = (
        [Resource.objects.get(pk=args.resource)]
        if args.resource
        else [counted.first(), counted.filter(cooldown_minutes__gt=0).kilns().first()]
    )
    this_week = week_bounds(timezone.now())
    weeks = [
        ("a year ago", [t - timedelta(weeks=52) for t in this_week]),
        ("this week", list(this_week)),
        ("in 11 months", [t + timedelta(weeks=48) for t in this_week]),
    ]

    print(f"{total:,} bookings on {generated.count()} resources; {connection.vendor}")
    print()
    print(
        "| query | resource (its bookings) | week | rows | median ms | p95 ms | SQL ms"
        " | index | rows removed |"
    )
    print("|---|---|---|--:|--:|--:|--:|---|--:|")
    plans = []
    variants = [("calendar", week_query)]
    if connection.vendor == "postgresql":
        variants.append(("GiST", gist_week_query))
    for name, build in variants:
        for resource in resources:
            own = Booking.objects.filter(resource=resource).count()
            for label, (start, end) in weeks:
                query = build(resource, start, end)
                median, p95, rows = measure(query, args.repeat)
                plan = explain(query)
                used, removed, sql_ms = plan_summary(plan)
                print(
                    f"| {name} | {resource.name_en} ({own:,}) | {label} | {rows} | {median:.1f}"
                    f" | {p95:.1f} | {sql_ms} | {used} | {removed:,} |"
                )
                plans.append((f"{name}: {resource.name_en}, {label}", plan))
    print()
    for title, plan in plans:
        print(f"--- {title}")
        print(plan)
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
