"""Time the officers' list pages on the data bench/generate.py wrote; print a markdown table.

    .venv/bin/python bench/run.py [--repeat 30]

Each page is requested through Django's test Client, signed in as an officer with
two-factor sign-in, so a measurement is the whole view (middleware, queries, template)
without a network or a web server. After three warm-up requests a page is requested
--repeat times; the table gives the median and the 95th percentile (nearest rank) of
those, and the number of SQL queries one request makes. DEBUG is off while timing.
"""

import argparse
import math
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from allauth.mfa.models import Authenticator  # noqa: E402
from allauth.mfa.utils import encrypt  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import QueryDict  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from entrepreneurs.filters import EnterpriseFilter  # noqa: E402
from entrepreneurs.models import Enterprise  # noqa: E402
from products.filters import ProductFilter  # noqa: E402
from products.models import Category, Product, ProductImage, UpgradeRecord  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import GENERATOR_EMAIL  # noqa: E402

TARGET_MS = 300
OFFICER_EMAIL = "bench.officer@bench.invalid"
ENTERPRISES = ("entrepreneurs:enterprise_list", EnterpriseFilter, Enterprise)
PRODUCTS = ("products:product_list", ProductFilter, Product)


def cases():
    tableware = Category.objects.get(code="tableware").pk
    return [
        (ENTERPRISES, "all, first page", {}),
        (ENTERPRISES, "province Lampang (52)", {"province": "52"}),
        (ENTERPRISES, "district Ko Kha (5203)", {"district": "5203"}),
        (ENTERPRISES, "search เกาะคา", {"q": "เกาะคา"}),
        (ENTERPRISES, "search rooster", {"q": "rooster"}),
        (ENTERPRISES, "verified with upgrades", {"status": "verified", "upgrades": "yes"}),
        (ENTERPRISES, "sorted newest first", {"sort": "-created"}),
        (ENTERPRISES, "sorted by district", {"sort": "district"}),
        (ENTERPRISES, "page 100", {"page": 100}),
        (ENTERPRISES, "search เกาะคา, sorted Z to A", {"q": "เกาะคา", "sort": "-name"}),
        (PRODUCTS, "all, first page", {}),
        (PRODUCTS, "province Lampang (52)", {"province": "52"}),
        (PRODUCTS, "search เกาะคา", {"q": "เกาะคา"}),
        (PRODUCTS, "search rooster", {"q": "rooster"}),
        (PRODUCTS, "tableware, 3 stars or more", {"category": tableware, "stars": 3}),
        (PRODUCTS, "upgraded in design", {"area": "design"}),
        (PRODUCTS, "published, price high to low", {"status": "published", "sort": "-price"}),
        (PRODUCTS, "sorted by OTOP stars", {"sort": "-stars"}),
        (PRODUCTS, "sorted newest first", {"sort": "-created"}),
        (PRODUCTS, "page 100", {"page": 100}),
    ]


def bench_officer():
    officer, created = User.objects.get_or_create(
        email=OFFICER_EMAIL,
        defaults={"full_name": "Bench officer", "role": Role.OFFICER, "language": "th"},
    )
    if created:
        Authenticator.objects.create(
            user=officer,
            type=Authenticator.Type.TOTP,
            data={"secret": encrypt("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")},
        )
    return officer


def matched(filterset_class, model, params):
    data = QueryDict(urlencode(params))
    return filterset_class(data, queryset=model.objects.all()).qs.count()


def measure(client, url, params, repeat):
    for _ in range(3):
        client.get(url, params)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url, params)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url}?{urlencode(params)} answered {response.status_code}")
    with CaptureQueriesContext(connection) as queries:
        client.get(url, params)
    ordered = sorted(times)
    p95 = ordered[math.ceil(0.95 * len(ordered)) - 1]
    return statistics.median(ordered), p95, len(queries)


def machine():
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{memory_kb / 1024 / 1024:.0f} GB RAM"
    except OSError:
        memory = "RAM unknown"
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return f"{os.cpu_count()} cores ({cpu}), {memory}, load average {load} at the start"


def database():
    if connection.vendor != "postgresql":
        return connection.vendor
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        cursor.execute("SELECT datctype FROM pg_database WHERE datname = current_database()")
        ctype = cursor.fetchone()[0]
    return f"PostgreSQL {version.split()[0]} (ctype {ctype})"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args(argv)

    if not Enterprise.objects.filter(created_by__email=GENERATOR_EMAIL).exists():
        print("No generated data here: run bench/generate.py first.", file=sys.stderr)
        return 2
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(bench_officer())

    print(
        f"- data: {Enterprise.objects.count():,} enterprises, {Product.objects.count():,} "
        f"products, {ProductImage.objects.count():,} photos, "
        f"{UpgradeRecord.objects.count():,} upgrade records"
    )
    print(f"- database: {database()}")
    versions = f"Python {platform.python_version()}, Django {django.__version__}"
    print(f"- machine: {machine()}; {versions}")
    print(
        f"- {args.repeat} timed requests per row after 3 warm-up requests; "
        f"target: p95 under {TARGET_MS} ms"
    )
    print()
    print("| page | query | rows matched | median ms | p95 ms | SQL queries | target |")
    print("|---|---|--:|--:|--:|--:|---|")
    missed = 0
    for (url_name, filterset_class, model), label, params in cases():
        url = reverse(url_name)
        median, p95, queries = measure(client, url, params, args.repeat)
        rows = matched(filterset_class, model, params)
        verdict = "met" if p95 < TARGET_MS else "**missed**"
        missed += p95 >= TARGET_MS
        query = "`?" + "&".join(f"{k}={v}" for k, v in params.items()) + "`" if params else ""
        print(
            f"| {url} | {label} {query} | {rows:,} | {median:.0f} | {p95:.0f} | "
            f"{queries} | {verdict} |",
            flush=True,
        )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
