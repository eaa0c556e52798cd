"""Bulk import of enterprises: upload, preview with the bad rows, confirm, cancel, template."""

import csv
import io

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from entrepreneurs.importing import EnterpriseImporter
from entrepreneurs.models import Enterprise, EnterpriseKind
from entrepreneurs.validators import display_tax_id, hash_tax_id, tax_id_check_digit
from tests.conftest import sign_in
from tests.factories import EnterpriseFactory
from toolkit import importing, spreadsheets
from toolkit.importing import import_rows
from toolkit.models import AuditEntry

UPLOAD = reverse("entrepreneurs:import_upload")
PREVIEW = reverse("entrepreneurs:import_preview")
CONFIRM = reverse("entrepreneurs:import_confirm")
CANCEL = reverse("entrepreneurs:import_cancel")
TEMPLATE = reverse("entrepreneurs:import_template")

HEADINGS = {
    "name_th": "ชื่อวิสาหกิจ",
    "name_en": "ชื่อภาษาอังกฤษ",
    "kind": "ประเภท",
    "registration_code": "รหัสทะเบียนวิสาหกิจชุมชน",
    "tax_id": "เลขประจำตัวผู้เสียภาษี",
    "address_line": "ที่อยู่",
    "subdistrict": "ตำบล",
    "district": "อำเภอ",
    "province": "จังหวัด",
    "postal_code": "รหัสไปรษณีย์",
    "phone": "โทรศัพท์",
    "line_id": "LINE ID",
}


def tax_id(n):
    first12 = f"0525{n:08d}"
    return first12 + str(tax_id_check_digit(first12))


def row(n, **changes):
    """A good row for an enterprise in tambon Ko Kha (520306); `changes` by field name."""
    values = {
        "name_th": f"วิสาหกิจชุมชนปั้นดินเกาะคา {n}",
        "name_en": f"Ko Kha Clay {n}",
        "kind": "วิสาหกิจชุมชน",
        "registration_code": f"4-52-03-06/1-{n:04d}",
        "tax_id": tax_id(n),
        "address_line": "12 หมู่ 3",
        "subdistrict": "เกาะคา",
        "district": "เกาะคา",
        "province": "ลำปาง",
        "postal_code": "52130",
        "phone": "054 281 234",
        "line_id": "@kokha",
    }
    values.update(changes)
    return values


def csv_file(rows, encoding="utf-8"):
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(HEADINGS.values())
    for values in rows:
        writer.writerow([values.get(name, "") for name in HEADINGS])
    return out.getvalue().encode(encoding)


def xlsx_file(rows, headings=HEADINGS):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(headings.values()))
    for values in rows:
        sheet.append([values.get(name) for name in headings])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(client, content, name="enterprises.csv"):
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, content)})


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def stored_files():
    storage = storages["private"]
    return storage.listdir("imports")[1] if storage.exists("imports") else []


@pytest.fixture
def officer_client(officer_client, officer_2fa):
    # Messages are asserted in English; the Thai catalogue is written later.
    officer_2fa.language = "en"
    officer_2fa.save(update_fields=["language"])
    return officer_client


# --- Who may import ----------------------------------------------------------------------


