"""The products and upgrades report: one row per upgrade record, with its uplift."""

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Role
from products.models import ProductStatus, UpgradeArea, UpgradeRecord, UpgradeStage
from programmes.models import Enrolment, EnrolmentStatus
from programmes.selectors import counted_upgrades
from reports import services
from reports.definitions.products import WHAT_CHANGED_LENGTH
from reports.filters import ReportFilters
from reports.models import JobStatus, ReportDownload, ReportJob
from reports.registry import REPORTS
from tests.conftest import sign_in
from tests.factories import (
    EnterpriseFactory,
    IntakeFactory,
    ProductFactory,
    ProgrammeFactory,
    UpgradeRecordFactory,
    UserFactory,
    subdistrict,
)

from .factories import CHIANG_MAI_SUBDISTRICT, build

pytestmark = pytest.mark.django_db
D = Decimal
MUEANG_LAMPANG_SUBDISTRICT = "520101"
COLUMNS = 19
LONG_CHANGE = "ปรับรูปทรงชามให้บางลงและเบาขึ้น\nเปลี่ยนเคลือบเป็นสูตรไร้สารตะกั่ว " * 20


def bangkok(year, month, day):
    return datetime.datetime(year, month, day, 10, 0, tzinfo=timezone.get_current_timezone())


def upgrade_data():
    """Four upgrade records of three products in three districts of two provinces.

    - designed: a Ko Kha bowl, design, commercialised, FY 2570 (started 15 Oct 2026), a
      portal expert; price 85 -> 110 (+29.4 %), sales 12,000 -> 15,500 (+29.2 %); what
      changed runs long. It counts for programme A (the bowl was accepted in two of its
      intakes, both opened before the work started).
    - certified: the same bowl, standards, testing, FY 2569 (before the intakes opened), an
      expert typed in; no price before (price after 180); sales before 0.
    - lighter: a Chiang Mai vase, usability, prototype, FY 2570; price 200 -> 180 (-10.0 %),
      no sales; its summary starts with "-"; the enterprise was rejected from programme A.
    - kiln: a Mueang Lampang plate, innovation, plan, FY 2570; price 99.99 -> 133.33.
    """
    expert = UserFactory(full_name="ดร.วิไล ช่างคิด", role=Role.FACULTY)
    ko_kha = EnterpriseFactory(name_th="วิสาหกิจชุมชนเซรามิกบ้านเหมืองกุง", name_en="Ban Mueang Kung")
    chiang_mai = EnterpriseFactory(
        name_th="บริษัท ดินดี จำกัด", subdistrict=subdistrict(CHIANG_MAI_SUBDISTRICT)
    )
    mueang = EnterpriseFactory(
        name_th="กลุ่มผู้ผลิตเวียงเหนือ", subdistrict=subdistrict(MUEANG_LAMPANG_SUBDISTRICT)
    )
    bowl = ProductFactory(
        enterprise=ko_kha,
        name_th="ชามตราไก่",
        name_en="Rooster bowl",
        status=ProductStatus.PUBLISHED,
    )
    vase = ProductFactory(enterprise=chiang_mai, name_th="แจกันดินเผา", name_en="")
    plate = ProductFactory(enterprise=mueang, name_th="จานเคลือบขี้เถ้า")
    designed = UpgradeRecordFactory(
        product=bowl,
        area=UpgradeArea.DESIGN,
        stage=UpgradeStage.COMMERCIALISED,
        summary="ลายไก่ร่วมสมัย",
        what_changed=LONG_CHANGE,
        expert=expert,
        expert_name="ไม่ใช่ชื่อนี้",
        started_on=datetime.date(2026, 10, 15),
        completed_on=datetime.date(2027, 1, 20),
        price_before=D("85.00"),
        price_after=D("110.00"),
        monthly_sales_before=D("12000.00"),
        monthly_sales_after=D("15500.00"),
    )
    certified = UpgradeRecordFactory(
        product=bowl,
        area=UpgradeArea.STANDARDS,
        stage=UpgradeStage.TESTING,
        summary="ขอ มผช.",
        what_changed="ส่งทดสอบการละลายของตะกั่วและแคดเมียม",
        expert_name="อาจารย์สมพร ดินงาม",
        started_on=datetime.date(2026, 3, 1),
        price_before=None,
        price_after=D("180.00"),
        monthly_sales_before=D("0.00"),
        monthly_sales_after=D("5000.00"),
    )
    lighter = UpgradeRecordFactory(
        product=vase,
        area=UpgradeArea.USABILITY,
        stage=UpgradeStage.PROTOTYPE,
        summary="-30% น้ำหนัก",
        what_changed="ผนังบางลง",
        started_on=datetime.date(2026, 11, 1),
        price_before=D("200.00"),
        price_after=D("180.00"),
    )
    kiln = UpgradeRecordFactory(
        product=plate,
        area=UpgradeArea.INNOVATION,
        stage=UpgradeStage.PLAN,
        what_changed="เผาด้วยเตาแก๊สประหยัดพลังงาน",
        started_on=datetime.date(2026, 12, 1),
        price_before=D("99.99"),
        price_after=D("133.33"),
    )
    programme = ProgrammeFactory(title_th="โครงการ ก", fiscal_year=2570)
    for name in ("ก1", "ก2"):
        intake = IntakeFactory(
            programme=programme,
            name_th=name,
            opens_at=bangkok(2026, 10, 1),
            closes_at=bangkok(2026, 12, 31),
        )
        accepted = Enrolment.objects.create(
            intake=intake, enterprise=ko_kha, status=EnrolmentStatus.ACCEPTED
        )
        accepted.products.add(bowl)
    rejected = Enrolment.objects.create(
        intake=intake, enterprise=chiang_mai, status=EnrolmentStatus.REJECTED
    )
    rejected.products.add(vase)
    return {
        "designed": designed,
        "certified": certified,
        "lighter": lighter,
        "kiln": kiln,
        "programme": programme,
    }


