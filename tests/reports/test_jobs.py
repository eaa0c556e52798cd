"""Report jobs: asking, de-duplication, building, permissions, downloads, failure, clean-up."""

import csv
import datetime
import io
import os
from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Role
from notifications.models import Notification
from programmes.models import EnrolmentStatus
from reports import services, tasks
from reports.filters import ReportFilters
from reports.models import FailureReason, JobStatus, ReportDownload, ReportJob
from tests.conftest import enable_totp, sign_in
from tests.factories import UserFactory

from .factories import build, enrolment_data

pytestmark = pytest.mark.django_db


def read_csv(job):
    with services.file_storage().open(job.file.name, "rb") as handle:
        data = handle.read()
    assert data.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read Thai"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


# --- Building ------------------------------------------------------------------------------


def test_enrolment_report_lists_every_submitted_application(officer_2fa):
    data = enrolment_data()
    job, outcome = build("enrolments", by=officer_2fa)
    assert outcome == services.DONE
    assert job.status == JobStatus.DONE
    rows = read_csv(job)
    heading, body = rows[0], rows[1:]
    assert heading[0] == "เลขที่ใบสมัคร"
    # The draft is not an application yet.
    assert len(body) == 5 == job.rows_written == job.rows_expected
    by_id = {int(row[0]): row for row in body}
    accepted = by_id[data["enrolments"][0].pk]
    assert accepted[1] == "โครงการ ก"
    assert accepted[2] == "2570"
    assert accepted[7] == "ลำปาง"
    assert accepted[8] == "เกาะคา"
    with translation.override("th"):
        assert accepted[9] == str(EnrolmentStatus.ACCEPTED.label)
    # A name typed as a formula stays text in Excel.
    assert by_id[data["enrolments"][3].pk][4].startswith("'=HYPERLINK")


def test_enrolment_report_filters_by_programme_province_and_dates(officer_2fa):
    data = enrolment_data()
    programme_a, _programme_b = data["programmes"]
    job, _ = build(
        "enrolments",
        by=officer_2fa,
        filters=ReportFilters(programme=programme_a.pk, province="52"),
    )
    assert len(read_csv(job)) - 1 == 3
    job, _ = build("enrolments", by=officer_2fa, filters=ReportFilters(fiscal_year=2569))
    assert len(read_csv(job)) - 1 == 1
    job, _ = build(
        "enrolments",
        by=officer_2fa,
        filters=ReportFilters(
            date_from=datetime.date(2026, 11, 3), date_to=datetime.date(2026, 11, 4)
        ),
    )
    assert len(read_csv(job)) - 1 == 2
    job, _ = build(
        "enrolments",
        by=officer_2fa,
        filters=ReportFilters(state=EnrolmentStatus.WAITLISTED),
    )
    assert [row[0] for row in read_csv(job)[1:]] == [str(data["enrolments"][1].pk)]


def test_xlsx_report_opens_with_openpyxl_and_keeps_thai(officer_2fa):
    enrolment_data()
    job, _ = build("enrolments", "xlsx", by=officer_2fa)
    with services.file_storage().open(job.file.name, "rb") as handle:
        workbook = openpyxl.load_workbook(io.BytesIO(handle.read()), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][1] == "โครงการ"
    assert len(rows) == 6
    assert {row[7] for row in rows[1:]} == {"ลำปาง", "เชียงใหม่"}


def test_report_in_english_for_an_english_speaker(officer_2fa):
    officer_2fa.language = "en"
    officer_2fa.save()
    enrolment_data()
    with translation.override("en"):
        job, _ = build("enrolments", by=officer_2fa)
    rows = read_csv(job)
    assert rows[0][0] == "Application no."
    assert "Programme A" in {row[1] for row in rows[1:]}


