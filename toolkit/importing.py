"""Bulk import of the spreadsheets officers keep: CSV or XLSX, checked row by row.

`Importer.read` turns a file into rows of text keyed by field, streamed and refused as
soon as it has more rows than IMPORT_MAX_ROWS; `Importer.check` runs each row through a
form that uses the same validators as the app's own forms, against the database and
against the rest of the file; `import_rows` writes every good row in one transaction. An
app subclasses `Importer` with its columns, row form and model (entrepreneurs/importing.py,
products/importing.py); toolkit/import_flow.py gives it the upload, preview and confirm pages.
"""

import csv
import io
import itertools
import re
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property

import openpyxl
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from openpyxl.styles import Font

from .audit import record_audit
from .spreadsheets import clean_text, file_format, read_rows, too_many_rows

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# Enough for any real sheet; a hostile file cannot make every row arbitrarily wide.
MAX_COLUMNS = 60
# Officers' sheets often start with a title line or two above the headings.
HEADER_SEARCH_ROWS = 10
BATCH_SIZE = 500

THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def max_rows() -> int:
    """How many rows below the headings an upload may have (IMPORT_MAX_ROWS)."""
    return settings.IMPORT_MAX_ROWS


def heading_key(text) -> str:
    """How headings are compared: no case, spaces, underscores or required-marks."""
    return re.sub(r"[\s_*:]", "", clean_text(text).casefold())


def label_key(text) -> str:
    """How chosen labels (kinds, clay bodies, categories) are compared."""
    return re.sub(r"[\s\-_.,'’()]", "", clean_text(text).casefold())


def in_language(name_th: str, name_en: str) -> str:
    if translation.get_language() == "en" and name_en:
        return name_en
    return name_th


# --- Columns and reading -----------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column officers may give: its template heading, the other headings accepted."""

    field: str
    heading: str  # as officers write it (Thai); the template uses it as is
    title: str  # what it means, in the reader's language (lazy)
    aliases: tuple[str, ...] = ()
    example: str = ""
    help: str = ""
    required: bool = False
    # "code": digits that must stay text (leading zeros); "number": a quantity.
    kind: str = "text"
    # A number shorter than this lost its leading zero in Excel: put it back.
    leading_zero: int = 0
    in_template: bool = True

    def text(self, value) -> str:
        """The cell as text: XLSX gives numbers, booleans and dates, CSV gives strings."""
        if value is None:
            return ""
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, int):
            text = str(value)
            if len(text) < self.leading_zero:
                text = "0" + text
            return text
        if isinstance(value, datetime):
            value = value.date()
        if isinstance(value, date):
            return value.isoformat()
        text = clean_text(value)
        if self.kind in ("code", "number"):
            text = text.translate(THAI_DIGITS)
        return text


@dataclass
class Sheet:
    """The rows of an upload, as text keyed by field, with the spreadsheet's row numbers."""

    columns: list[tuple[str, Column]]  # (heading as written in the file, column)
    ignored: list[str]
    rows: list[tuple[int, dict[str, str]]]

    def heading(self, field_name: str) -> str | None:
        return next((h for h, c in self.columns if c.field == field_name), None)


# --- Checking ----------------------------------------------------------------------------


@dataclass
class RowResult:
    number: int
    values: dict[str, str]
    cleaned: dict | None = None
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column, message)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def label(self) -> str:
        return self.values.get("name_th", "")


@dataclass
class Preview:
    sheet: Sheet
    rows: list[RowResult]

    @cached_property
    def good(self) -> list[RowResult]:
        return [row for row in self.rows if row.ok]

    @cached_property
    def bad(self) -> list[RowResult]:
        return [row for row in self.rows if not row.ok]

    @cached_property
    def warned(self) -> list[RowResult]:
        return [row for row in self.good if row.warnings]


@dataclass(frozen=True)
class ImportResult:
    imported: int
    skipped: int


class RowForm(forms.Form):
    """One spreadsheet row; `context` holds what was looked up once for the whole file."""

    def __init__(self, data, *, context):
        super().__init__(data)
        self.context = context
        self.warnings = []


