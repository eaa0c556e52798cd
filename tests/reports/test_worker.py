"""Report jobs built by a real Celery worker process, and workers killed mid-report.

Follows tests/notifications/test_worker.py and tests/training/test_worker.py (their broker
fixtures are reused): locally kombu's filesystem broker in a temporary folder, in CI the
Redis named by CELERY_BROKER_URL. The worker consumes queues named for this test only, and
this process routes the report and notification tasks there too, so a job asked for here
(services.request_report, queued on commit) reaches this test's worker and no other. The
worker writes the files to a private folder of this test, which this process serves.

The worker is given short REPORT_* settings through its environment (a claim is stale
after 3 s without progress) and, in the worker process only, a delay per row (the
enrolment report's row() sleeps), so a small report takes seconds and can be killed in
the middle.
"""

import datetime
import io
import os
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from config.celery import app as celery_app
from notifications.models import Notification, OutboundEmail
from programmes.models import Enrolment, EnrolmentStatus
from reports import services, tasks
from reports.filters import ReportFilters
from reports.models import FailureReason, JobStatus, ReportJob
from tests.conftest import sign_in
from tests.factories import EnterpriseFactory, IntakeFactory, ProgrammeFactory
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

from .factories import enrolment_data

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Short enough for a test, long enough for a machine with two busy cores.
STALL_SECONDS = 3
PROGRESS_SECONDS = 0.2
# Bounded, generous waits: CI runs these beside other tests on two cores.
BUILD_TIMEOUT = 120
# Rows of the slow report and the worker's delay per row: about 5 s a run.
SLOW_ROWS = 60
SLOW_ROW_DELAY = 0.08
# The stale claim of the killed pool process's test (see there).
BUSY_STALL_SECONDS = 8

# Started in the worker's process: the project's app, its queues renamed for this test,
# and the enrolment report slowed down per row when TEST_REPORT_ROW_DELAY says so.
WORKER_SCRIPT = """
import os
import sys
import time

import django

from config.celery import app

default_queue, notifications_queue, reports_queue, pool, name = sys.argv[1:6]
app.conf.task_default_queue = default_queue
app.conf.task_routes = {
    "notifications.*": {"queue": notifications_queue},
    "reports.tasks.build_report": {"queue": reports_queue},
    "reports.*": {"queue": default_queue},
}
# A pool process killed mid-task is reported lost after 1 s, not the default 10 s: the
# message comes back while the dead run's claim is still fresh (as with production's 30 s).
app.conf.worker_lost_wait = 1.0
delay = float(os.environ.get("TEST_REPORT_ROW_DELAY") or 0)
if delay:
    django.setup()
    from reports.definitions.enrolments import EnrolmentReport

    fast_row = EnrolmentReport.row

    def slow_row(self, values):
        time.sleep(delay)
        return fast_row(self, values)

    EnrolmentReport.row = slow_row
app.worker_main([
    "worker", "-Q", ",".join([default_queue, notifications_queue, reports_queue]),
    "-P", pool, "-c", "1", "--without-heartbeat", "--without-gossip", "--without-mingle",
    "-l", "info", "-n", name,
])
"""


@dataclass(frozen=True)
class Queues:
    default: str
    notifications: str
    reports: str

    def routes(self):
        return {
            "notifications.*": {"queue": self.notifications},
            "reports.tasks.build_report": {"queue": self.reports},
            "reports.*": {"queue": self.default},
        }


@pytest.fixture
def report_queues():
    """Queue names of this test's own."""
    suffix = uuid.uuid4().hex[:8]
    return Queues(
        default=f"report-test-default-{suffix}",
        notifications=f"report-test-notifications-{suffix}",
        reports=f"report-test-reports-{suffix}",
    )


def _reset_router():
    celery_app.amqp.flush_routes()
    # The router is cached with the routes it was made with.
    celery_app.amqp.__dict__.pop("router", None)


