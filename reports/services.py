"""Report jobs: asked for in a request, built by a worker, kept for a while, then deleted.

- `request_report` stores the job and queues it after commit; an identical job still
  pending is joined instead (a partial unique constraint holds that under concurrency).
- `run_report` is what the worker does: claim the job with its task id, read one
  snapshot, stream the rows into a temporary file beside the final one, and move it into
  place only when complete and only while the claim still holds. A worker killed midway
  leaves a temporary file no one serves; the redelivered task (or the sweep) deletes it
  and starts the file anew, and after REPORT_MAX_ATTEMPTS claims the job fails (its
  temporary files deleted) and can be asked again.
- `sweep_reports` re-queues jobs whose message was lost and jobs whose worker stopped
  answering; `delete_expired_reports` deletes files past their retention.
"""

import contextlib
import datetime
import hashlib
import json
import logging
import os
import threading
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connections, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from notifications.services import notify
from toolkit.spreadsheets import XLSX_MAX_ROWS, write_csv, write_xlsx

from .filters import ReportFilters
from .models import (
    PENDING_STATES,
    FailureReason,
    JobStatus,
    ReportDownload,
    ReportFormat,
    ReportJob,
    report_path,
)
from .registry import REPORTS
from .rules import may_download, may_request

logger = logging.getLogger(__name__)

READY_KIND = "report_ready"
FAILED_KIND = "report_failed"
# The database alias a worker reads its snapshot through (config.settings).
SNAPSHOT_ALIAS = "snapshot"
# What run_report tells the task.
DONE, FAILED, BUSY, GONE = "done", "failed", "busy", "gone"


class ReportRefused(Exception):
    """A request the rules refuse; the message says why, in the asker's language."""


class JobLost(Exception):
    """The worker's claim on a job was taken over (a retry, the sweep): stop writing."""


class TooManyRows(Exception):
    pass


def file_storage():
    """Where report files live: the private storage, never under MEDIA_URL.

    Looked up on each use rather than through ReportJob.file's storage (fixed when the
    model loads), so a changed STORAGES setting applies.
    """
    from django.core.files.storage import storages

    return storages["private"]


