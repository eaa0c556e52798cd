"""The programme summary PDF: its figures against the targets, its charts, its language."""

import datetime as dt
import io
import re
from decimal import Decimal

import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone, translation

from entrepreneurs.models import VerificationStatus
from products.models import UpgradeArea
from programmes.models import Enrolment, EnrolmentStatus, Partner, PartnerKind, PartnerRole
from reports import services
from reports.filters import ReportFilters
from reports.models import JobStatus, ReportJob
from tests.conftest import sign_in
from tests.factories import (
    EnterpriseFactory,
    IntakeFactory,
    ProductFactory,
    ProgrammeFactory,
    UpgradeRecordFactory,
    subdistrict,
)
from toolkit.thaidates import format_date

from .factories import build

pytestmark = pytest.mark.django_db
S = EnrolmentStatus
KO_KHA = "520301"
MUEANG_LAMPANG = "520101"
TITLE_TH = "โครงการยกระดับเซรามิกลำปาง"
PARTNER_TH = "มหาวิทยาลัยธรรมศาสตร์ ศูนย์ลำปาง"


def pdf_text(job):
    with services.file_storage().open(job.file.name, "rb") as handle:
        data = handle.read()
    assert data.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(data))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def flat(text):
    # Text extraction drops SARA AM (ำ) or splits it into its parts, and keeps line
    # breaks: compare without any of them.
    text = re.sub(r"\s+", "", str(text))
    return text.replace("\u0e33", "").replace("\u0e4d", "").replace("\u0e32", "")


def apply(intake, status, place=KO_KHA, products=1):
    enterprise = EnterpriseFactory(
        subdistrict=subdistrict(place), status=VerificationStatus.VERIFIED
    )
    enrolment = Enrolment.objects.create(
        intake=intake, enterprise=enterprise, status=status, submitted_at=timezone.now()
    )
    enrolment.products.set([ProductFactory(enterprise=enterprise) for _n in range(products)])
    return enrolment


def sales(before, after):
    return {"monthly_sales_before": Decimal(before), "monthly_sales_after": Decimal(after)}


@pytest.fixture
def programme():
    """A programme with targets, two intakes, six applications and upgrade records.

    Enrolled (holding a place): 3 enterprises, 2 in Ko Kha and 1 in Mueang Lampang.
    Counted upgrades: design on 2 products, standards on 1, innovation on 1; the sales of
    the counted records with sales known go from 20,000 to 24,600 baht a month (+23.0%).
    """
    programme = ProgrammeFactory(
        title_th=TITLE_TH,
        title_en="Lampang Ceramics Upgrade",
        fiscal_year=2570,
        target_enterprises=4,
        target_design=4,
        target_standards=2,
        target_usability=0,
        target_innovation=1,
        target_revenue_uplift=Decimal("20.00"),
    )
    partner = Partner.objects.create(
        name_th=PARTNER_TH, name_en="Thammasat University Lampang", kind=PartnerKind.UNIVERSITY
    )
    programme.partnerships.create(partner=partner, role=PartnerRole.CO_IMPLEMENTER)
    first = IntakeFactory(programme=programme, capacity=3, name_th="รุ่นที่หนึ่ง", name_en="First")
    second = IntakeFactory(programme=programme, capacity=2, name_th="รุ่นที่สอง", name_en="Second")
    opened = timezone.localdate(first.opens_at)
    accepted = apply(first, S.ACCEPTED, products=2)
    active = apply(first, S.ACTIVE, place=MUEANG_LAMPANG)
    apply(first, S.SUBMITTED)
    completed = apply(second, S.COMPLETED)
    rejected = apply(second, S.REJECTED)
    apply(second, S.WAITLISTED)
    one, two = accepted.products.all()
    design = UpgradeArea.DESIGN
    UpgradeRecordFactory(product=one, area=design, started_on=opened, **sales(10000, 13000))
    UpgradeRecordFactory(product=two, area=design, started_on=opened, **sales(5000, 6000))
    UpgradeRecordFactory(
        product=active.products.get(), area=UpgradeArea.STANDARDS, started_on=opened
    )
    UpgradeRecordFactory(
        product=completed.products.get(),
        area=UpgradeArea.INNOVATION,
        started_on=opened,
        **sales(5000, 5600),
    )
    # Not counted: before the intake opened; a rejected application's product.
    UpgradeRecordFactory(
        product=one,
        area=UpgradeArea.USABILITY,
        started_on=opened - dt.timedelta(days=1),
        **sales(1000, 90000),
    )
    UpgradeRecordFactory(
        product=rejected.products.get(), area=design, started_on=opened, **sales(1, 99999)
    )
    # Another programme's work does not count.
    UpgradeRecordFactory(
        product=apply(IntakeFactory(), S.ACCEPTED).products.get(),
        started_on=opened,
        **sales(1, 99999),
    )
    return programme


