"""Journey 5: an officer asks for the national enrolment report as XLSX, watches it being
built, and downloads it when told it is ready.

On the job page the progress bar moves (htmx polls the progress fragment), the download
link appears and the bell counts the new notification, all without a reload, and the
polling stops; the inbox's notice leads back to the job, whose file downloads and opens
with openpyxl, Thai included, the download recorded.

The report is built by a real Celery worker process (tests/reports/test_worker.py's
fixtures: this test's own queues, the filesystem broker locally and Redis in CI), not by
an eager task run on commit. An eager task would run inside the live server's request,
before the redirect to the job page: the page would open on a finished job, and the
progress bar, the htmx polling and the link appearing without a reload would go untested.
The worker delays each row a little (in its own process only) so the build takes a few
seconds and the progress shows.

The page is watched for Content-Security-Policy violations, console errors and uncaught
JavaScript errors (tests/browser/test_security_policy.py's Problems) from sign-in to
download.
"""

import io
import re
import time

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from notifications.models import Notification
from reports import services
from reports.models import JobStatus, ReportDownload, ReportJob
from tests.browser.helpers import sign_in
from tests.browser.test_security_policy import Problems
from tests.conftest import enable_totp
from tests.factories import UserFactory
from tests.notifications.test_worker import (  # noqa: F401 (fixtures)
    live_broker,
    mail_dir,
    worker_dir,
)
from tests.reports.test_worker import (  # noqa: F401 (fixtures)
    BUILD_TIMEOUT,
    many_enrolments,
    private_root,
    report_queues,
    report_worker,
    routed_here,
)

pytestmark = [pytest.mark.browser, pytest.mark.worker]

TIMEOUT = 15_000
ROWS = 40
# 40 rows at 0.15 s: about six seconds of building, several polls of the progress bar.
ROW_DELAY = 0.15


def thai(message, **values):
    with translation.override("th"):
        text = gettext(message)
    return text % values if values else text


def test_officer_asks_for_the_national_enrolment_report_watches_it_and_downloads_it(
    new_context,
    live_server,
    report_worker,  # noqa: F811
    private_root,  # noqa: F811
):
    many_enrolments(ROWS)
    officer = enable_totp(
        UserFactory(role="officer", email="report@diprom.example", full_name="สมชาย รายงานดี")
    )
    worker = report_worker(row_delay=ROW_DELAY)

    context = new_context()
    context.set_default_timeout(TIMEOUT)
    problems = Problems(context)
    page = context.new_page()
    sign_in(page, officer, code=True)

    # --- Ask for the report: every province, as XLSX ----------------------------------------
    page.goto(reverse("reports:job_create"))
    expect(page.get_by_role("heading", level=1)).to_have_text(thai("Ask for a report"))
    page.get_by_role("radio", name=thai("Enrolments")).check()
    page.locator("input[name=format][value=xlsx]").check()
    page.get_by_role("button", name=thai("Build the report")).click()
    expect(page).to_have_url(re.compile(r"/reports/\d+/$"))
    job = ReportJob.objects.get()
    assert (job.report, job.format, job.filters, job.requested_by) == (
        "enrolments",
        "xlsx",
        {},
        officer,
    )
    expect(page.get_by_role("heading", level=1)).to_contain_text(thai("Enrolments"))

    # --- Watch it being built, on the one page -------------------------------------------
    # A mark on the window: a reload or a navigation would wipe it.
    page.evaluate("window.ncJourneyMark = 'still here'")
    polls = []
    page.on(
        "request",
        lambda request: polls.append(request.url) if "/progress/" in request.url else None,
    )
    status = page.locator("#job-status")
    bell_count = page.locator("#nc-unread-badge")
    expect(bell_count).to_be_hidden()
    bar = status.locator("progress")
    download = status.get_by_role("link", name=re.compile(thai("Download")))
    seen = []  # (badge, value, max) each time the polled fragment changed

    def look():
        reading = status.evaluate(
            """(el) => {
                const bar = el.querySelector('progress');
                const badge = el.querySelector('.badge');
                return [badge ? badge.textContent.trim() : '',
                        bar && bar.hasAttribute('value') ? Number(bar.value) : null,
                        bar && bar.hasAttribute('max') ? Number(bar.max) : null];
            }"""
        )
        if not seen or seen[-1] != reading:
            seen.append(reading)

    deadline = time.monotonic() + BUILD_TIMEOUT
    while not download.is_visible():
        if time.monotonic() > deadline:
            pytest.fail(f"The report was never ready: {seen}\n{worker.log()[-4000:]}")
        look()
        assert ReportJob.objects.get().status != JobStatus.FAILED, worker.log()[-4000:]
        page.wait_for_timeout(100)
    look()
    assert seen[-1] == [thai("Ready"), None, None], seen
    # The bar moved: it showed some rows written, then more, never all before the end.
    moving = [
        value
        for badge, value, top in seen
        if badge == thai("Being built") and top == ROWS and value and value < ROWS
    ]
    assert len(moving) >= 2 and moving == sorted(moving), seen
    expect(bar).to_have_count(0)
    assert page.evaluate("window.ncJourneyMark") == "still here"
    expect(status).to_contain_text(f"{ROWS} ")
    # Done: htmx stops polling (the last answer said 286).
    polled = len(polls)
    page.wait_for_timeout(2500)
    assert len(polls) == polled, polls[polled:]

    # --- Told: the bell counts the notice at once; the inbox leads back to the job --------
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    ready = Notification.objects.get(recipient=officer, kind=services.READY_KIND)
    expect(bell_count).to_be_visible()
    expect(bell_count).to_contain_text("1")
    assert page.evaluate("window.ncJourneyMark") == "still here"
    page.locator(".nc-bell").click()
    item = page.locator(f"#notification-{ready.pk}")
    told = thai("Your report “%(title)s” is ready", title=thai("Enrolments"))
    expect(item).to_contain_text(told)
    item.get_by_role("button", name=told).click()
    expect(page).to_have_url(re.compile(rf"/reports/{job.pk}/$"))
    expect(bell_count).to_be_hidden()

    # --- Download it and open it --------------------------------------------------------
    with page.expect_download() as info:
        page.locator("#job-status").get_by_role("link", name=re.compile(thai("Download"))).click()
    saved = info.value
    assert saved.suggested_filename.endswith(f"-{job.pk}.xlsx")
    with open(saved.path(), "rb") as handle:
        workbook = openpyxl.load_workbook(io.BytesIO(handle.read()), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][0] == "เลขที่ใบสมัคร"
    assert len(rows) == ROWS + 1
    assert {row[1] for row in rows[1:]} == {"โครงการยกระดับเซรามิกลำปาง"}
    assert all(row[4].startswith("วิสาหกิจชุมชนเซรามิก") for row in rows[1:])
    assert {row[7] for row in rows[1:]} == {"ลำปาง"}
    # A report with personal data: the download is recorded and listed on the job page.
    assert ReportDownload.objects.get().user == officer
    page.reload()
    expect(page.locator("main")).to_contain_text(officer.email)

    problems.assert_none()