@pytest.mark.parametrize("url", [UPLOAD, PREVIEW, TEMPLATE])
def test_import_pages_send_anonymous_to_login(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("person", ["owner", "outsider", "student", "faculty", "staff_2fa"])
@pytest.mark.parametrize("url", [UPLOAD, PREVIEW, TEMPLATE])
def test_import_pages_are_forbidden_to_other_roles(client, request, person, url):
    sign_in(client, request.getfixturevalue(person))
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("person", ["owner", "outsider"])
def test_import_confirm_is_forbidden_to_entrepreneurs(client, request, person):
    sign_in(client, request.getfixturevalue(person))
    assert client.post(CONFIRM).status_code == 403
    assert client.post(CANCEL).status_code == 403


def test_import_requires_two_factor_for_officers(client, officer):
    sign_in(client, officer)
    response = upload(client, csv_file([row(1)]))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    assert not Enterprise.objects.exists()
    assert stored_files() == []


def test_import_confirm_rejects_get(officer_client):
    assert officer_client.get(CONFIRM).status_code == 405


def test_upload_page_lists_columns_and_templates(officer_client):
    response = officer_client.get(UPLOAD)
    assert response.status_code == 200
    page = response.content.decode()
    assert "ชื่อวิสาหกิจ" in page
    assert f"{TEMPLATE}?format=xlsx" in page
    assert f"{TEMPLATE}?format=csv" in page


# --- Reading each kind of file -------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (csv_file([row(1), row(2)]), "utf8.csv"),
        (csv_file([row(1), row(2)], encoding="utf-8-sig"), "bom.csv"),
        (csv_file([row(1), row(2)], encoding="cp874"), "windows-874.csv"),
        (xlsx_file([row(1), row(2)]), "enterprises.xlsx"),
    ],
    ids=["csv-utf8", "csv-bom", "csv-cp874", "xlsx"],
)
def test_import_reads_csv_in_each_encoding_and_xlsx(officer_client, officer_2fa, content, name):
    response = upload(officer_client, content, name)
    assert response.status_code == 302
    assert response["Location"] == PREVIEW

    preview = officer_client.get(PREVIEW).context["preview"]
    assert [r.number for r in preview.good] == [2, 3]
    assert preview.bad == []

    response = officer_client.post(CONFIRM)
    assert response["Location"] == UPLOAD
    enterprise = Enterprise.objects.get(registration_code="452030610001")
    assert enterprise.name_th == "วิสาหกิจชุมชนปั้นดินเกาะคา 1"
    assert enterprise.kind == EnterpriseKind.COMMUNITY_ENTERPRISE
    assert (enterprise.subdistrict_id, enterprise.district_id, enterprise.province_id) == (
        "520306",
        "5203",
        "52",
    )
    assert enterprise.postal_code == "52130"
    assert enterprise.tax_id_hash == hash_tax_id(tax_id(1))
    assert enterprise.tax_id_display == display_tax_id(tax_id(1))
    assert enterprise.search_text == enterprise.build_search_text()
    assert "ko kha clay 1" in enterprise.search_text
    assert enterprise.created_by == officer_2fa
    assert Enterprise.objects.count() == 2


def test_import_restores_leading_zeros_excel_dropped(officer_client):
    # Typed as numbers, the juristic tax ID and the phone lose their leading 0.
    content = xlsx_file([row(1, tax_id=int(tax_id(1)), phone=54281234, postal_code=52130)])
    upload(officer_client, content, "numbers.xlsx")
    officer_client.post(CONFIRM)
    enterprise = Enterprise.objects.get()
    assert enterprise.tax_id_hash == hash_tax_id(tax_id(1))
    assert enterprise.phone == "054281234"
    assert enterprise.postal_code == "52130"


def test_import_finds_headings_below_a_title_and_keeps_sheet_row_numbers(officer_client):
    text = "รายชื่อวิสาหกิจชุมชน จังหวัดลำปาง\n\n" + csv_file([row(1), row(2, name_th="")]).decode()
    upload(officer_client, text.encode())
    preview = officer_client.get(PREVIEW).context["preview"]
    assert [r.number for r in preview.good] == [4]
    assert [r.number for r in preview.bad] == [5]


def test_import_accepts_english_headings_and_labels(officer_client):
    headings = {
        "name_th": "Name",
        "kind": "Type",
        "subdistrict": "Tambon",
        "district": "District",
        "province": "Province",
        "line_id": "line_id",
    }
    values = {
        "name_th": "Pottery group",
        "kind": "Individual artisan",
        "subdistrict": "Ko Kha",
        "district": "Amphoe Ko Kha",
        "province": "Lampang",
        "line_id": "potter",
    }
    upload(officer_client, xlsx_file([values], headings), "english.xlsx")
    officer_client.post(CONFIRM)
    enterprise = Enterprise.objects.get()
    assert enterprise.kind == EnterpriseKind.ARTISAN
    assert enterprise.subdistrict_id == "520306"
    assert enterprise.postal_code == "52130"  # the subdistrict's only postal code
    assert enterprise.line_id == "potter"


