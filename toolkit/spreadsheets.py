"""Reading and writing CSV and XLSX a row at a time, so no sheet is held whole.

Reading serves the bulk imports: a CSV file (UTF-8, Excel's BOM, or the Windows-874 older
Thai offices still save) or the first sheet of an .xlsx workbook (openpyxl in read-only
mode), refused as soon as it runs past a number of rows. Writing serves exports and
reports: rows come from any iterable (a QuerySet's `.iterator()`) and go straight to the
output, CSV through the csv module and XLSX through openpyxl's write-only workbook.
"""

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import BinaryIO

import openpyxl
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# openpyxl holds a workbook's shared strings in memory: a small file must not unpack huge.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
# What one Excel sheet and one Excel cell can hold.
XLSX_MAX_ROWS = 1_048_576
XLSX_MAX_TEXT = 32_767

INVISIBLE = str.maketrans({"\u200b": "", "\ufeff": "", "\xa0": " "})
WORKSHEET_TAG = f"{{{SHEET_MAIN_NS}}}worksheet"
DIMENSION_TAG = f"{{{SHEET_MAIN_NS}}}dimension"
ROW_TAG = f"{{{SHEET_MAIN_NS}}}row"
VALUE_TAGS = {f"{{{SHEET_MAIN_NS}}}v", f"{{{SHEET_MAIN_NS}}}is"}


def clean_text(value) -> str:
    """A cell's text without zero-width spaces (common in Thai text) or extra spaces."""
    return " ".join(str(value).translate(INVISIBLE).split())


def file_format(name: str) -> str:
    """The upload's format from its name, or a message saying which files are accepted."""
    fmt = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if fmt == "xls":
        raise ValidationError(
            _("Old Excel files (.xls) cannot be read: save the sheet as .xlsx or CSV."),
            code="xls",
        )
    if fmt not in FORMATS:
        raise ValidationError(
            _("Upload a CSV file or an Excel workbook (.xlsx)."), code="file_type"
        )
    return fmt


# --- Reading -------------------------------------------------------------------------------


def too_many_rows(max_rows: int) -> ValidationError:
    return ValidationError(
        _("The file has more than %(max)s rows: split it into smaller files."),
        code="too_many_rows",
        params={"max": f"{max_rows:,}"},
    )


def too_long(max_lines: int) -> ValidationError:
    return ValidationError(
        _(
            "The sheet goes on for more than %(max)s rows, counting empty ones: delete the "
            "empty rows below the table or split it into smaller files."
        ),
        code="too_long",
        params={"max": f"{max_lines:,}"},
    )


def read_rows(
    content: bytes, fmt: str, *, max_columns: int, max_rows: int, rows_above: int = 0
) -> Iterator[tuple[int, list]]:
    """The rows with any text in them, as (row number, cells), read one at a time.

    Cells are the values as the file holds them (text from CSV; numbers, dates and text
    from XLSX), at most `max_columns` of them. `max_rows` is the limit the reader is told
    of; `rows_above` more are allowed for titles and headings. Reading stops with a
    ValidationError at the first row past that, and empty rows are skipped but stop it
    too, past twice that, so a huge sheet costs no more than one just over the limit.
    Files that are not what they claim may raise anything else.
    """
    max_filled = max_rows + rows_above
    max_lines = 2 * max_rows + rows_above
    if fmt == "xlsx":
        cells_by_row = _xlsx_cells(content, max_columns, max_filled, max_rows, max_lines)
    else:
        cells_by_row = _csv_cells(content)
    filled = 0
    try:
        for number, cells in enumerate(cells_by_row, start=1):
            if number > max_lines:
                raise too_long(max_lines)
            cells = list(cells)[:max_columns]
            if any(cell is not None and clean_text(cell) for cell in cells):
                filled += 1
                if filled > max_filled:
                    raise too_many_rows(max_rows)
                yield number, cells
    finally:
        cells_by_row.close()


