"""The day-before reminder delivered by a real Celery worker process.

Follows tests/notifications/test_worker.py (its broker fixtures are reused): locally the
filesystem broker in a temporary folder, in CI the Redis named by CELERY_BROKER_URL.
scripts/test keeps each file in one pytest process, but this file and that one may run at
the same time on the one CI broker; so this worker consumes queues named for this test
only: the task is sent there by name, and the worker routes the email it queues to its
own notifications queue.
"""

import os
import subprocess
import sys
import uuid

import pytest
from django.conf import settings

from notifications.models import Notification, OutboundEmail
from tests.factories import BookingFactory, ResourceFactory, UserFactory, at
from tests.notifications.test_worker import (  # noqa: F401 (fixtures)
    DELIVERY_TIMEOUT,
    STARTUP_TIMEOUT,
    _database_url,
    _subjects,
    _wait_for,
    live_broker,
    mail_dir,
    worker_dir,
)
from training import tasks

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Started in the worker's process: the project's app, its queues renamed for this test.
WORKER_SCRIPT = """
import sys
from config.celery import app
default_queue, notifications_queue, name = sys.argv[1:4]
app.conf.task_default_queue = default_queue
app.conf.task_routes = {"notifications.*": {"queue": notifications_queue}}
app.worker_main([
    "worker", "-Q", default_queue + "," + notifications_queue, "-P", "solo", "-c", "1",
    "--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "info", "-n", name,
])
"""


@pytest.fixture
def queues():
    """Queue names of this test's own: (default, notifications)."""
    suffix = uuid.uuid4().hex[:8]
    return f"lab-test-default-{suffix}", f"lab-test-notifications-{suffix}"


@pytest.fixture
def lab_worker(transactional_db, live_broker, queues, tmp_path, worker_dir, mail_dir):  # noqa: F811
    """A real worker on this test's queues; always stopped afterwards."""
    log_path = tmp_path / "worker.log"

    def log():
        return log_path.read_text(errors="replace") if log_path.exists() else ""

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
    name = f"lab-test-{uuid.uuid4().hex[:8]}@%h"
    with log_path.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-c", WORKER_SCRIPT, *queues, name],
            cwd=worker_dir,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        ready = _wait_for(lambda: " ready." in log() or process.poll() is not None, STARTUP_TIMEOUT)
        if not ready or process.poll() is not None:
            pytest.fail(f"The Celery worker did not start:\n{log()[-4000:]}")
        process.log = log
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def test_the_worker_sends_the_day_before_reminder_in_thai(lab_worker, queues, mail_dir):  # noqa: F811
    student = UserFactory(role="student", language="th", email="reminded@dome.tu.ac.th")
    kiln = ResourceFactory(name_th="เตาเผาไฟฟ้า ก", name_en="Electric kiln A")
    booking = BookingFactory(resource=kiln, owner=student, starts_at=at(1, 9), ends_at=at(1, 12))

    # Sent to this test's queue by name: the app's own routing stays as it is here.
    tasks.remind_tomorrow.apply_async(queue=queues[0])

    def sent():
        return OutboundEmail.objects.filter(to=student.email, sent_at__isnull=False).first()

    outbound = _wait_for(sent, DELIVERY_TIMEOUT)
    assert outbound is not None, f"The worker did not send the reminder:\n{lab_worker.log()}"
    assert outbound.subject.startswith("แจ้งเตือน: ท่านจอง เตาเผาไฟฟ้า ก ไว้พรุ่งนี้")
    # The mail as sent (a long Thai subject is folded into encoded words: compare words).
    subjects = _wait_for(lambda: _subjects(mail_dir), 5)
    assert [" ".join(s.split()) for s in subjects] == [outbound.subject]
    booking.refresh_from_db()
    assert booking.reminded_at is not None
    assert Notification.objects.filter(recipient=student, kind="booking_reminder").count() == 1
