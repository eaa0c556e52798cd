"""Bulk import of the spreadsheets officers keep: CSV or XLSX, checked row by row.

`Importer.read` turns a file into rows of text keyed by field, `Importer.check` runs each
row through a form that uses the same validators as the registration forms, against the
database and against the rest of the file, and `import_rows` writes every good row in one
transaction. Enterprises are imported here; products/importing.py builds on the same parts.
"""

import csv
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property

import openpyxl
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from openpyxl.styles import Font

from accounts.models import phone_validator
from toolkit.audit import record_audit

from . import validators
from .forms import line_id_validator
from .models import District, Enterprise, EnterpriseKind, Province, Subdistrict

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
# Enough for any real sheet; a hostile file cannot make every row arbitrarily wide.
MAX_COLUMNS = 60
# Officers' sheets often start with a title line or two above the headings.
HEADER_SEARCH_ROWS = 10
BATCH_SIZE = 500
FORMATS = ("csv", "xlsx")

INVISIBLE = str.maketrans({"\u200b": "", "\ufeff": "", "\xa0": " "})
THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def clean_text(value) -> str:
    """A cell's text without zero-width spaces (common in Thai text) or extra spaces."""
    return " ".join(str(value).translate(INVISIBLE).split())


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


def read_cells(content: bytes, fmt: str) -> Iterable[tuple]:
    if fmt == "xlsx":
        return read_xlsx(content)
    return read_csv(content)


def read_csv(content: bytes) -> Iterable[list[str]]:
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
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def read_xlsx(content: bytes) -> Iterable[tuple]:
    # openpyxl holds the shared strings in memory: refuse a small file that unpacks huge.
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
            raise ValidationError(
                _("This workbook is too large once unpacked: split it into smaller files."),
                code="too_big_unpacked",
            )
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        yield from workbook.worksheets[0].iter_rows(max_col=MAX_COLUMNS, values_only=True)
    finally:
        workbook.close()


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
        """The rows of a CSV or XLSX file, or a ValidationError saying why it cannot be read."""
        try:
            lines = []
            for number, cells in enumerate(read_cells(content, fmt), start=1):
                cells = list(cells)[:MAX_COLUMNS]
                if any(cell is not None and clean_text(cell) for cell in cells):
                    lines.append((number, cells))
                if len(lines) > MAX_ROWS + HEADER_SEARCH_ROWS:
                    break
        except ValidationError:
            raise
        except Exception as error:  # a damaged or hostile file can fail in many ways
            raise ValidationError(
                _("This file could not be read. Check that it is a CSV file or an .xlsx workbook."),
                code="unreadable",
            ) from error
        header_at = self._find_header(lines)
        headings = lines[header_at][1]
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
        for number, cells in lines[header_at + 1 :]:
            values = {
                column.field: column.text(cells[position] if position < len(cells) else None)
                for position, column in positions
            }
            if any(values.values()):
                rows.append((number, values))
        if not rows:
            raise ValidationError(_("The file has headings but no rows."), code="empty")
        if len(rows) > MAX_ROWS:
            raise ValidationError(
                _("The file has more than %(max)s rows: split it into smaller files."),
                code="too_many_rows",
                params={"max": f"{MAX_ROWS:,}"},
            )
        return Sheet(columns=columns, ignored=ignored, rows=rows)

    def _find_header(self, lines) -> int:
        best, best_count = None, 0
        for index, (_number, cells) in enumerate(lines[:HEADER_SEARCH_ROWS]):
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
    file = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_("CSV or Excel (.xlsx), at most 5 MB and 5,000 rows."),
    )

    def __init__(self, *args, importer: Importer, **kwargs):
        super().__init__(*args, **kwargs)
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


# --- Thai places by name -----------------------------------------------------------------

PLACE_PREFIX = re.compile(
    r"^(?:จังหวัด|จ\.|กิ่งอำเภอ|อำเภอ|อ\.|เขต|ตำบล|ต\.|แขวง"
    r"|changwat\s|amphoe\s|amphur\s|khet\s|tambon\s|khwaeng\s)\s*"
)
PROVINCE_ALIASES = {"กรุงเทพ": "10", "กรุงเทพฯ": "10", "กทม": "10"}