def summary(by, programme, language="th"):
    with translation.override(language):
        job, outcome = build(
            "programme_summary", "pdf", by=by, filters=ReportFilters(programme=programme.pk)
        )
    assert outcome == services.DONE, job.failure
    return job


def test_summary_in_thai_shows_the_programme_and_its_figures_against_targets(
    officer_2fa, programme
):
    job = summary(officer_2fa, programme)
    _reader, text = pdf_text(job)
    text = flat(text)
    assert flat("สรุปผลการดำเนินโครงการ") in text
    assert flat(TITLE_TH) in text
    assert flat("ปีงบประมาณ 2570") in text
    assert flat("กรมส่งเสริมอุตสาหกรรม (ดีพร้อม)") in text
    assert flat(PARTNER_TH) in text
    with translation.override("th"):
        assert flat(format_date(timezone.now())) in text
    # Result, target and per cent of target on each row.
    assert flat("วิสาหกิจที่เข้าร่วมโครงการ 3 4 75%") in text
    assert flat("ผลิตภัณฑ์ที่ยกระดับด้านการออกแบบ 2 4 50%") in text
    assert flat("ผลิตภัณฑ์ที่ยกระดับด้านมาตรฐาน 1 2 50%") in text
    assert flat("ผลิตภัณฑ์ที่ยกระดับด้านการใช้งาน 0 0 –") in text
    assert flat("ผลิตภัณฑ์ที่ยกระดับด้านนวัตกรรม 1 1 100%") in text
    assert flat("23.0% 20% 115%") in text
    assert job.rows_written == job.rows_expected == 6
    assert job.status == JobStatus.DONE


def test_summary_draws_its_charts_as_vector_bars_with_text_labels(officer_2fa, programme):
    reader, text = pdf_text(summary(officer_2fa, programme))
    text = flat(text)
    # Each label is in a table and again beside its bar in a chart.
    assert text.count(flat("วิสาหกิจที่เข้าร่วมโครงการ")) == 2
    assert text.count(flat("ผลิตภัณฑ์ที่ยกระดับด้านนวัตกรรม")) == 2
    assert text.count(flat("เกาะคา")) == 2
    assert text.count(flat("รุ่นที่หนึ่ง")) == 2
    assert text.count(flat("ถอนใบสมัครแล้ว")) == 2
    # The targets' bars are filled in the second series colour (#c9a27e): the legend's
    # swatch and one bar per target above zero (enterprises, design, standards, innovation).
    first_page = reader.pages[0].get_contents().get_data().decode("latin-1")
    assert first_page.count("0.788235 0.635294 0.494118 rg") == 5


def test_summary_for_an_english_speaker_is_in_english(officer_2fa, programme):
    job = summary(officer_2fa, programme, language="en")
    assert job.language == "en"
    _reader, text = pdf_text(job)
    text = flat(text)
    assert flat("Programme summary") in text
    assert flat("Lampang Ceramics Upgrade") in text
    assert flat("FY 2027 (B.E. 2570)") in text
    assert flat("Thammasat University Lampang (Co-implementer)") in text
    with translation.override("en"):
        assert flat(format_date(timezone.now())) in text
    assert flat("Enterprises enrolled 3 4 75%") in text
    assert flat("Products upgraded in design 2 4 50%") in text
    assert flat("Monthly sales uplift (%) 23.0% 20% 115%") in text
    assert flat("Ko Kha 2") in text
    assert flat("สรุปผลการดำเนินโครงการ") not in text
    assert flat(TITLE_TH) not in text