def test_import_resolves_prefixed_names_and_the_mueang_district(officer_client):
    # ต.พระบาท is in อ.เมืองลำปาง; officers write the capital district as "อ.เมือง".
    values = row(
        1, subdistrict="ต.พระบาท", district="อ.เมือง", province="จ.ลำปาง", postal_code="52000"
    )
    upload(officer_client, csv_file([values]))
    officer_client.post(CONFIRM)
    assert Enterprise.objects.get().subdistrict.name_th == "พระบาท"
    assert Enterprise.objects.get().district_id == "5201"


def test_import_accepts_the_subdistrict_code_column(officer_client):
    headings = {"name_th": "ชื่อวิสาหกิจ", "kind": "ประเภท", "code": "รหัสตำบล"}
    good = {"name_th": "กลุ่ม ก", "kind": "SME", "code": "520301"}
    unknown = {"name_th": "กลุ่ม ข", "kind": "SME", "code": "529999"}
    upload(officer_client, xlsx_file([good, unknown], headings), "codes.xlsx")
    preview = officer_client.get(PREVIEW).context["preview"]
    assert [r.number for r in preview.good] == [2]
    assert preview.bad[0].errors == [("รหัสตำบล", "No subdistrict has the code 529999.")]
    officer_client.post(CONFIRM)
    assert Enterprise.objects.get().subdistrict_id == "520301"


def test_import_refuses_names_that_contradict_the_subdistrict_code(officer_client):
    headings = {**HEADINGS, "code": "รหัสตำบล"}
    content = xlsx_file([row(1, code="520301", district="เถิน")], headings)
    upload(officer_client, content, "mixed.xlsx")
    (bad,) = officer_client.get(PREVIEW).context["preview"].bad
    assert bad.errors[0][0] == "อำเภอ"
    assert "Subdistrict code 520301 is Lampang Luang" in bad.errors[0][1]


# --- The preview: bad rows and their reasons ---------------------------------------------


def test_preview_lists_each_bad_row_with_its_reasons(officer_client):
    EnterpriseFactory(registration_code="452030610007", name_en="Old Kiln Group")
    rows = [
        row(1),
        row(2, tax_id=tax_id(2)[:12] + str((int(tax_id(2)[12]) + 1) % 10)),
        row(3, registration_code="4-52-03"),
        row(4, district="อำเภอไม่มีจริง"),
        row(5, district="เถิน", subdistrict="ไหล่หิน"),  # ไหล่หิน is in Ko Kha
        row(6, tax_id=tax_id(1)),
        row(7),
        row(8, name_th=""),
        row(9, postal_code="50000"),
        row(10, kind="สหกรณ์"),
    ]
    upload(officer_client, csv_file(rows))
    response = officer_client.get(PREVIEW)
    preview = response.context["preview"]
    reasons = {r.number - 1: r.errors for r in preview.bad}

    assert [r.number for r in preview.good] == [2]
    assert reasons[2] == [
        ("เลขประจำตัวผู้เสียภาษี", "This tax ID's check digit is wrong: check each digit again.")
    ]
    assert reasons[3][0][0] == "รหัสทะเบียนวิสาหกิจชุมชน"
    assert "has 12 digits" in reasons[3][0][1]
    assert reasons[4] == [("อำเภอ", "Lampang has no district named “อำเภอไม่มีจริง”.")]
    assert reasons[5][0][0] == "ตำบล"
    assert (
        "Thoen has no subdistrict named “ไหล่หิน”; there is one in Ko Kha, Lampang"
        in (reasons[5][0][1])
    )
    assert reasons[6] == [("เลขประจำตัวผู้เสียภาษี", "The same as row 2.")]
    assert reasons[7] == [("รหัสทะเบียนวิสาหกิจชุมชน", "Already registered as Old Kiln Group.")]
    assert reasons[8] == [("ชื่อวิสาหกิจ", "This field is required.")]
    assert "is not a postal code of Ko Kha; it has 52130" in reasons[9][0][1]
    assert reasons[10][0][0] == "ประเภท"
    assert "“สหกรณ์” is not one of" in reasons[10][0][1]

    page = response.content.decode()
    assert "Rows with problems" in page
    assert "This tax ID&#x27;s check digit is wrong" in page
    assert "Import 1 row" in page