def place_key(name: str) -> str:
    """A place name without its ตำบล/อำเภอ/จังหวัด prefix, spaces or case."""
    key = PLACE_PREFIX.sub("", clean_text(name).casefold())
    return re.sub(r"[\s\-.'’]", "", key)


class Gazetteer:
    """Thai places by name within their parent, read once per import (three queries).

    Names are not unique (795 subdistrict names repeat), so a subdistrict is looked up
    only inside its district, and a district inside its province.
    """

    def __init__(self):
        self.provinces = {
            code: (th, en)
            for code, th, en in Province.objects.values_list("code", "name_th", "name_en")
        }
        self.districts = {
            code: (th, en, province)
            for code, th, en, province in District.objects.values_list(
                "code", "name_th", "name_en", "province_id"
            )
        }
        self.subdistricts = {
            code: (th, en, district, postal.split())
            for code, th, en, district, postal in Subdistrict.objects.values_list(
                "code", "name_th", "name_en", "district_id", "postal_codes"
            )
        }
        self._province_keys = dict(PROVINCE_ALIASES)
        for code, (th, en) in self.provinces.items():
            self._province_keys[place_key(th)] = code
            self._province_keys[place_key(en)] = code
        self._district_keys = {}
        for code, (th, en, province) in self.districts.items():
            self._district_keys[province, place_key(th)] = code
            self._district_keys[province, place_key(en)] = code
        self._subdistrict_keys = {}
        self._subdistricts_named = {}
        for code, (th, en, district, _postal) in self.subdistricts.items():
            for key in {place_key(th), place_key(en)}:
                self._subdistrict_keys[district, key] = code
                self._subdistricts_named.setdefault(key, []).append(code)

    def province(self, name: str) -> str | None:
        return self._province_keys.get(place_key(name))

    def district(self, province: str, name: str) -> str | None:
        key = place_key(name)
        # "อ.เมือง" is the province's capital district, named after the province.
        if key == "เมือง":
            key += place_key(self.provinces[province][0])
        elif key in ("mueang", "muang"):
            key = "mueang" + place_key(self.provinces[province][1])
        return self._district_keys.get((province, key))

    def subdistrict(self, district: str, name: str) -> str | None:
        return self._subdistrict_keys.get((district, place_key(name)))

    def subdistricts_named(self, name: str) -> list[str]:
        return self._subdistricts_named.get(place_key(name), [])

    def province_name(self, code: str) -> str:
        return in_language(*self.provinces[code])

    def district_name(self, code: str) -> str:
        th, en, _province = self.districts[code]
        return in_language(th, en)

    def subdistrict_name(self, code: str) -> str:
        th, en, _district, _postal = self.subdistricts[code]
        return in_language(th, en)

    def where(self, subdistrict: str) -> str:
        """ "District, province" of a subdistrict, for messages."""
        district = self.subdistricts[subdistrict][2]
        province = self.districts[district][2]
        return f"{self.district_name(district)}, {self.province_name(province)}"


# --- Enterprises -------------------------------------------------------------------------

KIND_ALIASES = {
    EnterpriseKind.COMMUNITY_ENTERPRISE: ("วิสาหกิจชุมชน",),
    EnterpriseKind.NETWORK: ("เครือข่ายวิสาหกิจชุมชน", "network"),
    EnterpriseKind.OTOP_GROUP: ("กลุ่มผู้ผลิต OTOP", "กลุ่มผู้ผลิตชุมชน OTOP", "OTOP"),
    EnterpriseKind.SME: ("เอสเอ็มอี", "วิสาหกิจขนาดกลางและขนาดย่อม"),
    EnterpriseKind.ARTISAN: ("ช่างฝีมือ", "ช่างฝีมือรายบุคคล", "ผู้ประกอบการรายบุคคล", "artisan"),
}


@dataclass
class EnterpriseContext:
    places: Gazetteer
    kinds: dict[str, str]
    # registration code or tax-ID hash → (Thai name, English name) of the enterprise holding it
    taken_codes: dict[str, tuple[str, str]]
    taken_tax_ids: dict[str, tuple[str, str]]