def test_summary_of_a_programme_without_intakes_or_sales_says_so(officer_2fa):
    programme = ProgrammeFactory(title_th="โครงการใหม่", target_enterprises=0)
    job = summary(officer_2fa, programme)
    _reader, text = pdf_text(job)
    text = flat(text)
    assert flat("โครงการใหม่") in text
    assert flat("ยอดขายต่อเดือนที่เพิ่มขึ้น (%) – 0% –") in text
    assert flat("วิสาหกิจที่เข้าร่วมโครงการ 0 0 –") in text
    assert flat("โครงการนี้ยังไม่มีรุ่น") in text
    assert flat("ยังไม่มีวิสาหกิจเข้าร่วม") in text


def test_the_service_refuses_a_summary_without_a_programme(officer_2fa, programme):
    """Every programme at once would be one huge PDF in one worker's memory."""
    with pytest.raises(services.ReportRefused):
        services.request_report(
            report="programme_summary",
            fmt="pdf",
            filters=ReportFilters(fiscal_year=2570),
            by=officer_2fa,
        )


def test_without_a_programme_the_summary_covers_each_programme_of_the_fiscal_year(
    officer_2fa, programme
):
    """The report itself (as the benchmark runs it), not a job: one part per programme."""
    from reports.registry import REPORTS

    ProgrammeFactory(title_th="โครงการที่สองของปี", fiscal_year=2570)
    ProgrammeFactory(title_th="โครงการปีก่อน", fiscal_year=2569)
    out = io.BytesIO()
    with translation.override("th"):
        rows = services.write_report(
            report=REPORTS["programme_summary"],
            fmt="pdf",
            filters=ReportFilters(fiscal_year=2570),
            out=out,
        )
    reader = pypdf.PdfReader(io.BytesIO(out.getvalue()))
    text = flat("\n".join(page.extract_text() for page in reader.pages))
    assert flat(TITLE_TH) in text
    assert flat("โครงการที่สองของปี") in text
    assert flat("โครงการปีก่อน") not in text
    # Three programmes of 2570: these two and the fixture's other programme.
    assert text.count(flat("สรุปผลการดำเนินโครงการ")) == 3
    assert rows == 18


def test_summary_filters_out_a_programme_of_another_fiscal_year(officer_2fa, programme):
    with translation.override("th"):
        job, outcome = build(
            "programme_summary",
            "pdf",
            by=officer_2fa,
            filters=ReportFilters(programme=programme.pk, fiscal_year=2569),
        )
    assert outcome == services.DONE
    _reader, text = pdf_text(job)
    assert flat("ไม่มีโครงการที่ตรงกับตัวกรองเหล่านี้") in flat(text)
    assert job.rows_written == 0


@pytest.mark.parametrize("count", [2, 20])
def test_summary_queries_do_not_grow_with_applications(
    officer_2fa, count, django_assert_max_num_queries
):
    from reports.registry import REPORTS

    programme = ProgrammeFactory()
    intake = IntakeFactory(programme=programme, capacity=count)
    for n in range(count):
        enrolment = apply(intake, [S.ACCEPTED, S.SUBMITTED][n % 2], [KO_KHA, MUEANG_LAMPANG][n % 2])
        UpgradeRecordFactory(
            product=enrolment.products.get(), started_on=timezone.localdate(), **sales(10, 12)
        )
    out = io.BytesIO()
    # The programmes, then partners, states, intakes, districts, upgrades and sales.
    with django_assert_max_num_queries(7):
        rows = REPORTS["programme_summary"].write_pdf(
            ReportFilters(programme=programme.pk), out, using="default"
        )
    assert rows == 6
    assert out.getvalue().startswith(b"%PDF-")


