"""The report pages tried from outside: every page as every role, garbage in every field,
unsafe text in every report, odd jobs (failed, expired, of a report that is gone), races."""

import csv
import datetime
import io
import os
import re
from decimal import Decimal

import openpyxl
import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from products.models import UpgradeArea
from programmes.models import (
    Enrolment,
    EnrolmentStatus,
    Partner,
    PartnerKind,
    PartnerRole,
    ProgrammePartner,
)
from reports import services
from reports.filters import ReportFilters
from reports.models import FailureReason, JobStatus, ReportDownload, ReportJob
from reports.registry import REPORTS
from tests.conftest import enable_totp, sign_in
from tests.factories import (
    BookingFactory,
    EnterpriseFactory,
    IntakeFactory,
    ProductFactory,
    ProgrammeFactory,
    ResourceFactory,
    UpgradeRecordFactory,
    UserFactory,
    at,
)
from tests.training.factories_attend import make_course, make_run

from .factories import build, enrolment_data

pytestmark = pytest.mark.django_db


def signed_in(client, user):
    client.logout()
    return sign_in(client, user)


def job_urls(job):
    return {
        "detail": job.get_absolute_url(),
        "progress": reverse("reports:job_progress", args=[job.pk]),
        "download": reverse("reports:job_download", args=[job.pk]),
        "again": reverse("reports:job_again", args=[job.pk]),
    }


# --- Every page as every role --------------------------------------------------------------


@pytest.fixture
def three_jobs(officer_2fa, staff_2fa, faculty):
    """A finished job of an officer (personal), a faculty member's and a centre staff's."""
    enrolment_data()
    officers_job, _ = build("enrolments", by=officer_2fa)
    facultys_job, _ = build("training", by=faculty)
    staffs_job, _ = build("lab_utilisation", by=staff_2fa)
    assert {officers_job.status, facultys_job.status, staffs_job.status} == {JobStatus.DONE}
    return {"officer": officers_job, "faculty": facultys_job, "staff": staffs_job}


def test_anonymous_visitors_are_sent_to_sign_in_everywhere(client, three_jobs):
    login = reverse("account_login")
    pages = [reverse("reports:job_list"), reverse("reports:job_create")]
    for job in three_jobs.values():
        pages += job_urls(job).values()
    for url in pages:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(login), url
    response = client.post(job_urls(three_jobs["officer"])["again"])
    assert response.status_code == 302 and response["Location"].startswith(login)
    assert ReportJob.objects.count() == 3


@pytest.mark.parametrize("role", ["owner", "outsider", "student"])
def test_entrepreneurs_and_students_are_refused_every_report_page(
    client, three_jobs, request, role
):
    client.force_login(request.getfixturevalue(role))
    pages = [reverse("reports:job_list"), reverse("reports:job_create")]
    for job in three_jobs.values():
        pages += job_urls(job).values()
    for url in pages:
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("reports:job_create"), {"report": "enrolments"}).status_code == 403
    assert client.post(job_urls(three_jobs["officer"])["again"]).status_code == 403
    assert ReportJob.objects.count() == 3


def test_faculty_reach_their_own_job_and_nobody_elses(client, three_jobs, faculty):
    other_faculty = UserFactory(role=Role.FACULTY)
    client.force_login(other_faculty)
    for owner in ("officer", "faculty", "staff"):
        urls = job_urls(three_jobs[owner])
        for name in ("detail", "progress", "download"):
            assert client.get(urls[name]).status_code == 404, (owner, name)
        assert client.post(urls["again"]).status_code == 404, owner
    listing = client.get(reverse("reports:job_list")).content.decode()
    assert three_jobs["faculty"].get_absolute_url() not in listing
    client.force_login(faculty)
    urls = job_urls(three_jobs["faculty"])
    assert client.get(urls["detail"]).status_code == 200
    assert client.get(urls["progress"]).status_code == 286
    assert client.get(urls["download"]).status_code == 200
    assert client.get(urls["again"]).status_code == 405
    assert ReportJob.objects.count() == 3


