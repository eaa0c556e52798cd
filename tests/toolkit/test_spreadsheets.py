"""Streaming writers: rows go out as they come, and read back as they went in."""

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import openpyxl
import pytest

from toolkit.spreadsheets import read_rows, write_csv, write_xlsx

ROWS = 3000
HEADINGS = ["ชื่อ", "ราคา", "วันที่", "จำนวน"]


def rows(n=ROWS):
    for i in range(n):
        yield [f"วิสาหกิจชุมชนเกาะคา {i}", Decimal(f"{i}.50"), date(2026, 1, 1 + i % 28), i]


def test_write_xlsx_streams_thousands_of_rows_that_read_back():
    out = io.BytesIO()
    assert write_xlsx(out, rows(), headings=HEADINGS, title="รายงาน", widths=[40, 12]) == ROWS
    workbook = openpyxl.load_workbook(io.BytesIO(out.getvalue()), read_only=True)
    sheet = workbook["รายงาน"]
    read = list(sheet.iter_rows(values_only=True))
    workbook.close()
    assert list(read[0]) == HEADINGS
    assert len(read) == ROWS + 1
    assert read[1] == ("วิสาหกิจชุมชนเกาะคา 0", 0.5, datetime(2026, 1, 1), 0)  # noqa: DTZ001  Excel has no zones
    assert read[-1][0] == f"วิสาหกิจชุมชนเกาะคา {ROWS - 1}"
    assert read[-1][3] == ROWS - 1
    # The portal's own reader reads it too.
    back = list(read_rows(out.getvalue(), "xlsx", max_columns=10, max_rows=ROWS + 1))
    assert len(back) == ROWS + 1


def test_write_csv_streams_thousands_of_rows_that_read_back():
    out = io.BytesIO()
    written_while_iterating = []

    def watched():
        for row in rows():
            written_while_iterating.append(out.tell())
            yield row

    assert write_csv(out, watched(), headings=HEADINGS) == ROWS
    # Each row reached the file before the next was asked for: nothing is held.
    assert written_while_iterating[-1] > written_while_iterating[0] > 0
    content = out.getvalue()
    assert content.startswith("\ufeff".encode())  # Excel reads the Thai as UTF-8
    read = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    assert read[0] == HEADINGS
    assert len(read) == ROWS + 1
    assert read[1] == ["วิสาหกิจชุมชนเกาะคา 0", "0.50", "2026-01-01", "0"]
    assert not out.closed


def test_text_that_looks_like_a_formula_stays_text():
    values = ['=HYPERLINK("http://x","y")', "+66 81 234 5678", "@line", "กก\x07ข", None]
    out = io.BytesIO()
    write_xlsx(out, [values])
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue())).active
    cell = sheet["A1"]
    assert cell.data_type == "s"
    assert cell.value == values[0]
    assert sheet["D1"].value == "กกข"  # a control character Excel refuses is dropped
    out = io.BytesIO()
    write_csv(out, [values])
    assert out.getvalue().decode("utf-8-sig").splitlines()[0] == (
        '"\'=HYPERLINK(""http://x"",""y"")",\'+66 81 234 5678,\'@line,กก\x07ข,'
    )


def test_moments_are_written_in_bangkok_time(settings):
    moment = datetime(2026, 12, 1, 17, 30, tzinfo=UTC)
    out = io.BytesIO()
    write_xlsx(out, [[moment]])
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue())).active
    assert sheet["A1"].value == datetime(2026, 12, 2, 0, 30)  # noqa: DTZ001
    out = io.BytesIO()
    write_csv(out, [[moment]])
    assert out.getvalue().decode("utf-8-sig").strip() == "2026-12-02 00:30:00"


def test_more_rows_than_a_sheet_holds_are_refused(monkeypatch):
    monkeypatch.setattr("toolkit.spreadsheets.XLSX_MAX_ROWS", 3)
    with pytest.raises(ValueError, match="More rows than one Excel sheet holds"):
        write_xlsx(io.BytesIO(), rows(5), headings=HEADINGS)
