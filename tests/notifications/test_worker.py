"""The outbox against a real Celery worker process, on the configured broker.

Locally the broker is kombu's filesystem transport in a temporary folder; in CI it is the
Redis named by CELERY_BROKER_URL, and these tests fail, never skip, when it is unreachable.
"""

import email
import email.policy
import os
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import kombu.pools
import pytest
from django.conf import settings
from django.db import transaction

from config.celery import app as celery_app
from notifications.models import OutboundEmail
from notifications.services import notify, sweep_outbox
from tests.factories import UserFactory

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

    def start():
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
        }
        command = [
            sys.executable, "-m", "celery", "-A", "config", "worker",
            "-Q", "notifications,default", "-P", "solo", "-c", "1",
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
