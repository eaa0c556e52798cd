"""A run that died leaves a temporary file; the run that takes the job over, or its
failure, deletes it, so no half file outlives the job's recovery."""

import csv
import datetime
import io
import os
import time
from pathlib import Path

import pytest
from django.utils import timezone

from reports import services
from reports.filters import ReportFilters
from reports.models import FailureReason, JobStatus, ReportJob

from .factories import enrolment_data

pytestmark = pytest.mark.django_db


def dead_run(job, settings, token="dead-worker"):
    """A worker claimed the job, wrote part of its file, and died: its claim is stale."""
    assert services.claim(job.pk, token) != services.GONE
    folder = Path(services.file_storage().path(f"reports/{job.pk}"))
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".enrolments-{job.pk}.{job.format}.{token}.partial"
    partial.write_bytes(b"\xef\xbb\xbfhalf a row,")
    stale = timezone.now() - datetime.timedelta(seconds=settings.REPORT_STALL_SECONDS + 1)
    ReportJob.objects.filter(pk=job.pk).update(heartbeat_at=stale)
    return folder


def ask(officer):
    job, _created = services.request_report(
        report="enrolments", fmt="csv", filters=ReportFilters(), by=officer
    )
    return job


def test_the_run_that_takes_a_job_over_deletes_the_dead_runs_temporary_file(officer_2fa, settings):
    enrolment_data()
    job = ask(officer_2fa)
    folder = dead_run(job, settings)

    assert services.run_report(job_id=job.pk, token="sweep-message") == services.DONE
    job.refresh_from_db()
    assert job.attempts == 2
    assert os.listdir(folder) == [f"enrolments-{job.pk}.csv"]
    data = (folder / f"enrolments-{job.pk}.csv").read_bytes().decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(data)))) == 6


def test_a_job_the_sweep_fails_keeps_no_temporary_file(officer_2fa, settings, monkeypatch):
    monkeypatch.setattr(services, "enqueue", lambda job_id: True)
    settings.REPORT_MAX_ATTEMPTS = 1
    job = ask(officer_2fa)
    folder = dead_run(job, settings)

    services.sweep_reports()
    job.refresh_from_db()
    assert (job.status, job.failure) == (JobStatus.FAILED, FailureReason.STALLED)
    assert os.listdir(folder) == []


def test_a_job_out_of_attempts_keeps_no_temporary_file(officer_2fa, settings):
    settings.REPORT_MAX_ATTEMPTS = 1
    job = ask(officer_2fa)
    folder = dead_run(job, settings)

    assert services.run_report(job_id=job.pk, token="again") == services.FAILED
    job.refresh_from_db()
    assert job.failure == FailureReason.INTERRUPTED
    assert os.listdir(folder) == []


@pytest.mark.django_db(transaction=True, databases=["default", "snapshot"])
def test_a_long_silent_phase_keeps_the_claim_fresh(officer_2fa, settings, monkeypatch):
    """Counting (or saving a large XLSX) writes no row for a while: the heartbeat thread
    keeps the claim, so another delivery of the job does not take it from a live worker."""
    from reports.registry import REPORTS

    settings.REPORT_STALL_SECONDS = 1
    monkeypatch.setattr(services, "enqueue", lambda job_id: True)  # this test is the worker
    enrolment_data()
    job, _ = services.request_report(
        report="enrolments", fmt="csv", filters=ReportFilters(), by=officer_2fa
    )
    report = REPORTS["enrolments"]
    real_count = type(report).count
    intruder = []

    def slow_count(self, filters, *, using="default"):
        time.sleep(2.5)
        intruder.append(services.claim(job.pk, "another-delivery"))
        return real_count(self, filters, using=using)

    monkeypatch.setattr(type(report), "count", slow_count)
    assert services.run_report(job_id=job.pk, token="live-worker") == services.DONE
    assert intruder == [services.GONE]
    job.refresh_from_db()
    assert job.attempts == 1
    assert job.rows_written == 5
