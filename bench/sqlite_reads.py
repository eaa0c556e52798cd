"""Public pages on a one-machine SQLite portal while it writes (issue 13).

    .venv/bin/python bench/sqlite_reads.py [--duration 20] [--readers 10] [--think 0.5]
        [--enterprises 1500] [--products 6000] [--long-hold 25]

Builds a fresh portal in a temporary VAR_DIR with no DATABASE_URL, CACHE_URL or broker
(SQLite in WAL mode, the database cache, kombu's filesystem broker): migrate,
bench/generate.py at the volume given, one signed-in account for the writer, collectstatic.
Serves it with the Procfile's web process (gunicorn, config/gunicorn.py, 2 sync workers,
DEBUG off, plain HTTP), and measures the latency of GETs of the public pages (the landing
page, the showcase, its third page, a showcase product, the programmes) by reader threads
(http.client, one request after the other, --think seconds between them, as people
reading the pages) in five runs:

1. one reader alone;
2. --readers readers;
3. --readers readers while another connection holds the write lock --hold-ms of every
   --every-ms (sqlite3 `BEGIN IMMEDIATE`, an UPDATE, wait, `COMMIT`), as the worker's
   writes would;
4. --readers readers while a signed-in person POSTs the language switcher (each POST
   writes their profile and session) one after the other;
5. --readers readers while another connection holds one write for --long-hold seconds,
   longer than the 20 s a writer waits for the lock.

The targets: read p95 with a writer (runs 3 and 4) at most twice one reader's (run 1),
and no answer other than 200 in any run. With --think 0 the readers load the two
workers fully and queue for them whether anything writes or not: compare the runs with a
writer to run 2 then (the last column). gunicorn is stopped at the end, also on an error
or Ctrl-C; the temporary folder is removed.
"""

import argparse
import http.client
import itertools
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from throughput import fetch, free_port, gunicorn, production_env  # noqa: E402

WRITER_EMAIL = "bench.writer@bench.invalid"
WRITER_PASSWORD = "bench-writer-Lampang-2569"
MAKE_WRITER = f"""
from allauth.account.models import EmailAddress
from accounts.models import Role, User
user = User.objects.create_user(
    "{WRITER_EMAIL}", "{WRITER_PASSWORD}", full_name="Bench writer", role=Role.ENTREPRENEUR
)
EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
"""
TARGET = 2.0


def machine():
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return f"{os.cpu_count()} cores ({cpu}), load average {load}"


def portal_env(folder, port):
    env = production_env("", folder, port)
    for name in ("DATABASE_URL", "CACHE_URL", "CELERY_BROKER_URL"):
        env.pop(name, None)
    return env | {"VAR_DIR": str(folder), "DJANGO_SETTINGS_MODULE": "config.settings"}


def run(env, *args):
    # Their output goes with the progress lines, not into the table.
    subprocess.run([sys.executable, *args], cwd=ROOT, env=env, check=True, stdout=sys.stderr)


class Session:
    """Cookies and the CSRF token of one signed-in visitor."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}

    def request(self, method, path, form=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode({**form, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body, headers)
            response = connection.getresponse()
            response.read()
        finally:
            connection.close()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _equals, rest = value.partition("=")
                self.cookies[key] = rest.split(";")[0]
        return response.status


def read(port, path):
    """(seconds, status) of one GET."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        status = response.status
    except OSError:
        status = "no answer"
    finally:
        connection.close()
    return time.perf_counter() - started, status


def readers(port, paths, count, duration, think, writer=None):
    """Latencies (s) and statuses of `count` readers for `duration` s, beside `writer`."""
    stop = threading.Event()
    results = [[] for _ in range(count)]

    def reader(index):
        for path in itertools.cycle(paths[index % len(paths) :] + paths[: index % len(paths)]):
            if stop.is_set():
                return
            results[index].append(read(port, path))
            if think:
                stop.wait(think)

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(count)]
    writes = {"done": 0, "failed": 0}
    writer_thread = None
    if writer:
        writer_thread = threading.Thread(target=writer, args=(stop, writes))
        writer_thread.start()
    for thread in threads:
        thread.start()
    time.sleep(duration)
    stop.set()
    for thread in threads:
        thread.join()
    if writer_thread:
        writer_thread.join()
    return [r for rs in results for r in rs], writes


def held_writes(database, hold, every):
    """A writer that holds the lock `hold` s of every `every` s, as the worker's writes."""

    def writer(stop, writes):
        connection = sqlite3.connect(database, isolation_level=None, timeout=60)
        try:
            while not stop.is_set():
                connection.execute("BEGIN IMMEDIATE")
                connection.execute("UPDATE django_site SET name = name")
                time.sleep(hold)
                connection.execute("COMMIT")
                writes["done"] += 1
                stop.wait(every - hold)
        finally:
            connection.close()

    return writer


def one_long_write(database, hold, after=1.0):
    def writer(stop, writes):
        stop.wait(after)
        connection = sqlite3.connect(database, isolation_level=None, timeout=60)
        try:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("UPDATE django_site SET name = name")
            stop.wait(hold)
            connection.execute("COMMIT")
            writes["done"] += 1
        finally:
            connection.close()

    return writer


