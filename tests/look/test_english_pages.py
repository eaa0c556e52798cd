"""English pages: fiscal years in the calendar of the dates beside them, Thai text marked.

A fiscal year is stored in B.E.; under English it reads "FY 2027 (B.E. 2570)" next to
dates like "2 Dec 2026", and under Thai "ปีงบประมาณ 2570". Thai names in user data on an
English page carry lang="th" so screen readers and fonts treat them as Thai.
"""

from datetime import date

import pytest
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from entrepreneurs.models import VerificationStatus
from notifications.services import notify
from products.models import ProductStatus
from tests.conftest import sign_in
from tests.factories import (
    EnterpriseFactory,
    IntakeFactory,
    ProductFactory,
    ProgrammeFactory,
    UpgradeRecordFactory,
)
from toolkit.thaidates import format_fiscal_year


def render(template_text, **context):
    return Template(template_text).render(Context(context))


def test_fiscal_year_in_thai_is_the_buddhist_era_year():
    assert format_fiscal_year(2570, "th") == "ปีงบประมาณ 2570"


def test_fiscal_year_in_english_gives_the_common_era_year_and_the_official_number():
    assert format_fiscal_year(2570, "en") == "FY 2027 (B.E. 2570)"


@pytest.mark.parametrize(
    ("day", "english", "thai"),
    [
        (date(2026, 9, 30), "FY 2026 (B.E. 2569)", "ปีงบประมาณ 2569"),
        (date(2026, 10, 1), "FY 2027 (B.E. 2570)", "ปีงบประมาณ 2570"),
    ],
)
def test_fiscal_year_filters_follow_the_language(day, english, thai):
    with translation.override("en"):
        assert render("{{ day|fiscal_year }}", day=day) == english
        assert render("{{ year|fiscal_year_be }}", year=int(thai[-4:])) == english
    with translation.override("th"):
        assert render("{{ day|fiscal_year }}", day=day) == thai
        assert render("{{ year|fiscal_year_be }}", year=int(thai[-4:])) == thai


def test_fiscal_year_be_of_nothing_is_empty():
    assert render("{{ year|fiscal_year_be }}", year=None) == ""


def test_programme_page_in_english_shows_one_calendar(client, db):
    programme = ProgrammeFactory(fiscal_year=2570)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(programme.get_absolute_url()).text
    assert "FY 2027 (B.E. 2570)" in html
    assert "Fiscal year 2570" not in html


def test_programme_page_in_thai_shows_the_buddhist_era(client, db):
    programme = ProgrammeFactory(fiscal_year=2570)
    html = client.get(programme.get_absolute_url()).text
    assert "ปีงบประมาณ 2570" in html


def test_officer_home_in_english_shows_the_fiscal_year_in_one_calendar(officer_client, officer):
    officer.language = "en"
    officer.save(update_fields=["language"])
    html = officer_client.get(reverse("home")).text
    expected = format_fiscal_year(
        timezone.localdate().year + 543 + (timezone.localdate().month >= 10), "en"
    )
    assert expected in html


# --- lang="th" on Thai user data ------------------------------------------------------


def test_lang_th_wraps_thai_text_on_english_pages_only():
    with translation.override("en"):
        assert render("{{ v|lang_th }}", v="เกาะคา") == '<span lang="th">เกาะคา</span>'
        assert render("{{ v|lang_th }}", v="Ko Kha") == "Ko Kha"
        assert render("{{ v|lang_th }}", v="<b>ชาม</b>") == (
            '<span lang="th">&lt;b&gt;ชาม&lt;/b&gt;</span>'
        )
        assert render("<p{{ v|lang_th_attr }}>", v="ชาม") == '<p lang="th">'
    with translation.override("th"):
        assert render("{{ v|lang_th }}", v="เกาะคา") == "เกาะคา"
        assert render("<p{{ v|lang_th_attr }}>", v="ชาม") == "<p>"


@pytest.fixture
def thai_only_product(db, owner):
    enterprise = EnterpriseFactory(
        owner=owner,
        name_th="กลุ่มเครื่องปั้นดินเผาเกาะคา",
        name_en="",
        status=VerificationStatus.VERIFIED,
    )
    return ProductFactory(
        enterprise=enterprise,
        name_th="ชามตราไก่ลายคราม",
        name_en="",
        description="ชามเนื้อพอร์ซเลนเขียนลายไก่",
        status=ProductStatus.PUBLISHED,
        published_at=timezone.now(),
    )


