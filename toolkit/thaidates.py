"""Buddhist-Era dates: shown under Thai, accepted in any input, stored Gregorian.

Dates live in the database in the Gregorian calendar. Under Thai they read
"24 พ.ย. 2569" (B.E. = C.E. + 543); under English "24 Nov 2026". A typed year of
2400 or more is taken as B.E., so "24/11/2569" never becomes the year 2569 C.E.
"""

import re
from datetime import date, datetime

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext

BE_OFFSET = 543
# No Gregorian date the portal records is this late, and no B.E. date this early.
BE_YEAR_MIN = 2400

THAI_MONTHS = (
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
)
# Fixed, not localised: under English the format is always "24 Nov 2026".
ENGLISH_MONTHS = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)

# People type Thai digits too (๒๔/๑๑/๒๕๖๙).
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_DAY_FIRST = re.compile(r"^(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})$")
_YEAR_FIRST = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def is_thai(language=None):
    """Whether `language` (or the active language when None) is Thai."""
    code = language or translation.get_language() or settings.LANGUAGE_CODE
    return code.lower().split("-")[0] == "th"


def local_date(value):
    """The calendar date of `value` in the portal's time zone."""
    if isinstance(value, datetime):
        return _local(value).date()
    return value


def _local(value):
    # Aware datetimes are shown in local time; a naive one is taken as local already.
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def display_year(year, language=None):
    """A Gregorian year as the reader counts it: B.E. under Thai, C.E. under English."""
    return year + BE_OFFSET if is_thai(language) else year


def format_date(value, language=None):
    """'24 พ.ย. 2569' under Thai, '24 Nov 2026' under English."""
    day = local_date(value)
    if is_thai(language):
        return f"{day.day} {THAI_MONTHS[day.month - 1]} {day.year + BE_OFFSET}"
    return f"{day.day} {ENGLISH_MONTHS[day.month - 1]} {day.year}"


def format_month(value, language=None):
    """'พ.ย. 2569' under Thai, 'Nov 2026' under English."""
    day = local_date(value)
    if is_thai(language):
        return f"{THAI_MONTHS[day.month - 1]} {day.year + BE_OFFSET}"
    return f"{ENGLISH_MONTHS[day.month - 1]} {day.year}"


def format_datetime(value, language=None):
    """format_date followed by the local 24-hour time: '24 พ.ย. 2569 14:05'."""
    text = format_date(value, language)
    if isinstance(value, datetime):
        local = _local(value)
        text += f" {local.hour:02d}:{local.minute:02d}"
    return text


def format_date_input(value, language=None):
    """'24/11/2569' under Thai, '24/11/2026' under English: the form a date input shows."""
    day = local_date(value)
    return f"{day.day:02d}/{day.month:02d}/{display_year(day.year, language)}"


def fiscal_year(value):
    """The Thai government fiscal year in B.E.; it starts on 1 October."""
    day = local_date(value)
    return day.year + BE_OFFSET + (1 if day.month >= 10 else 0)


def fiscal_year_dates(year_be):
    """The first day of fiscal year `year_be` (B.E.) and the first day of the next one."""
    start = date(year_be - BE_OFFSET - 1, 10, 1)
    return start, start.replace(year=start.year + 1)


def fiscal_year_bounds(year_be):
    """Local midnight of 1 October opening fiscal year `year_be` (B.E.) and of the next."""
    return tuple(
        timezone.make_aware(datetime.combine(day, datetime.min.time()))
        for day in fiscal_year_dates(year_be)
    )


def format_fiscal_year(year_be, language=None):
    """A fiscal year (given in B.E.) as the reader counts years.

    Under Thai "ปีงบประมาณ 2570"; under English "FY 2027 (B.E. 2570)", so it reads
    in the same calendar as the English dates beside it and still matches the B.E.
    number on every official document. Every page and report shows a fiscal year
    through this function.
    """
    with translation.override(language or translation.get_language()):
        if is_thai():
            return gettext("Fiscal year %(year)s") % {"year": year_be}
        return gettext("FY %(year)s (B.E. %(year_be)s)") % {
            "year": year_be - BE_OFFSET,
            "year_be": year_be,
        }


def parse_date(text):
    """A date from 'd/m/yyyy', 'd-m-yyyy' or 'yyyy-m-d', the year in B.E. or C.E.

    Raises ValueError for anything else, including impossible dates (31/02/2569) and
    two-digit years, which would be ambiguous between the calendars.
    """
    if not isinstance(text, str):
        raise ValueError(f"Expected text, got {type(text).__name__}")
    cleaned = text.strip().translate(_THAI_DIGITS)
    if match := _DAY_FIRST.match(cleaned):
        day, month, year = (int(part) for part in match.groups())
    elif match := _YEAR_FIRST.match(cleaned):
        year, month, day = (int(part) for part in match.groups())
    else:
        raise ValueError(f"Not a day/month/year date: {text!r}")
    if year >= BE_YEAR_MIN:
        year -= BE_OFFSET
    return date(year, month, day)