def read_csv(job):
    with services.file_storage().open(job.file.name, "rb") as handle:
        data = handle.read()
    assert data.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read Thai"
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert all(len(row) == COLUMNS for row in rows)
    return rows


def test_upgrade_report_gives_each_record_with_its_uplift(officer_2fa):
    data = upgrade_data()
    job, outcome = build("upgrades", by=officer_2fa)
    assert outcome == services.DONE
    # It names the experts: downloads are logged.
    assert job.personal_data
    rows = read_csv(job)
    assert rows[0][0] == "เลขที่การยกระดับ"
    by_id = {int(row[0]): row for row in rows[1:]}
    assert len(by_id) == 4 == job.rows_written

    designed = by_id[data["designed"].pk]
    assert designed[1:6] == [
        "ชามตราไก่",
        data["designed"].product.category.name_th,
        "วิสาหกิจชุมชนเซรามิกบ้านเหมืองกุง",
        "ลำปาง",
        "เกาะคา",
    ]
    with translation.override("th"):
        assert designed[6] == str(UpgradeArea.DESIGN.label)
        assert designed[7] == str(UpgradeStage.COMMERCIALISED.label)
    assert designed[8] == "ลายไก่ร่วมสมัย"
    # What changed: on one line, cut to a length a cell can show, marked as cut.
    assert len(designed[9]) == WHAT_CHANGED_LENGTH
    assert designed[9].endswith("…")
    assert "\n" not in designed[9]
    assert designed[9].startswith("ปรับรูปทรงชามให้บางลงและเบาขึ้น เปลี่ยนเคลือบ")
    # The portal user's name wins over a typed one, as on the product page.
    assert designed[10] == "ดร.วิไล ช่างคิด" == data["designed"].expert_label
    assert designed[11:13] == ["2026-10-15", "2027-01-20"]
    # 85 -> 110 is +29.41 %; 12,000 -> 15,500 is +29.17 %: one decimal, as the page shows.
    assert designed[13:] == ["85.00", "110.00", "29.4", "12000.00", "15500.00", "29.2"]

    certified = by_id[data["certified"].pk]
    assert certified[9] == "ส่งทดสอบการละลายของตะกั่วและแคดเมียม"
    assert certified[10] == "อาจารย์สมพร ดินงาม"
    assert certified[12] == ""
    # No price before, no uplift; sales from nothing have no percentage either.
    assert certified[13:] == ["", "180.00", "", "0.00", "5000.00", ""]

    lighter = by_id[data["lighter"].pk]
    assert lighter[4:6] == ["เชียงใหม่", "เมืองเชียงใหม่"]
    # A summary starting with "-" stays text in Excel.
    assert lighter[8] == "'-30% น้ำหนัก"
    assert lighter[10] == ""
    assert lighter[13:] == ["200.00", "180.00", "-10.0", "", "", ""]

    kiln = by_id[data["kiln"].pk]
    assert kiln[5] == "เมืองลำปาง"
    # (133.33 - 99.99) / 99.99 = 33.343... %
    assert kiln[13:16] == ["99.99", "133.33", "33.3"]