def test_finished_job_tells_everyone_who_asked(officer_2fa, django_capture_on_commit_callbacks):
    enrolment_data()
    second = UserFactory(role=Role.OFFICER)
    enable_totp(second)
    with django_capture_on_commit_callbacks(execute=False):
        job, created = services.request_report(
            report="enrolments", fmt="csv", filters=ReportFilters(), by=officer_2fa
        )
        again, created_again = services.request_report(
            report="enrolments", fmt="csv", filters=ReportFilters(), by=second
        )
    assert created and not created_again
    assert again == job
    services.run_report(job_id=job.pk, token="t1")
    told = Notification.objects.filter(kind=services.READY_KIND)
    assert {n.recipient_id for n in told} == {officer_2fa.pk, second.pk}


def test_identical_request_joins_the_pending_job_but_not_a_finished_one(officer_2fa):
    enrolment_data()
    first, created = services.request_report(
        report="enrolments", fmt="csv", filters=ReportFilters(province="52"), by=officer_2fa
    )
    same, created_same = services.request_report(
        report="enrolments", fmt="csv", filters=ReportFilters(province="52"), by=officer_2fa
    )
    other_format, created_other = services.request_report(
        report="enrolments", fmt="xlsx", filters=ReportFilters(province="52"), by=officer_2fa
    )
    assert created and not created_same and created_other
    assert same == first != other_format
    services.run_report(job_id=first.pk, token="t1")
    after, created_after = services.request_report(
        report="enrolments", fmt="csv", filters=ReportFilters(province="52"), by=officer_2fa
    )
    assert created_after and after != first


def test_filters_a_report_ignores_do_not_make_another_job(officer_2fa):
    enrolment_data()
    # Every filter the enrolment report reads is named; an unknown one is simply not there.
    job, _ = services.request_report(
        report="enrolments", fmt="csv", filters=ReportFilters(fiscal_year=2570), by=officer_2fa
    )
    assert job.filters == {"fiscal_year": 2570}


def test_a_retry_after_a_dead_worker_starts_the_file_anew(officer_2fa, settings):
    enrolment_data()
    job, _ = services.request_report(
        report="enrolments", fmt="csv", filters=ReportFilters(), by=officer_2fa
    )
    # A worker claimed it and died: its claim beats no more.
    assert services.claim(job.pk, "dead-worker") != services.GONE
    ReportJob.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - datetime.timedelta(seconds=settings.REPORT_STALL_SECONDS + 1)
    )
    # Its message delivered again: while the claim is fresh it waits, once stale it takes over.
    assert services.run_report(job_id=job.pk, token="dead-worker") == services.DONE
    job.refresh_from_db()
    assert job.attempts == 2
    assert len(read_csv(job)) == 6
    # No temporary file is left beside the report.
    folder = services.file_storage().path(f"reports/{job.pk}")
    assert sorted(os.listdir(folder)) == [f"enrolments-{job.pk}.csv"]


def test_the_same_message_waits_while_its_earlier_run_still_beats(officer_2fa):
    job, _ = services.request_report(
        report="enrolments", fmt="csv", filters=ReportFilters(), by=officer_2fa
    )
    services.claim(job.pk, "alive")
    assert services.run_report(job_id=job.pk, token="alive") == services.BUSY
    # Another message for the same job (the sweep's) leaves it to the living worker.
    assert services.run_report(job_id=job.pk, token="other") == services.GONE


def test_a_job_started_too_many_times_fails_and_can_be_asked_again(officer_2fa, settings):
    settings.REPORT_MAX_ATTEMPTS = 2
    job, _ = services.request_report(
        report="enrolments", fmt="csv", filters=ReportFilters(), by=officer_2fa
    )
    stale = timezone.now() - datetime.timedelta(seconds=settings.REPORT_STALL_SECONDS + 1)
    for token in ("w1", "w2"):
        services.claim(job.pk, token)
        ReportJob.objects.filter(pk=job.pk).update(heartbeat_at=stale)
    assert services.run_report(job_id=job.pk, token="w3") == services.FAILED
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.failure == FailureReason.INTERRUPTED
    assert not job.file
    failed = Notification.objects.get(kind=services.FAILED_KIND)
    assert failed.recipient == officer_2fa
    again, created = services.request_report(
        report="enrolments", fmt="csv", filters=ReportFilters(), by=officer_2fa
    )
    assert created and again != job


