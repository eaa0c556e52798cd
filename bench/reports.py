"""Time and peak memory of every report at national volume, beside PostgreSQL's COPY floor.

    .venv/bin/python bench/reports.py [--report SLUG ...] [--format FMT ...] [--repeat N]

For every report of reports.registry.REPORTS and each of its formats, a fresh Python
process writes the whole national report (no filter) with reports.services.write_report,
as the worker does, into a temporary file, and reports its wall time, CPU time, rows,
file size and peak resident memory (its own high-water mark, VmHWM, read when it is
done, so the number is this report's and no other's). The floor is PostgreSQL's own
`COPY (<the report's query>) TO STDOUT` of the same rows into a sink that only counts
them: the database's time to produce the rows, with no Python in between. For a report
whose rows are not one query (`queryset()` returns None) the floor is the COPY of every
SELECT its count() and rows() run, captured once. A report that asks for a programme
(the programme summary PDF) is measured for all programmes, for the fiscal year of the
programme with the most applications, and for that programme alone.

Then it shows that memory is flat: the report with the most rows is written again with
its query cut to a tenth of its rows (`--limit`, a slice of the same queryset), and the
two peaks are compared.

Needs a database filled by bench/generate.py (bench/README.md, "Reports"); it writes
nothing into it. Prints markdown tables.
"""

import argparse
import copy as pycopy
import io
import json
import logging
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def django_version():
    import django

    return django.get_version()


