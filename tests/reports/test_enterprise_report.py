"""The enterprises report: one row per enterprise, its place, state, products and contacts."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.utils import timezone, translation

from entrepreneurs.models import EnterpriseKind, Subdistrict, VerificationStatus
from entrepreneurs.validators import display_tax_id, hash_tax_id, tax_id_check_digit
from products.models import ProductStatus
from reports import services
from reports.filters import ReportFilters
from reports.models import JobStatus
from reports.registry import REPORTS
from tests.factories import EnterpriseFactory, ProductFactory, subdistrict

from .factories import CHIANG_MAI_SUBDISTRICT, build

pytestmark = pytest.mark.django_db

# Wiang Nuea in Mueang Lampang (5201): Lampang, but not Ko Kha.
MUEANG_LAMPANG_SUBDISTRICT = "520101"
HEADINGS = 16


def bangkok(year, month, day, hour=10, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=timezone.get_current_timezone())


def tax_id(first12):
    return first12 + str(tax_id_check_digit(first12))


def enterprise_data():
    """Four enterprises in three districts of two provinces, over two fiscal years.

    - cooperative: Ko Kha, community enterprise, FY 2570, verified, with a juristic tax ID,
      three products (two published, one draft).
    - artisan: Ko Kha, individual artisan, FY 2569, unverified, a person's tax ID (masked),
      no products; its LINE ID is typed as a formula.
    - chiang_mai: Mueang Chiang Mai, SME, registered at 00:30 on 1 October 2026 Bangkok time
      (still 30 September in UTC, yet FY 2570), one product published, one archived.
    - mueang: Mueang Lampang, OTOP producer group, FY 2570, inactive, one draft product.
    """
    juristic = tax_id("010555301234")
    person = tax_id("310050012345")
    cooperative = EnterpriseFactory(
        name_th="วิสาหกิจชุมชนเซรามิกบ้านเหมืองกุง",
        name_en="Ban Mueang Kung Ceramics",
        registration_code="452030110012",
        tax_id_hash=hash_tax_id(juristic),
        tax_id_display=display_tax_id(juristic),
        status=VerificationStatus.VERIFIED,
        status_changed_at=bangkok(2026, 11, 20, 14, 30),
        created_at=bangkok(2026, 11, 2),
        phone="054 281 234",
        line_id="@baanmuangkung",
    )
    artisan = EnterpriseFactory(
        kind=EnterpriseKind.ARTISAN,
        name_th="นายสมศักดิ์ ปั้นดี",
        name_en="",
        registration_code=None,
        tax_id_hash=hash_tax_id(person),
        tax_id_display=display_tax_id(person),
        created_at=bangkok(2026, 1, 10),
        phone="081 234 5678",
        line_id='=HYPERLINK("http://evil")',
    )
    chiang_mai = EnterpriseFactory(
        kind=EnterpriseKind.SME,
        name_th="บริษัท ดินดี จำกัด",
        name_en="Din Dee Co., Ltd.",
        subdistrict=subdistrict(CHIANG_MAI_SUBDISTRICT),
        created_at=bangkok(2026, 10, 1, 0, 30),
    )
    mueang = EnterpriseFactory(
        kind=EnterpriseKind.OTOP_GROUP,
        name_th="กลุ่มผู้ผลิตโอทอปเวียงเหนือ",
        subdistrict=subdistrict(MUEANG_LAMPANG_SUBDISTRICT),
        status=VerificationStatus.INACTIVE,
        status_changed_at=bangkok(2026, 12, 1),
        created_at=bangkok(2026, 11, 15),
    )
    for status in (ProductStatus.PUBLISHED, ProductStatus.PUBLISHED, ProductStatus.DRAFT):
        ProductFactory(enterprise=cooperative, status=status)
    ProductFactory(enterprise=chiang_mai, status=ProductStatus.PUBLISHED)
    ProductFactory(enterprise=chiang_mai, status=ProductStatus.ARCHIVED)
    ProductFactory(enterprise=mueang, status=ProductStatus.DRAFT)
    return {
        "cooperative": cooperative,
        "artisan": artisan,
        "chiang_mai": chiang_mai,
        "mueang": mueang,
        "juristic": juristic,
        "person": person,
    }


def read_csv(job):
    with services.file_storage().open(job.file.name, "rb") as handle:
        data = handle.read()
    assert data.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read Thai"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def body_by_id(job):
    rows = read_csv(job)
    assert all(len(row) == HEADINGS for row in rows)
    return {int(row[0]): row for row in rows[1:]}


def ids(job):
    return set(body_by_id(job))


def test_enterprise_report_lists_each_enterprise_with_its_numbers(officer_2fa):
    data = enterprise_data()
    job, outcome = build("enterprises", by=officer_2fa)
    assert outcome == services.DONE
    assert job.personal_data
    rows = read_csv(job)
    assert rows[0][:4] == ["เลขที่วิสาหกิจ", "ประเภท", "ชื่อ (ภาษาไทย)", "ชื่อ (ภาษาอังกฤษ)"]
    by_id = {int(row[0]): row for row in rows[1:]}
    assert len(by_id) == 4 == job.rows_written

    cooperative = by_id[data["cooperative"].pk]
    with translation.override("th"):
        assert cooperative[1] == str(EnterpriseKind.COMMUNITY_ENTERPRISE.label)
        assert cooperative[9] == str(VerificationStatus.VERIFIED.label)
    assert cooperative[2] == "วิสาหกิจชุมชนเซรามิกบ้านเหมืองกุง"
    assert cooperative[3] == "Ban Mueang Kung Ceramics"
    # As printed: Excel keeps it as text, where 12 bare digits would become 4.5203E+11.
    assert cooperative[4] == "4-52-03-01/1-0012"
    # A juristic tax ID in full.
    juristic = data["juristic"]
    assert cooperative[5] == f"0-{juristic[1:5]}-{juristic[5:10]}-{juristic[10:12]}-{juristic[12]}"
    assert cooperative[6:9] == ["ลำปาง", "เกาะคา", "ลำปางหลวง"]
    assert cooperative[10] == "2026-11-20 14:30:00"
    assert cooperative[11] == "2026-11-02"
    assert cooperative[12:14] == ["3", "2"]
    # A LINE official account's "@" could start a formula too: kept as text.
    assert cooperative[14:] == ["054 281 234", "'@baanmuangkung"]

    artisan = by_id[data["artisan"].pk]
    # A person's national ID, masked; its hash is never written.
    person = data["person"]
    assert artisan[5] == f"{person[0]}-xxxx-xxxxx-{person[10:12]}-{person[12]}"
    assert person not in str(rows)
    assert data["artisan"].tax_id_hash not in str(rows)
    assert artisan[3] == artisan[4] == artisan[10] == ""
    assert artisan[12:14] == ["0", "0"]
    # A LINE ID typed as a formula stays text in Excel.
    assert artisan[15] == '\'=HYPERLINK("http://evil")'

    chiang_mai = by_id[data["chiang_mai"].pk]
    assert chiang_mai[6] == "เชียงใหม่"
    # Registered on 1 October in Thailand, though still 30 September in UTC.
    assert chiang_mai[11] == "2026-10-01"
    # The archived product counts as a product, not as a published one.
    assert chiang_mai[12:14] == ["2", "1"]

    mueang = by_id[data["mueang"].pk]
    with translation.override("th"):
        assert mueang[9] == str(VerificationStatus.INACTIVE.label)
    assert mueang[12:14] == ["1", "0"]


def test_enterprise_report_filters_by_place_and_registration_date(officer_2fa):
    data = enterprise_data()
    everyone = {data[name].pk for name in ("cooperative", "artisan", "chiang_mai", "mueang")}

    def ask(**filters):
        job, _ = build("enterprises", by=officer_2fa, filters=ReportFilters(**filters))
        return ids(job)

    assert ask() == everyone
    assert ask(province="52") == everyone - {data["chiang_mai"].pk}
    assert ask(province="52", district="5203") == {data["cooperative"].pk, data["artisan"].pk}
    # Fiscal year 2570: 1 October 2026 to 30 September 2027, Bangkok days.
    assert ask(fiscal_year=2570) == everyone - {data["artisan"].pk}
    assert ask(fiscal_year=2569) == {data["artisan"].pk}
    # date_to includes its whole day; both filters together cover the days in both.
    assert ask(date_from=datetime.date(2026, 11, 2), date_to=datetime.date(2026, 11, 15)) == {
        data["cooperative"].pk,
        data["mueang"].pk,
    }
    assert ask(date_to=datetime.date(2026, 9, 30)) == {data["artisan"].pk}
    assert ask(fiscal_year=2570, date_to=datetime.date(2026, 11, 1)) == {data["chiang_mai"].pk}
    assert ask(fiscal_year=2570, province="52", district="5201") == {data["mueang"].pk}
    # By kind and by verification state.
    assert ask(kind=EnterpriseKind.ARTISAN) == {data["artisan"].pk}
    assert ask(verification=VerificationStatus.VERIFIED) == {data["cooperative"].pk}
    assert ask(verification=VerificationStatus.INACTIVE, province="52") == {data["mueang"].pk}
    assert ask(kind=EnterpriseKind.SME, province="52") == set()


def test_enterprise_report_as_xlsx_opens_with_thai_and_numbers(officer_2fa):
    data = enterprise_data()
    job, _ = build("enterprises", "xlsx", by=officer_2fa)
    assert job.status == JobStatus.DONE
    with services.file_storage().open(job.file.name, "rb") as handle:
        workbook = openpyxl.load_workbook(io.BytesIO(handle.read()), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][2] == "ชื่อ (ภาษาไทย)"
    by_id = {row[0]: row for row in rows[1:]}
    assert len(by_id) == 4
    cooperative = by_id[data["cooperative"].pk]
    assert cooperative[2] == "วิสาหกิจชุมชนเซรามิกบ้านเหมืองกุง"
    # Dates and counts are cells of their kind, not text.
    # Excel has no time zones: Bangkok wall time.
    assert cooperative[11].date() == datetime.date(2026, 11, 2)
    assert (cooperative[10].date(), cooperative[10].time()) == (
        datetime.date(2026, 11, 20),
        datetime.time(14, 30),
    )
    assert cooperative[12:14] == (3, 2)
    assert by_id[data["artisan"].pk][15] == '=HYPERLINK("http://evil")'


def test_enterprise_report_in_english_names_places_in_english(officer_2fa):
    officer_2fa.language = "en"
    officer_2fa.save()
    data = enterprise_data()
    with translation.override("en"):
        job, _ = build("enterprises", by=officer_2fa)
    rows = read_csv(job)
    assert rows[0][0] == "Enterprise no."
    cooperative = {int(row[0]): row for row in rows[1:]}[data["cooperative"].pk]
    ko_kha = Subdistrict.objects.select_related("district__province").get(code="520301")
    assert cooperative[1] == "Community enterprise"
    assert cooperative[6:9] == [
        ko_kha.district.province.name_en,
        ko_kha.district.name_en,
        ko_kha.name_en,
    ]
    assert cooperative[9] == "Verified"


def test_enterprise_report_is_for_officers_only(staff_2fa, faculty, student):
    enterprise_data()
    for person in (staff_2fa, faculty, student):
        with pytest.raises(services.ReportRefused):
            services.request_report(
                report="enterprises", fmt="csv", filters=ReportFilters(), by=person
            )


def test_enterprise_report_reads_a_fixed_number_of_queries(django_assert_num_queries):
    report = REPORTS["enterprises"]

    def add(n):
        for _ in range(n):
            enterprise = EnterpriseFactory()
            ProductFactory(enterprise=enterprise, status=ProductStatus.PUBLISHED)
            ProductFactory(enterprise=enterprise)

    def read():
        rows = list(report.rows(ReportFilters(province="52")))
        assert report.count(ReportFilters(province="52")) == len(rows)
        return rows

    add(3)
    with django_assert_num_queries(2):
        assert len(read()) == 3
    add(40)
    with django_assert_num_queries(2):
        rows = read()
    assert len(rows) == 43
    assert {tuple(row[12:14]) for row in rows} == {(2, 1)}
