"""The outbox against a real Celery worker process, on the configured broker.

Locally the broker is kombu's filesystem transport in a temporary folder; in CI it is the
Redis named by CELERY_BROKER_URL, and these tests fail, never skip, when it is unreachable.
"""

import email
import email.policy
import os
import re
import subprocess
import sys
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import kombu.pools
import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from config.celery import app as celery_app
from notifications.models import OutboundEmail
from notifications.services import notify, sweep_outbox
from tests.factories import UserFactory
from tests.smtp_sink import read_records, running_sink

pytestmark = [
    pytest.mark.worker,
    # Serialized rollback: a browser test run before in the same process leaves the
    # database flushed; this puts back what the migrations created.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
# scripts/test distributes tests by file (`--dist loadfile`): every test that starts a
# real worker lives in this file, so no two workers consume the one CI broker at once.

# Nothing listens on port 1: publishing fails at once with "connection refused".
DEAD_BROKER_URL = "redis://127.0.0.1:1/0"
DELIVERY_TIMEOUT = 30
STARTUP_TIMEOUT = 60
BROKER_URL_VARIABLES = ("CELERY_BROKER_URL", "CELERY_BROKER_READ_URL", "CELERY_BROKER_WRITE_URL")


@dataclass
class Broker:
    url: str
    transport_options: dict = field(default_factory=dict)


def _wait_for(condition, timeout, interval=0.25):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    return condition()


def _database_url():
    """The URL of the test database, which the worker must share with this process."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] == "toolkit.db.sqlite":
        return f"sqlite:///{db['NAME']}"
    if db["ENGINE"] == "django.db.backends.postgresql":
        auth = ""
        if db.get("USER"):
            auth = quote(db["USER"], safe="")
            if db.get("PASSWORD"):
                auth += ":" + quote(db["PASSWORD"], safe="")
            auth += "@"
        host = quote(db.get("HOST") or "localhost", safe="")
        port = f":{db['PORT']}" if db.get("PORT") else ""
        return f"postgres://{auth}{host}{port}/{quote(db['NAME'], safe='')}"
    pytest.fail(f"No worker database URL for {db['ENGINE']}")


def _reset_broker_connections():
    """Drop pooled connections so the next publish connects to the configured broker."""
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextmanager
def _publish_to(broker):
    conf = celery_app.conf
    saved = (conf.get("broker_url"), conf.broker_transport_options)
    # Celery prefers these variables to its configuration: they must name the broker too.
    saved_env = {name: os.environ.pop(name, None) for name in BROKER_URL_VARIABLES}
    os.environ["CELERY_BROKER_URL"] = broker.url
    _reset_broker_connections()
    conf.broker_url, conf.broker_transport_options = broker.url, broker.transport_options
    try:
        yield
    finally:
        _reset_broker_connections()
        conf.broker_url, conf.broker_transport_options = saved
        for name, value in saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _require_redis(url):
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except redis.exceptions.RedisError as exc:
        message = f"Redis broker {url} is unreachable: {exc}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def worker_dir(tmp_path):
    # The worker's working folder: kombu's filesystem transport keeps its exchange
    # table in ./control, which must stay out of the project checkout.
    path = tmp_path / "worker"
    path.mkdir()
    return path


@pytest.fixture
def live_broker(tmp_path, worker_dir):
    """The broker this process and the worker share, and this process publishing to it."""
    url = os.environ.get("CELERY_BROKER_URL", "")
    if url.startswith(("redis://", "rediss://")):
        _require_redis(url)
        broker = Broker(url=url, transport_options=dict(settings.CELERY_BROKER_TRANSPORT_OPTIONS))
    else:
        # Where config.settings puts the filesystem broker when the worker has VAR_DIR.
        folder = tmp_path / "var" / "broker"
        for sub in ("queue", "processed"):
            (folder / sub).mkdir(parents=True)
        broker = Broker(
            url="filesystem://",
            transport_options={
                "data_folder_in": str(folder / "queue"),
                "data_folder_out": str(folder / "queue"),
                "processed_folder": str(folder / "processed"),
                "store_processed": False,
                "control_folder": str(worker_dir / "control"),
            },
        )
    celery_app.conf.task_always_eager = False
    with _publish_to(broker):
        yield broker


@pytest.fixture
def mail_dir(tmp_path):
    path = tmp_path / "mail"
    path.mkdir()
    return path


@pytest.fixture
def start_worker(transactional_db, live_broker, tmp_path, worker_dir, mail_dir):
    """Start a real worker on the notifications queue; it is always stopped afterwards."""
    started = []
    log_path = tmp_path / "worker.log"

    def log():
        return log_path.read_text(errors="replace") if log_path.exists() else ""

    def start(*, extra_env=None, pool=("solo", "1")):
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": _database_url(),
            "CELERY_BROKER_URL": live_broker.url,
            "VAR_DIR": str(tmp_path / "var"),
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(mail_dir),
            "PYTHONPATH": os.pathsep.join(
                filter(None, [str(settings.BASE_DIR), os.environ.get("PYTHONPATH")])
            ),
            "PYTHONUNBUFFERED": "1",
            **(extra_env or {}),
        }
        command = [
            sys.executable, "-m", "celery", "-A", "config", "worker",
            "-Q", "notifications,default", "-P", pool[0], "-c", pool[1],
            "--without-heartbeat", "--without-gossip", "--without-mingle",
            "-l", "info", "-n", f"outbox-test-{uuid.uuid4().hex[:8]}@%h",
        ]  # fmt: skip
        with log_path.open("ab") as out:
            process = subprocess.Popen(
                command, cwd=worker_dir, env=env, stdout=out, stderr=subprocess.STDOUT
            )
        started.append(process)
        ready = _wait_for(lambda: " ready." in log() or process.poll() is not None, STARTUP_TIMEOUT)
        if not ready or process.poll() is not None:
            pytest.fail(f"The Celery worker did not start:\n{log()[-4000:]}")
        return process

    start.log = log
    yield start

    for process in started:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def _sent_files(mail_dir):
    return [path.read_bytes() for path in sorted(Path(mail_dir).iterdir())]


def _subjects(mail_dir):
    return [
        email.message_from_bytes(data, policy=email.policy.default)["subject"]
        for data in _sent_files(mail_dir)
    ]


def _assert_delivered(outbound_id, mail_dir, log):
    delivered = _wait_for(
        lambda: OutboundEmail.objects.filter(pk=outbound_id, sent_at__isnull=False).exists(),
        DELIVERY_TIMEOUT,
    )
    assert delivered, f"The worker did not deliver the email:\n{log()[-4000:]}"
    outbound = OutboundEmail.objects.get(pk=outbound_id)
    assert outbound.attempts == 1
    assert _wait_for(lambda: _subjects(mail_dir), 5) == [outbound.subject]


def test_worker_delivers_an_email_queued_on_commit(start_worker, mail_dir):
    start_worker()
    recipient = UserFactory(language="en", email="worker.test@example.com")

    with transaction.atomic():
        notification = notify(recipient, "welcome", url="/")

    _assert_delivered(notification.email_id, mail_dir, start_worker.log)


def test_queued_while_the_broker_is_down_is_delivered_by_the_sweep_once_it_is_back(
    start_worker, live_broker, mail_dir, settings, caplog
):
    recipient = UserFactory(language="en", email="broker.down@example.com")

    with _publish_to(Broker(url=DEAD_BROKER_URL)), transaction.atomic():
        notification = notify(recipient, "welcome", url="/")

    outbound = OutboundEmail.objects.get(pk=notification.email_id)
    assert outbound.sent_at is None
    assert outbound.attempts == 0
    assert "left for the outbox sweep" in caplog.text

    settings.OUTBOX_SWEEP_AFTER_SECONDS = 0
    start_worker()
    assert sweep_outbox() == 1

    _assert_delivered(outbound.pk, mail_dir, start_worker.log)


BURST = 200


def test_a_burst_reaches_the_mail_server_once_each_though_a_worker_is_killed_midway(
    start_worker, tmp_path, settings
):
    people = [
        UserFactory(language="th" if n % 2 else "en", email=f"burst.{n}@example.com")
        for n in range(BURST)
    ]
    record = tmp_path / "sink.jsonl"
    # The mail server takes 30 ms a message, so the burst lasts long enough to be cut.
    with running_sink(record, delay=0.03) as port:
        smtp = {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(port),
            "EMAIL_USE_TLS": "0",
        }
        # As Procfile.dev runs it: two threads.
        first = start_worker(extra_env=smtp, pool=("threads", "2"))
        with transaction.atomic():
            ids = [notify(person, "welcome", url="/").email_id for person in people]

        started = _wait_for(lambda: len(read_records(record)) >= BURST // 5, DELIVERY_TIMEOUT)
        assert started, f"The worker delivered nothing:\n{start_worker.log()[-4000:]}"
        first.kill()
        first.wait(timeout=10)
        delivered_before_the_kill = len(read_records(record))
        assert delivered_before_the_kill < BURST, "The burst ended before the kill"
        # What the killed worker was sending, maybe accepted by the server, never marked.
        in_flight = list(
            OutboundEmail.objects.filter(
                pk__in=ids, sent_at__isnull=True, claimed_at__isnull=False
            ).values_list("pk", flat=True)
        )
        assert len(in_flight) <= 2

        start_worker(extra_env=smtp, pool=("threads", "2"))
        # Time passes: the dead worker's claims expire; the batches it had taken from the
        # broker died with it, and the sweep queues everything still unsent.
        OutboundEmail.objects.filter(pk__in=in_flight).update(
            claimed_at=timezone.now() - timedelta(seconds=settings.OUTBOX_CLAIM_TIMEOUT_SECONDS + 1)
        )
        settings.OUTBOX_SWEEP_AFTER_SECONDS = 0
        assert sweep_outbox() > 0

        all_sent = _wait_for(
            lambda: not OutboundEmail.objects.filter(pk__in=ids, sent_at__isnull=True).exists(),
            DELIVERY_TIMEOUT * 2,
        )
        assert all_sent, f"Mail left unsent:\n{start_worker.log()[-4000:]}"
        time.sleep(1)  # a duplicate, if any, would reach the sink now
        records = read_records(record)

    received = Counter(address for r in records for address in r["to"])
    assert set(received) == {person.email for person in people}
    # Once each, but for what the killed worker had in flight: the server may have taken
    # it before the worker died, and it went out again after its claim expired.
    in_flight_addresses = set(
        OutboundEmail.objects.filter(pk__in=in_flight).values_list("to", flat=True)
    )
    assert {address for address, times in received.items() if times > 1} <= in_flight_addresses
    assert max(received.values()) <= 2
    assert len(Counter(r["message_id"] for r in records)) == len(records)
    assert set(
        OutboundEmail.objects.filter(pk__in=ids)
        .exclude(pk__in=in_flight)
        .values_list("attempts", flat=True)
    ) == {1}
    # Each in the recipient's language.
    subjects = {r["to"][0]: r["subject"] for r in records}
    thai_script = re.compile("[\u0e00-\u0e7f]")
    assert all(thai_script.search(subjects[p.email]) for p in people if p.language == "th")
    assert not any(thai_script.search(subjects[p.email]) for p in people if p.language == "en")
