"""Time the officer's home (the dashboard) cold and warm; print a markdown table.

    .venv/bin/python bench/dashboard.py [--repeat 30] [--explain]

The page is requested through Django's test Client, signed in as an officer who passed
two-factor sign-in (as allauth records it in the session), so a measurement is the whole
view: middleware, session, role and 2FA check, the live lists, the figures and the
template. "Cold" deletes the cached figures before each request, so every request
computes them from the national tables; "warm" reads them from the cache. After three
warm-up requests each is requested --repeat times: median and 95th percentile (nearest
rank), and the SQL queries of one request. --explain prints EXPLAIN ANALYZE of each query
that computes the figures. DEBUG is off while timing.
"""

import argparse
import math
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from allauth.mfa.base.internal.flows import post_authentication  # noqa: E402
from allauth.mfa.models import Authenticator  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, RequestFactory  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from run import TARGET_MS, bench_officer, database, machine  # noqa: E402

from entrepreneurs.models import Enterprise  # noqa: E402
from products.models import Product, UpgradeRecord  # noqa: E402
from programmes.models import Enrolment  # noqa: E402
from reports.dashboard import cache_key, compute_figures  # noqa: E402
from training.models import Booking, Certificate  # noqa: E402


def signed_in_client(user):
    """A client whose session passed two-factor sign-in, as tests.conftest.sign_in makes."""
    client = Client()
    client.force_login(user)
    request = RequestFactory().get("/")
    request.user = user
    request.session = client.session
    post_authentication(request, Authenticator.objects.get(user=user, type="totp"))
    request.session.save()
    return client


def forget_figures():
    cache.delete(cache_key(timezone.localdate()))


def measure(client, repeat, *, cold):
    url = reverse("home")

    def one():
        if cold:
            forget_figures()
        started = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200 or b'id="figure-lab"' not in response.content:
            raise SystemExit(f"the officer home answered {response.status_code} without figures")
        return elapsed

    for _ in range(3):
        one()
    ordered = sorted(one() for _ in range(repeat))
    if cold:
        forget_figures()
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    p95 = ordered[math.ceil(0.95 * len(ordered)) - 1]
    return statistics.median(ordered), p95, len(queries)


def explain():
    """EXPLAIN ANALYZE of each query compute_figures runs."""
    with CaptureQueriesContext(connection) as queries:
        compute_figures(timezone.now())
    for query in queries:
        print("```")
        print(query["sql"][:600])
        print("--")
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN ANALYZE " + query["sql"])
            print("\n".join(row[0] for row in cursor.fetchall()))
        print("```\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args(argv)

    if not Enterprise.objects.exists():
        print("No data here: run bench/generate.py first.", file=sys.stderr)
        return 2
    if args.explain:
        explain()
        return 0
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = signed_in_client(bench_officer())

    print(
        f"- data: {Enterprise.objects.count():,} enterprises, {Product.objects.count():,} "
        f"products, {UpgradeRecord.objects.count():,} upgrade records, "
        f"{Enrolment.objects.count():,} enrolments, {Booking.objects.count():,} lab bookings, "
        f"{Certificate.objects.count():,} certificates"
    )
    print(f"- database: {database()}; cache: {settings.CACHES['default']['BACKEND']}")
    print(f"- machine: {machine()}")
    print(
        f"- {args.repeat} timed requests per row after 3 warm-up requests; "
        f"target: p95 under {TARGET_MS} ms"
    )
    print()
    print("| page | figures | median ms | p95 ms | SQL queries | target |")
    print("|---|---|--:|--:|--:|---|")
    missed = 0
    for label, cold in (("cold: computed (cache emptied first)", True), ("warm: cached", False)):
        median, p95, queries = measure(client, args.repeat, cold=cold)
        verdict = "met" if p95 < TARGET_MS else "**missed**"
        missed += p95 >= TARGET_MS
        print(f"| / (officer home) | {label} | {median:.0f} | {p95:.0f} | {queries} | {verdict} |")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
