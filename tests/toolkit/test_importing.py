"""A spreadsheet over the row limit is refused while it is read, before any row is checked."""

import csv
import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from entrepreneurs.models import Enterprise
from tests.entrepreneurs.test_import import HEADINGS, csv_file, row
from toolkit import spreadsheets

UPLOAD = reverse("entrepreneurs:import_upload")
PREVIEW = reverse("entrepreneurs:import_preview")
LIMIT = 20


@pytest.fixture(autouse=True)
def _limit(settings):
    settings.IMPORT_MAX_ROWS = LIMIT


@pytest.fixture
def officer_client(officer_client, officer_2fa):
    officer_2fa.language = "en"
    officer_2fa.save(update_fields=["language"])
    return officer_client


def upload(client, content, name):
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, content)})


def file_errors(response):
    return response.context["form"].errors["file"]


def csv_with_a_broken_tail(good_rows):
    """Good rows, then one the csv module refuses (a field over its 128 KiB limit)."""
    return csv_file([row(n) for n in range(1, good_rows + 1)]) + b"x" * 200_000 + b"\n"


def xlsx_with_a_broken_tail(good_rows, *, declared_size):
    """Good rows, then XML no parser reads: reading past them fails."""
    workbook = openpyxl.Workbook(write_only=not declared_size)
    sheet = workbook.create_sheet() if not declared_size else workbook.active
    sheet.append(list(HEADINGS.values()))
    for n in range(1, good_rows + 1):
        sheet.append([row(n).get(name) for name in HEADINGS])
    out = io.BytesIO()
    workbook.save(out)
    broken = io.BytesIO()
    with zipfile.ZipFile(out) as source, zipfile.ZipFile(broken, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                assert (b"<dimension" in data) == declared_size
                data = data.replace(b"</sheetData>", b'<row r="99999"><<< not XML')
            target.writestr(info, data)
    return broken.getvalue()


def test_a_csv_over_the_limit_is_refused_without_reading_the_rest(officer_client):
    response = upload(officer_client, csv_with_a_broken_tail(LIMIT + 5), "list.csv")
    assert file_errors(response) == ["The file has more than 20 rows: split it into smaller files."]
    assert not Enterprise.objects.exists()


def test_reading_stops_at_the_row_after_the_limit(officer_client, monkeypatch):
    consumed = []
    real_csv_cells = spreadsheets._csv_cells

    def counting(content):
        for cells in real_csv_cells(content):
            consumed.append(cells)
            yield cells

    monkeypatch.setattr(spreadsheets, "_csv_cells", counting)
    upload(officer_client, csv_file([row(n) for n in range(1, 1001)]), "list.csv")
    assert len(consumed) == 1 + LIMIT + 1  # the headings, the limit, one more


@pytest.mark.parametrize("declared_size", [True, False], ids=["dimension", "no-dimension"])
def test_an_xlsx_over_the_limit_is_refused_without_reading_the_rest(officer_client, declared_size):
    # Past twice the limit, so neither the row count nor openpyxl may reach the tail.
    content = xlsx_with_a_broken_tail(3 * LIMIT, declared_size=declared_size)
    response = upload(officer_client, content, "list.xlsx")
    assert file_errors(response) == ["The file has more than 20 rows: split it into smaller files."]


def test_a_file_of_exactly_the_limit_is_accepted(officer_client):
    response = upload(officer_client, csv_file([row(n) for n in range(1, LIMIT + 1)]), "a.csv")
    assert response.status_code == 302
    assert response["Location"] == PREVIEW
    assert len(officer_client.get(PREVIEW).context["preview"].good) == LIMIT


def test_empty_rows_are_skipped_but_do_not_go_on_for_ever(officer_client):
    few_blank = csv_file([row(1)]) + b"\n" * 20 + csv_file([row(2)]).split(b"\n", 1)[1]
    assert upload(officer_client, few_blank, "a.csv").status_code == 302
    many_blank = csv_file([row(1)]) + b",,,\n" * 100
    assert file_errors(upload(officer_client, many_blank, "b.csv")) == [
        "The sheet goes on for more than 50 rows, counting empty ones: delete the empty rows "
        "below the table or split it into smaller files."
    ]


def test_the_upload_page_names_the_limit(officer_client):
    response = officer_client.get(UPLOAD)
    assert "at most 5 MB and 20 rows." in response.text


def test_an_xlsx_that_declares_a_wrong_size_is_read_whole(officer_client):
    workbook = openpyxl.Workbook()
    workbook.active.append(list(HEADINGS.values()))
    for n in range(1, 4):
        workbook.active.append([row(n).get(name) for name in HEADINGS])
    out = io.BytesIO()
    workbook.save(out)
    wrong = io.BytesIO()
    with zipfile.ZipFile(out) as source, zipfile.ZipFile(wrong, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<dimension ref="A1:L4"', b'<dimension ref="A1:L2"')
            target.writestr(info, data)
    upload(officer_client, wrong.getvalue(), "list.xlsx")
    assert len(officer_client.get(PREVIEW).context["preview"].good) == 3


def test_rows_read_back_as_they_were_written():
    rows = [["ก", 1], ["", None], ["ข", 2.5]]
    out = io.BytesIO()
    spreadsheets.write_csv(out, rows, headings=["name", "n"])
    read = list(spreadsheets.read_rows(out.getvalue(), "csv", max_columns=5, max_rows=10))
    assert read == [(1, ["name", "n"]), (2, ["ก", "1"]), (4, ["ข", "2.5"])]
    assert list(csv.reader(io.StringIO(out.getvalue().decode("utf-8-sig"))))[2] == ["", ""]
