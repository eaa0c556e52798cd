"""Notices a second from the outbox to a mail server, for a burst (issue 13).

    .venv/bin/python bench/outbox.py [--notices 2000] [--smtp-delay 0]
    DATABASE_URL=postgres://... CELERY_BROKER_URL=redis://... .venv/bin/python bench/outbox.py

Embedded (no DATABASE_URL / CELERY_BROKER_URL): a fresh SQLite database and kombu's
filesystem broker in a temporary VAR_DIR, and the worker of Procfile.dev (one process, two
threads, every queue). With both variables set: that PostgreSQL database (migrated here)
and that Redis, and two workers as the Procfile's `worker_notifications` runs them
(prefork, two processes each). Beat is not started: nothing is swept, every notice must go
out through its first delivery.

A local SMTP sink (tests/smtp_sink.py, --smtp-delay seconds before it accepts each
message) receives the mail over SMTP, as a mail server would. The script creates
--notices accounts (Thai and English alternately), then in ONE transaction calls
`notifications.services.notify()` for each, as a service notifying every applicant does.
Measured: the transaction (rendering, rows, queueing on commit), then from its commit to
the last message accepted by the sink; the rate is notices over that second span. Then it
checks exactly once: every address received exactly one message, no Message-ID twice,
every outbox row sent with one attempt. Prints a markdown row; the accounts and their
rows are deleted at the end (the temporary VAR_DIR too).
"""

import argparse
import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.smtp_sink import read_records, running_sink  # noqa: E402

STARTUP_TIMEOUT = 90


def procfile_command(path, process):
    text = (ROOT / path).read_text(encoding="utf-8")
    return re.search(rf"^{process}:\s*(.+)$", text, re.MULTILINE).group(1)


def start_workers(embedded, count, log_dir):
    if embedded:
        commands = [procfile_command("Procfile.dev", "worker")]
    else:
        command = procfile_command("Procfile", "worker_notifications")
        commands = [
            command.replace("notifications@%h", f"notifications{n}@%h") for n in range(count)
        ]
    env = {**os.environ, "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}"}
    workers = []
    for n, command in enumerate(commands):
        log = Path(log_dir) / f"worker{n}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                ["bash", "-c", f"exec {command}"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        workers.append((process, log))
    deadline = time.monotonic() + STARTUP_TIMEOUT
    for process, log in workers:
        while " ready." not in log.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"A worker did not start:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.2)
    return workers


def stop_workers(workers):
    for process, _log in workers:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process, _log in workers:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2, help="with Redis (default 2)")
    parser.add_argument("--smtp-delay", type=float, default=0.0)
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()

    embedded = not os.environ.get("DATABASE_URL") and not os.environ.get("CELERY_BROKER_URL")
    if not embedded and not (
        os.environ.get("DATABASE_URL") and os.environ.get("CELERY_BROKER_URL")
    ):
        sys.exit("Set both DATABASE_URL and CELERY_BROKER_URL, or neither (embedded).")
    scratch = tempfile.TemporaryDirectory(prefix="bench-outbox-")
    record = Path(scratch.name) / "sink.jsonl"
    if embedded:
        os.environ["VAR_DIR"] = str(Path(scratch.name) / "var")

    with running_sink(record, delay=args.smtp_delay) as port:
        os.environ.update(
            DJANGO_SETTINGS_MODULE="config.settings",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(port),
            EMAIL_USE_TLS="0",
        )
        os.environ.pop("EMAIL_BACKEND", None)
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        run(args, embedded, record, scratch.name)
    scratch.cleanup()


def run(args, embedded, record, scratch):
    from django.db import transaction

    from accounts.models import Role, User
    from notifications.models import OutboundEmail
    from notifications.services import notify

    tag = uuid.uuid4().hex[:8]
    users = User.objects.bulk_create(
        User(
            email=f"outbox.{tag}.{n}@bench.invalid",
            full_name=f"Bench {n}",
            language="th" if n % 2 else "en",
            role=Role.ENTREPRENEUR,
            password="!",
        )
        for n in range(args.notices)
    )
    users = list(User.objects.filter(email__startswith=f"outbox.{tag}.").order_by("pk"))
    workers = start_workers(embedded, args.workers, scratch)
    load_before = os.getloadavg()
    try:
        started = time.time()
        with transaction.atomic():
            email_ids = [notify(user, "welcome", url="/").email_id for user in users]
        committed = time.time()
        deadline = time.monotonic() + args.timeout
        while len(read_records(record)) < len(users) and time.monotonic() < deadline:
            time.sleep(0.2)
        # Anything delivered twice would arrive within the next moment.
        time.sleep(2)
        records = read_records(record)
    finally:
        load_after = os.getloadavg()
        stop_workers(workers)

    addresses = Counter(address for r in records for address in r["to"])
    message_ids = Counter(r["message_id"] for r in records)
    expected = {user.email for user in users}
    rows = OutboundEmail.objects.filter(pk__in=email_ids)
    once = (
        set(addresses) == expected
        and max(addresses.values(), default=0) == 1
        and max(message_ids.values(), default=0) == 1
        and rows.filter(sent_at__isnull=False, attempts=1).count() == len(users)
    )
    last = max((r["at"] for r in records), default=float("nan"))
    delivery = last - committed
    setup = (
        "SQLite + filesystem broker, Procfile.dev worker (threads, 2)"
        if embedded
        else f"PostgreSQL + Redis, {args.workers} x Procfile worker_notifications (prefork, 2)"
    )
    print(
        "| setup | notices | transaction (s) | commit to last delivered (s) | notices/s "
        "| exactly once | load avg before, after |"
    )
    print("|---|---|---|---|---|---|---|")
    print(
        f"| {setup} | {len(users)} | {committed - started:.1f} | {delivery:.1f} "
        f"| {len(users) / delivery:.0f} | {'yes' if once else 'NO'} "
        f"| {load_before[0]:.2f}, {load_after[0]:.2f} |"
    )
    if not once:
        print(
            f"received {len(records)} messages for {len(addresses)} of {len(expected)} "
            f"addresses; repeated: {[a for a, n in addresses.items() if n > 1][:10]}; "
            f"rows sent once: {rows.filter(sent_at__isnull=False, attempts=1).count()}",
            file=sys.stderr,
        )
    if not embedded:
        OutboundEmail.objects.filter(pk__in=email_ids).delete()
        User.objects.filter(email__startswith=f"outbox.{tag}.").delete()
    print(f"(command: {shlex.join(sys.argv)})", file=sys.stderr)
    sys.exit(0 if once else 1)


if __name__ == "__main__":
    main()
