"""Date filters that follow the active language: B.E. under Thai, Gregorian under English.

A builtin library (settings TEMPLATES OPTIONS builtins), so templates use the filters
without {% load %}:

    {{ booking.starts_at|be_datetime }}   24 พ.ย. 2569 14:05 / 24 Nov 2026 14:05
    {{ intake.closes_on|be_date }}        24 พ.ย. 2569 / 24 Nov 2026
    {{ enrolment.submitted_at|fiscal_year }}   2570 / 2027
"""

from datetime import date

from django import template

from toolkit import thaidates

register = template.Library()


def _is_date(value):
    # datetime is a subclass of date, so this accepts both.
    return isinstance(value, date)


@register.filter
def be_date(value):
    """A date or datetime as '24 พ.ย. 2569' (Thai) or '24 Nov 2026'; '' for no date."""
    if not _is_date(value):
        return ""
    return thaidates.format_date(value)


@register.filter
def be_datetime(value):
    """A datetime as '24 พ.ย. 2569 14:05' in local time; a plain date shows no time."""
    if not _is_date(value):
        return ""
    return thaidates.format_datetime(value)


@register.filter
def fiscal_year(value):
    """The government fiscal year a date falls in: B.E. under Thai, C.E. under English."""
    if not _is_date(value):
        return ""
    year_be = thaidates.fiscal_year(value)
    return year_be if thaidates.is_thai() else year_be - thaidates.BE_OFFSET