def test_upgrade_report_uplift_matches_the_product_page(officer_2fa):
    data = upgrade_data()
    job, _ = build("upgrades", by=officer_2fa)
    by_id = {int(row[0]): row for row in read_csv(job)[1:]}
    for name in ("designed", "certified", "lighter", "kiln"):
        record = data[name]
        shown = [
            str(value) if value is not None else ""
            for value in (
                record.price_change,
                record.sales_change,
            )
        ]
        assert [by_id[record.pk][15], by_id[record.pk][18]] == shown, name


def test_upgrade_report_filters_by_place_period_and_programme(officer_2fa):
    data = upgrade_data()
    designed, certified, lighter, kiln = (
        data[name].pk for name in ("designed", "certified", "lighter", "kiln")
    )

    def ask(**filters):
        job, _ = build("upgrades", by=officer_2fa, filters=ReportFilters(**filters))
        rows = read_csv(job)[1:]
        ids = [int(row[0]) for row in rows]
        assert len(ids) == len(set(ids)), "a record is listed once"
        return set(ids)

    assert ask() == {designed, certified, lighter, kiln}
    assert ask(province="52") == {designed, certified, kiln}
    assert ask(province="52", district="5203") == {designed, certified}
    assert ask(province="50") == {lighter}
    # Fiscal years and date ranges read the day the work started.
    assert ask(fiscal_year=2570) == {designed, lighter, kiln}
    assert ask(fiscal_year=2569) == {certified}
    assert ask(date_from=datetime.date(2026, 10, 15), date_to=datetime.date(2026, 11, 1)) == {
        designed,
        lighter,
    }
    assert ask(fiscal_year=2570, date_to=datetime.date(2026, 10, 31)) == {designed}
    # By area and by stage.
    assert ask(area=UpgradeArea.STANDARDS) == {certified}
    assert ask(stage=UpgradeStage.PLAN) == {kiln}
    assert ask(area=UpgradeArea.DESIGN, stage=UpgradeStage.PLAN) == set()
    # A programme counts its enrolled products' work since their intake opened, once each.
    programme = data["programme"].pk
    assert ask(programme=programme) == set(counted_upgrades(programme).values_list("pk", flat=True))
    assert ask(programme=programme) == {designed}
    assert ask(programme=programme, province="50") == set()
    assert ask(programme=programme + 1000) == set()