def test_an_error_while_building_fails_the_job_with_its_reason(officer_2fa, monkeypatch):
    from reports.registry import REPORTS

    def broken(*args, **kwargs):
        raise ZeroDivisionError

    monkeypatch.setattr(type(REPORTS["enrolments"]), "row", broken)
    enrolment_data()
    job, outcome = build("enrolments", by=officer_2fa)
    assert outcome == services.FAILED
    assert job.failure == FailureReason.ERROR
    assert not job.file
    folder = Path(services.file_storage().path(f"reports/{job.pk}"))
    assert not folder.exists() or not list(folder.iterdir())


def test_the_right_is_checked_again_when_the_worker_runs(officer_2fa):
    job, _ = services.request_report(
        report="enrolments", fmt="csv", filters=ReportFilters(), by=officer_2fa
    )
    officer_2fa.role = Role.STUDENT
    officer_2fa.save()
    assert services.run_report(job_id=job.pk, token="t") == services.FAILED
    job.refresh_from_db()
    assert job.failure == FailureReason.FORBIDDEN


def test_a_student_may_not_ask_for_a_report(student):
    with pytest.raises(services.ReportRefused):
        services.request_report(report="enrolments", fmt="csv", filters=ReportFilters(), by=student)


def test_an_officer_without_two_factor_may_not_ask(officer):
    with pytest.raises(services.ReportRefused):
        services.request_report(report="enrolments", fmt="csv", filters=ReportFilters(), by=officer)


def test_unknown_format_is_refused(officer_2fa):
    with pytest.raises(services.ReportRefused):
        services.request_report(
            report="enrolments", fmt="pdf", filters=ReportFilters(), by=officer_2fa
        )


# --- Clean-up and the sweep ----------------------------------------------------------------


def test_expired_files_are_deleted_and_the_job_says_so(
    officer_2fa, client, django_capture_on_commit_callbacks
):
    enrolment_data()
    job, _ = build("enrolments", by=officer_2fa)
    path = services.file_storage().path(job.file.name)
    assert job.expires_at > timezone.now() + datetime.timedelta(days=6)
    assert os.path.exists(path)
    # Not yet: nothing is past its retention.
    assert tasks.delete_expired_reports.apply().get() == 0
    ReportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.delete_expired_reports.apply().get() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.EXPIRED
    assert not job.file
    assert not os.path.exists(path)
    sign_in(client, officer_2fa)
    page = client.get(job.get_absolute_url())
    assert "The file was deleted" in page.content.decode() or "ลบ" in page.content.decode()
    assert client.get(reverse("reports:job_download", args=[job.pk])).status_code == 404


def test_sweep_queues_again_a_job_whose_message_was_lost(officer_2fa, settings, monkeypatch):
    sent = []
    monkeypatch.setattr(services, "enqueue", lambda job_id: sent.append(job_id) or True)
    job, _ = services.request_report(
        report="enrolments", fmt="csv", filters=ReportFilters(), by=officer_2fa
    )
    assert services.sweep_reports() == 0
    ReportJob.objects.filter(pk=job.pk).update(
        requested_at=timezone.now()
        - datetime.timedelta(seconds=settings.REPORT_REQUEUE_SECONDS + 1)
    )
    assert services.sweep_reports() == 1
    assert sent == [job.pk]


def test_sweep_fails_a_stalled_job_out_of_attempts(officer_2fa, settings, monkeypatch):
    monkeypatch.setattr(services, "enqueue", lambda job_id: True)
    settings.REPORT_MAX_ATTEMPTS = 1
    job, _ = services.request_report(
        report="enrolments", fmt="csv", filters=ReportFilters(), by=officer_2fa
    )
    services.claim(job.pk, "w1")
    ReportJob.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - datetime.timedelta(seconds=settings.REPORT_STALL_SECONDS + 1)
    )
    services.sweep_reports()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.failure == FailureReason.STALLED


# --- Pages ---------------------------------------------------------------------------------


