"""Time pages in-process beside their own SQL, timed with EXPLAIN ANALYZE (issue 12).

    .venv/bin/python bench/server_sql.py [--officer] [--repeat 5] [--plans N] URL...

Each URL is requested through Django's test Client (anonymous, or with --officer as
bench/dashboard.py's officer who passed two-factor sign-in), three times to warm up and
then --repeat times: the median is the server time. The SELECTs of one more request are
then run again under EXPLAIN ANALYZE; their planning and execution times add up to the
SQL time. --plans N prints the plans of the N slowest. DEBUG is off. It reads through the
web's connection settings, so with JIT as the web has it (config/settings.py).
"""

import argparse
import json
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

from dashboard import signed_in_client  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from run import bench_officer  # noqa: E402


def explain(sql, with_text):
    """(planning + execution ms, the plan's text or None) of one captured statement."""
    if sql.startswith("DECLARE"):
        # A server-side cursor (a ModelChoiceField's iterator): explain its SELECT.
        sql = sql.split(" FOR ", 1)[1]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
        plan = cursor.fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        ms = plan[0]["Execution Time"] + plan[0].get("Planning Time", 0)
        text = None
        if with_text:
            cursor.execute("EXPLAIN ANALYZE " + sql)
            text = "\n".join(row[0] for row in cursor.fetchall())
    return ms, text


def measure(client, url, repeat, with_plans):
    for _ in range(3):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    plans = []
    for query in queries.captured_queries:
        sql = query["sql"]
        if sql.lstrip().upper().startswith(("SELECT", "DECLARE")):
            ms, text = explain(sql, with_plans)
            plans.append((ms, sql, text))
    return statistics.median(times), plans, len(queries.captured_queries)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--officer", action="store_true")
    parser.add_argument("--plans", type=int, default=0)
    args = parser.parse_args(argv)
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = signed_in_client(bench_officer()) if args.officer else Client()
    print("| page | server ms | SQL ms | queries | server / SQL |")
    print("|---|---:|---:|---:|---:|")
    details = []
    for url in args.urls:
        server, plans, count = measure(client, url, args.repeat, args.plans > 0)
        sql = sum(ms for ms, _sql, _text in plans)
        print(f"| `{url}` | {server:.0f} | {sql:.0f} | {count} | {server / max(sql, 0.01):.1f} |")
        details.append((url, plans))
    for url, plans in details:
        for ms, sql, text in sorted(plans, key=lambda p: -p[0])[: args.plans]:
            print(f"\n{url}: {ms:.1f} ms\n{sql[:300]}\n{text}")


if __name__ == "__main__":
    main()