class EnterpriseRowForm(RowForm):
    """An enterprise as one spreadsheet row, checked like the registration form."""

    name_th = forms.CharField(max_length=200)
    name_en = forms.CharField(max_length=200, required=False)
    kind = forms.CharField()
    registration_code = forms.CharField(required=False)
    tax_id = forms.CharField(required=False)
    address_line = forms.CharField(max_length=255, required=False)
    subdistrict = forms.CharField(required=False)
    district = forms.CharField(required=False)
    province = forms.CharField(required=False)
    subdistrict_code = forms.CharField(required=False)
    postal_code = forms.CharField(required=False)
    phone = forms.CharField(max_length=20, required=False, validators=[phone_validator])
    line_id = forms.CharField(max_length=50, required=False, validators=[line_id_validator])

    def clean_kind(self):
        return clean_choice(self.cleaned_data["kind"], EnterpriseKind, self.context.kinds)

    def clean_registration_code(self):
        value = self.cleaned_data["registration_code"]
        if not value:
            return None
        code = validators.clean_registration_code(value)
        if code in self.context.taken_codes:
            raise ValidationError(
                _("Already registered as %(name)s."),
                code="registration_code_taken",
                params={"name": in_language(*self.context.taken_codes[code])},
            )
        # The file's rows are checked against the places loaded once, not a query each.
        if code[1:7] not in self.context.places.subdistricts:
            self.warnings.append(validators.unknown_subdistrict_warning(code))
        return code

    def clean_tax_id(self):
        value = self.cleaned_data["tax_id"]
        if not value:
            return ""
        tax_id = validators.clean_tax_id(value)
        taken = self.context.taken_tax_ids.get(validators.hash_tax_id(tax_id))
        if taken:
            raise ValidationError(
                _("Already registered as %(name)s."),
                code="tax_id_taken",
                params={"name": in_language(*taken)},
            )
        return tax_id

    def clean(self):
        data = super().clean()
        subdistrict = self._find_subdistrict(data)
        if subdistrict is None:
            return data
        places = self.context.places
        district = places.subdistricts[subdistrict][2]
        data["subdistrict_id"] = subdistrict
        data["district_id"] = district
        data["province_id"] = places.districts[district][2]
        postal_codes = places.subdistricts[subdistrict][3]
        postal_code = validators.digits_only(data.get("postal_code", ""))
        if not postal_code and len(postal_codes) == 1:
            postal_code = postal_codes[0]
        elif not postal_code:
            self.add_error(
                "postal_code",
                ValidationError(
                    _("This subdistrict has more than one postal code (%(codes)s): give one."),
                    params={"codes": ", ".join(postal_codes)},
                ),
            )
        elif postal_code not in postal_codes:
            self.add_error(
                "postal_code",
                ValidationError(
                    _("%(code)s is not a postal code of %(subdistrict)s; it has %(codes)s."),
                    params={
                        "code": postal_code,
                        "subdistrict": places.subdistrict_name(subdistrict),
                        "codes": ", ".join(postal_codes),
                    },
                ),
            )
        data["postal_code"] = postal_code
        return data

    def _find_subdistrict(self, data) -> str | None:
        """The subdistrict's code, from the code column or the names within their parents."""
        places = self.context.places
        code = validators.digits_only(data.get("subdistrict_code", ""))
        if code:
            if code not in places.subdistricts:
                self.add_error(
                    "subdistrict_code",
                    ValidationError(
                        _("No subdistrict has the code %(code)s."), params={"code": code}
                    ),
                )
                return None
            return code if self._names_agree(code, data) else None
        missing = [name for name in ("province", "district", "subdistrict") if not data.get(name)]
        for name in missing:
            self.add_error(name, ValidationError(self.fields[name].error_messages["required"]))
        if missing:
            return None
        province = places.province(data["province"])
        if province is None:
            self.add_error(
                "province",
                ValidationError(
                    _("No province is named “%(name)s”."), params={"name": data["province"]}
                ),
            )
            return None
        district = places.district(province, data["district"])
        if district is None:
            self.add_error(
                "district",
                ValidationError(
                    _("%(province)s has no district named “%(name)s”."),
                    params={"province": places.province_name(province), "name": data["district"]},
                ),
            )
            return None
        subdistrict = places.subdistrict(district, data["subdistrict"])
        if subdistrict is None:
            params = {"district": places.district_name(district), "name": data["subdistrict"]}
            elsewhere = places.subdistricts_named(data["subdistrict"])
            if elsewhere:
                message = _(
                    "%(district)s has no subdistrict named “%(name)s”; "
                    "there is one in %(elsewhere)s."
                )
                params["elsewhere"] = "; ".join(places.where(code) for code in elsewhere[:3])
            else:
                message = _("%(district)s has no subdistrict named “%(name)s”.")
            self.add_error("subdistrict", ValidationError(message, params=params))
        return subdistrict

    def _names_agree(self, code: str, data) -> bool:
        """Names given beside a subdistrict code must name the same place."""
        places = self.context.places
        district = places.subdistricts[code][2]
        province = places.districts[district][2]
        checks = [
            ("province", data.get("province") and places.province(data["province"]) == province),
            (
                "district",
                data.get("district") and places.district(province, data["district"]) == district,
            ),
            (
                "subdistrict",
                data.get("subdistrict")
                and places.subdistrict(district, data["subdistrict"]) == code,
            ),
        ]
        agree = True
        for name, matches in checks:
            if data.get(name) and not matches:
                agree = False
                self.add_error(
                    name,
                    ValidationError(
                        _("Subdistrict code %(code)s is %(place)s, not “%(given)s”."),
                        params={
                            "code": code,
                            "place": f"{places.subdistrict_name(code)}, {places.where(code)}",
                            "given": data[name],
                        },
                    ),
                )
        return agree