def test_showcase_in_english_marks_thai_names(client, thai_only_product):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("showcase:product", args=[thai_only_product.pk])
    html = client.get(url).text
    assert '<h1 class="h3 mb-1"><span lang="th">ชามตราไก่ลายคราม</span></h1>' in html
    assert '<span lang="th">กลุ่มเครื่องปั้นดินเผาเกาะคา</span>' in html
    assert '<div class="mb-3" lang="th"><p>ชามเนื้อพอร์ซเลนเขียนลายไก่</p></div>' in html
    index = client.get(reverse("showcase:index")).text
    assert '<span lang="th">ชามตราไก่ลายคราม</span>' in index


def test_showcase_in_thai_has_no_extra_marks(client, thai_only_product):
    url = reverse("showcase:product", args=[thai_only_product.pk])
    html = client.get(url).text
    assert '<span lang="th">ชามตราไก่ลายคราม</span>' not in html


def test_officer_lists_in_english_mark_thai_names(officer_client, officer, thai_only_product):
    officer.language = "en"
    officer.save(update_fields=["language"])
    html = officer_client.get(reverse("products:product_list")).text
    assert '<span lang="th">' in html
    detail = officer_client.get(thai_only_product.enterprise.get_absolute_url()).text
    assert '<h1 class="h3 mb-1"><span lang="th">กลุ่มเครื่องปั้นดินเผาเกาะคา</span></h1>' in detail


def test_entrepreneur_home_in_english_marks_thai_names(client, owner, thai_only_product):
    owner.language = "en"
    owner.save(update_fields=["language"])
    html = sign_in(client, owner).get(reverse("home")).text
    assert "Hello, " in html
    assert '<span lang="th">บุญมี ปั้นดี</span>' in html
    assert 'class="fw-semibold"><span lang="th">กลุ่มเครื่องปั้นดินเผาเกาะคา</span></a>' in html
    assert '<span lang="th">ชามตราไก่ลายคราม</span></a>' in html


def test_entrepreneur_home_in_thai_has_no_extra_marks(client, owner, thai_only_product):
    html = sign_in(client, owner).get(reverse("home")).text
    assert "กลุ่มเครื่องปั้นดินเผาเกาะคา" in html
    assert '<span lang="th">' not in html


def test_landing_page_in_english_marks_thai_names(client, thai_only_product):
    UpgradeRecordFactory(product=thai_only_product)
    IntakeFactory(name_th="รุ่นพิเศษเกาะคา", name_en="")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("home")).text
    assert "Upgraded by the programme" in html
    assert '<a class="fw-semibold" href="/programmes/intakes/' in html
    assert '"><span lang="th">รุ่นพิเศษเกาะคา</span></a>' in html
    assert '<span lang="th">ชามตราไก่ลายคราม</span></a>' in html
    assert '<p class="small mb-0"><span lang="th">กลุ่มเครื่องปั้นดินเผาเกาะคา</span></p>' in html


def test_inbox_in_english_marks_thai_names_and_the_email_stays_plain(
    client, owner, thai_only_product, mailoutbox
):
    """One subject.txt serves the mail (plain text) and the inbox (HTML, names marked)."""
    owner.language = "en"
    owner.save(update_fields=["language"])
    enterprise = thai_only_product.enterprise
    with translation.override("en"):
        notification = notify(owner, "enterprise_status", enterprise, url="/")
    assert notification.email.subject == ("The verification of กลุ่มเครื่องปั้นดินเผาเกาะคา has changed")
    sign_in(client, owner)
    inbox = client.get(reverse("notifications:inbox")).text
    marked = '<span lang="th">กลุ่มเครื่องปั้นดินเผาเกาะคา</span>'
    assert f"The verification of {marked} has changed</button>" in inbox
    assert f"A DIPROM officer reviewed the verification of {marked}." in inbox
    home = client.get(reverse("home")).text
    assert f"The verification of {marked} has changed</li>" in home