def test_upgrade_report_as_xlsx_keeps_thai_and_numbers(officer_2fa):
    data = upgrade_data()
    job, _ = build("upgrades", "xlsx", by=officer_2fa)
    assert job.status == JobStatus.DONE
    with services.file_storage().open(job.file.name, "rb") as handle:
        workbook = openpyxl.load_workbook(io.BytesIO(handle.read()), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][15] == "ราคาที่เพิ่มขึ้น (%)"
    by_id = {row[0]: row for row in rows[1:]}
    assert len(by_id) == 4
    designed = by_id[data["designed"].pk]
    assert designed[1] == "ชามตราไก่"
    assert designed[11].date() == datetime.date(2026, 10, 15)
    assert designed[13:16] == (85, 110, pytest.approx(29.4))
    assert designed[18] == pytest.approx(29.2)
    certified = by_id[data["certified"].pk]
    assert (certified[13], certified[15]) == (None, None)
    # In a workbook the "-" summary is a text cell already.
    assert by_id[data["lighter"].pk][8] == "-30% น้ำหนัก"


def test_upgrade_report_in_english(officer_2fa):
    officer_2fa.language = "en"
    officer_2fa.save()
    data = upgrade_data()
    with translation.override("en"):
        job, _ = build("upgrades", by=officer_2fa)
    rows = read_csv(job)
    assert rows[0][15] == "Price uplift (%)"
    by_id = {int(row[0]): row for row in rows[1:]}
    designed = by_id[data["designed"].pk]
    assert designed[1] == "Rooster bowl"
    assert designed[3] == "Ban Mueang Kung"
    assert designed[6:8] == ["Design", "Commercialised"]
    # No English name: the Thai one.
    assert by_id[data["lighter"].pk][1] == "แจกันดินเผา"


def test_upgrade_report_is_for_officers_only(staff_2fa, faculty, student):
    for person in (staff_2fa, faculty, student):
        with pytest.raises(services.ReportRefused):
            services.request_report(
                report="upgrades", fmt="xlsx", filters=ReportFilters(), by=person
            )


def test_upgrade_report_reads_a_fixed_number_of_queries(django_assert_num_queries):
    report = REPORTS["upgrades"]
    programme = ProgrammeFactory()
    intake = IntakeFactory(programme=programme, opens_at=bangkok(2026, 1, 1))
    expert = UserFactory(role=Role.FACULTY)

    def add(n):
        for _ in range(n):
            product = ProductFactory()
            enrolment = Enrolment.objects.create(
                intake=intake, enterprise=product.enterprise, status=EnrolmentStatus.ACTIVE
            )
            enrolment.products.add(product)
            UpgradeRecordFactory(
                product=product, expert=expert, price_before=D("100"), price_after=D("125")
            )

    filters = ReportFilters(programme=programme.pk, province="52", fiscal_year=2569)

    def read():
        rows = list(report.rows(filters))
        assert report.count(filters) == len(rows)
        return rows

    add(3)
    with django_assert_num_queries(2):
        assert len(read()) == 3
    add(40)
    with django_assert_num_queries(2):
        rows = read()
    assert len(rows) == 43 == UpgradeRecord.objects.count()
    assert {row[15] for row in rows} == {D("25.0")}


def test_officer_asks_for_the_upgrade_report_in_the_form_and_the_download_is_logged(
    client, officer_2fa, django_capture_on_commit_callbacks
):
    data = upgrade_data()
    programme = data["programme"]
    sign_in(client, officer_2fa)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:job_create"),
            {
                "report": "upgrades",
                "format": "csv",
                "programme": programme.pk,
                # The report reads no intake: the job is kept without it.
                "intake": programme.intakes.first().pk,
                "fiscal_year": "2570",
            },
        )
    job = ReportJob.objects.get()
    assert response["Location"] == job.get_absolute_url()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert job.filters == {"programme": programme.pk, "fiscal_year": 2570}
    response = client.get(reverse("reports:job_download", args=[job.pk]))
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert [int(row[0]) for row in rows[1:]] == [data["designed"].pk]
    assert (ReportDownload.objects.get().job, ReportDownload.objects.get().user) == (
        job,
        officer_2fa,
    )