def test_preview_warns_of_unknown_tambon_digits_but_imports_the_row(officer_client):
    upload(officer_client, csv_file([row(1, registration_code="4-99-99-99/1-0001")]))
    response = officer_client.get(PREVIEW)
    (warned,) = response.context["preview"].warned
    assert "The digits 999999 of this registration code name no current subdistrict" in str(
        warned.warnings[0]
    )
    assert "Warnings" in response.content.decode()
    officer_client.post(CONFIRM)
    assert Enterprise.objects.get().registration_code == "499999910001"


@pytest.mark.parametrize("rows", [5, 60])
def test_preview_of_old_codes_does_not_query_row_by_row(
    officer_client, django_assert_max_num_queries, rows
):
    old_codes = [row(n, registration_code=f"4-99-99-99/1-{n:04d}") for n in range(1, rows + 1)]
    upload(officer_client, csv_file(old_codes))
    with django_assert_max_num_queries(25):
        response = officer_client.get(PREVIEW)
    assert len(response.context["preview"].warned) == rows


def test_preview_writes_nothing_and_keeps_the_file_privately(officer_client):
    upload(officer_client, csv_file([row(1), row(2)]))
    officer_client.get(PREVIEW)
    officer_client.get(PREVIEW)
    assert not Enterprise.objects.exists()
    assert not AuditEntry.objects.exists()
    (name,) = stored_files()
    assert officer_client.session["import:enterprises"]["file"] == f"imports/{name}"


def test_preview_without_upload_sends_back_to_upload(officer_client):
    response = officer_client.get(PREVIEW)
    assert response["Location"] == UPLOAD
    assert messages_of(response) == ["Upload a file to import first."]


def test_preview_offers_no_import_when_every_row_is_bad(officer_client):
    upload(officer_client, csv_file([row(1, name_th="")]))
    page = officer_client.get(PREVIEW).content.decode()
    assert "No row can be imported" in page
    assert f'action="{CONFIRM}"' not in page


# --- Confirm and cancel ------------------------------------------------------------------


def test_confirm_imports_only_the_good_rows_audited_once(officer_client, officer_2fa):
    upload(officer_client, csv_file([row(1), row(2, name_th=""), row(3)]), "ลำปาง.csv")
    response = officer_client.post(CONFIRM)

    assert set(Enterprise.objects.values_list("registration_code", flat=True)) == {
        "452030610001",
        "452030610003",
    }
    assert messages_of(response) == ["2 enterprises imported, 1 row skipped."]
    (audit,) = AuditEntry.objects.all()
    assert audit.actor == officer_2fa
    assert audit.action == "enterprises.imported"
    assert audit.data["file"] == "ลำปาง.csv"
    assert (audit.data["imported"], audit.data["skipped"]) == (2, 1)
    assert sorted(audit.data["ids"]) == sorted(Enterprise.objects.values_list("pk", flat=True))
    assert stored_files() == []
    assert "import:enterprises" not in officer_client.session

    # A second confirm has nothing left to import.
    response = officer_client.post(CONFIRM)
    assert response["Location"] == UPLOAD
    assert Enterprise.objects.count() == 2


def test_confirm_checks_again_against_what_changed_since_the_preview(officer_client):
    upload(officer_client, csv_file([row(1), row(2)]))
    officer_client.get(PREVIEW)
    EnterpriseFactory(registration_code="452030610002")
    response = officer_client.post(CONFIRM)
    assert messages_of(response) == ["1 enterprise imported, 1 row skipped."]
    assert Enterprise.objects.filter(registration_code="452030610001").exists()


