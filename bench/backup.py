"""Backup, restore and the move to PostgreSQL of a one-machine install at national volume.

    VAR_DIR=/tmp/nc-bench-sqlite .venv/bin/python manage.py migrate
    VAR_DIR=/tmp/nc-bench-sqlite .venv/bin/python bench/generate.py --yes
    VAR_DIR=/tmp/nc-bench-sqlite .venv/bin/python bench/backup.py \\
        --target postgres://postgres@127.0.0.1:5432/nc_bench_move

Takes the SQLite install in VAR_DIR (DATABASE_URL unset) holding bench/generate.py's data
and measures, each command as the README runs it, in a process of its own (wall time and
peak memory from /usr/bin/time):

- ``manage.py backup`` while a writer adds one outbox row per transaction, and that
  writer's latency before and during the backup (the backup must not stall the portal);
- ``manage.py restore`` of that archive into an empty VAR_DIR;
- the README's move to PostgreSQL (``count_rows``, ``dumpdata``, ``migrate``,
  ``loaddata``, ``count_rows --compare``) into the empty database ``--target`` names
  (created beforehand), unless --no-move.

Prints a markdown table (bench/README.md, "Backups and the move to PostgreSQL").
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
INSTALL_VARIABLES = ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL", "MEDIA_ROOT")
INSTALL_VARIABLES += ("PRIVATE_MEDIA_ROOT", "STATIC_ROOT", "DEBUG")
MOVED_OUT = ["-e", "contenttypes", "-e", "auth.permission", "-e", "sessions"]

WRITER = """
import os, time
from django.db import transaction
from notifications.models import OutboundEmail
with open(os.environ["BENCH_WRITER_LOG"], "w") as log:
    while not os.path.exists(os.environ["BENCH_WRITER_STOP"]):
        started = time.monotonic()
        with transaction.atomic():
            OutboundEmail.objects.create(to="bench@bench.invalid", subject="s", body="b")
        log.write(f"{time.time()} {time.monotonic() - started}\\n")
        log.flush()
        time.sleep(0.01)
"""


def environment(var_dir, **extra):
    env = {name: value for name, value in os.environ.items() if name not in INSTALL_VARIABLES}
    return env | {"VAR_DIR": str(var_dir)} | extra


def timed(args, env):
    """Run a command under /usr/bin/time; (seconds, peak MB, stdout)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        started = time.monotonic()
        result = subprocess.run(
            ["/usr/bin/time", "-o", report.name, "-f", "%M", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        seconds = time.monotonic() - started
        if result.returncode:
            sys.exit(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        peak_kb = int(report.read().split()[-1])
    return seconds, peak_kb / 1024, result.stdout


def manage(*args):
    return [PYTHON, "manage.py", *args]


def writer_latencies(log, start, end):
    latencies = []
    for line in Path(log).read_text().splitlines():
        at, seconds = (float(value) for value in line.split())
        if start <= at <= end:
            latencies.append(seconds * 1000)
    return latencies


def summary(latencies):
    if not latencies:
        return "no writes"
    ordered = sorted(latencies)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    return (
        f"{len(ordered)} writes, median {statistics.median(ordered):.1f} ms, "
        f"p95 {p95:.1f} ms, max {ordered[-1]:.1f} ms"
    )


class Rows:
    """The table's rows, printed as they are measured (a long step shows the ones before)."""

    def __init__(self):
        print("| step | time | peak memory | notes |")
        print("|---|---:|---:|---|", flush=True)

    def append(self, row):
        name, seconds, peak, note = row
        time_cell = f"{seconds:.1f} s" if seconds is not None else ""
        peak_cell = f"{peak:.0f} MB" if peak is not None else ""
        print(f"| {name} | {time_cell} | {peak_cell} | {note} |", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", help="an empty PostgreSQL database's URL")
    parser.add_argument(
        "--no-move", action="store_true", help="measure the backup and restore only"
    )
    options = parser.parse_args()
    if not (options.target or options.no_move):
        parser.error("give --target (or --no-move)")
    var_dir = Path(os.environ["VAR_DIR"])
    source = environment(var_dir)
    work = Path(tempfile.mkdtemp(prefix="nc-bench-backup-"))
    rows = Rows()

    # The backup beside a writer.
    log, stop = work / "writer.log", work / "writer.stop"
    writer = subprocess.Popen(
        manage("shell", "-c", WRITER),
        cwd=ROOT,
        env=source | {"BENCH_WRITER_LOG": str(log), "BENCH_WRITER_STOP": str(stop)},
        stdout=subprocess.DEVNULL,
    )
    time.sleep(5)
    before_start = time.time() - 4
    backup_start = time.time()
    seconds, peak, _out = timed(manage("backup", "--output", str(work / "backups")), source)
    backup_end = time.time()
    time.sleep(1)
    stop.touch()
    writer.wait(timeout=60)
    [archive] = (work / "backups").glob("nakhon-backup-*.tar.gz")
    database = var_dir / "db.sqlite3"
    rows.append(
        (
            "`manage.py backup` beside the writer",
            seconds,
            peak,
            f"database {database.stat().st_size / 1e6:.0f} MB → archive "
            f"{archive.stat().st_size / 1e6:.0f} MB",
        )
    )
    rows.append(
        (
            "writer, 4 s before the backup",
            None,
            None,
            summary(writer_latencies(log, before_start, backup_start)),
        )
    )
    rows.append(
        (
            "writer, during the backup",
            None,
            None,
            summary(writer_latencies(log, backup_start, backup_end)),
        )
    )

    # The restore into an empty install.
    restored = environment(work / "restored")
    seconds, peak, _out = timed(manage("restore", str(archive)), restored)
    rows.append(("`manage.py restore` (checks, migrate, counts)", seconds, peak, ""))

    # The README's move to PostgreSQL.
    target = source | {"DATABASE_URL": options.target}
    counts, dump = work / "counts.json", work / "data.move-jsonl.gz"
    steps = [
        (
            "`count_rows --output` (SQLite)",
            source,
            manage("count_rows", *MOVED_OUT, "--output", str(counts)),
        ),
        (
            "`dumpdata --natural-foreign --format move-jsonl` (SQLite)",
            source,
            manage(
                "dumpdata",
                "--natural-foreign",
                *MOVED_OUT,
                "--format",
                "move-jsonl",
                "--output",
                str(dump),
            ),
        ),
        ("`migrate` (PostgreSQL)", target, manage("migrate", "--noinput")),
        ("`loaddata` (PostgreSQL)", target, manage("loaddata", str(dump))),
        (
            "`count_rows --compare` (PostgreSQL)",
            target,
            manage("count_rows", *MOVED_OUT, "--compare", str(counts)),
        ),
    ]
    for name, env, args in [] if options.no_move else steps:
        seconds, peak, out = timed(args, env)
        note = (
            f"dump {dump.stat().st_size / 1e6:.0f} MB"
            if "dumpdata" in name
            else out.strip().splitlines()[-1][:90]
        )
        rows.append((name, seconds, peak, note))

    print(f"\n(work files in {work})")


if __name__ == "__main__":
    main()