@contextmanager
def _routes(routes):
    saved = celery_app.conf.task_routes
    celery_app.conf.task_routes = routes
    _reset_router()
    try:
        yield
    finally:
        celery_app.conf.task_routes = saved
        _reset_router()


@pytest.fixture
def routed_here(live_broker, report_queues):  # noqa: F811
    """This process sends report jobs (and notifications) to this test's queues."""
    with _routes(report_queues.routes()):
        yield report_queues


@pytest.fixture
def private_root(tmp_path, monkeypatch):
    """Where the worker stores report files: the private storage of this test's process."""
    root = tmp_path / "private"
    assert settings.STORAGES["private"]["OPTIONS"]["location"] == str(root)
    monkeypatch.setenv("PRIVATE_MEDIA_ROOT", str(root))
    return root


@pytest.fixture
def report_worker(
    transactional_db,
    live_broker,  # noqa: F811
    routed_here,
    private_root,
    tmp_path,
    worker_dir,  # noqa: F811
    mail_dir,  # noqa: F811
):
    """Start real workers on this test's queues: report_worker(pool=..., row_delay=..., **env).

    Each worker leads a process group of its own (so a test can kill it whole); every
    one still running is stopped afterwards.
    """
    started = []
    log_path = tmp_path / "worker.log"

    def log():
        return log_path.read_text(errors="replace") if log_path.exists() else ""

    def start(*, pool="solo", row_delay=0, **extra_env):
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": _database_url(),
            "CELERY_BROKER_URL": live_broker.url,
            "VAR_DIR": str(tmp_path / "var"),
            "PRIVATE_MEDIA_ROOT": str(private_root),
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(mail_dir),
            "REPORT_STALL_SECONDS": str(STALL_SECONDS),
            "REPORT_PROGRESS_SECONDS": str(PROGRESS_SECONDS),
            "TEST_REPORT_ROW_DELAY": str(row_delay),
            "PYTHONPATH": os.pathsep.join(
                filter(None, [str(settings.BASE_DIR), os.environ.get("PYTHONPATH")])
            ),
            "PYTHONUNBUFFERED": "1",
            **{key: str(value) for key, value in extra_env.items()},
        }
        name = f"report-test-{uuid.uuid4().hex[:8]}@%h"
        queues = routed_here
        ready_before = log().count(" ready.")
        with log_path.open("ab") as out:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    WORKER_SCRIPT,
                    queues.default,
                    queues.notifications,
                    queues.reports,
                    pool,
                    name,
                ],
                cwd=worker_dir,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        started.append(process)
        ready = _wait_for(
            lambda: log().count(" ready.") > ready_before or process.poll() is not None,
            STARTUP_TIMEOUT,
        )
        if not ready or process.poll() is not None:
            pytest.fail(f"The Celery worker did not start:\n{log()[-4000:]}")
        process.log = log
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
        # Whatever the worker left (a pool child) goes with its group.
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    if live_broker.url.startswith(("redis://", "rediss://")):
        _forget_messages(live_broker.url, routed_here)


def _forget_messages(url, queues):
    """Drop what a killed worker left on the shared Redis for this test's queues.

    A worker killed whole leaves its message unacknowledged; Redis would put it back in
    its queue after the visibility timeout, for a consumer that is long gone.
    """
    import json

    import redis

    names = {queues.default, queues.notifications, queues.reports}
    client = redis.Redis.from_url(url)
    for tag, raw in client.hscan_iter("unacked"):
        _message, _exchange, routing_key = json.loads(raw)
        if routing_key in names:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)
    client.delete(*names)


