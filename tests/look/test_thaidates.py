from datetime import UTC, date, datetime

import pytest
from django import forms
from django.template import Context, Template

from toolkit import thaidates
from toolkit.fields import BEDateField
from toolkit.thaidates import fiscal_year, format_date, format_datetime, parse_date

# 07:05 UTC is 14:05 in Bangkok (UTC+7).
AFTERNOON_UTC = datetime(2026, 11, 24, 7, 5, tzinfo=UTC)
# 18:30 UTC on the 23rd is already 01:30 on the 24th in Bangkok.
LATE_EVENING_UTC = datetime(2026, 11, 23, 18, 30, tzinfo=UTC)


def render(template_text, **context):
    return Template(template_text).render(Context(context))


def test_format_date_in_thai_uses_buddhist_era_and_thai_month():
    assert format_date(date(2026, 11, 24), "th") == "24 พ.ย. 2569"


def test_format_date_in_english_uses_gregorian_year():
    assert format_date(date(2026, 11, 24), "en") == "24 Nov 2026"


@pytest.mark.parametrize(
    ("month", "thai", "english"),
    [
        (1, "ม.ค.", "Jan"),
        (2, "ก.พ.", "Feb"),
        (3, "มี.ค.", "Mar"),
        (4, "เม.ย.", "Apr"),
        (5, "พ.ค.", "May"),
        (6, "มิ.ย.", "Jun"),
        (7, "ก.ค.", "Jul"),
        (8, "ส.ค.", "Aug"),
        (9, "ก.ย.", "Sep"),
        (10, "ต.ค.", "Oct"),
        (11, "พ.ย.", "Nov"),
        (12, "ธ.ค.", "Dec"),
    ],
)
def test_format_date_names_every_month(month, thai, english):
    assert format_date(date(2026, month, 5), "th") == f"5 {thai} 2569"
    assert format_date(date(2026, month, 5), "en") == f"5 {english} 2026"


def test_format_date_follows_the_active_language(thai):
    assert format_date(date(2026, 11, 24)) == "24 พ.ย. 2569"


def test_format_date_of_a_datetime_uses_the_bangkok_calendar_day():
    assert format_date(LATE_EVENING_UTC, "th") == "24 พ.ย. 2569"


def test_format_datetime_adds_bangkok_time_in_24_hours():
    assert format_datetime(AFTERNOON_UTC, "th") == "24 พ.ย. 2569 14:05"
    assert format_datetime(AFTERNOON_UTC, "en") == "24 Nov 2026 14:05"
    assert format_datetime(LATE_EVENING_UTC, "en") == "24 Nov 2026 01:30"


def test_fiscal_year_starts_on_the_first_of_october():
    assert fiscal_year(date(2026, 9, 30)) == 2569
    assert fiscal_year(date(2026, 10, 1)) == 2570
    assert fiscal_year(date(2027, 1, 1)) == 2570


def test_fiscal_year_of_a_datetime_counts_the_bangkok_day():
    # 17:30 UTC on 30 September is 00:30 on 1 October in Bangkok: the new fiscal year.
    assert fiscal_year(datetime(2026, 9, 30, 17, 30, tzinfo=UTC)) == 2570
    assert fiscal_year(datetime(2026, 9, 30, 16, 30, tzinfo=UTC)) == 2569


def test_filters_show_buddhist_era_under_thai(thai):
    html = render(
        "{{ d|be_date }}|{{ t|be_datetime }}|{{ d|fiscal_year }}",
        d=date(2026, 11, 24),
        t=AFTERNOON_UTC,
    )
    assert html == "24 พ.ย. 2569|24 พ.ย. 2569 14:05|ปีงบประมาณ 2570"


def test_filters_show_gregorian_under_english(english):
    html = render(
        "{{ d|be_date }}|{{ t|be_datetime }}|{{ d|fiscal_year }}",
        d=date(2026, 11, 24),
        t=AFTERNOON_UTC,
    )
    assert html == "24 Nov 2026|24 Nov 2026 14:05|FY 2027 (B.E. 2570)"