@pytest.mark.parametrize("who", ["centre_staff", "officer"])
def test_staff_without_a_two_factor_session_reach_no_report_page(client, three_jobs, request, who):
    person = request.getfixturevalue(who)
    job = three_jobs["staff" if who == "centre_staff" else "officer"]
    pages = [reverse("reports:job_list"), reverse("reports:job_create"), *job_urls(job).values()]
    # The account has a device but this session gave only the password.
    client.force_login(person)
    for url in pages:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("mfa_reauthenticate")), url
    response = client.post(job_urls(job)["again"])
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))
    assert not ReportDownload.objects.exists()
    assert ReportJob.objects.count() == 3


@pytest.mark.parametrize("role", [Role.CENTRE_STAFF, Role.OFFICER])
def test_staff_without_two_factor_set_up_are_sent_to_set_it_up(client, three_jobs, role):
    person = UserFactory(role=role)
    client.force_login(person)
    for url in [
        reverse("reports:job_list"),
        reverse("reports:job_create"),
        *job_urls(three_jobs["officer"]).values(),
    ]:
        response = client.get(url)
        assert response["Location"] == reverse("mfa_activate_totp"), url


def test_centre_staff_with_two_factor_reach_only_their_lab_jobs(client, three_jobs, staff_2fa):
    signed_in(client, staff_2fa)
    for owner in ("officer", "faculty"):
        urls = job_urls(three_jobs[owner])
        for name in ("detail", "progress", "download"):
            assert client.get(urls[name]).status_code == 404, (owner, name)
        assert client.post(urls["again"]).status_code == 404
    urls = job_urls(three_jobs["staff"])
    assert client.get(urls["detail"]).status_code == 200
    assert client.get(urls["download"]).status_code == 200
    # The form offers them the lab report only, and refuses the others.
    response = client.post(reverse("reports:job_create"), {"report": "enrolments", "format": "csv"})
    assert response.status_code == 200
    assert ReportJob.objects.count() == 3


def test_officers_reach_every_job(client, three_jobs):
    other = enable_totp(UserFactory(role=Role.OFFICER))
    signed_in(client, other)
    for job in three_jobs.values():
        urls = job_urls(job)
        assert client.get(urls["detail"]).status_code == 200
        assert client.get(urls["progress"]).status_code == 286
        assert client.get(urls["download"]).status_code == 200
    # Personal reports log the download, the lab report does not.
    logged = set(ReportDownload.objects.values_list("job__report", flat=True))
    assert logged == {"enrolments", "training"}


def test_a_faculty_member_who_joins_a_pending_job_reaches_it(client, faculty):
    """Asking for the report another faculty member is waiting for joins their job: the
    page the form sends to, the list and the download are then the joiner's too."""
    first = UserFactory(role=Role.FACULTY)
    job, created = services.request_report(
        report="training", fmt="csv", filters=ReportFilters(), by=first
    )
    assert created
    client.force_login(faculty)
    response = client.post(reverse("reports:job_create"), {"report": "training", "format": "csv"})
    assert response["Location"] == job.get_absolute_url()
    assert client.get(job.get_absolute_url()).status_code == 200
    assert job.get_absolute_url() in client.get(reverse("reports:job_list")).content.decode()
    services.run_report(job_id=job.pk, token="t")
    page = client.get(job.get_absolute_url()).content.decode()
    assert reverse("reports:job_download", args=[job.pk]) in page
    assert client.get(reverse("reports:job_download", args=[job.pk])).status_code == 200
    assert ReportDownload.objects.get().user == faculty
    # The home lists it as ready, and its link opens.
    assert job.get_absolute_url() in client.get(reverse("home")).content.decode()
    # A third faculty member who did not ask still sees nothing.
    client.force_login(UserFactory(role=Role.FACULTY))
    assert client.get(job.get_absolute_url()).status_code == 404


def test_an_officer_finds_a_job_they_joined_under_asked_for_by_me(client, officer_2fa):
    first = enable_totp(UserFactory(role=Role.OFFICER))
    job, _ = services.request_report(
        report="enrolments", fmt="csv", filters=ReportFilters(), by=first
    )
    services.request_report(report="enrolments", fmt="csv", filters=ReportFilters(), by=officer_2fa)
    signed_in(client, officer_2fa)
    mine = client.get(reverse("reports:job_list") + "?mine=1").content.decode()
    assert job.get_absolute_url() in mine