def test_confirm_writes_nothing_when_a_batch_fails(officer_2fa, monkeypatch):
    monkeypatch.setattr(importing, "BATCH_SIZE", 2)
    real_bulk_create = Enterprise.objects.bulk_create
    calls = []

    def failing_bulk_create(objs, *args, **kwargs):
        calls.append(len(objs))
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real_bulk_create(objs, *args, **kwargs)

    monkeypatch.setattr(Enterprise.objects, "bulk_create", failing_bulk_create)
    content = csv_file([row(n) for n in range(1, 6)])
    with pytest.raises(RuntimeError):
        import_rows(
            importer=EnterpriseImporter(),
            content=content,
            fmt="csv",
            file_name="x.csv",
            by=officer_2fa,
        )
    assert calls == [2, 2]
    assert not Enterprise.objects.exists()
    assert not AuditEntry.objects.exists()


def test_confirm_reports_a_registration_that_raced_it(officer_client, monkeypatch):
    upload(officer_client, csv_file([row(1)]))
    EnterpriseFactory(registration_code="452030610001")
    real_prepare = EnterpriseImporter.prepare

    def blind_prepare(self, sheet, *, lock=False):
        # As if the other registration committed between the check and the insert.
        context = real_prepare(self, sheet, lock=lock)
        context.taken_codes.clear()
        return context

    monkeypatch.setattr(EnterpriseImporter, "prepare", blind_prepare)
    response = officer_client.post(CONFIRM)
    assert response["Location"] == PREVIEW
    assert messages_of(response) == [
        "Some rows were registered by someone else meanwhile. Check them again."
    ]
    assert Enterprise.objects.count() == 1
    assert not AuditEntry.objects.exists()
    assert len(stored_files()) == 1


def test_cancel_on_the_preview_asks_before_discarding(officer_client):
    upload(officer_client, csv_file([row(1)]))
    preview = officer_client.get(PREVIEW).content.decode()
    assert f'href="{CANCEL}"' in preview

    response = officer_client.get(CANCEL)

    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="confirmed" value="yes"' in page
    assert f'href="{PREVIEW}"' in page
    assert len(stored_files()) == 1


def test_a_one_tap_cancel_keeps_the_upload(officer_client):
    upload(officer_client, csv_file([row(1)]))

    response = officer_client.post(CANCEL)

    assert response.status_code == 200
    assert 'name="confirmed" value="yes"' in response.content.decode()
    assert len(stored_files()) == 1
    assert officer_client.get(PREVIEW).status_code == 200


def test_cancel_without_an_upload_goes_back_to_upload(officer_client):
    response = officer_client.get(CANCEL)
    assert response["Location"] == UPLOAD
    assert stored_files() == []


def test_confirmed_cancel_deletes_the_stored_file(officer_client):
    upload(officer_client, csv_file([row(1)]))
    assert len(stored_files()) == 1
    response = officer_client.post(CANCEL, {"confirmed": "yes"})
    assert response["Location"] == UPLOAD
    assert messages_of(response) == ["The import was cancelled; nothing was saved."]
    assert stored_files() == []
    assert not Enterprise.objects.exists()
    assert officer_client.get(PREVIEW)["Location"] == UPLOAD


def test_a_new_upload_replaces_the_previous_one(officer_client):
    upload(officer_client, csv_file([row(1)]))
    upload(officer_client, csv_file([row(2)]))
    assert len(stored_files()) == 1
    officer_client.post(CONFIRM)
    assert list(Enterprise.objects.values_list("registration_code", flat=True)) == ["452030610002"]


@pytest.mark.parametrize("rows", [10, 200])
def test_confirm_query_count_does_not_grow_with_rows(
    officer_client, django_assert_max_num_queries, rows
):
    upload(officer_client, csv_file([row(n) for n in range(1, rows + 1)]))
    # SQLite takes at most 999 parameters a statement, so Django splits 200 rows into
    # a few INSERTs; the count still does not grow row by row.
    with django_assert_max_num_queries(20):
        officer_client.post(CONFIRM)
    assert Enterprise.objects.count() == rows