def test_officer_asks_for_a_report_in_the_browser_form(
    client, officer_2fa, django_capture_on_commit_callbacks
):
    enrolment_data()
    sign_in(client, officer_2fa)
    assert client.get(reverse("reports:job_create")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:job_create"),
            {"report": "enrolments", "format": "xlsx", "province": "52"},
        )
    job = ReportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == job.get_absolute_url()
    # The task ran eagerly once the request committed.
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert job.filters == {"province": "52"}
    page = client.get(job.get_absolute_url())
    assert reverse("reports:job_download", args=[job.pk]) in page.content.decode()


def test_form_refuses_a_format_the_report_does_not_come_in(client, officer_2fa):
    sign_in(client, officer_2fa)
    response = client.post(reverse("reports:job_create"), {"report": "enrolments", "format": "pdf"})
    assert response.status_code == 200
    assert not ReportJob.objects.exists()
    assert "is-invalid" in response.content.decode()


def test_form_refuses_a_district_outside_the_province(client, officer_2fa):
    sign_in(client, officer_2fa)
    response = client.post(
        reverse("reports:job_create"),
        {"report": "enrolments", "format": "csv", "province": "50", "district": "5203"},
    )
    assert response.status_code == 200
    assert not ReportJob.objects.exists()


def test_progress_fragment_polls_until_done(client, officer_2fa):
    job, _ = services.request_report(
        report="enrolments", fmt="csv", filters=ReportFilters(), by=officer_2fa
    )
    ReportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, rows_expected=200, rows_written=50
    )
    sign_in(client, officer_2fa)
    page = client.get(job.get_absolute_url()).content.decode()
    assert 'hx-trigger="every 1s"' in page
    fragment = client.get(reverse("reports:job_progress", args=[job.pk]))
    assert fragment.status_code == 200
    assert 'value="50"' in fragment.content.decode()
    assert 'max="200"' in fragment.content.decode()
    ReportJob.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED)
    services.run_report(job_id=job.pk, token="t")
    done = client.get(reverse("reports:job_progress", args=[job.pk]))
    # htmx stops polling on 286, after swapping in the download link.
    assert done.status_code == 286
    assert reverse("reports:job_download", args=[job.pk]) in done.content.decode()