class Importer:
    """What one kind of import reads, checks and creates; subclasses fill in the blanks."""

    key = ""  # names the session entry and the template file
    title = ""
    model = None
    form_class = RowForm
    columns: list[Column] = []
    audit_action = ""

    @cached_property
    def columns_by_heading(self) -> dict[str, Column]:
        found = {}
        for column in self.columns:
            for heading in (column.heading, column.field, *column.aliases):
                found.setdefault(heading_key(heading), column)
        return found

    def read(self, content: bytes, fmt: str) -> Sheet:
        """The rows of a CSV or XLSX file, or a ValidationError saying why it cannot be read.

        The file is read a row at a time and refused at the first row past the limit, so
        a sheet of 800,000 rows costs no more than one just over the limit, and no row is
        checked before the file is known to be short enough.
        """
        limit = max_rows()
        lines = read_rows(
            content, fmt, max_columns=MAX_COLUMNS, max_rows=limit, rows_above=HEADER_SEARCH_ROWS
        )
        try:
            with closing(lines):
                return self._read(lines, limit)
        except ValidationError:
            raise
        except Exception as error:  # a damaged or hostile file can fail in many ways
            raise ValidationError(
                _("This file could not be read. Check that it is a CSV file or an .xlsx workbook."),
                code="unreadable",
            ) from error

    def _read(self, lines, limit: int) -> Sheet:
        head = list(itertools.islice(lines, HEADER_SEARCH_ROWS))
        header_at = self._find_header(head)
        headings = head[header_at][1]
        columns, ignored, positions = [], [], []
        for position, cell in enumerate(headings):
            heading = clean_text(cell if cell is not None else "")
            if not heading:
                continue
            column = self.columns_by_heading.get(heading_key(heading))
            if column is None:
                ignored.append(heading)
                continue
            earlier = next((h for h, c in columns if c is column), None)
            if earlier is not None:
                raise ValidationError(
                    _("The columns “%(first)s” and “%(second)s” both mean %(title)s: keep one."),
                    code="duplicate_column",
                    params={"first": earlier, "second": heading, "title": column.title},
                )
            columns.append((heading, column))
            positions.append((position, column))
        self.check_columns({c.field for _h, c in columns})
        rows = []
        for number, cells in itertools.chain(head[header_at + 1 :], lines):
            values = {
                column.field: column.text(cells[position] if position < len(cells) else None)
                for position, column in positions
            }
            if not any(values.values()):
                continue
            if len(rows) == limit:
                raise too_many_rows(limit)  # at row limit + 1: nothing more is read
            rows.append((number, values))
        if not rows:
            raise ValidationError(_("The file has headings but no rows."), code="empty")
        return Sheet(columns=columns, ignored=ignored, rows=rows)

    def _find_header(self, lines) -> int:
        best, best_count = None, 0
        for index, (_number, cells) in enumerate(lines):
            count = sum(
                1
                for cell in cells
                if cell is not None and heading_key(cell) in self.columns_by_heading
            )
            if count > best_count:
                best, best_count = index, count
        if best is None:
            raise ValidationError(
                _("No column headings were recognised. Use the headings of the template file."),
                code="no_headings",
            )
        return best

    def check_columns(self, fields: set[str]) -> None:
        """Refuse a file that lacks a column every row needs."""
        missing = [c.heading for c in self.columns if c.required and c.field not in fields]
        if missing:
            raise ValidationError(
                _("The file has no column for: %(columns)s. Use the headings of the template."),
                code="missing_columns",
                params={"columns": ", ".join(missing)},
            )

    def check(self, sheet: Sheet, *, lock: bool = False) -> Preview:
        """Check every row like the form would, against the database and the rest of the file."""
        context = self.prepare(sheet, lock=lock)
        titles = {c.field: str(c.title) for c in self.columns}
        seen = {}
        results = []
        for number, values in sheet.rows:
            form = self.form_class(values, context=context)
            form.is_valid()
            row = RowResult(number=number, values=values, warnings=form.warnings)
            for field_name, key in self.unique_keys(form.cleaned_data):
                if key in seen:
                    form.add_error(
                        field_name,
                        ValidationError(_("The same as row %(row)s."), params={"row": seen[key]}),
                    )
                else:
                    seen[key] = number
            for field_name, messages in form.errors.items():
                column = sheet.heading(field_name) or titles.get(field_name, "")
                row.errors.extend((column, message) for message in messages)
            if row.ok:
                row.cleaned = form.cleaned_data
            results.append(row)
        return Preview(sheet=sheet, rows=results)

    def prepare(self, sheet: Sheet, *, lock: bool = False):
        """Everything the row forms look up, fetched once for the whole file."""
        return None

    def unique_keys(self, cleaned: dict) -> Iterable[tuple[str, object]]:
        """(field, key) pairs that no two rows of one file may share."""
        return ()

    def build(self, cleaned: dict, *, by):
        """The unsaved model instance for one good row."""
        raise NotImplementedError

    def result_message(self, result: ImportResult) -> str:
        raise NotImplementedError

    def template_file(self, fmt: str) -> bytes:
        """The headings and one example row, as CSV (UTF-8 with BOM, for Excel) or XLSX."""
        columns = [c for c in self.columns if c.in_template]
        if fmt == "csv":
            out = io.StringIO(newline="")
            writer = csv.writer(out)
            writer.writerow([c.heading for c in columns])
            writer.writerow([c.example for c in columns])
            return out.getvalue().encode("utf-8-sig")
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.title = self.key
        sheet.append([c.heading for c in columns])
        sheet.append([c.example for c in columns])
        for index, column in enumerate(columns, start=1):
            letter = openpyxl.utils.get_column_letter(index)
            sheet[f"{letter}1"].font = Font(bold=True)
            sheet.column_dimensions[letter].width = max(14, len(column.heading) + 4)
            if column.kind == "code":
                # Text cells keep leading zeros: a juristic tax ID or cone "06".
                sheet.column_dimensions[letter].number_format = "@"
                sheet[f"{letter}2"].number_format = "@"
        sheet.freeze_panes = "A2"
        notes = workbook.create_sheet(str(_("Help")))
        notes.append([str(_("Column")), str(_("Required")), str(_("What to write"))])
        for column in columns:
            required = str(_("yes")) if column.required else ""
            notes.append([column.heading, required, str(column.help or column.title)])
        notes.column_dimensions["A"].width = 30
        notes.column_dimensions["C"].width = 90
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue()


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Spreadsheet"))

    def __init__(self, *args, importer: Importer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "CSV or Excel (.xlsx), at most 5 MB and %(rows)s rows."
        ) % {"rows": f"{max_rows():,}"}
        self.importer = importer
        self.content = b""
        self.format = ""

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.format = file_format(upload.name)
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(
                _("This file is larger than 5 MB: split it into smaller files."), code="too_big"
            )
        self.content = upload.read()
        self.importer.read(self.content, self.format)
        return upload

    @property
    def file_name(self) -> str:
        return clean_text(self.cleaned_data["file"].name)[-150:]