def _csv_cells(content: bytes) -> Iterator[list[str]]:
    # Excel's "CSV UTF-8" starts with a BOM; older Thai offices still save Windows-874.
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("cp874")
        except UnicodeDecodeError:
            text = None
    if text is None or "\x00" in text:
        raise ValidationError(
            _("The text of this CSV file could not be read. Save it again as “CSV UTF-8”."),
            code="encoding",
        )
    try:
        delimiter = csv.Sniffer().sniff(text[:4096], delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _xlsx_cells(content, max_columns, max_filled, max_rows, max_lines) -> Iterator[tuple]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
            raise ValidationError(
                _("This workbook is too large once unpacked: split it into smaller files."),
                code="too_big_unpacked",
            )
        _refuse_long_sheets(archive, max_filled, max_rows, max_lines)
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        # The size a sheet declares may be wrong (rows would be dropped, or a million empty
        # ones added); read the rows that are there.
        sheet.reset_dimensions()
        yield from sheet.iter_rows(max_col=max_columns, values_only=True)
    finally:
        workbook.close()


def _refuse_long_sheets(archive, max_filled: int, max_rows: int, max_lines: int) -> None:
    """Refuse a sheet that is too long and does not declare its size, counting its rows.

    Opening a workbook, openpyxl reads each sheet's declared size or, when a sheet has
    none (openpyxl's own write-only files have none), reads the whole sheet to find it:
    12 s for 800,000 rows. Counted here, streamed, the reading stops at the limit instead.
    A row is counted as filled when one of its cells has a value, empty text included.
    """
    for info in archive.infolist():
        if not info.filename.endswith(".xml"):
            continue
        with archive.open(info) as source:
            events = iterparse(source, events=("start", "end"))
            _event, root = next(events)
            if root.tag != WORKSHEET_TAG:
                continue
            lines = filled = 0
            has_value = False
            for event, element in events:
                tag = element.tag
                if tag == DIMENSION_TAG:
                    break  # openpyxl takes the size from it; the rows are counted as read
                if tag == ROW_TAG:
                    if event == "start":
                        lines += 1
                        if lines > max_lines:
                            raise too_long(max_lines)
                        has_value = False
                    else:
                        filled += has_value
                        if filled > max_filled:
                            raise too_many_rows(max_rows)
                        element.clear()
                elif tag in VALUE_TAGS and event == "start":
                    has_value = True


# --- Writing -------------------------------------------------------------------------------


def _local(value):
    # Excel has no time zones: a moment is written as Bangkok time.
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def csv_cell(value) -> str:
    """A value as CSV text; text that Excel would run as a formula is kept as text."""
    value = _local(value)
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    if isinstance(value, str):
        # A name typed as "=HYPERLINK(...)" must not become a formula in someone's Excel.
        if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
            return "'" + value
        return value
    return str(value)


def write_csv(out: BinaryIO, rows: Iterable[Sequence], *, headings: Sequence = ()) -> int:
    """Write rows to a binary file as CSV that Excel opens in Thai (UTF-8 with a BOM).

    Each row is written as it comes, so rows from `.iterator()` are never all in memory.
    Returns the number of rows written, headings not counted.
    """
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    try:
        writer = csv.writer(text)
        if headings:
            writer.writerow([csv_cell(heading) for heading in headings])
        count = 0
        for row in rows:
            writer.writerow([csv_cell(value) for value in row])
            count += 1
        text.flush()
    finally:
        text.detach()  # the caller's file stays open
    return count


def xlsx_cell(sheet, value):
    """A value openpyxl can write; text stays text even when it starts with "="."""
    value = _local(value)
    if not isinstance(value, str):
        return value
    # Control characters make openpyxl refuse the value, and Excel the file.
    value = ILLEGAL_CHARACTERS_RE.sub("", value)[:XLSX_MAX_TEXT]
    if value.startswith("="):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def write_xlsx(
    out: BinaryIO,
    rows: Iterable[Sequence],
    *,
    headings: Sequence = (),
    title: str = "Sheet1",
    widths: Sequence[float] = (),
) -> int:
    """Write rows to a binary file as a one-sheet workbook, bold headings frozen on top.

    openpyxl's write-only workbook streams each row to a temporary file, so memory stays
    flat however many rows come. Returns the number of rows written, headings not counted.
    """
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    limit = XLSX_MAX_ROWS
    if headings:
        sheet.freeze_panes = "A2"
        bold = Font(bold=True)
        cells = []
        for heading in headings:
            cell = xlsx_cell(sheet, str(heading))
            if not isinstance(cell, Cell):
                cell = WriteOnlyCell(sheet, value=cell)
            cell.font = bold
            cells.append(cell)
        sheet.append(cells)
        limit -= 1
    count = 0
    try:
        for row in rows:
            if count == limit:
                raise ValueError("More rows than one Excel sheet holds.")
            sheet.append([xlsx_cell(sheet, value) for value in row])
            count += 1
    except BaseException:
        # Saving is what closes and deletes the temporary file the rows went to.
        workbook.save(_Discard())
        raise
    workbook.save(out)
    return count


class _Discard(io.RawIOBase):
    """A file that keeps nothing written to it."""

    def writable(self):
        return True

    def write(self, data):
        return len(data)