# --- Files that cannot be imported -------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("list.pdf", b"%PDF-1.4", "Upload a CSV file or an Excel workbook (.xlsx)."),
        ("list.xls", b"\xd0\xcf\x11\xe0", "Old Excel files (.xls) cannot be read"),
        ("list.xlsx", b"not a zip file", "This file could not be read."),
        ("list.csv", b"\x00\x01\xdb\xfc", "The text of this CSV file could not be read."),
        ("list.csv", csv_file([]), "The file has headings but no rows."),
        ("list.csv", b"a,b\n1,2\n", "No column headings were recognised."),
        ("list.csv", "ชื่อวิสาหกิจ,จังหวัด\nก,ลำปาง\n".encode(), "no column for: ประเภท"),
        (
            "list.csv",
            "ชื่อวิสาหกิจ,ประเภท,จังหวัด\nก,SME,ลำปาง\n".encode(),
            "The file needs the columns จังหวัด, อำเภอ and ตำบล",
        ),
        (
            "list.csv",
            "ชื่อวิสาหกิจ,ชื่อ,ประเภท\n".encode(),
            "The columns “ชื่อวิสาหกิจ” and “ชื่อ” both mean",
        ),
    ],
)
def test_upload_refuses_files_it_cannot_read_with_a_message(officer_client, name, content, message):
    response = upload(officer_client, content, name)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["file"])
    assert stored_files() == []


def test_upload_refuses_a_file_over_5_mb(officer_client):
    content = csv_file([row(1)]) + b" " * (5 * 1024 * 1024)
    response = upload(officer_client, content)
    assert response.context["form"].errors["file"] == [
        "This file is larger than 5 MB: split it into smaller files."
    ]


def test_upload_refuses_a_workbook_that_unpacks_too_large(officer_client, monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_UNPACKED_BYTES", 1000)
    response = upload(officer_client, xlsx_file([row(1)]), "bomb.xlsx")
    assert response.context["form"].errors["file"] == [
        "This workbook is too large once unpacked: split it into smaller files."
    ]


def test_upload_refuses_more_than_5000_rows(officer_client):
    content = csv_file([row(n) for n in range(1, 5002)])
    response = upload(officer_client, content)
    assert response.context["form"].errors["file"] == [
        "The file has more than 5,000 rows: split it into smaller files."
    ]


def test_upload_without_a_file_asks_for_one(officer_client):
    response = officer_client.post(UPLOAD)
    assert response.context["form"].errors["file"] == ["This field is required."]


# --- Template file -----------------------------------------------------------------------


def test_xlsx_template_opens_and_its_example_imports_cleanly(officer_client):
    response = officer_client.get(TEMPLATE, {"format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    headings = [cell.value for cell in sheet[1]]
    assert headings[:3] == ["ชื่อวิสาหกิจ", "ชื่อภาษาอังกฤษ", "ประเภท"]
    assert sheet.max_row == 2

    upload(officer_client, response.content, "template.xlsx")
    preview = officer_client.get(PREVIEW).context["preview"]
    assert (len(preview.good), len(preview.bad), len(preview.warned)) == (1, 0, 0)
    officer_client.post(CONFIRM)
    enterprise = Enterprise.objects.get()
    assert enterprise.tax_id_display == "0-5255-61000-12-3"


def test_csv_template_opens_and_its_example_imports_cleanly(officer_client):
    response = officer_client.get(TEMPLATE, {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")  # so Excel reads the Thai
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "ชื่อวิสาหกิจ"
    assert len(rows) == 2

    upload(officer_client, response.content, "template.csv")
    officer_client.post(CONFIRM)
    assert Enterprise.objects.get().registration_code == "452030610001"


def test_template_of_unknown_format_is_not_found(officer_client):
    assert officer_client.get(TEMPLATE, {"format": "pdf"}).status_code == 404


def test_stale_uploads_are_deleted_and_fresh_ones_kept(db):
    import os
    import time
    from datetime import timedelta

    from django.core.files.base import ContentFile
    from django.core.files.storage import storages

    from toolkit.tasks import delete_stale_import_uploads

    storage = storages["private"]
    old = storage.save("imports/" + "a" * 32 + ".csv", ContentFile(b"x"))
    fresh = storage.save("imports/" + "b" * 32 + ".csv", ContentFile(b"y"))
    two_days_ago = time.time() - timedelta(days=2).total_seconds()
    os.utime(storage.path(old), (two_days_ago, two_days_ago))
    assert delete_stale_import_uploads.delay().get() == 1
    assert not storage.exists(old)
    assert storage.exists(fresh)
