"""100 people ask for the same kiln slot at the same moment, through the web server.

    DATABASE_URL=postgres://…/nc_benchdata .venv/bin/python bench/booking_contention.py \
        [--requests 100] [--workers 4] [--rounds 3]

Starts the portal under gunicorn (config/gunicorn.py, as the Procfile does) on a free port
of 127.0.0.1 with DEBUG off, signs in `--requests` distinct students (sessions made with
Django's SessionStore, the cookie set as a browser would send it) and, in each round,
releases one POST per person at once to the booking page (`training:book`,
/lab/resources/<pk>/book/) for the same slot of a kiln with an 8-hour cool-down. Each
round uses a fresh day. It prints the p50/p95/max latency, the histogram of status codes
(302: booked; 200: the form again with the refusal; never a 500), how many of the 200s
carry the overlap refusal's message, and the count of live bookings of the slot, which
must be exactly 1.

It needs the booking page (branch lab-book); on a tree where the page is still the
placeholder it says so and stops. Everything it writes is marked: the resource "Bench
contention kiln" and the accounts bench.contender*@bench.invalid.
"""

import argparse
import collections
import http.client
import math
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from datetime import time as clock
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.db import connection  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone, translation  # noqa: E402
from django.utils.html import escape  # noqa: E402
from django.utils.module_loading import import_string  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from training.models import LIVE_STATES, Booking, OpeningHours, Resource, ResourceKind  # noqa: E402
from training.services.bookings import overlap_refusal  # noqa: E402

KILN_NAME = "Bench contention kiln"
EMAIL = "bench.contender{:03d}@bench.invalid"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def kiln():
    resource, created = Resource.objects.get_or_create(
        name_en=KILN_NAME,
        defaults={
            "name_th": "เตาเผาทดสอบการแย่งจอง",
            "kind": ResourceKind.ELECTRIC_KILN,
            "location": "Bench contention",
            "slot_minutes": 30,
            "min_minutes": 60,
            "max_minutes": 600,
            "cooldown_minutes": 480,
            "latest_days": 3650,
            "bookable_by": [Role.STUDENT, Role.FACULTY, Role.ENTREPRENEUR],
        },
    )
    if created:
        OpeningHours.objects.bulk_create(
            OpeningHours(resource=resource, weekday=day, opens=clock(0), closes=clock(23, 59))
            for day in range(7)
        )
    return resource


def contenders(n):
    """n active students, each with a session of their own: (user, session key)."""
    engine = import_string(f"{settings.SESSION_ENGINE}.SessionStore")
    # The first backend that signs people in (rules' permission backend comes first).
    backend = next(
        path
        for path in settings.AUTHENTICATION_BACKENDS
        if hasattr(import_string(path), "get_user")
    )
    people = []
    for i in range(n):
        user, created = User.objects.get_or_create(
            email=EMAIL.format(i),
            defaults={"full_name": f"ผู้ทดสอบ {i:03d}", "role": Role.STUDENT, "is_active": True},
        )
        if created:
            user.set_unusable_password()
            user.save()
        session = engine()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = backend
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        people.append((user, session.session_key))
    return people


def next_free_day(resource):
    """A day after every booking of the resource (and at least a week ahead)."""
    last = Booking.objects.filter(resource=resource).order_by("-blocked_until").first()
    after = max(timezone.now() + timedelta(days=7), last.blocked_until if last else timezone.now())
    return timezone.localdate(after) + timedelta(days=1)


def be_date(day):
    return f"{day.day:02d}/{day.month:02d}/{day.year + 543}"


class Server:
    """gunicorn serving config.wsgi on 127.0.0.1:<free port>, DEBUG off."""

    def __init__(self, workers, folder):
        self.port = free_port()
        self.folder = folder
        self.env = {name: value for name, value in os.environ.items() if name != "DEBUG"}
        self.env |= {
            "DEBUG": "0",
            # The sessions made here carry a hash keyed with this process's SECRET_KEY.
            "SECRET_KEY": settings.SECRET_KEY,
            "IDENTIFIER_HASH_KEYS": ",".join(settings.IDENTIFIER_HASH_KEYS),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "STATIC_ROOT": str(folder / "static"),
            "XDG_RUNTIME_DIR": str(folder),
        }
        self.command = [
            str(Path(sys.executable).parent / "gunicorn"),
            "--config",
            "config/gunicorn.py",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(workers),
        ]

    def __enter__(self):
        # The manifest static storage (DEBUG off) needs the collected files.
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=self.env,
            check=True,
        )
        self.process = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=open(self.folder / "gunicorn.log", "wb"),  # noqa: SIM115
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _body, _t = request(self.port, "GET", "/jsi18n/")
                if status == 200:
                    return self
            except OSError:
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise SystemExit(f"gunicorn did not start: see {self.folder / 'gunicorn.log'}")
            time.sleep(0.3)

    def __exit__(self, *exc):
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)
        log = (self.folder / "gunicorn.log").read_text(errors="replace")
        if "Traceback" in log:
            print(log[-4000:], file=sys.stderr)