# --- Garbage in the request form -----------------------------------------------------------

GARBAGE = [
    {"programme": "abc"},
    {"programme": "99999999999999999999999"},
    {"programme": "-1"},
    {"intake": "9223372036854775808"},
    {"fiscal_year": "abc"},
    {"fiscal_year": "99999999999999999999"},
    {"fiscal_year": "2400"},
    {"province": "x" * 5000},
    {"province": "52", "district": "5001"},
    {"district": "ๆๆ"},
    {"district": "5"},
    {"date_from": "31/02/2569"},
    {"date_from": "24/11/69"},
    {"date_from": "ไม่ใช่วันที่"},
    {"date_from": "24/11/2569", "date_to": "23/11/2569"},
    {"state": "draft"},
    {"state": "<script>alert(1)</script>"},
    {"format": "pdf"},
    {"format": "exe"},
    {"report": "gone"},
    {"report": ""},
]


@pytest.mark.parametrize("garbage", GARBAGE)
def test_garbage_in_the_form_gives_a_message_and_no_job(client, officer_2fa, garbage):
    enrolment_data()
    signed_in(client, officer_2fa)
    data = {"report": "enrolments", "format": "csv", **garbage}
    response = client.post(reverse("reports:job_create"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "invalid-feedback" in page or "alert-danger" in page
    assert "<script>alert(1)" not in page
    assert not ReportJob.objects.exists()


@pytest.mark.parametrize(
    "day", ["01/01/0001", "31/12/1899", "01/01/2701", "31/12/9999", "0001-01-01"]
)
def test_a_date_outside_the_years_reports_cover_is_refused_in_the_form(client, officer_2fa, day):
    """01/01/0001 was accepted, and the job then failed in the worker ("an error on the
    server"): its moment in UTC falls before year 1."""
    signed_in(client, officer_2fa)
    response = client.post(
        reverse("reports:job_create"), {"report": "enrolments", "format": "csv", "date_from": day}
    )
    assert response.status_code == 200
    assert "1 ม.ค. 2500" in response.content.decode()
    assert not ReportJob.objects.exists()


def test_the_first_and_last_days_reports_cover_are_accepted(
    client, officer_2fa, django_capture_on_commit_callbacks
):
    enrolment_data()
    signed_in(client, officer_2fa)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:job_create"),
            {
                "report": "enrolments",
                "format": "csv",
                "date_from": "01/01/2500",
                "date_to": "31/12/2700",
            },
        )
    job = ReportJob.objects.get()
    assert response["Location"] == job.get_absolute_url()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert job.rows_written == 5


def test_dates_in_be_and_ce_and_thai_digits_mean_the_same_day(client, officer_2fa):
    signed_in(client, officer_2fa)
    for day in ("24/11/2569", "24/11/2026", "๒๔/๑๑/๒๕๖๙", "2026-11-24"):
        client.post(
            reverse("reports:job_create"),
            {"report": "enterprises", "format": "csv", "date_from": day},
        )
    assert {tuple(job.filters.items()) for job in ReportJob.objects.all()} == {
        (("date_from", "2026-11-24"),)
    }


@pytest.mark.parametrize(
    "query",
    [
        "?programme=abc",
        "?programme=99999999999999999999&intake=-5",
        "?date_from=garbage&date_to=0001-01-01",
        "?fiscal_year=abc&province=zz&district=5203",
        "?report=gone&format=zzz",
        "?report=programme_summary&programme=1",
        "?district=" + "9" * 400,
    ],
)
def test_garbage_initial_values_still_show_the_form(client, officer_2fa, query):
    signed_in(client, officer_2fa)
    response = client.get(reverse("reports:job_create") + query)
    assert response.status_code == 200
    assert not ReportJob.objects.exists()


def test_a_post_without_the_csrf_token_is_refused_and_saves_nothing(officer_2fa):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    sign_in(client, officer_2fa)
    response = client.post(reverse("reports:job_create"), {"report": "enrolments", "format": "csv"})
    assert response.status_code == 403
    job, _ = services.request_report(
        report="enrolments", fmt="csv", filters=ReportFilters(), by=officer_2fa
    )
    services.fail(job, FailureReason.ERROR)
    assert client.post(reverse("reports:job_again", args=[job.pk])).status_code == 403
    assert ReportJob.objects.count() == 1


def test_posting_the_form_twice_gives_one_job(client, officer_2fa):
    signed_in(client, officer_2fa)
    data = {"report": "enrolments", "format": "xlsx", "province": "52"}
    first = client.post(reverse("reports:job_create"), data, follow=True)
    second = client.post(reverse("reports:job_create"), data, follow=True)
    # The task of the first is queued on commit; the test's transaction never commits.
    assert ReportJob.objects.count() == 1
    assert first.redirect_chain == second.redirect_chain
    assert ReportJob.objects.get().subscribers.count() == 1


@pytest.mark.parametrize(
    "query",
    [
        "?page=abc",
        "?page=-1",
        "?page=99999999999999999999999",
        "?mine=1&page=0",
        "?mine=<script>",
    ],
)
def test_garbage_in_the_job_list_query(client, officer_2fa, query):
    signed_in(client, officer_2fa)
    assert client.get(reverse("reports:job_list") + query).status_code == 200


# The lists the dashboard links to, with what an outside tester would type into the address.
DASHBOARD_LISTS = [
    ("entrepreneurs:enterprise_list", "?registered=abc&status=zzz"),
    ("entrepreneurs:enterprise_list", "?registered=99999999999999999999"),
    ("entrepreneurs:enterprise_list", "?registered=-5"),
    ("entrepreneurs:enterprise_list", "?registered=NaN"),
    ("entrepreneurs:enterprise_list", "?registered=Infinity"),
    ("entrepreneurs:enterprise_list", "?registered=1e400"),
    ("entrepreneurs:enterprise_list", "?registered=2570.5"),
    ("products:product_list", "?upgrade_year=abc&area=zzz"),
    ("products:product_list", "?upgrade_year=NaN&area=design"),
    ("products:product_list", "?upgrade_year=-Infinity"),
    ("products:product_list", "?upgrade_year=2570.99999999999999999&area=design"),
    ("products:product_list", "?registered=1e5&status=zzz"),
    ("training:certificate_list", "?year=abc&state=zzz"),
    ("training:certificate_list", "?year=99999999999999999999999&state=valid"),
    ("training:certificate_list", "?year=-1&state=revoked"),
    ("training:staff_booking_list", "?resource=abc&date_from=zzz&date_to=2020-13-45"),
    ("training:staff_booking_list", "?resource=99999999999999999999999&date_from=0001-01-01"),
    ("training:staff_booking_list", "?date_from=31/12/9999&date_to=01/01/0001"),
    ("programmes:review_queue", "?status=zzz&page=abc"),
    ("programmes:review_queue", "?status=accepted&page=99999999999999999999"),
]


@pytest.mark.parametrize("name,query", DASHBOARD_LISTS)
def test_the_lists_behind_the_dashboard_take_garbage(client, officer_2fa, name, query):
    signed_in(client, officer_2fa)
    assert client.get(reverse(name) + query).status_code == 200


def test_every_link_of_the_dashboard_opens(client, officer_2fa, staff_2fa):
    from reports.dashboard import officer_figures, officer_sections

    ResourceFactory()
    sections = officer_sections(officer_figures())
    urls = {
        row["url"]
        for section in sections
        for row in section["rows"] + section["foot"]
        if row["url"]
    }
    assert len(urls) > 10
    signed_in(client, officer_2fa)
    for url in urls:
        assert client.get(url).status_code == 200, url


# --- What a file may hold ------------------------------------------------------------------

FORMULA = re.compile(r"^[=+\-@\t\r]")
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def hostile_data(officer):
    """Every text a person types that a report prints, starting like a formula."""
    programme = ProgrammeFactory(title_th='=HYPERLINK("http://evil")', title_en="+1+1")
    intake = IntakeFactory(programme=programme, name_th="-2+3", name_en="@SUM(A1)")
    enterprise = EnterpriseFactory(
        name_th="=cmd|' /C calc'!A0",
        name_en="\tTAB",
        phone="+66 54 281 234",
        line_id="@evil",
    )
    Enrolment.objects.create(
        intake=intake,
        enterprise=enterprise,
        status=EnrolmentStatus.ACCEPTED,
        submitted_at=timezone.now(),
    )
    product = ProductFactory(enterprise=enterprise, name_th="=1+1", name_en="-1")
    UpgradeRecordFactory(
        product=product,
        area=UpgradeArea.DESIGN,
        summary="@SUM(1,2)",
        what_changed="\r=1+1",
        expert_name="=EXPERT()",
        price_before=Decimal("100"),
        price_after=Decimal("80"),
        monthly_sales_before=Decimal("1000"),
        monthly_sales_after=Decimal("500"),
        started_on=timezone.localdate(),
    )
    instructor = UserFactory(role=Role.FACULTY, full_name="=INSTRUCTOR()")
    make_run(
        course=make_course(title_th="+COURSE", title_en="-COURSE"),
        name="=RUN",
        instructors=[instructor],
    )
    resource = ResourceFactory(name_th="=KILN()", name_en="@KILN")
    BookingFactory(resource=resource, starts_at=at(0, 9))


@pytest.mark.parametrize("language", ["th", "en"])
@pytest.mark.parametrize(
    "slug", ["enrolments", "enterprises", "upgrades", "training", "lab_utilisation"]
)
def test_no_csv_cell_starts_like_a_formula(officer_2fa, slug, language):
    from django.utils import translation

    hostile_data(officer_2fa)
    with translation.override(language):
        job, outcome = build(slug, by=officer_2fa)
    assert outcome == services.DONE
    with services.file_storage().open(job.file.name, "rb") as handle:
        data = handle.read()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert len(rows) >= 2
    cells = [cell for row in rows for cell in row]
    # The hostile texts are there, each kept as text.
    assert any(cell.startswith("'") for cell in cells)
    for cell in cells:
        assert not FORMULA.match(cell) or NUMBER.match(cell), cell


@pytest.mark.parametrize(
    "slug", ["enrolments", "enterprises", "upgrades", "training", "lab_utilisation"]
)
def test_no_xlsx_cell_is_a_formula(officer_2fa, slug):
    hostile_data(officer_2fa)
    job, outcome = build(slug, "xlsx", by=officer_2fa)
    assert outcome == services.DONE
    with services.file_storage().open(job.file.name, "rb") as handle:
        workbook = openpyxl.load_workbook(io.BytesIO(handle.read()))
    cells = [cell for row in workbook.active.iter_rows() for cell in row]
    assert len(cells) > len(REPORTS[slug].columns())
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    assert any(str(cell.value).startswith("=") for cell in cells)


def test_html_in_names_is_text_in_the_pdf_and_escaped_on_the_job_page(client, officer_2fa):
    script = "<script>alert(1)</script>"
    programme = ProgrammeFactory(title_th=f"โครงการ {script}", lead_agency=f"<b>{script}</b>")
    partner = Partner.objects.create(
        name_th=f"<img src=x onerror=alert(1)> {script}", kind=PartnerKind.UNIVERSITY
    )
    ProgrammePartner.objects.create(programme=programme, partner=partner, role=PartnerRole.LEAD)
    IntakeFactory(programme=programme, name_th=f"รุ่น {script}")
    job, outcome = build(
        "programme_summary", "pdf", by=officer_2fa, filters=ReportFilters(programme=programme.pk)
    )
    assert outcome == services.DONE
    with services.file_storage().open(job.file.name, "rb") as handle:
        text = "\n".join(page.extract_text() for page in pypdf.PdfReader(handle).pages)
    # Printed as the characters typed, not taken as markup.
    assert "<script>" in text
    assert "<img" in text
    signed_in(client, officer_2fa)
    page = client.get(job.get_absolute_url()).content.decode()
    assert script not in page
    assert "&lt;script&gt;" in page


@pytest.mark.parametrize(
    "slug,fmt",
    [
        ("enrolments", "csv"),
        ("enrolments", "xlsx"),
        ("enterprises", "csv"),
        ("enterprises", "xlsx"),
        ("upgrades", "csv"),
        ("upgrades", "xlsx"),
        ("training", "csv"),
        ("training", "xlsx"),
        ("lab_utilisation", "csv"),
        ("lab_utilisation", "xlsx"),
        ("programme_summary", "pdf"),
    ],
)
def test_every_report_of_an_empty_database_opens(officer_2fa, slug, fmt):
    filters = None
    if slug == "programme_summary":
        # It needs a programme: one with nothing in it.
        filters = ReportFilters(programme=ProgrammeFactory().pk)
    job, outcome = build(slug, fmt, by=officer_2fa, filters=filters)
    assert outcome == services.DONE, job.failure
    # The summary's rows are its KPI rows, there even for an empty programme.
    assert job.rows_written == (6 if slug == "programme_summary" else 0)
    with services.file_storage().open(job.file.name, "rb") as handle:
        data = handle.read()
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert len(rows) == 1 and len(rows[0]) == len(REPORTS[slug].columns())
    elif fmt == "xlsx":
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
        assert len(list(workbook.active.iter_rows())) == 1
    else:
        assert data.startswith(b"%PDF-")


@pytest.mark.parametrize(
    "slug,filters",
    [
        ("enrolments", ReportFilters(programme=999999, district="5001")),
        ("enterprises", ReportFilters(fiscal_year=2566, kind="artisan")),
        ("upgrades", ReportFilters(programme=999999, area="innovation")),
        ("training", ReportFilters(date_from=datetime.date(2100, 1, 1))),
        ("lab_utilisation", ReportFilters(fiscal_year=2570, date_to=datetime.date(2020, 1, 1))),
    ],
)
def test_a_report_whose_filters_match_nothing_is_headings_only(officer_2fa, slug, filters):
    enrolment_data()
    hostile_data(officer_2fa)
    job, outcome = build(slug, by=officer_2fa, filters=filters)
    assert outcome == services.DONE
    assert job.rows_expected == job.rows_written == 0
    with services.file_storage().open(job.file.name, "rb") as handle:
        assert len(list(csv.reader(io.StringIO(handle.read().decode("utf-8-sig"))))) == 1


# --- Odd jobs ------------------------------------------------------------------------------


def test_a_job_of_a_report_no_longer_in_the_registry(client, officer_2fa):
    gone = ReportJob.objects.create(
        report="gone",
        format="csv",
        request_key="gone",
        requested_by=officer_2fa,
        status=JobStatus.DONE,
        filters={"province": "52", "fiscal_year": 2570},
        personal_data=True,
    )
    gone.subscribers.add(officer_2fa)
    queued = ReportJob.objects.create(
        report="gone", format="xlsx", request_key="gone-2", requested_by=officer_2fa
    )
    signed_in(client, officer_2fa)
    assert client.get(reverse("reports:job_list")).status_code == 200
    assert client.get(reverse("home")).status_code == 200
    urls = job_urls(gone)
    assert client.get(urls["detail"]).status_code == 200
    assert client.get(urls["progress"]).status_code == 286
    # Nobody may download it, and asking again says why.
    assert client.get(urls["download"]).status_code == 404
    response = client.post(urls["again"], follow=True)
    assert response.status_code == 200
    assert ReportJob.objects.count() == 2
    # The worker fails a queued one instead of leaving it queued.
    assert services.run_report(job_id=queued.pk, token="t") == services.FAILED
    queued.refresh_from_db()
    assert queued.status == JobStatus.FAILED
    assert client.get(queued.get_absolute_url()).status_code == 200


def test_asking_again_for_an_expired_job_builds_a_new_one(
    client, officer_2fa, django_capture_on_commit_callbacks
):
    enrolment_data()
    job, _ = build("enrolments", by=officer_2fa, filters=ReportFilters(province="52"))
    ReportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_expired_reports()
    signed_in(client, officer_2fa)
    assert client.get(job_urls(job)["download"]).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(job_urls(job)["again"])
    again = ReportJob.objects.exclude(pk=job.pk).get()
    assert response["Location"] == again.get_absolute_url()
    again.refresh_from_db()
    assert again.status == JobStatus.DONE
    assert again.filters == {"province": "52"}
    # Asked again twice at once while it is pending: the same job.
    ReportJob.objects.filter(pk=again.pk).update(status=JobStatus.QUEUED)
    client.post(job_urls(job)["again"])
    client.post(job_urls(job)["again"])
    assert ReportJob.objects.count() == 2


def test_a_file_deleted_since_the_job_was_read_is_not_logged_as_downloaded(client, officer_2fa):
    """The job still says done while its file is gone (the clean-up deleted it a moment
    ago): no file goes out, and the log written first goes with the request's transaction
    (ATOMIC_REQUESTS), so no download is logged that did not happen."""
    enrolment_data()
    job, _ = build("enrolments", by=officer_2fa)
    os.remove(services.file_storage().path(job.file.name))
    signed_in(client, officer_2fa)
    assert client.get(job_urls(job)["download"]).status_code == 404
    assert not ReportDownload.objects.exists()


def test_a_file_deleted_while_it_is_sent_is_sent_whole(client, officer_2fa):
    enrolment_data()
    job, _ = build("enrolments", by=officer_2fa)
    path = services.file_storage().path(job.file.name)
    with open(path, "rb") as handle:
        expected = handle.read()
    signed_in(client, officer_2fa)
    response = client.get(job_urls(job)["download"])
    os.remove(path)
    assert b"".join(response.streaming_content) == expected
    response.close()


def test_a_job_marked_done_has_its_file_and_a_lost_claim_moves_none(officer_2fa, tmp_path):
    """finish() moves the file into place only while the claim holds."""
    job, _ = services.request_report(
        report="enrolments", fmt="csv", filters=ReportFilters(), by=officer_2fa
    )
    services.claim(job.pk, "first")
    # The first worker's claim is taken over (it stalled, the sweep re-queued the job).
    ReportJob.objects.filter(pk=job.pk).update(run_token="second")
    partial = tmp_path / "partial"
    partial.write_bytes(b"stale")
    final_name = f"reports/{job.pk}/enrolments-{job.pk}.csv"
    outcome = services.finish(job, token="first", partial=partial, final_name=final_name, rows=1)
    assert outcome == services.GONE
    assert not partial.exists()
    assert not os.path.exists(services.file_storage().path(final_name))
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and not job.file


def test_a_job_of_someone_who_lost_the_right_cannot_be_downloaded_by_them(client, faculty):
    job, _ = build("training", by=faculty)
    faculty.role = Role.STUDENT
    faculty.save()
    client.force_login(faculty)
    assert client.get(job_urls(job)["download"]).status_code == 403
    assert not ReportDownload.objects.exists()


# --- Query counts --------------------------------------------------------------------------


def test_job_page_and_progress_do_not_grow_with_downloads_or_subscribers(
    client, officer_2fa, django_assert_max_num_queries
):
    enrolment_data()
    job, _ = build("enrolments", by=officer_2fa)
    faculty_job, _ = build("training", by=UserFactory(role=Role.FACULTY))
    signed_in(client, officer_2fa)

    def grow(n):
        for _ in range(n):
            person = UserFactory(role=Role.OFFICER)
            job.subscribers.add(person)
            faculty_job.subscribers.add(UserFactory(role=Role.FACULTY))
            ReportDownload.objects.create(job=job, user=person)

    counts = []
    for n in (2, 60):
        grow(n)
        with django_assert_max_num_queries(20) as captured:
            assert client.get(job.get_absolute_url()).status_code == 200
            assert client.get(job_urls(job)["progress"]).status_code == 286
        counts.append(len(captured))
    assert counts[0] == counts[1]
    # A faculty member who joined the job, among many who did, sees it in as few queries.
    client.force_login(faculty_job.subscribers.exclude(pk=faculty_job.requested_by_id).first())
    with django_assert_max_num_queries(16):
        page = client.get(faculty_job.get_absolute_url())
    assert page.status_code == 200
    assert reverse("reports:job_download", args=[faculty_job.pk]) in page.content.decode()


def test_job_list_of_a_faculty_member_does_not_grow(client, faculty, django_assert_max_num_queries):
    client.force_login(faculty)
    counts = []
    for n in (2, 30):
        for i in range(n):
            job = ReportJob.objects.create(
                report="training",
                format="csv",
                request_key=f"k{n}-{i}",
                requested_by=UserFactory(role=Role.FACULTY),
                status=JobStatus.DONE,
            )
            job.subscribers.add(faculty)
        with django_assert_max_num_queries(12) as captured:
            page = client.get(reverse("reports:job_list"))
        assert page.status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]
    assert len(page.context["page_obj"]) == 25


