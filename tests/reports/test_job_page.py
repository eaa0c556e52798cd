"""The job page's polled progress: its last answer brings the bell's unread count along."""

import re

import pytest
from django.urls import reverse

from reports import services
from reports.filters import ReportFilters
from reports.models import FailureReason
from tests.conftest import sign_in

from .factories import enrolment_data

pytestmark = pytest.mark.django_db

BELL = re.compile(r'<span id="nc-unread-badge" hx-swap-oob="true" class="([^"]*)">(\d+)<')


def ask(officer):
    job, _created = services.request_report(
        report="enrolments", fmt="xlsx", filters=ReportFilters(), by=officer
    )
    return job


def test_the_last_progress_answer_shows_the_notification_on_the_bell(client, officer_2fa):
    enrolment_data()
    job = ask(officer_2fa)
    progress = reverse("reports:job_progress", args=[job.pk])
    sign_in(client, officer_2fa)
    pending = client.get(progress)
    assert pending.status_code == 200
    assert "nc-unread-badge" not in pending.text

    assert services.run_report(job_id=job.pk, token="t") == services.DONE
    done = client.get(progress)
    # htmx stops polling on 286 and swaps the link in, and the count into the bar.
    assert done.status_code == 286
    assert reverse("reports:job_download", args=[job.pk]) in done.text
    classes, count = BELL.search(done.text).groups()
    assert count == "1"
    assert "d-none" not in classes.split()


def test_a_failed_job_also_updates_the_bell(client, officer_2fa):
    job = ask(officer_2fa)
    services.fail(job, FailureReason.ERROR)
    sign_in(client, officer_2fa)
    failed = client.get(reverse("reports:job_progress", args=[job.pk]))
    assert failed.status_code == 286
    assert BELL.search(failed.text).group(2) == "1"


def test_the_page_opened_on_a_finished_job_has_one_badge_and_no_out_of_band_copy(
    client, officer_2fa
):
    enrolment_data()
    job = ask(officer_2fa)
    services.run_report(job_id=job.pk, token="t")
    sign_in(client, officer_2fa)
    page = client.get(job.get_absolute_url()).text
    assert page.count('id="nc-unread-badge"') == 1
    assert "hx-swap-oob" not in page
    # Nothing to poll: the job is done.
    assert "hx-trigger" not in page