def request_key(*, report: str, fmt: str, filters: ReportFilters, language: str) -> str:
    text = json.dumps([report, fmt, filters.as_json(), language], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


@transaction.atomic
def request_report(*, report: str, fmt: str, filters: ReportFilters, by) -> tuple[ReportJob, bool]:
    """Queue a report job, or join the identical one still pending; (job, created)."""

    definition = REPORTS.get(report)
    if definition is None or not may_request(by, definition):
        raise ReportRefused(_("You may not ask for this report."))
    if fmt not in definition.formats:
        raise ReportRefused(_("This report does not come in that format."))
    filters = filters.only(definition.filters)
    if any(not getattr(filters, name) for name in definition.required_filters):
        # The programme summary of every programme at once would be one huge PDF.
        raise ReportRefused(_("This report needs a filter you did not choose."))
    language = translation.get_language() or settings.LANGUAGE_CODE
    key = request_key(report=report, fmt=fmt, filters=filters, language=language)
    pending = ReportJob.objects.select_for_update().filter(
        request_key=key, status__in=PENDING_STATES
    )
    job = pending.first()
    created = False
    if job is None:
        try:
            with transaction.atomic():
                job = ReportJob.objects.create(
                    report=report,
                    format=fmt,
                    filters=filters.as_json(),
                    request_key=key,
                    language=language,
                    personal_data=definition.personal_data,
                    requested_by=by,
                )
            created = True
        except IntegrityError:
            # Another request made the same job a moment ago: join it.
            job = pending.get()
    job.subscribers.add(by)
    if created:
        transaction.on_commit(lambda: enqueue(job.pk))
    return job, created


def enqueue(job_id) -> bool:
    """Send the job to a worker; with the broker down, the sweep sends it later."""
    from . import tasks

    try:
        tasks.build_report.apply_async(args=[job_id])
    except Exception:
        logger.warning("Report job %s not queued now; the sweep will queue it", job_id)
        return False
    return True


# --- The worker's side ---------------------------------------------------------------


def stall_cutoff():
    return timezone.now() - datetime.timedelta(seconds=settings.REPORT_STALL_SECONDS)


def claim(job_id, token) -> ReportJob | str:
    """Take the job for this task run, or say why not (BUSY, GONE).

    The job's run_token becomes the task id `token` and a suffix of this claim's own: the
    broker may hand one message out twice (a retry, a redelivery while the first run is
    still alive but silent), and both runs carry the same task id. Only the run holding
    the current claim may store progress or move its file into place.
    """
    now = timezone.now()
    claimable = Q(status=JobStatus.QUEUED) | Q(
        status=JobStatus.RUNNING, heartbeat_at__lt=stall_cutoff()
    )
    claimed = f"{token}:{uuid.uuid4().hex[:12]}"
    taken = ReportJob.objects.filter(claimable, pk=job_id).update(
        status=JobStatus.RUNNING,
        run_token=claimed,
        attempts=F("attempts") + 1,
        started_at=now,
        heartbeat_at=now,
        rows_written=0,
    )
    job = ReportJob.objects.select_related("requested_by").filter(pk=job_id).first()
    if job is None:
        return GONE
    if not taken:
        # This very message again while its earlier run still beats: wait for it to stop.
        if job.status == JobStatus.RUNNING and job.run_token.partition(":")[0] == token:
            return BUSY
        return GONE
    job.run_token = claimed
    return job


def run_report(*, job_id, token) -> str:
    """Build the job's file, as the worker of task `token`; DONE, FAILED, BUSY or GONE."""
    job = claim(job_id, token)
    if isinstance(job, str):
        return job
    return _build(job, claimed=job.run_token)


def _build(job, *, claimed) -> str:
    token = claimed
    definition = REPORTS.get(job.report)
    if job.attempts > settings.REPORT_MAX_ATTEMPTS:
        return fail(job, FailureReason.INTERRUPTED, token=token)
    if definition is None or not may_request(job.requested_by, definition):
        return fail(job, FailureReason.FORBIDDEN, token=token)
    storage = file_storage()
    final_name = report_path(job, f"{job.report}-{job.pk}.{job.format}")
    final_path = Path(storage.path(final_name))
    final_path.parent.mkdir(parents=True, exist_ok=True)
    # One temporary file per claim; a run that died before this claim left its own: gone.
    partial = final_path.with_name(f".{final_path.name}.{claimed}.partial")
    delete_partials(job, keep=partial)
    try:
        with translation.override(job.language):
            rows = build_file(job, definition, partial, token)
    except JobLost:
        partial.unlink(missing_ok=True)
        return GONE
    except TooManyRows:
        partial.unlink(missing_ok=True)
        return fail(job, FailureReason.TOO_MANY_ROWS, token=token)
    except (DatabaseError, OSError):
        # Passing trouble (a restart of the database, a full disk): the task retries.
        partial.unlink(missing_ok=True)
        raise
    except Exception:
        logger.exception("Report job %s failed", job.pk)
        partial.unlink(missing_ok=True)
        return fail(job, FailureReason.ERROR, token=token)
    return finish(job, token=token, partial=partial, final_name=final_name, rows=rows)


def build_file(job, definition, partial: Path, token) -> int:
    filters = ReportFilters.from_json(job.filters)
    progress = Progress(job.pk, token)
    with heartbeat(job.pk, token), partial.open("wb") as out, snapshot() as using:
        expected = definition.count(filters, using=using)
        if job.format == ReportFormat.XLSX and expected >= XLSX_MAX_ROWS:
            raise TooManyRows
        progress.expect(expected)
        rows = write_report(
            report=definition,
            fmt=job.format,
            filters=filters,
            out=out,
            using=using,
            progress=progress,
        )
        out.flush()
        os.fsync(out.fileno())
    return rows


def finish(job, *, token, partial: Path, final_name, rows) -> str:
    """Move the complete file into place and mark the job done, if the claim still holds."""
    storage = file_storage()
    now = timezone.now()
    with transaction.atomic():
        locked = (
            ReportJob.objects.select_for_update()
            .filter(pk=job.pk, run_token=token, status=JobStatus.RUNNING)
            .first()
        )
        if locked is None:
            partial.unlink(missing_ok=True)
            return GONE
        os.replace(partial, storage.path(final_name))
        locked.status = JobStatus.DONE
        locked.file.name = final_name
        locked.file_size = os.path.getsize(storage.path(final_name))
        locked.rows_written = rows
        locked.finished_at = now
        locked.heartbeat_at = now
        locked.expires_at = now + locked.retention()
        locked.save(
            update_fields=[
                "status",
                "file",
                "file_size",
                "rows_written",
                "finished_at",
                "heartbeat_at",
                "expires_at",
            ]
        )
        for person in locked.subscribers.all():
            notify(person, READY_KIND, locked, url=locked.get_absolute_url())
    return DONE


def fail(job, reason, *, token=None) -> str:
    """Mark the job failed with `reason` and tell everyone who asked for it."""
    with transaction.atomic():
        jobs = ReportJob.objects.select_for_update().filter(pk=job.pk, status__in=PENDING_STATES)
        if token is not None:
            jobs = jobs.filter(run_token=token)
        locked = jobs.first()
        if locked is None:
            return GONE
        locked.status = JobStatus.FAILED
        locked.failure = reason
        locked.finished_at = timezone.now()
        locked.save(update_fields=["status", "failure", "finished_at"])
        for person in locked.subscribers.all():
            notify(person, FAILED_KIND, locked, url=locked.get_absolute_url())
    delete_partials(locked)
    return FAILED


def delete_partials(job, *, keep=None) -> int:
    """Delete the temporary files of the job's runs, which dead workers leave behind.

    Only the run holding the claim moves its file into place (finish); any other run
    still writing loses its claim at its next progress save and stops.
    """
    folder = Path(file_storage().path(report_path(job, "")))
    removed = 0
    for path in folder.glob(".*.partial"):
        if path == keep:
            continue
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            removed += 1
    return removed


@contextlib.contextmanager
def snapshot():
    """The alias to read a report through: one consistent snapshot of the database.

    A worker has no transaction open; it reads through a connection of its own in a
    read-only repeatable-read transaction, while progress goes out through the default
    connection in autocommit, so the job page sees it. On SQLite the snapshot connection
    begins deferred: a reader in WAL mode never takes the write lock. Called inside a
    transaction (a test, a shell), it reads in that transaction instead.
    """
    if connections["default"].in_atomic_block:
        yield "default"
        return
    connection = connections[SNAPSHOT_ALIAS]
    try:
        with transaction.atomic(using=SNAPSHOT_ALIAS):
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    # JIT compiling took most of some report queries' time (bench/README.md).
                    cursor.execute("SET LOCAL jit = off")
            yield SNAPSHOT_ALIAS
    finally:
        # A report is long and rare: holding its connection open between reports buys nothing.
        connection.close()


@contextlib.contextmanager
def heartbeat(job_id, token):
    """Keep the claim fresh from a thread while the worker is busy without writing rows.

    Counting a national query or saving a large XLSX can take longer than
    REPORT_STALL_SECONDS without a row written; without this beat a retry or the sweep
    would take the job over from a worker that is alive. The thread beats only while this
    block runs, so a worker that dies stops beating with it. Inside a transaction (a test,
    a shell) there is no beat: its own connection would wait for that transaction's lock.
    """
    if connections["default"].in_atomic_block:
        yield
        return
    stop = threading.Event()
    interval = max(0.2, settings.REPORT_STALL_SECONDS / 3)

    def beat():
        try:
            while not stop.wait(interval):
                ReportJob.objects.filter(
                    pk=job_id, run_token=token, status=JobStatus.RUNNING
                ).update(heartbeat_at=timezone.now())
        except DatabaseError:
            logger.warning("Report job %s: heartbeat failed", job_id, exc_info=True)
        finally:
            connections.close_all()  # this thread's own connections

    thread = threading.Thread(target=beat, name=f"report-{job_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=interval + 5)


class Progress:
    """Rows written so far, stored on the job at most once a REPORT_PROGRESS_SECONDS."""

    def __init__(self, job_id, token):
        self.job_id = job_id
        self.token = token
        self.rows = 0
        self.saved_at = time.monotonic()

    def _save(self, **fields):
        fields["heartbeat_at"] = timezone.now()
        updated = ReportJob.objects.filter(
            pk=self.job_id, run_token=self.token, status=JobStatus.RUNNING
        ).update(**fields)
        if not updated:
            raise JobLost
        self.saved_at = time.monotonic()

    def expect(self, rows):
        self._save(rows_expected=rows, rows_written=0)

    def advance(self, rows=1):
        self.rows += rows
        if time.monotonic() - self.saved_at >= settings.REPORT_PROGRESS_SECONDS:
            self._save(rows_written=self.rows)

    def track(self, rows):
        try:
            for row in rows:
                yield row
                self.advance()
        finally:
            close = getattr(rows, "close", None)
            if close is not None:
                close()


def write_report(*, report, fmt, filters, out, using="default", progress=None) -> int:
    """Write the whole report to the binary file `out`; returns the rows written."""
    if fmt == ReportFormat.PDF:
        return report.write_pdf(filters, out, using=using, progress=progress)
    rows = report.rows(filters, using=using)
    if progress is not None:
        rows = progress.track(rows)
    columns = report.columns()
    headings = [str(heading) for heading, _width in columns]
    with contextlib.closing(rows) if hasattr(rows, "close") else contextlib.nullcontext():
        if fmt == ReportFormat.CSV:
            return write_csv(out, rows, headings=headings)
        try:
            return write_xlsx(
                out,
                rows,
                headings=headings,
                title=str(report.title),
                widths=[width for _heading, width in columns],
            )
        except ValueError as error:
            raise TooManyRows from error


# --- Periodic tasks ------------------------------------------------------------------


def sweep_reports() -> int:
    """Queue again the jobs a lost message or a dead worker left behind; fail worn-out ones."""
    queued_before = timezone.now() - datetime.timedelta(seconds=settings.REPORT_REQUEUE_SECONDS)
    lost = ReportJob.objects.filter(status=JobStatus.QUEUED, requested_at__lt=queued_before)
    stalled = ReportJob.objects.filter(status=JobStatus.RUNNING, heartbeat_at__lt=stall_cutoff())
    count = 0
    for job in stalled.filter(attempts__gte=settings.REPORT_MAX_ATTEMPTS):
        count += fail(job, FailureReason.STALLED) == FAILED
    for job_id in [*lost.values_list("pk", flat=True), *stalled.values_list("pk", flat=True)]:
        count += enqueue(job_id)
    return count


def delete_expired_reports() -> int:
    """Delete the files kept past their retention; the job and its download log stay."""
    deleted = 0
    storage = file_storage()
    expired = ReportJob.objects.filter(status=JobStatus.DONE, expires_at__lte=timezone.now())
    for job_id in expired.values_list("pk", flat=True):
        with transaction.atomic():
            job = (
                ReportJob.objects.select_for_update()
                .filter(pk=job_id, status=JobStatus.DONE)
                .first()
            )
            if job is None:
                continue
            name = job.file.name
            job.status = JobStatus.EXPIRED
            job.file.name = ""
            job.save(update_fields=["status", "file"])
            if name:
                transaction.on_commit(lambda name=name: storage.delete(name))
            deleted += 1
    delete_stale_partials()
    return deleted


def delete_stale_partials(older_than_seconds=24 * 3600) -> int:
    """Temporary files of runs that died without cleaning up after themselves."""
    root = Path(file_storage().path("reports"))
    if not root.exists():
        return 0
    cutoff = time.time() - older_than_seconds
    removed = 0
    for path in root.glob("*/.*.partial"):
        with contextlib.suppress(FileNotFoundError):
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
    return removed


# --- Downloads -----------------------------------------------------------------------


@transaction.atomic
def record_download(*, job, by) -> ReportDownload | None:
    """Check that `by` may download the job's file; log it when the report is personal."""

    if not may_download(by, job):
        raise ReportRefused(_("You may not download this report."))
    if job.personal_data:
        return ReportDownload.objects.create(job=job, user=by)
    return None