def test_a_message_delivered_again_while_its_first_run_still_writes_leaves_a_whole_file(
    officer_2fa, settings
):
    """A run silent past REPORT_STALL_SECONDS, whose message the broker hands out again
    (Redis's visibility timeout), has a second run under the same task id, so the same
    token. The two runs must not share a temporary file: when the first stops, what it had
    written must not land in the file the second moved into place."""
    from entrepreneurs.models import Enterprise
    from reports.registry import REPORTS

    data = enrolment_data()
    settings.REPORT_PROGRESS_SECONDS = 0
    report = REPORTS["enrolments"]
    real_rows = type(report).rows
    job, _ = services.request_report(
        report="enrolments", fmt="csv", filters=ReportFilters(), by=officer_2fa
    )
    first_enterprise = data["enrolments"][0].enterprise
    outcomes, second_run = [], []

    def rows_with_a_second_run(self, filters, *, using="default"):
        for index, row in enumerate(real_rows(self, filters, using=using)):
            if index == 1 and not second_run:
                second_run.append(True)
                # The data moves on meanwhile: the second run reads a longer first row.
                Enterprise.objects.filter(pk=first_enterprise.pk).update(
                    name_th="วิสาหกิจชุมชนที่เปลี่ยนชื่อให้ยาวขึ้นมากระหว่างที่รายงานกำลังเขียน"
                )
                stale = timezone.now() - datetime.timedelta(
                    seconds=settings.REPORT_STALL_SECONDS + 1
                )
                ReportJob.objects.filter(pk=job.pk).update(heartbeat_at=stale)
                outcomes.append(services.run_report(job_id=job.pk, token="same"))
            yield row

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(type(report), "rows", rows_with_a_second_run)
        outcomes.append(services.run_report(job_id=job.pk, token="same"))
    # The second run finished; the first found the job done and stopped.
    assert outcomes == [services.DONE, services.GONE]
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    with services.file_storage().open(job.file.name, "rb") as handle:
        rows = list(csv.reader(io.StringIO(handle.read().decode("utf-8-sig"))))
    assert len(rows) == 6
    assert sorted(int(row[0]) for row in rows[1:]) == sorted(
        e.pk for e in data["enrolments"] if e.status != EnrolmentStatus.DRAFT
    )
    assert rows[1][4].startswith("วิสาหกิจชุมชนที่เปลี่ยนชื่อ")
    folder = services.file_storage().path(f"reports/{job.pk}")
    assert os.listdir(folder) == [f"enrolments-{job.pk}.csv"]


def test_someone_who_joined_a_job_sees_only_their_own_downloads(client, faculty):
    first = UserFactory(role=Role.FACULTY, email="first.faculty@tu.ac.th")
    job, _ = services.request_report(
        report="training", fmt="csv", filters=ReportFilters(), by=first
    )
    services.request_report(report="training", fmt="csv", filters=ReportFilters(), by=faculty)
    services.run_report(job_id=job.pk, token="t")
    client.force_login(first)
    client.get(reverse("reports:job_download", args=[job.pk]))
    client.force_login(faculty)
    page = client.get(job.get_absolute_url()).content.decode()
    assert "first.faculty@tu.ac.th" not in page
    client.get(reverse("reports:job_download", args=[job.pk]))
    assert faculty.email in client.get(job.get_absolute_url()).content.decode()
    # The one who asked sees everyone's.
    client.force_login(first)
    page = client.get(job.get_absolute_url()).content.decode()
    assert faculty.email in page and first.email in page