ENTERPRISE_COLUMNS = [
    Column(
        "name_th",
        "ชื่อวิสาหกิจ",
        _("Name (Thai)"),
        aliases=(
            "ชื่อวิสาหกิจชุมชน",
            "ชื่อ",
            "ชื่อภาษาไทย",
            "ชื่อกลุ่ม",
            "name",
            "thai name",
            "enterprise name",
        ),
        example="วิสาหกิจชุมชนเครื่องปั้นดินเผาบ้านตัวอย่าง",
        required=True,
    ),
    Column(
        "name_en",
        "ชื่อภาษาอังกฤษ",
        _("Name (English)"),
        aliases=("english name",),
        example="Ban Tua Yang Pottery Community Enterprise",
    ),
    Column(
        "kind",
        "ประเภท",
        _("Kind"),
        aliases=("ประเภทวิสาหกิจ", "kind", "type"),
        example="วิสาหกิจชุมชน",
        help=_(
            "Community enterprise, community-enterprise network, OTOP producer group, SME "
            "or individual artisan, in Thai or English."
        ),
        required=True,
    ),
    Column(
        "registration_code",
        "รหัสทะเบียนวิสาหกิจชุมชน",
        _("Community-enterprise registration code"),
        aliases=("รหัสทะเบียน", "เลขทะเบียนวิสาหกิจชุมชน", "registration code"),
        example="4-52-03-06/1-0001",
        help=_("12 digits, with or without dashes and slash: 4-52-03-06/1-0001."),
        kind="code",
    ),
    Column(
        "tax_id",
        "เลขประจำตัวผู้เสียภาษี",
        _("Tax ID"),
        aliases=("เลขประจำตัวผู้เสียภาษีอากร", "เลขผู้เสียภาษี", "tax id", "taxpayer id"),
        example="0525561000123",
        help=_("13 digits; the check digit is verified."),
        kind="code",
        leading_zero=13,
    ),
    Column(
        "address_line",
        "ที่อยู่",
        _("House number, village, road"),
        aliases=("บ้านเลขที่", "address"),
        example="99 หมู่ 1",
    ),
    Column(
        "subdistrict",
        "ตำบล",
        _("Subdistrict"),
        aliases=("แขวง", "ตำบล/แขวง", "subdistrict", "tambon"),
        example="เกาะคา",
        help=_("The name; it is looked up within the district and province given."),
    ),
    Column(
        "district",
        "อำเภอ",
        _("District"),
        aliases=("เขต", "อำเภอ/เขต", "district", "amphoe"),
        example="เกาะคา",
    ),
    Column("province", "จังหวัด", _("Province"), aliases=("province",), example="ลำปาง"),
    Column(
        "subdistrict_code",
        "รหัสตำบล",
        _("Subdistrict code"),
        aliases=("subdistrict code", "tambon code"),
        help=_("Optional: the 6-digit code may replace the three names."),
        kind="code",
        in_template=False,
    ),
    Column(
        "postal_code",
        "รหัสไปรษณีย์",
        _("Postal code"),
        aliases=("postal code", "postcode", "zip"),
        example="52130",
        help=_("May be left empty when the subdistrict has one postal code."),
        kind="code",
    ),
    Column(
        "phone",
        "โทรศัพท์",
        _("Phone"),
        aliases=("เบอร์โทรศัพท์", "เบอร์โทร", "หมายเลขโทรศัพท์", "phone", "telephone", "tel"),
        example="054 281 234",
        kind="code",
        leading_zero=10,
    ),
    Column(
        "line_id",
        "LINE ID",
        _("LINE ID"),
        aliases=("ไลน์", "ไอดีไลน์", "line"),
        example="@kokhapottery",
    ),
]