def request(port, method, path, *, session=None, csrf=None, form=None):
    """One request on a fresh connection; returns (status, body, seconds)."""
    headers = {"Host": f"127.0.0.1:{port}", "Accept-Language": "th"}
    cookies = []
    if session:
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={session}")
    if csrf:
        cookies.append(f"{settings.CSRF_COOKIE_NAME}={csrf}")
    if cookies:
        headers["Cookie"] = "; ".join(cookies)
    body = None
    if form is not None:
        from urllib.parse import urlencode

        body = urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection_ = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    started = time.perf_counter()
    try:
        connection_.request(method, path, body=body, headers=headers)
        response = connection_.getresponse()
        data = response.read()
        return response.status, data, time.perf_counter() - started
    finally:
        connection_.close()


def percentile(values, p):
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def contend(port, path, people, day):
    """Every person POSTs the same slot at once; returns [(status, body, seconds)]."""
    barrier = threading.Barrier(len(people))
    results = [None] * len(people)

    def one(i, session):
        csrf = secrets.token_urlsafe(24)[:32].replace("-", "a").replace("_", "b")
        form = {
            "csrfmiddlewaretoken": csrf,
            "day": be_date(day),
            "start": "09:00",
            "end": "12:00",
            "purpose": "research",
            "description": "bench",
            "weeks": "1",
        }
        barrier.wait(timeout=60)
        try:
            results[i] = request(port, "POST", path, session=session, csrf=csrf, form=form)
        except OSError as error:
            results[i] = (f"error: {error}", b"", float("nan"))

    threads = [
        threading.Thread(target=one, args=(i, session)) for i, (_u, session) in enumerate(people)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    if not 1 <= args.requests <= 500 or not 1 <= args.rounds <= 20:
        parser.error("keep it bounded: 1-500 requests, 1-20 rounds")
    if connection.vendor != "postgresql":
        print("warning: the results are meant for PostgreSQL (bench/README.md)")

    resource = kiln()
    people = contenders(args.requests)
    path = reverse("training:book", args=[resource.pk])
    print(
        f"{args.requests} students, one slot of {resource.name_en} (cool-down "
        f"{resource.cooldown_minutes} min), gunicorn with {args.workers} sync workers, "
        f"{connection.vendor} {connection.settings_dict['NAME']}"
    )
    all_latencies, failures = [], 0
    with (
        tempfile.TemporaryDirectory(prefix="nc-contention-") as folder,
        Server(args.workers, Path(folder)) as server,
    ):
        status, _body, _t = request(server.port, "GET", path, session=people[0][1])
        if status != 200:
            print(f"GET {path} answered {status}: the booking page is not on this tree (lab-book)")
            return 3
        for _ in range(2 * args.workers):  # every worker has loaded the page once
            request(server.port, "GET", path, session=people[0][1])
        print()
        print(
            "| round | day | p50 ms | p95 ms | max ms | status codes | told why | live bookings |"
        )
        print("|--:|---|--:|--:|--:|---|--:|--:|")
        for round_ in range(1, args.rounds + 1):
            day = next_free_day(resource)
            results = contend(server.port, path, people, day)
            latencies = [seconds * 1000 for _s, _b, seconds in results if seconds == seconds]
            codes = collections.Counter(status for status, _b, _s in results)
            start = timezone.make_aware(datetime.combine(day, clock(0)))
            live = Booking.objects.filter(
                resource=resource,
                status__in=LIVE_STATES,
                starts_at__lt=start + timedelta(days=1),
                blocked_until__gt=start,
            ).count()
            # Each 200 is the form again with the overlap refusal, in the person's language.
            booked_at = timezone.make_aware(datetime.combine(day, clock(9)))
            with translation.override("th"):
                refusal = overlap_refusal(resource, booked_at, booked_at + timedelta(hours=3))
                expected = escape(str(refusal.message)).encode() if refusal else b"?"
            told = sum(expected in body for status, body, _s in results if status == 200)
            ok = (
                live == 1
                and codes.get(302) == 1
                and set(codes) <= {200, 302}
                and told == codes.get(200, 0)
            )
            failures += not ok
            all_latencies += latencies
            histogram = ", ".join(f"{code}: {n}" for code, n in sorted(codes.items(), key=str))
            print(
                f"| {round_} | {day} | {statistics.median(latencies):.0f} | "
                f"{percentile(latencies, 95):.0f} | {max(latencies):.0f} | {histogram} | {told}"
                f" | {live} |" + ("" if ok else " FAILED")
            )
    print()
    print(
        f"all rounds: p50 {statistics.median(all_latencies):.0f} ms, "
        f"p95 {percentile(all_latencies, 95):.0f} ms over {len(all_latencies)} requests; "
        + ("every round ended with exactly one live booking" if not failures else "FAILED")
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
