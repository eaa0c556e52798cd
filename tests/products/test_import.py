"""Bulk import of products: each row finds its enterprise; products arrive as drafts."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from entrepreneurs.validators import display_tax_id, hash_tax_id, tax_id_check_digit
from products.importing import ProductImporter
from products.models import ClayBody, Product, ProductStatus
from tests.conftest import sign_in
from tests.factories import EnterpriseFactory, ProductFactory
from toolkit import importing
from toolkit.importing import import_rows
from toolkit.models import AuditEntry

UPLOAD = reverse("products:import_upload")
PREVIEW = reverse("products:import_preview")
CONFIRM = reverse("products:import_confirm")
CANCEL = reverse("products:import_cancel")
TEMPLATE = reverse("products:import_template")

HEADINGS = {
    "enterprise_code": "รหัสทะเบียนวิสาหกิจชุมชน",
    "enterprise_tax_id": "เลขประจำตัวผู้เสียภาษี",
    "name_th": "ชื่อผลิตภัณฑ์",
    "name_en": "ชื่อภาษาอังกฤษ",
    "category": "หมวดหมู่",
    "unit_price": "ราคาต่อหน่วย",
    "monthly_capacity": "กำลังการผลิตต่อเดือน",
    "otop_stars": "ระดับดาว OTOP",
    "otop_year": "ปีที่คัดสรร",
    "clay_body": "ชนิดดิน",
    "glaze_temperature": "อุณหภูมิเผา",
    "orton_cone": "โคนออร์ตัน",
    "lead_free_glaze": "ปลอดสารตะกั่ว",
}
CODE = "452030610001"
TAX_ID = "0525561000123"


def row(n, **changes):
    values = {
        "enterprise_code": "4-52-03-06/1-0001",
        "name_th": f"ชามตราไก่ {n}",
        "name_en": f"Rooster bowl {n}",
        "category": "ชามตราไก่",
        "unit_price": "120",
        "monthly_capacity": "500",
        "otop_stars": "4",
        "otop_year": "2566",
        "clay_body": "ดินขาวลำปาง",
        "glaze_temperature": "1230",
        "orton_cone": "06",
        "lead_free_glaze": "ใช่",
    }
    values.update(changes)
    return values


def csv_file(rows):
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(HEADINGS.values())
    for values in rows:
        writer.writerow([values.get(name, "") for name in HEADINGS])
    return out.getvalue().encode()


def upload(client, content, name="products.csv"):
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, content)})


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def officer_client(officer_client, officer_2fa):
    # Messages are asserted in English; the Thai catalogue is written later.
    officer_2fa.language = "en"
    officer_2fa.save(update_fields=["language"])
    return officer_client


@pytest.fixture
def enterprise(db):
    return EnterpriseFactory(registration_code=CODE, name_en="Ko Kha Rooster Group")


@pytest.fixture
def artisan(db):
    """An enterprise known by its tax ID only."""
    tax_id = "352010012345"
    tax_id += str(tax_id_check_digit(tax_id))
    return EnterpriseFactory(
        tax_id_hash=hash_tax_id(tax_id), tax_id_display=display_tax_id(tax_id), name_en="Potter"
    ), tax_id


# --- Who may import ----------------------------------------------------------------------


@pytest.mark.parametrize("url", [UPLOAD, PREVIEW, TEMPLATE])
def test_product_import_sends_anonymous_to_login(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("person", ["owner", "outsider", "faculty", "staff_2fa"])
def test_product_import_is_forbidden_to_other_roles(client, request, person):
    sign_in(client, request.getfixturevalue(person))
    assert client.get(UPLOAD).status_code == 403
    assert client.post(CONFIRM).status_code == 403


def test_product_import_requires_two_factor_for_officers(client, officer):
    sign_in(client, officer)
    assert client.get(UPLOAD)["Location"] == reverse("mfa_activate_totp")


# --- Import ------------------------------------------------------------------------------


def test_product_import_creates_drafts_with_the_specification(
    officer_client, officer_2fa, enterprise, artisan
):
    artisan_enterprise, tax_id = artisan
    rows = [
        row(1, unit_price="1,250.50 บาท", lead_free_glaze="no"),
        row(2, enterprise_code="", enterprise_tax_id=tax_id, otop_year="2023", orton_cone="6"),
    ]
    upload(officer_client, csv_file(rows))
    assert officer_client.get(PREVIEW).context["preview"].bad == []
    response = officer_client.post(CONFIRM)
    assert messages_of(response) == ["2 products imported as drafts, 0 rows skipped."]

    first = Product.objects.get(name_th="ชามตราไก่ 1")
    assert first.enterprise == enterprise
    assert first.status == ProductStatus.DRAFT
    assert first.category.code == "tableware-chicken-bowl"
    assert first.hs_code == "6912"
    assert first.unit_price == Decimal("1250.50")
    assert first.monthly_capacity == 500
    assert (first.otop_stars, first.otop_year) == (4, 2023)
    assert first.clay_body == ClayBody.LAMPANG_KAOLIN
    assert first.glaze_temperature == 1230
    assert first.orton_cone == "06"
    assert first.lead_free_glaze is False
    assert first.created_by == officer_2fa
    assert first.search_text == first.build_search_text()

    second = Product.objects.get(name_th="ชามตราไก่ 2")
    assert second.enterprise == artisan_enterprise
    assert (second.otop_year, second.orton_cone, second.lead_free_glaze) == (2023, "6", True)

    (audit,) = AuditEntry.objects.all()
    assert audit.action == "products.imported"
    assert (audit.data["imported"], audit.data["skipped"]) == (2, 0)


def test_product_import_keeps_xlsx_cones_as_typed(officer_client, enterprise):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(HEADINGS.values()))
    # A cone typed as a number arrives as 6; one typed in a text cell stays "06".
    for values in [row(1, orton_cone=6), row(2), row(3, otop_year=2566, otop_stars=5)]:
        sheet.append([values.get(name) for name in HEADINGS])
    sheet["L3"].number_format = "@"
    out = io.BytesIO()
    workbook.save(out)
    upload(officer_client, out.getvalue(), "products.xlsx")
    officer_client.post(CONFIRM)
    assert dict(Product.objects.values_list("name_th", "orton_cone")) == {
        "ชามตราไก่ 1": "6",
        "ชามตราไก่ 2": "06",
        "ชามตราไก่ 3": "06",
    }
    assert Product.objects.get(name_th="ชามตราไก่ 3").otop_year == 2023


def test_product_preview_lists_each_bad_row_with_its_reasons(officer_client, enterprise):
    ProductFactory(enterprise=enterprise, name_th="ชามเดิม")
    rows = [
        row(1),
        row(2, enterprise_code="4-52-03-06/1-9999"),
        row(3, enterprise_code="", enterprise_tax_id=""),
        row(4, category="ภาชนะบนโต๊ะอาหาร"),  # a group, not a type
        row(5, category="จานบิน"),
        row(6, otop_stars="6"),
        row(7, orton_cone="6a"),
        row(8, lead_free_glaze="บางส่วน"),
        row(9, name_th="ชามตราไก่ 1"),
        row(10, name_th="ชามเดิม"),
        row(11, otop_year="2530"),
        row(12, clay_body="แก้ว"),
        row(13, otop_year=""),
    ]
    upload(officer_client, csv_file(rows))
    response = officer_client.get(PREVIEW)
    preview = response.context["preview"]
    reasons = {r.number - 1: r.errors for r in preview.bad}

    assert [r.number for r in preview.good] == [2]
    assert reasons[2] == [
        ("รหัสทะเบียนวิสาหกิจชุมชน", "No enterprise is registered with the code 452030619999.")
    ]
    assert reasons[3] == [
        ("รหัสทะเบียนวิสาหกิจชุมชน", "Give the enterprise's registration code or its tax ID.")
    ]
    assert reasons[4][0][0] == "หมวดหมู่"
    assert "is a group, not a product type" in reasons[4][0][1]
    assert "No category is named “จานบิน”" in reasons[5][0][1]
    assert reasons[6] == [("ระดับดาว OTOP", "Ensure this value is less than or equal to 5.")]
    assert "6a is not an Orton cone" in reasons[7][0][1]
    assert reasons[8] == [("ปลอดสารตะกั่ว", "Write ใช่ or ไม่ใช่ (yes or no).")]
    assert reasons[9] == [("ชื่อผลิตภัณฑ์", "The same as row 2.")]
    assert reasons[10] == [
        ("ชื่อผลิตภัณฑ์", "Ko Kha Rooster Group already has a product named “ชามเดิม”.")
    ]
    assert reasons[11][0][0] == "ปีที่คัดสรร"
    assert reasons[12][0][0] == "ชนิดดิน"
    assert reasons[13] == [("ปีที่คัดสรร", "Give the year of the round that gave the stars.")]
    assert "Import 1 row" in response.content.decode()
    assert Product.objects.count() == 1


def test_product_import_refuses_a_file_without_an_enterprise_column(officer_client):
    content = "ชื่อผลิตภัณฑ์,หมวดหมู่\nชาม,ชามตราไก่\n".encode()
    response = upload(officer_client, content)
    assert (
        "The file needs a column to find each enterprise"
        in (response.context["form"].errors["file"][0])
    )


def test_product_confirm_writes_nothing_when_a_batch_fails(officer_2fa, enterprise, monkeypatch):
    monkeypatch.setattr(importing, "BATCH_SIZE", 2)
    real_bulk_create = Product.objects.bulk_create
    calls = []

    def failing_bulk_create(objs, *args, **kwargs):
        calls.append(len(objs))
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real_bulk_create(objs, *args, **kwargs)

    monkeypatch.setattr(Product.objects, "bulk_create", failing_bulk_create)
    with pytest.raises(RuntimeError):
        import_rows(
            importer=ProductImporter(),
            content=csv_file([row(n) for n in range(1, 6)]),
            fmt="csv",
            file_name="x.csv",
            by=officer_2fa,
        )
    assert calls == [2, 2]
    assert not Product.objects.exists()
    assert not AuditEntry.objects.exists()


def test_product_one_tap_cancel_asks_and_keeps_the_upload(officer_client, enterprise):
    upload(officer_client, csv_file([row(1)]))
    response = officer_client.post(CANCEL)
    assert response.status_code == 200
    assert 'name="confirmed" value="yes"' in response.content.decode()
    assert officer_client.get(PREVIEW).status_code == 200
    assert not Product.objects.exists()


def test_product_cancel_writes_nothing(officer_client, enterprise):
    upload(officer_client, csv_file([row(1)]))
    officer_client.post(CANCEL, {"confirmed": "yes"})
    assert officer_client.post(CONFIRM)["Location"] == UPLOAD
    assert not Product.objects.exists()


@pytest.mark.parametrize("rows", [10, 200])
def test_product_confirm_query_count_does_not_grow_with_rows(
    officer_client, enterprise, django_assert_max_num_queries, rows
):
    upload(officer_client, csv_file([row(n) for n in range(1, rows + 1)]))
    # SQLite takes at most 999 parameters a statement, so Django splits 200 rows into
    # a few INSERTs; the count still does not grow row by row.
    with django_assert_max_num_queries(24):
        officer_client.post(CONFIRM)
    assert Product.objects.count() == rows


# --- Template file -----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_product_template_example_imports_cleanly(officer_client, enterprise, fmt):
    response = officer_client.get(TEMPLATE, {"format": fmt})
    assert "attachment" in response["Content-Disposition"]
    if fmt == "xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
        assert sheet["A1"].value == "รหัสทะเบียนวิสาหกิจชุมชน"
        assert sheet.max_row == 2
    else:
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows[0][0] == "รหัสทะเบียนวิสาหกิจชุมชน"
        assert len(rows) == 2

    upload(officer_client, response.content, f"template.{fmt}")
    preview = officer_client.get(PREVIEW).context["preview"]
    assert (len(preview.good), len(preview.bad)) == (1, 0)
    officer_client.post(CONFIRM)
    product = Product.objects.get()
    assert product.enterprise == enterprise
    assert product.orton_cone == "06"
    assert product.status == ProductStatus.DRAFT


def test_product_template_follows_the_enterprise_template(officer_client):
    """The two example rows belong together: import enterprises, then products."""
    enterprises = officer_client.get(reverse("entrepreneurs:import_template"), {"format": "xlsx"})
    officer_client.post(
        reverse("entrepreneurs:import_upload"),
        {"file": SimpleUploadedFile("enterprises.xlsx", enterprises.content)},
    )
    officer_client.post(reverse("entrepreneurs:import_confirm"))
    products = officer_client.get(TEMPLATE, {"format": "xlsx"})
    upload(officer_client, products.content, "products.xlsx")
    officer_client.post(CONFIRM)
    assert Product.objects.get().enterprise.registration_code == CODE