def enterprise_keys(sheet, *, code_column, tax_column):
    """The registration codes and tax-ID hashes a sheet names, to look up in one query."""
    codes, hashes = set(), set()
    for _number, values in sheet.rows:
        code = validators.digits_only(values.get(code_column, ""))
        if code:
            codes.add(code)
        tax_id = validators.digits_only(values.get(tax_column, ""))
        if len(tax_id) == 13:
            hashes.add(validators.hash_tax_id(tax_id))
    return codes, hashes


class EnterpriseImporter(Importer):
    key = "enterprises"
    title = _("Import enterprises")
    model = Enterprise
    form_class = EnterpriseRowForm
    columns = ENTERPRISE_COLUMNS
    audit_action = "enterprises.imported"

    def check_columns(self, fields):
        super().check_columns(fields)
        if (
            "subdistrict_code" not in fields
            and not {"province", "district", "subdistrict"} <= fields
        ):
            raise ValidationError(
                _(
                    "The file needs the columns จังหวัด, อำเภอ and ตำบล "
                    "(or a รหัสตำบล column with the 6-digit subdistrict code)."
                ),
                code="missing_place_columns",
            )

    def prepare(self, sheet, *, lock=False):
        codes, hashes = enterprise_keys(sheet, code_column="registration_code", tax_column="tax_id")
        taken_codes, taken_tax_ids = {}, {}
        if codes or hashes:
            existing = Enterprise.objects.filter(
                Q(registration_code__in=codes) | Q(tax_id_hash__in=hashes)
            ).values_list("registration_code", "tax_id_hash", "name_th", "name_en")
            for code, tax_hash, name_th, name_en in existing:
                if code in codes:
                    taken_codes[code] = (name_th, name_en)
                if tax_hash in hashes:
                    taken_tax_ids[tax_hash] = (name_th, name_en)
        return EnterpriseContext(
            places=Gazetteer(),
            kinds=choice_lookup(EnterpriseKind, KIND_ALIASES),
            taken_codes=taken_codes,
            taken_tax_ids=taken_tax_ids,
        )

    def unique_keys(self, cleaned):
        if cleaned.get("registration_code"):
            yield "registration_code", ("code", cleaned["registration_code"])
        if cleaned.get("tax_id"):
            yield "tax_id", ("tax_id", cleaned["tax_id"])

    def build(self, cleaned, *, by):
        tax_id = cleaned["tax_id"]
        enterprise = Enterprise(
            kind=cleaned["kind"],
            name_th=cleaned["name_th"],
            name_en=cleaned["name_en"],
            registration_code=cleaned["registration_code"],
            tax_id_hash=validators.hash_tax_id(tax_id) if tax_id else None,
            tax_id_display=validators.display_tax_id(tax_id) if tax_id else "",
            address_line=cleaned["address_line"],
            subdistrict_id=cleaned["subdistrict_id"],
            district_id=cleaned["district_id"],
            province_id=cleaned["province_id"],
            postal_code=cleaned["postal_code"],
            phone=cleaned["phone"],
            line_id=cleaned["line_id"],
            created_by=by,
        )
        # bulk_create skips save(), which is where search_text is usually filled in.
        enterprise.search_text = enterprise.build_search_text()
        return enterprise

    def result_message(self, result):
        imported = ngettext(
            "%(count)s enterprise imported", "%(count)s enterprises imported", result.imported
        ) % {"count": result.imported}
        skipped = ngettext("%(count)s row skipped.", "%(count)s rows skipped.", result.skipped) % {
            "count": result.skipped
        }
        return f"{imported}, {skipped}"


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
