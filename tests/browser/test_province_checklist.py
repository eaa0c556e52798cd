"""An officer on a 360 px phone chooses an intake's provinces by typing and ticking."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from programmes.models import Intake
from tests.browser.helpers import fits_phone
from tests.browser.test_phone_layout import sign_in
from tests.factories import ProgrammeFactory

pytestmark = pytest.mark.browser


def test_officer_filters_and_ticks_two_provinces_on_a_phone(phone_page, officer_2fa, live_server):
    programme = ProgrammeFactory()
    sign_in(phone_page, officer_2fa, live_server)
    page = phone_page
    page.goto(reverse("programmes:intake_create", args=[programme.pk]))

    provinces = page.get_by_role("group", name="จังหวัด")
    expect(provinces.get_by_role("checkbox")).to_have_count(77)
    count = page.locator("#id_eligible_provinces_count")
    expect(count).to_have_text("ยังไม่ได้เลือก: ทุกจังหวัดสมัครได้")
    # The programme's home province is at the top of the list.
    expect(provinces.get_by_role("checkbox").first).to_have_accessible_name("ลำปาง")

    finder = page.get_by_label("ค้นหาจังหวัด")
    finder.fill("เชียง")
    expect(provinces.get_by_role("checkbox", name=re.compile("^เชียง"))).to_have_count(2)
    expect(provinces.get_by_role("checkbox", name="ลำปาง")).to_be_hidden()
    provinces.get_by_text("เชียงใหม่", exact=True).click()
    # The keyboard works too: from the filter, Tab reaches the next visible box.
    finder.fill("ลำพูน")
    expect(provinces.locator("[data-option]:not([hidden])")).to_have_count(1)
    finder.press("Tab")
    expect(provinces.get_by_role("checkbox", name="ลำพูน")).to_be_focused()
    page.keyboard.press("Space")
    expect(count).to_have_text("เลือกแล้ว 2 รายการ")

    finder.fill("ไม่มีจังหวัดนี้")
    expect(page.get_by_text("ไม่พบรายการที่ตรงกัน")).to_be_visible()
    # Enter in the filter box does not send the form.
    finder.press("Enter")
    expect(finder).to_have_value("ไม่มีจังหวัดนี้")
    assert not Intake.objects.exists()
    finder.fill("")
    expect(provinces.get_by_role("checkbox")).to_have_count(77)
    assert fits_phone(page)

    page.locator("#id_name_th").fill("รุ่นภาคเหนือ")
    page.locator("#id_opens_on").fill("1/12/2569")
    page.locator("#id_closes_on").fill("31/1/2570")
    page.locator("#id_capacity").fill("10")
    page.get_by_role("button", name="บันทึก", exact=True).click()
    expect(page.get_by_role("status")).to_be_visible()
    intake = Intake.objects.get()
    assert sorted(p.name_th for p in intake.eligible_provinces.all()) == ["ลำพูน", "เชียงใหม่"]