def children(pid):
    """The pids of the processes whose parent is `pid` (a prefork worker's pool)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces, so split after its ")".
        fields = text.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


# --- Data and helpers ------------------------------------------------------------------------


def many_enrolments(count=SLOW_ROWS):
    """`count` submitted applications, Thai names included, in a few intakes."""
    programme = ProgrammeFactory(title_th="โครงการยกระดับเซรามิกลำปาง", fiscal_year=2570)
    intakes = [IntakeFactory(programme=programme, capacity=count) for _ in range(4)]
    per_intake = -(-count // len(intakes))
    enterprises = [EnterpriseFactory(name_th=f"วิสาหกิจชุมชนเซรามิก {n}") for n in range(per_intake)]
    now = timezone.now()
    Enrolment.objects.bulk_create(
        Enrolment(
            intake=intakes[n % len(intakes)],
            enterprise=enterprises[n // len(intakes)],
            status=EnrolmentStatus.SUBMITTED,
            submitted_at=now,
        )
        for n in range(count)
    )


def ask_for_report(officer, fmt="xlsx"):
    """Ask as an officer would: the job is queued to the worker once the request commits."""
    # In Thai, as the officer's page is: an earlier test's request may have left this
    # thread's language at English.
    with transaction.atomic(), translation.override("th"):
        job, created = services.request_report(
            report="enrolments", fmt=fmt, filters=ReportFilters(), by=officer
        )
    assert created
    return job


def job_now(job):
    return ReportJob.objects.get(pk=job.pk)


def final_path(private_root, job):
    return private_root / "reports" / str(job.pk) / f"enrolments-{job.pk}.{job.format}"


def read_xlsx(path):
    workbook = openpyxl.load_workbook(io.BytesIO(Path(path).read_bytes()), read_only=True)
    return list(workbook.active.iter_rows(values_only=True))


def wait_until_writing(job, worker_log):
    """The job is running and its worker has written some rows (not all)."""
    writing = _wait_for(
        lambda: ReportJob.objects.filter(
            pk=job.pk, status=JobStatus.RUNNING, rows_written__gt=0
        ).first(),
        BUILD_TIMEOUT,
        interval=0.05,
    )
    assert writing is not None, f"The report never started:\n{worker_log()[-4000:]}"
    assert writing.rows_written < writing.rows_expected == SLOW_ROWS
    return writing


class Watch:
    """Looks at the download link and the file's final name while a job is pending.

    Each look asserts that nothing is served before the job is done: the download answers
    404, and no file sits under the final name except the complete one the finishing run
    moves there in the transaction that marks the job done.
    """

    def __init__(self, client, job, path):
        self.client = client
        self.job = job
        self.path = path
        self.url = reverse("reports:job_download", args=[job.pk])
        self.looks = 0

    def look(self):
        """None while the job is pending (having checked it), else the finished job."""
        job = job_now(self.job)
        if job.status not in (JobStatus.QUEUED, JobStatus.RUNNING):
            return job
        if self.client.get(self.url).status_code != 404:
            # Served: only because it finished between the two looks.
            assert job_now(self.job).status == JobStatus.DONE
            return job_now(self.job)
        if self.path.exists():
            # Moved into place by the finishing run, whose transaction is about to commit.
            finished = _wait_for(lambda: job_now(self.job).status == JobStatus.DONE, 10, 0.05)
            assert finished, f"A file under the final name while {job_now(self.job).status}"
            return job_now(self.job)
        self.looks += 1
        return None

    def until_finished(self, worker_log, timeout=BUILD_TIMEOUT):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            finished = self.look()
            if finished is not None:
                return finished
            time.sleep(0.1)
        pytest.fail(f"The job is stuck in {job_now(self.job).status}:\n{worker_log()[-6000:]}")


# --- A report built end to end -------------------------------------------------------------


def test_a_worker_builds_the_xlsx_enrolment_report_and_tells_the_officer(
    report_worker,
    officer_2fa,
    private_root,
    mail_dir,  # noqa: F811
    client,
):
    data = enrolment_data()
    # Slow enough (0.3 s a row, five rows) that its running state shows.
    worker = report_worker(row_delay=0.3)
    job = ask_for_report(officer_2fa)
    assert job.status == JobStatus.QUEUED

    seen = []

    def done():
        current = job_now(job)
        if not seen or seen[-1] != current.status:
            seen.append(current.status)
        return current.status == JobStatus.DONE and current

    job = _wait_for(done, BUILD_TIMEOUT, interval=0.05)
    assert job, f"The worker did not build the report:\n{worker.log()[-4000:]}"
    assert seen[-2:] == [JobStatus.RUNNING, JobStatus.DONE]
    assert set(seen) <= {JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.DONE}
    assert job.rows_expected == job.rows_written == 5
    assert job.attempts == 1
    assert job.file.name == f"reports/{job.pk}/enrolments-{job.pk}.xlsx"
    assert job.expires_at > timezone.now()

    # The file the worker wrote: complete, Thai included, the draft left out.
    rows = read_xlsx(private_root / job.file.name)
    assert rows[0][0] == "เลขที่ใบสมัคร"
    assert len(rows) == 6
    assert {row[0] for row in rows[1:]} == {
        enrolment.pk for enrolment in data["enrolments"] if enrolment.status != "draft"
    }
    assert "โครงการ ก" in {row[1] for row in rows[1:]}
    assert {row[7] for row in rows[1:]} == {"ลำปาง", "เชียงใหม่"}
    assert list((private_root / "reports" / str(job.pk)).iterdir()) == [
        private_root / job.file.name
    ]

    # This process serves what the worker wrote.
    sign_in(client, officer_2fa)
    response = client.get(reverse("reports:job_download", args=[job.pk]))
    assert response.status_code == 200
    assert read_xlsx_bytes(b"".join(response.streaming_content)) == rows

    # The officer is told, in the inbox and by an email the worker sent.
    ready = Notification.objects.get(recipient=officer_2fa, kind=services.READY_KIND)
    assert ready.url == job.get_absolute_url()
    sent = _wait_for(
        lambda: OutboundEmail.objects.filter(
            to=officer_2fa.email, sent_at__isnull=False, pk=ready.email_id
        ).first(),
        DELIVERY_TIMEOUT,
    )
    assert sent is not None, f"The worker did not send the email:\n{worker.log()[-4000:]}"
    with translation.override("th"):
        assert str(job.title) in sent.subject
    subjects = _wait_for(lambda: _subjects(mail_dir), 5)
    assert [" ".join(s.split()) for s in subjects] == [sent.subject]


def read_xlsx_bytes(data):
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return list(workbook.active.iter_rows(values_only=True))


# --- A worker killed in the middle of a report ----------------------------------------------


def test_a_killed_pool_process_leaves_no_file_and_the_redelivered_task_builds_it_anew(
    report_worker, officer_2fa, private_root, client
):
    """The pool process building the report dies (SIGKILL); the worker lives on.

    Acknowledged late and rejected on a lost worker, the message is delivered again to
    the same worker: as the dead run's claim is still fresh, the task retries until it is
    stale, then claims the job a second time under the same token and writes the file anew.
    """
    many_enrolments()
    # A claim goes stale after 8 s here: well after the message comes back (in about 2 s).
    worker = report_worker(
        pool="prefork", row_delay=SLOW_ROW_DELAY, REPORT_STALL_SECONDS=BUSY_STALL_SECONDS
    )
    job = ask_for_report(officer_2fa)
    writing = wait_until_writing(job, worker.log)
    assert writing.attempts == 1
    (child,) = children(worker.pid)
    os.kill(child, signal.SIGKILL)

    # Until the same message, redelivered, has built the file anew, nothing is served.
    watch = Watch(sign_in(client, officer_2fa), job, final_path(private_root, job))
    job = watch.until_finished(worker.log)
    assert watch.looks > 0
    assert "exited prematurely: signal 9" in worker.log()
    # The message came back while the dead run's claim was fresh: it waited for it to go
    # stale (a retry of the same task, the same token) instead of writing beside it.
    assert f"retry: Retry in {BUSY_STALL_SECONDS}s" in worker.log()

    assert job.status == JobStatus.DONE, worker.log()[-4000:]
    # The one message, delivered again, claimed the job a second time once the dead
    # run's claim went stale: the same task, a claim of its own, two attempts.
    assert job.attempts == 2
    assert job.run_token.partition(":")[0] == writing.run_token.partition(":")[0]
    assert job.run_token != writing.run_token
    assert job.rows_expected == job.rows_written == SLOW_ROWS
    rows = read_xlsx(private_root / job.file.name)
    assert len(rows) == SLOW_ROWS + 1
    assert len({row[0] for row in rows[1:]}) == SLOW_ROWS
    assert rows[1][4].startswith("วิสาหกิจชุมชนเซรามิก")
    # The retry wrote the same temporary file anew and moved it into place: nothing is left.
    assert sorted(p.name for p in final_path(private_root, job).parent.iterdir()) == [
        final_path(private_root, job).name
    ]
    assert Notification.objects.filter(kind=services.READY_KIND).count() == 1
    assert worker.poll() is None


@pytest.mark.parametrize(
    ("max_attempts", "outcome"),
    [(3, JobStatus.DONE), (1, JobStatus.FAILED)],
    ids=["taken-over", "out-of-attempts"],
)
def test_a_worker_killed_whole_leaves_no_stuck_job_the_sweep_takes_it_over_or_fails_it(
    report_worker, routed_here, officer_2fa, private_root, client, max_attempts, outcome
):
    """The worker's process group is killed: its message is lost with it (the filesystem
    broker) or held unacknowledged for an hour (Redis); the sweep finds the stalled job."""
    many_enrolments()
    config = {"pool": "prefork", "row_delay": SLOW_ROW_DELAY, "REPORT_MAX_ATTEMPTS": max_attempts}
    first = report_worker(**config)
    job = ask_for_report(officer_2fa)
    writing = wait_until_writing(job, first.log)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=15)
    assert _wait_for(lambda: not children(first.pid), 15)

    # The dead run left its temporary file (never served) beside the final name.
    dead_partial = final_path(private_root, job).with_name(
        f".{final_path(private_root, job).name}.{writing.run_token}.partial"
    )
    assert dead_partial.exists()
    watch = Watch(sign_in(client, officer_2fa), job, final_path(private_root, job))
    second = report_worker(**config)
    # Nobody beats for the dead run: the job stays as it was, and nothing is served...
    assert watch.look() is None
    assert job_now(job).status == JobStatus.RUNNING
    # ...until its claim is stale and the sweep (beat's task, run by the new worker) acts.
    stale = _wait_for(
        lambda: (
            timezone.now() - job_now(job).heartbeat_at
            > datetime.timedelta(seconds=STALL_SECONDS + 1)
        ),
        STALL_SECONDS * 10,
        interval=0.1,
    )
    assert stale
    watch.look()
    tasks.sweep_reports.apply_async(queue=routed_here.default)
    job = watch.until_finished(second.log)

    assert job.status == outcome, second.log()[-4000:]
    if outcome == JobStatus.DONE:
        # A new message (the sweep's) claimed the stale job: a new token, the second attempt.
        assert job.attempts == 2
        assert job.run_token != writing.run_token
        assert job.rows_expected == job.rows_written == SLOW_ROWS
        assert len(read_xlsx(private_root / job.file.name)) == SLOW_ROWS + 1
        assert Notification.objects.filter(kind=services.READY_KIND).count() == 1
        sign_in(client, officer_2fa)
        assert client.get(reverse("reports:job_download", args=[job.pk])).status_code == 200
    else:
        assert job.failure == FailureReason.STALLED
        assert job.attempts == 1
        assert not job.file
        assert not final_path(private_root, job).exists()
        assert Notification.objects.filter(kind=services.FAILED_KIND).count() == 1
        page = client.get(job.get_absolute_url()).content.decode()
        assert reverse("reports:job_again", args=[job.pk]) in page
    # The dead run's temporary file, never served, went with the run that took over or
    # with the failure: only a complete file is left, or none.
    left = sorted(p.name for p in final_path(private_root, job).parent.iterdir())
    assert left == ([final_path(private_root, job).name] if outcome == JobStatus.DONE else [])
