"""First journey: sign up as an entrepreneur, confirm the email, land signed in, switch language."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from accounts.models import PrivacyConsent, Role, User
from tests.browser.helpers import open_menu_if_collapsed

pytestmark = pytest.mark.browser

PASSWORD = "Kaolin-Lampang-52"
# Not at example.com: the mail must not mention that domain anywhere.
EMAIL = "boonmee@lampang-mail.test"


def test_entrepreneur_signs_up_confirms_email_lands_signed_in_and_switches_language(
    phone_page, mailoutbox, request_log, live_server, settings
):
    # The portal's address, as a deployment sets it: the mail's links must lead here.
    settings.SITE_URL = live_server.url
    page = request_log.attach(phone_page)
    page.goto("/")
    page.locator("main").get_by_role("link", name="ลงทะเบียน").click()

    page.get_by_label("ชื่อ-นามสกุล").fill("บุญมี ปั้นดินดี")
    page.get_by_label("ผู้ประกอบการ").check()
    page.get_by_label("อีเมล").fill(EMAIL)
    page.get_by_label("โทรศัพท์").fill("081 234 5678")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_label("ข้าพเจ้าได้อ่านและยอมรับประกาศความเป็นส่วนตัวแล้ว").check()
    page.locator("main").get_by_role("button", name="ลงทะเบียน").click()

    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))
    user = User.objects.get(email=EMAIL)
    assert user.role == Role.ENTREPRENEUR
    assert PrivacyConsent.objects.filter(user=user).exists()

    # The verification mail was delivered through the outbox, in Thai, from the portal.
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.subject == "[นครเซรามิก] กรุณายืนยันอีเมลของท่าน"
    assert mail.body.startswith("สวัสดีจากนครเซรามิก")
    assert "นครเซรามิก — ดีพร้อม และศูนย์ลำปาง มหาวิทยาลัยธรรมศาสตร์" in mail.body
    assert "example.com" not in mail.subject + mail.body
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", mail.body).group(0)
    assert urlsplit(link).netloc == urlsplit(live_server.url).netloc

    # The link, opened in the browser that signed up, confirms and signs in: no second login.
    page.goto(link)
    page.locator("main").get_by_role("button", name="ยืนยัน").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("สวัสดี คุณบุญมี ปั้นดินดี")
    expect(page.get_by_text(f"ยืนยันอีเมล {EMAIL} แล้ว")).to_be_visible()
    assert "/accounts/login/" not in page.url
    expect(page.locator("html")).to_have_attribute("lang", "th")

    open_menu_if_collapsed(page)
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, บุญมี ปั้นดินดี")
    user.refresh_from_db()
    assert user.language == "en"

    open_menu_if_collapsed(page)
    page.get_by_role("button", name="ไทย").click()
    expect(page.locator("html")).to_have_attribute("lang", "th")
    expect(page.get_by_role("heading", level=1)).to_have_text("สวัสดี คุณบุญมี ปั้นดินดี")
    user.refresh_from_db()
    assert user.language == "th"

    # Nothing on the way came from another host (no CDN), and nothing overflows a phone.
    assert request_log.foreign == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