def peak_kb():
    """This process's peak resident memory in KB.

    Linux's VmHWM, the high-water mark of this process's own memory. Not ru_maxrss: a
    child made by fork and exec starts with ru_maxrss at its parent's size when it forked
    (the kernel keeps the forked copy's mark across exec), so a big parent would show in
    every child's number.
    """
    try:
        status = Path("/proc/self/status").read_text()
        return int(status.split("VmHWM:")[1].split()[0])
    except (OSError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KB on Linux


def limited(report, limit):
    """A copy of `report` whose query stops after `limit` rows (the rest is the report's)."""
    copy = pycopy.copy(report)
    full = report.queryset

    def queryset(filters, *, using="default"):
        rows = full(filters, using=using)
        return None if rows is None else rows[:limit]

    copy.queryset = queryset  # shadows the method for this copy only
    return copy


def child(slug, fmt, limit, filters_json):
    """Write one report as the worker does and print what it took, as JSON."""
    setup()
    from reports.filters import ReportFilters
    from reports.registry import REPORTS
    from reports.services import snapshot, write_report

    report = REPORTS[slug]
    if limit:
        report = limited(report, limit)
    filters = ReportFilters.from_json(json.loads(filters_json or "{}"))
    before = peak_kb()
    with tempfile.TemporaryDirectory(prefix="bench-report-") as folder:
        path = Path(folder) / f"{slug}.{fmt}"
        cpu = time.process_time()
        started = time.perf_counter()
        # What the worker does (services.build_file), without a job row: one snapshot,
        # the count for the progress bar, then the rows streamed into the file.
        with path.open("wb") as out, snapshot() as using:
            report.count(filters, using=using)
            rows = write_report(report=report, fmt=fmt, filters=filters, out=out, using=using)
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu
        size = path.stat().st_size
    print(
        json.dumps(
            {
                "rows": rows,
                "seconds": seconds,
                "cpu": cpu,
                "bytes": size,
                "start_kb": before,
                "peak_kb": peak_kb(),
            }
        )
    )


def run_child(slug, fmt, filters, limit=None):
    command = [sys.executable, __file__, "--child", slug, fmt]
    command += ["--filters", json.dumps(filters.as_json())]
    if limit:
        command += ["--limit", str(limit)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{slug} {fmt} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


class Sink:
    """A file that keeps nothing: counts the bytes and lines (rows) COPY sends."""

    def __init__(self):
        self.bytes = self.rows = 0

    def write(self, data):
        data = data.encode() if isinstance(data, str) else data
        self.bytes += len(data)
        self.rows += data.count(b"\n")
        return len(data)


def copy_statements(statements, repeat):
    """COPY each SELECT to a sink, `repeat` times: (rows of all, median of the total time)."""
    from django.db import connection

    times = []
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg2's own cursor
        for _ in range(repeat):
            sink = Sink()
            started = time.perf_counter()
            for statement in statements:
                # The text format writes one line per row (newlines in values are escaped).
                raw.copy_expert(f"COPY ({statement}) TO STDOUT", sink)
            times.append(time.perf_counter() - started)
    return sink.rows, statistics.median(times)


def copy_floor(report, repeat, filters):
    """PostgreSQL's COPY of the report's query to a sink: (rows, median seconds), or None."""
    from django.db import connection

    queryset = report.queryset(filters)
    if queryset is None:
        return None
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        statement = cursor.cursor.mogrify(sql, params).decode()
    return copy_statements([statement], repeat)


def queries_floor(report, repeat, filters):
    """For a report that is not one query: COPY of every SELECT its count() and rows() (or
    write_pdf()) run, as (number of queries, rows they return, median seconds)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # WeasyPrint logs each page it lays out; the floor needs only the queries.
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    with CaptureQueriesContext(connection) as captured:
        report.count(filters)
        if set(report.formats) == {"pdf"}:
            report.write_pdf(filters, io.BytesIO())
        else:
            for _row in report.rows(filters):
                pass
    statements = []
    for query in captured.captured_queries:
        sql = query["sql"].strip()
        if sql.upper().startswith("DECLARE"):  # .iterator()'s server-side cursor
            sql = sql[sql.upper().index(" FOR ") + 5 :]
        if sql.upper().startswith(("SELECT", "WITH")):
            statements.append(sql)
    rows, seconds = copy_statements(statements, repeat)
    return len(statements), rows, seconds


NATIONAL = "all (national)"


def scopes(report):
    """(label, filters) the report is measured with: no filter, the national report; for a
    report that asks for a programme, also the programme with the most applications and
    that programme's fiscal year (what an officer usually asks for)."""
    from django.db.models import Count

    from programmes.models import Programme
    from reports.filters import ReportFilters

    yield NATIONAL, ReportFilters()
    if "programme" not in getattr(report, "required_filters", ()):
        return
    biggest = (
        Programme.objects.annotate(n=Count("intakes__enrolments")).order_by("-n", "pk").first()
    )
    if biggest is not None:
        year = biggest.fiscal_year
        yield f"fiscal year {year}", ReportFilters(fiscal_year=year)
        yield f"one programme ({biggest.n:,} applications)", ReportFilters(programme=biggest.pk)


def mb(kb):
    return f"{kb / 1024:,.0f}"


def size(n):
    return f"{n / 1024 / 1024:,.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:,.0f} KB"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--report", nargs="+", help="only these report slugs")
    parser.add_argument("--format", nargs="+", help="only these formats")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each report (median)")
    parser.add_argument("--copy-repeat", type=int, default=3, help="runs of each COPY (median)")
    parser.add_argument("--no-flat", action="store_true", help="skip the 10 %% / 100 %% run")
    parser.add_argument("--child", nargs=2, metavar=("SLUG", "FORMAT"), help=argparse.SUPPRESS)
    parser.add_argument("--limit", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--filters", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child, args.limit, args.filters)
        return 0

    setup()
    from django.db import connection

    from reports.filters import ReportFilters
    from reports.registry import REPORTS

    if connection.vendor != "postgresql":
        raise SystemExit("bench/reports.py measures PostgreSQL (COPY is the floor)")
    slugs = [s for s in REPORTS if not args.report or s in args.report]
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0].split()[0]
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"Reports {', '.join(slugs)} on {connection.settings_dict['NAME']} (PostgreSQL {version}),"
        f" {os.cpu_count()} cores, load average {load} at the start, Python "
        f"{sys.version.split()[0]}, Django {django_version()}, "
        f"{time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC"
    )
    print()
    results = []
    for slug in slugs:
        report = REPORTS[slug]
        for scope, filters in scopes(report):
            # (queries, rows, seconds): the report's one query, or every query it runs.
            floor = copy_floor(report, args.copy_repeat, filters)
            if floor is None:
                floor = queries_floor(report, args.copy_repeat, filters)
            else:
                floor = (1, *floor)
            for fmt in report.formats:
                fmt = getattr(fmt, "value", fmt)
                if args.format and fmt not in args.format:
                    continue
                runs = [run_child(slug, fmt, filters) for _ in range(args.repeat)]
                result = dict(runs[-1])
                result["seconds"] = statistics.median(r["seconds"] for r in runs)
                result["cpu"] = statistics.median(r["cpu"] for r in runs)
                result["peak_kb"] = max(r["peak_kb"] for r in runs)
                results.append((slug, scope, fmt, result, floor))
                print(f"  {slug} {scope} {fmt}: {json.dumps(result)} {floor}", file=sys.stderr)

    print(
        "| report | rows of | format | rows | file | wall s | CPU s | rows/s | peak RSS MB "
        "| RSS before writing MB | COPY rows | COPY s | × COPY |"
    )
    print("|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for slug, scope, fmt, r, floor in results:
        queries, copy_rows, copy_s = floor
        read = f"{copy_rows:,}" if queries == 1 else f"{queries} queries, {copy_rows:,} rows"
        ratio = r["seconds"] / copy_s if copy_s else float("inf")
        versus = f"{read} | {copy_s:.2f} | {ratio:,.{1 if ratio < 10 else 0}f} |"
        print(
            f"| {slug} | {scope} | {fmt} | {r['rows']:,} | {size(r['bytes'])} "
            f"| {r['seconds']:.1f} | {r['cpu']:.1f} | {r['rows'] / r['seconds']:,.0f} "
            f"| {mb(r['peak_kb'])} | {mb(r['start_kb'])} | {versus}"
        )

    if args.no_flat or not results:
        return 0
    # The biggest national report that is one query (the limit slices that query).
    single = [x for x in results if x[1] == NATIONAL and x[4][0] == 1]
    if not single:
        return 0
    slug, _scope, fmt, full, _floor = max(single, key=lambda x: (x[3]["rows"], x[2] == "xlsx"))
    tenth = run_child(slug, fmt, ReportFilters(), limit=max(1, full["rows"] // 10))
    print()
    print(f"Flat memory: {slug} as {fmt}, a tenth of its rows and all of them")
    print()
    print("| rows | wall s | peak RSS MB | RSS before writing MB | growth while writing MB |")
    print("|--:|--:|--:|--:|--:|")
    for r in (tenth, full):
        print(
            f"| {r['rows']:,} | {r['seconds']:.1f} | {mb(r['peak_kb'])} | {mb(r['start_kb'])} "
            f"| {mb(r['peak_kb'] - r['start_kb'])} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