def posts(session):
    """A signed-in person switching language, one POST after the other."""

    def writer(stop, writes):
        for language in itertools.cycle(["en", "th"]):
            if stop.is_set():
                return
            status = session.request("POST", "/language/", {"language": language, "next": "/"})
            writes["done" if status == 302 else "failed"] += 1

    return writer


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def summary(samples):
    seconds = [s for s, _status in samples]
    errors = sum(1 for _s, status in samples if status != 200)
    return {
        "requests": len(samples),
        "p50": percentile(seconds, 0.5) * 1000,
        "p95": percentile(seconds, 0.95) * 1000,
        "max": max(seconds) * 1000,
        "errors": errors,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=20, help="seconds per run")
    parser.add_argument("--readers", type=int, default=10)
    parser.add_argument("--think", type=float, default=0.5, help="seconds between a reader's GETs")
    parser.add_argument("--hold-ms", type=int, default=100)
    parser.add_argument("--every-ms", type=int, default=250)
    parser.add_argument("--long-hold", type=float, default=25)
    parser.add_argument("--enterprises", type=int, default=1500)
    parser.add_argument("--products", type=int, default=6000)
    args = parser.parse_args(argv)

    started = time.monotonic()
    load_at_start = machine()
    folder = Path(tempfile.mkdtemp(prefix="nc-sqlite-reads-"))
    port = free_port()
    env = portal_env(folder, port)
    database = folder / "db.sqlite3"
    rows = []
    try:
        run(env, "manage.py", "migrate", "--noinput", "-v", "0")
        run(env, "bench/generate.py", "--yes", "--no-training", "--enterprises",
            str(args.enterprises), "--products", str(args.products))  # fmt: skip
        run(env, "manage.py", "shell", "-c", MAKE_WRITER)
        with gunicorn(env, folder):
            status, _location, _size = fetch(port, "/showcase/")
            assert status == 200, status
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            connection.request("GET", "/showcase/")
            showcase = connection.getresponse().read().decode()
            connection.close()
            product = re.search(r'href="/showcase/(\d+)/"', showcase).group(1)
            paths = ["/", "/showcase/", "/showcase/?page=3", f"/showcase/{product}/"]
            paths.append("/programmes/")
            for path in paths * 3:  # warm both workers and the cache
                fetch(port, path)
            session = Session(port)
            session.request("GET", "/accounts/login/")
            signed_in = session.request(
                "POST", "/accounts/login/", {"login": WRITER_EMAIL, "password": WRITER_PASSWORD}
            )
            assert signed_in == 302, signed_in
            n = args.readers
            hold, every = args.hold_ms / 1000, args.every_ms / 1000
            runs = [
                ("1 reader", 1, None, args.duration),
                (f"{n} readers", n, None, args.duration),
                (
                    f"{n} readers + write lock held {args.hold_ms} ms of every {args.every_ms}",
                    n,
                    held_writes(database, hold, every),
                    args.duration,
                ),
                (f"{n} readers + POSTs one after the other", n, posts(session), args.duration),
                (
                    f"{n} readers + one write held {args.long_hold:.0f} s",
                    n,
                    one_long_write(database, args.long_hold),
                    args.long_hold + 3,
                ),
            ]
            for label, count, writer, duration in runs:
                samples, writes = readers(port, paths, count, duration, args.think, writer)
                rows.append((label, summary(samples), writes if writer else None))
                print(f"  measured: {label}", file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    single = rows[0][1]["p95"]
    alone = rows[1][1]["p95"]
    print(f"- machine: {load_at_start} at the start, {machine()} at the end")
    print(
        f"- SQLite (WAL), gunicorn (Procfile's web command, 2 sync workers, DEBUG off), "
        f"{args.enterprises:,} enterprises and {args.products:,} products from "
        f"bench/generate.py; readers think {args.think} s between GETs; run took "
        f"{time.monotonic() - started:.0f} s"
    )
    print()
    print(
        "| run | GETs | p50 ms | p95 ms | max ms | not 200 | writes | p95 × 1 reader"
        f" | p95 × {args.readers} readers alone |"
    )
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|")
    missed = []
    for index, (label, result, writes) in enumerate(rows):
        ratio = result["p95"] / single
        shown = f"{ratio:.2f}"
        if index in (2, 3) and ratio > TARGET:
            shown = f"**{ratio:.2f}** ✗"
            missed.append(label)
        if result["errors"]:
            missed.append(label)
        written = "–" if writes is None else f"{writes['done']}"
        if writes and writes["failed"]:
            written += f" ({writes['failed']} failed)"
        print(
            f"| {label} | {result['requests']} | {result['p50']:.0f} | {result['p95']:.0f} |"
            f" {result['max']:.0f} | {result['errors']} | {written} | {shown} |"
            f" {result['p95'] / alone:.2f} |"
        )
    print()
    if missed:
        print(f"Missed the targets: {', '.join(missed)}")
        return 1
    print(f"Targets met: p95 with a writer ≤ {TARGET:.0f}× one reader's, no answer but 200.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