@transaction.atomic
def import_rows(*, importer: Importer, content: bytes, fmt: str, file_name: str, by):
    """Check the file again and create every good row in one transaction, audited once."""
    preview = importer.check(importer.read(content, fmt), lock=True)
    objects = [importer.build(row.cleaned, by=by) for row in preview.good]
    created = []
    for start in range(0, len(objects), BATCH_SIZE):
        created += importer.model.objects.bulk_create(objects[start : start + BATCH_SIZE])
    result = ImportResult(imported=len(objects), skipped=len(preview.bad))
    record_audit(
        actor=by,
        action=importer.audit_action,
        target=by,
        file=file_name,
        imported=result.imported,
        skipped=result.skipped,
        ids=[obj.pk for obj in created if obj.pk is not None],
    )
    return result


# --- Choices by label --------------------------------------------------------------------


def choice_lookup(choices, aliases: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Each choice by its value, its label in every language, and the extra Thai names."""
    found = {}
    for value, label in choices.choices:
        found[label_key(value)] = value
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                found[label_key(str(label))] = value
        for alias in aliases.get(value, ()):
            found[label_key(alias)] = value
    return found


def clean_choice(value: str, choices, lookup: dict[str, str]) -> str:
    """The choice a label names, with `lookup` made by choice_lookup()."""
    if not value:
        return ""
    chosen = lookup.get(label_key(value))
    if chosen is None:
        raise ValidationError(
            _("“%(value)s” is not one of: %(choices)s."),
            code="invalid_choice",
            params={"value": value, "choices": ", ".join(str(label) for label in choices.labels)},
        )
    return chosen


# --- Uploads nobody confirmed -----------------------------------------------------------


def delete_stale_uploads(*, older_than=None) -> int:
    """Delete import files nobody confirmed or cancelled; returns how many went.

    An officer who closes the preview tab leaves the upload behind in private storage.
    """
    storage = storages["private"]
    cutoff = timezone.now() - (older_than or timedelta(days=1))
    try:
        _folders, files = storage.listdir("imports")
    except FileNotFoundError:
        return 0
    deleted = 0
    for name in files:
        path = f"imports/{name}"
        if storage.get_modified_time(path) < cutoff:
            storage.delete(path)
            deleted += 1
    return deleted
