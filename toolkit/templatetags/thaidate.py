"""Date filters that follow the active language: B.E. under Thai, Gregorian under English.

A builtin library (settings TEMPLATES OPTIONS builtins), so templates use the filters
without {% load %}:

    {{ booking.starts_at|be_datetime }}   24 พ.ย. 2569 14:05 / 24 Nov 2026 14:05
    {{ intake.closes_on|be_date }}        24 พ.ย. 2569 / 24 Nov 2026
    {{ enrolment.submitted_at|fiscal_year }}   ปีงบประมาณ 2570 / FY 2027 (B.E. 2570)
    {{ programme.fiscal_year|fiscal_year_be }}  the same, from a B.E. year
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
    """The government fiscal year a date falls in, worded for the reader."""
    if not _is_date(value):
        return ""
    return thaidates.format_fiscal_year(thaidates.fiscal_year(value))


@register.filter
def fiscal_year_be(value):
    """A fiscal year stored in B.E. (2570), worded for the reader; '' for no year."""
    if isinstance(value, bool) or not isinstance(value, int):
        return ""
    return thaidates.format_fiscal_year(value)