def test_download_is_logged_and_listed_for_a_personal_report(client, officer_2fa):
    enrolment_data()
    job, _ = build("enrolments", by=officer_2fa)
    sign_in(client, officer_2fa)
    response = client.get(reverse("reports:job_download", args=[job.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    log = ReportDownload.objects.get()
    assert (log.job, log.user) == (job, officer_2fa)
    page = client.get(job.get_absolute_url()).content.decode()
    assert officer_2fa.email in page


def test_only_officers_and_the_asker_download(client, officer_2fa, staff_2fa, faculty, student):
    enrolment_data()
    job, _ = build("enrolments", by=officer_2fa)
    url = reverse("reports:job_download", args=[job.pk])
    # Another officer may.
    other = UserFactory(role=Role.OFFICER)
    enable_totp(other)
    assert sign_in(client, other).get(url).status_code == 200
    # Centre staff, faculty and students see neither the job nor its file.
    for person in (staff_2fa, faculty, student):
        client.logout()
        sign_in(client, person)
        assert client.get(url).status_code in (403, 404), person.role
        assert client.get(job.get_absolute_url()).status_code in (403, 404), person.role
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_a_file_still_being_built_is_not_served(client, officer_2fa):
    job, _ = services.request_report(
        report="enrolments", fmt="csv", filters=ReportFilters(), by=officer_2fa
    )
    services.claim(job.pk, "w")
    sign_in(client, officer_2fa)
    assert client.get(reverse("reports:job_download", args=[job.pk])).status_code == 404


def test_job_list_query_count_does_not_grow(client, officer_2fa, django_assert_max_num_queries):
    sign_in(client, officer_2fa)

    def make(n):
        for i in range(n):
            ReportJob.objects.create(
                report="enrolments",
                format="csv",
                request_key=f"k{i}-{n}",
                requested_by=officer_2fa,
                status=JobStatus.DONE,
            )

    make(3)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("reports:job_list")).status_code == 200
    make(30)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("reports:job_list")).status_code == 200


def test_again_asks_anew_for_a_failed_report(client, officer_2fa):
    job, _ = services.request_report(
        report="enrolments", fmt="csv", filters=ReportFilters(), by=officer_2fa
    )
    services.fail(job, FailureReason.ERROR)
    sign_in(client, officer_2fa)
    response = client.post(reverse("reports:job_again", args=[job.pk]))
    again = ReportJob.objects.exclude(pk=job.pk).get()
    assert response["Location"] == again.get_absolute_url()


@pytest.mark.django_db(transaction=True, databases=["default", "snapshot"])
def test_a_worker_reads_one_snapshot_while_progress_shows_at_once(
    officer_2fa, settings, monkeypatch
):
    """Outside any transaction (as in a worker) the rows come through the snapshot alias.

    A row added after the report started is not in the file: the report counted and
    wrote one consistent state. Progress went out through the default connection.
    """
    from reports.registry import REPORTS

    enrolment_data()
    settings.REPORT_PROGRESS_SECONDS = 0
    report = REPORTS["enrolments"]
    real_rows = type(report).rows
    seen_progress = []

    def rows_then_change(self, filters, *, using="default"):
        assert using == services.SNAPSHOT_ALIAS
        for index, row in enumerate(real_rows(self, filters, using=using)):
            if index == 1:
                # Another request submits an application while the report is being written.
                from programmes.models import Enrolment, EnrolmentStatus
                from tests.factories import EnterpriseFactory, IntakeFactory

                Enrolment.objects.create(
                    intake=IntakeFactory(),
                    enterprise=EnterpriseFactory(),
                    status=EnrolmentStatus.SUBMITTED,
                    submitted_at=timezone.now(),
                )
                seen_progress.append(ReportJob.objects.get().rows_written)
            yield row

    monkeypatch.setattr(services, "enqueue", lambda job_id: True)  # this test is the worker
    job, _ = services.request_report(
        report="enrolments", fmt="csv", filters=ReportFilters(), by=officer_2fa
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(type(report), "rows", rows_then_change)
        assert services.run_report(job_id=job.pk, token="w") == services.DONE
    job.refresh_from_db()
    assert job.rows_expected == job.rows_written == 5
    assert len(read_csv(job)) == 6
    # The page saw progress while the snapshot transaction was still open.
    assert seen_progress and seen_progress[0] >= 1


def test_officer_home_lists_the_reports_ready_and_coming(client, officer_2fa):
    enrolment_data()
    ready, _ = build("enrolments", by=officer_2fa)
    services.request_report(
        report="enrolments", fmt="xlsx", filters=ReportFilters(), by=officer_2fa
    )
    sign_in(client, officer_2fa)
    page = client.get(reverse("home")).content.decode()
    assert ready.get_absolute_url() in page
    assert "กำลังสร้างรายงาน 1 ฉบับ" in page


def test_faculty_home_shows_their_ready_report(client, faculty):
    job, _ = build("training", by=faculty)
    assert job.status == JobStatus.DONE
    client.force_login(faculty)
    page = client.get(reverse("home")).content.decode()
    assert job.get_absolute_url() in page


def test_form_shows_each_report_its_filters_and_keeps_only_those(client, officer_2fa):
    sign_in(client, officer_2fa)
    page = client.get(reverse("reports:job_create")).content.decode()
    assert (
        'data-filters="programme intake fiscal_year province district date_from date_to state"'
        in page
    )
    assert 'data-report-filter="verification"' in page
    client.post(
        reverse("reports:job_create"),
        {"report": "enterprises", "format": "csv", "kind": "artisan", "state": "accepted"},
    )
    job = ReportJob.objects.get()
    # The enrolment state means nothing to the enterprise report: dropped.
    assert job.filters == {"kind": "artisan"}
    detail = client.get(job.get_absolute_url()).content.decode()
    assert "ช่างฝีมือรายบุคคล" in detail or "Individual artisan" in detail