@pytest.mark.parametrize("empty", [None, ""])
def test_filters_show_nothing_for_no_date(thai, empty):
    assert render("[{{ v|be_date }}{{ v|be_datetime }}{{ v|fiscal_year }}]", v=empty) == "[]"


@pytest.mark.parametrize(
    "text",
    [
        "24/11/2569",
        "24/11/2026",
        "2569-11-24",
        "2026-11-24",
        "24-11-2569",
        "24-11-2026",
        " 24/11/2569 ",
        "๒๔/๑๑/๒๕๖๙",
    ],
)
def test_parse_date_accepts_buddhist_and_gregorian_years(text):
    assert parse_date(text) == date(2026, 11, 24)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1/2/2569", date(2026, 2, 1)),
        ("1/2/2026", date(2026, 2, 1)),
        ("2569-2-1", date(2026, 2, 1)),
        ("1-2-2026", date(2026, 2, 1)),
    ],
)
def test_parse_date_accepts_single_digit_day_and_month(text, expected):
    assert parse_date(text) == expected


def test_parse_date_never_reads_a_buddhist_year_as_gregorian():
    assert parse_date("24/11/2569").year == 2026
    # 2400 B.E. is the first year read as B.E.; 2399 stays Gregorian.
    assert parse_date("1/1/2400").year == 1857
    assert parse_date("1/1/2399").year == 2399


@pytest.mark.parametrize(
    "text",
    ["", "abc", "24/11/69", "31/02/2569", "32/01/2026", "24/13/2569", "2569/11/24x", "24 11 2569"],
)
def test_parse_date_rejects_anything_else(text):
    with pytest.raises(ValueError):
        parse_date(text)


class BookingForm(forms.Form):
    day = BEDateField(label="Day")


class OptionalDateForm(forms.Form):
    day = BEDateField(required=False)


@pytest.mark.parametrize("typed", ["24/11/2569", "24/11/2026", "2569-11-24"])
def test_be_date_field_cleans_either_calendar_to_a_gregorian_date(thai, typed):
    form = BookingForm(data={"day": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == date(2026, 11, 24)


def test_be_date_field_accepts_a_buddhist_year_under_english(english):
    form = BookingForm(data={"day": "24/11/2569"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == date(2026, 11, 24)


def test_be_date_field_explains_a_bad_date(english):
    form = BookingForm(data={"day": "31/02/2569"})
    assert not form.is_valid()
    assert form.errors["day"] == ["Enter a date as day/month/year, for example 24/11/2569."]


def test_be_date_field_may_be_left_empty_when_optional():
    form = OptionalDateForm(data={"day": ""})
    assert form.is_valid()
    assert form.cleaned_data["day"] is None


def test_be_date_field_shows_initial_date_in_buddhist_era_under_thai(thai):
    html = str(BookingForm(initial={"day": date(2026, 11, 4)})["day"])
    assert 'value="04/11/2569"' in html
    assert 'inputmode="numeric"' in html
    assert 'type="text"' in html
    assert "placeholder=" in html


def test_be_date_field_shows_initial_date_in_gregorian_under_english(english):
    html = str(BookingForm(initial={"day": date(2026, 11, 4)})["day"])
    assert 'value="04/11/2026"' in html
    assert 'placeholder="dd/mm/yyyy"' in html


def test_be_date_field_shows_back_what_was_typed_when_invalid(thai):
    html = str(BookingForm(data={"day": "31/02/2569"})["day"])
    assert 'value="31/02/2569"' in html
    assert 'aria-invalid="true"' in html


def test_be_date_field_is_unchanged_when_the_same_day_is_typed_in_buddhist_era(thai):
    form = BookingForm(data={"day": "24/11/2569"}, initial={"day": date(2026, 11, 24)})
    assert not form.has_changed()


def test_display_year():
    assert thaidates.display_year(2026, "th") == 2569
    assert thaidates.display_year(2026, "en") == 2026