@pytest.mark.django_db(transaction=True, databases=["default", "snapshot"])
def test_a_worker_reads_every_figure_from_its_snapshot(officer_2fa, programme, monkeypatch):
    """Outside a transaction, as in a worker: the figures come through the snapshot alias."""
    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(services, "enqueue", lambda job_id: True)  # this test is the worker
    with translation.override("th"):
        job, _created = services.request_report(
            report="programme_summary",
            fmt="pdf",
            filters=ReportFilters(programme=programme.pk),
            by=officer_2fa,
        )
    with (
        CaptureQueriesContext(connections["default"]) as default,
        CaptureQueriesContext(connections["snapshot"]) as snapshot,
    ):
        assert services.run_report(job_id=job.pk, token="w") == services.DONE
    read_by_default = " ".join(query["sql"] for query in default.captured_queries)
    for table in ("programmes_enrolment", "products_upgraderecord", "programmes_intake"):
        assert table not in read_by_default
        assert any(table in query["sql"] for query in snapshot.captured_queries)
    job.refresh_from_db()
    _reader, text = pdf_text(job)
    assert flat("ยอดขายต่อเดือนที่เพิ่มขึ้น (%) 23.0% 20% 115%") in flat(text)


# --- Asking for it -------------------------------------------------------------------------


def test_form_builds_the_summary_of_the_chosen_programme(
    client, officer_2fa, programme, django_capture_on_commit_callbacks
):
    sign_in(client, officer_2fa)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:job_create"),
            {"report": "programme_summary", "format": "pdf", "programme": programme.pk},
        )
    job = ReportJob.objects.get()
    assert response["Location"] == job.get_absolute_url()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert job.filters == {"programme": programme.pk}
    assert not job.personal_data


def test_form_refuses_csv_for_the_summary(client, officer_2fa, programme):
    sign_in(client, officer_2fa)
    response = client.post(
        reverse("reports:job_create"),
        {"report": "programme_summary", "format": "csv", "programme": programme.pk},
    )
    assert response.status_code == 200
    assert not ReportJob.objects.exists()
    assert "format" in response.context["form"].errors


def test_form_asks_for_the_programme_of_the_summary(client, officer_2fa, programme):
    sign_in(client, officer_2fa)
    response = client.post(
        reverse("reports:job_create"),
        {"report": "programme_summary", "format": "pdf", "fiscal_year": "2570"},
    )
    assert response.status_code == 200
    assert not ReportJob.objects.exists()
    errors = response.context["form"].errors
    assert list(errors) == ["programme"]
    assert errors["programme"] == ["“สรุปผลการดำเนินโครงการ” ต้องใช้ตัวกรองนี้: โปรดเลือก"]


def test_form_tells_the_summary_needs_a_programme_before_it_is_sent(client, officer_2fa):
    sign_in(client, officer_2fa)
    page = client.get(reverse("reports:job_create")).content.decode()
    assert 'id="report-programme_summary"' in page
    assert "เลือกโครงการในส่วนตัวกรอง" in page


@pytest.mark.parametrize("person", ["staff_2fa", "faculty", "student", "owner", "officer"])
def test_only_officers_with_two_factor_may_ask_for_the_summary(request, person, programme):
    user = request.getfixturevalue(person)
    with pytest.raises(services.ReportRefused):
        services.request_report(
            report="programme_summary",
            fmt="pdf",
            filters=ReportFilters(programme=programme.pk),
            by=user,
        )
    assert not ReportJob.objects.exists()


def test_staff_cannot_ask_for_the_summary_in_the_form(client, staff_2fa, programme):
    sign_in(client, staff_2fa)
    response = client.post(
        reverse("reports:job_create"),
        {"report": "programme_summary", "format": "pdf", "programme": programme.pk},
    )
    assert response.status_code in (200, 403, 404)
    assert not ReportJob.objects.exists()
