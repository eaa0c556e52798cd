"""Issue 3's journey: an enterprise in Ko Kha, two products with photos, verification, showcase.

An entrepreneur registers the enterprise and its products on a phone, an officer signs in
with two-factor and verifies it, and an anonymous visitor finds the published product in
the showcase, without the draft one and without the enterprise's private data.
"""

import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from entrepreneurs.models import Enterprise, VerificationStatus
from entrepreneurs.validators import tax_id_check_digit
from notifications.models import Notification
from products.models import Product, ProductStatus
from tests.browser.conftest import PHONE_VIEWPORT
from tests.browser.helpers import (
    fits_phone,
    log_out,
    navbar_is_one_line,
    open_menu_if_collapsed,
)
from tests.conftest import enable_totp, totp_code
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.browser

TIMEOUT = 15_000
NAME_TH = "วิสาหกิจชุมชนเซรามิกบ้านเกาะคา"
NAME_EN = "Ban Ko Kha Ceramics Community Enterprise"
# 4-52-03-06/1-0012: digits 2 to 7 name the subdistrict Ko Kha (520306) of Ko Kha district.
REGISTRATION_CODE = "4-52-03-06/1-0012"
TAX_ID_12 = "052556000123"
TAX_ID = TAX_ID_12 + str(tax_id_check_digit(TAX_ID_12))
TAX_ID_SHOWN = f"{TAX_ID[0]}-{TAX_ID[1:5]}-{TAX_ID[5:10]}-{TAX_ID[10:12]}-{TAX_ID[12]}"
PHONE = "054 281 777"
BOWL = "ชามสโตนแวร์เคลือบขี้เถ้า"
BOWL_EN = "Ash-glazed stoneware bowl"
VASE = "แจกันดินเผาลายช้าง"
VASE_EN = "Elephant terracotta vase"


def jpeg(path, colour, size=(640, 480)):
    """A real JPEG, as a phone camera would give one."""
    Image.new("RGB", size, colour).save(path, "JPEG", quality=85)
    return str(path)


def switch_to_english(page):
    open_menu_if_collapsed(page)
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def expect_images_loaded(images, count):
    expect(images).to_have_count(count)
    for index in range(count):
        image = images.nth(index)
        expect(image).to_be_visible()
        image.scroll_into_view_if_needed()
        # A broken image has no natural width: the photo must really come back from the server.
        assert image.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0


def private_free(html):
    """The page's source carries no private data either (no hidden fields, no tel: links)."""
    return not any(value in html for value in (TAX_ID, TAX_ID_SHOWN, PHONE, "tel:"))


def log_in(page, email, password):
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(password)
    page.locator("main").get_by_role("button", name=re.compile("ลงชื่อเข้าใช้|Sign In")).click()


def add_product(page, *, name_th, name_en, category, price, monthly, clay_body, cone):
    page.locator("main").get_by_role("link", name="Add a product").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New product")
    page.locator("#id_name_th").fill(name_th)
    page.locator("#id_name_en").fill(name_en)
    page.locator("#id_category").select_option(label=category)
    page.locator("#id_unit_price").fill(price)
    page.locator("#id_monthly_capacity").fill(monthly)
    page.locator("#id_clay_body").select_option(label=clay_body)
    page.locator("#id_glaze_temperature").fill("1000")
    page.locator("#id_orton_cone").select_option(cone)
    page.locator("#id_capacity_ml").fill("450")
    page.get_by_label("Lead-free glaze").check()
    assert fits_phone(page)
    page.get_by_role("button", name="Save as draft").click()
    # A new product goes on to its photos.
    expect(page.get_by_role("heading", level=1)).to_have_text("Photos")
    expect(page.get_by_role("status")).to_contain_text("saved as a draft")
    return Product.objects.get(name_th=name_th)


def upload_photos(page, files):
    assert fits_phone(page)
    page.locator("#id_photos").set_input_files(files)
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("status")).to_contain_text(f"{len(files)} photo")


def test_entrepreneur_registers_ko_kha_enterprise_officer_verifies_product_in_showcase(
    phone_page, page, new_context, owner, officer, live_server, mailoutbox, request_log, tmp_path
):
    # --- The entrepreneur, on a phone --------------------------------------------------
    phone = request_log.attach(phone_page)
    phone.set_default_timeout(TIMEOUT)
    phone.goto("/")
    phone.locator("main").get_by_role("link", name="ลงชื่อเข้าใช้").click()
    log_in(phone, owner.email, DEFAULT_PASSWORD)

    # One step in Thai: the home greets the entrepreneur in Thai, the portal's language.
    expect(phone.locator("html")).to_have_attribute("lang", "th")
    expect(phone.get_by_role("heading", level=1)).to_have_text(f"สวัสดี คุณ{owner.full_name}")
    switch_to_english(phone)
    expect(phone.get_by_role("heading", level=1)).to_have_text(f"Hello, {owner.full_name}")

    phone.locator("main").get_by_role("link", name="Register an enterprise").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Register an enterprise")
    phone.get_by_label("Kind of enterprise").select_option(label="Community enterprise")
    phone.get_by_label("Name in Thai").fill(NAME_TH)
    phone.get_by_label("Name in English").fill(NAME_EN)
    phone.get_by_label("Community-enterprise registration code").fill(REGISTRATION_CODE)
    phone.get_by_label("Tax ID").fill(TAX_ID)
    phone.get_by_label("House number, village, road").fill("99 หมู่ 4 ถนนลำปาง-เถิน")

    # Each choice loads the next list, and a new subdistrict list reloads the postal codes.
    # A person pauses before the next choice; the test waits for that reload instead.
    province = phone.get_by_label("Province")
    district = phone.get_by_label("District (amphoe)")
    subdistrict = phone.get_by_label("Subdistrict (tambon)")
    postal_code = phone.get_by_label("Postal code")
    province.select_option(label="Lampang")
    expect(district.locator("option", has_text="Ko Kha")).to_have_count(1)
    with phone.expect_response(re.compile(r"/places/postal-codes/")):
        district.select_option(label="Ko Kha")
    expect(subdistrict.locator("option", has_text="Lampang Luang")).to_have_count(1)
    subdistrict.select_option(label="Ko Kha")
    # Ko Kha has one postal code: it is chosen for the entrepreneur.
    expect(postal_code).to_have_value("52130")
    phone.get_by_label("Phone").fill(PHONE)
    assert fits_phone(phone)
    phone.get_by_role("button", name="Register the enterprise").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text(NAME_EN)
    expect(phone.get_by_role("status")).to_contain_text("An officer will verify it.")
    verification = phone.locator("section", has=phone.get_by_role("heading", name="Verification"))
    expect(verification.locator(".badge")).to_have_text("Unverified")
    expect(phone.locator("main")).to_contain_text("Subdistrict Ko Kha, District Ko Kha")
    expect(phone.locator("main")).to_contain_text(TAX_ID_SHOWN)
    # The code's tambon digits name a real subdistrict: no warning.
    expect(phone.locator("main")).not_to_contain_text("name no current subdistrict")
    assert fits_phone(phone)
    enterprise = Enterprise.objects.get(name_th=NAME_TH)
    assert enterprise.status == VerificationStatus.UNVERIFIED
    assert enterprise.registration_code == "452030610012"
    assert (enterprise.province_id, enterprise.district_id) == ("52", "5203")
    assert (enterprise.subdistrict_id, enterprise.postal_code) == ("520306", "52130")
    assert enterprise.members.get().user == owner

    # The first product, with two photos.
    bowl = add_product(
        phone,
        name_th=BOWL,
        name_en=BOWL_EN,
        category="Tableware › Stoneware and earthenware tableware",
        price="350",
        monthly="200",
        clay_body="Stoneware",
        cone="06",
    )
    upload_photos(
        phone,
        [jpeg(tmp_path / "bowl-front.jpg", (150, 90, 60)), jpeg(tmp_path / "bowl-top.jpg", "navy")],
    )
    expect(phone.get_by_role("heading", level=1)).to_have_text(BOWL_EN)
    photos = phone.locator("section[aria-labelledby=photos-heading]")
    expect_images_loaded(photos.get_by_role("img", name=re.compile(r"^Photo \d$")), 2)
    expect_images_loaded(photos.get_by_role("img", name=BOWL_EN), 1)
    spec = phone.locator("section[aria-labelledby=spec-heading]")
    expect(spec).to_contain_text("Stoneware")
    expect(spec).to_contain_text("Cone 06")
    assert bowl.images.count() == 2

    # The second product: publishing it with no photo is refused, with the reason.
    phone.locator("main").get_by_role("link", name=NAME_EN).click()
    vase = add_product(
        phone,
        name_th=VASE,
        name_en=VASE_EN,
        category="Decorative items and souvenirs › Vases and planters",
        price="1200",
        monthly="40",
        clay_body="Earthenware",
        cone="04",
    )
    phone.locator("main").get_by_role("link", name=VASE_EN).click()
    phone.get_by_role("button", name="Publish").click()
    expect(phone.get_by_role("alert")).to_contain_text("Add at least one photo")
    expect(phone.locator("main .badge.fs-6")).to_have_text("Draft")
    phone.locator("main").get_by_role("link", name="Photos", exact=True).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Photos")
    upload_photos(phone, [jpeg(tmp_path / "vase.jpg", (200, 120, 80), size=(480, 640))])
    expect(phone.get_by_role("heading", level=1)).to_have_text(VASE_EN)
    expect_images_loaded(
        phone.locator("section[aria-labelledby=photos-heading]").get_by_role("img"), 1
    )
    vase.refresh_from_db()
    assert vase.status == ProductStatus.DRAFT

    # Publishing needs a photo and an enterprise that is not inactive; an unverified one
    # may publish, so the bowl goes out now.
    phone.locator("main").get_by_role("link", name=NAME_EN).click()
    phone.locator("main").get_by_role("link", name=BOWL_EN).click()
    phone.get_by_role("button", name="Publish").click()
    expect(phone.get_by_role("status")).to_contain_text("published in the showcase")
    expect(phone.locator("main .badge.fs-6")).to_have_text("Published")
    bowl.refresh_from_db()
    assert bowl.status == ProductStatus.PUBLISHED

    log_out(phone)
    expect(phone.get_by_role("heading", level=1)).to_have_text("Nakhon Ceramic")
    expect(phone.locator("main").get_by_role("link", name="Log in")).to_be_visible()

    # --- The officer, at a desk, with two-factor sign-in -----------------------------------
    enable_totp(officer)
    desk = request_log.attach(page)
    desk.set_default_timeout(TIMEOUT)
    desk.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    desk.goto("/accounts/login/")
    log_in(desk, officer.email, DEFAULT_PASSWORD)
    expect(desk).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    desk.locator("#id_code").fill(totp_code())
    desk.locator("main").get_by_role("button", name="Sign In").click()
    # The officer's profile says Thai; the switcher makes it English.
    expect(desk.get_by_role("heading", level=1)).to_have_text(f"สวัสดี คุณ{officer.full_name}")
    # An officer has the most links; on a 1200-px laptop they still fit one line.
    desk.set_viewport_size({"width": 1200, "height": 800})
    assert navbar_is_one_line(desk)
    switch_to_english(desk)
    assert navbar_is_one_line(desk)

    waiting = desk.locator(
        "section", has=desk.get_by_role("heading", name="Enterprises waiting for verification")
    )
    expect(waiting.get_by_role("link", name=NAME_EN)).to_be_visible()
    # Find it as officers do, by a Thai part of its name.
    desk.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Enterprises", exact=True
    ).click()
    desk.get_by_label("Search by name, registration code or phone").fill("เซรามิกบ้านเกาะคา")
    desk.locator("#list-filters").get_by_role("button", name="Search").click()
    desk.locator("main table").get_by_role("link", name=NAME_TH).click()

    expect(desk.get_by_role("heading", level=1)).to_have_text(NAME_EN)
    desk.get_by_label("New verification state").select_option(label="Verified")
    desk.get_by_label("Note").fill("ตรวจเอกสารจดทะเบียนแล้ว ถูกต้อง")
    desk.get_by_role("button", name="Record the decision").click()
    expect(desk.get_by_role("status")).to_contain_text("is now verified")
    verification = desk.locator("section", has=desk.get_by_role("heading", name="Verification"))
    expect(verification.locator(".badge").first).to_have_text("Verified")
    expect(verification).to_contain_text("ตรวจเอกสารจดทะเบียนแล้ว ถูกต้อง")

    enterprise.refresh_from_db()
    assert enterprise.status == VerificationStatus.VERIFIED
    assert enterprise.status_changed_by == officer
    notice = Notification.objects.get(recipient=owner, kind="enterprise_status")
    assert notice.target == enterprise
    emails = [mail for mail in mailoutbox if mail.to == [owner.email]]
    assert len(emails) == 1
    # The entrepreneur chose English, so the email is in English.
    assert NAME_EN in emails[0].subject
    assert "Verified" in emails[0].body

    # --- An anonymous visitor, on another phone ------------------------------------------------
    visitor_context = new_context(
        viewport=PHONE_VIEWPORT, screen=PHONE_VIEWPORT, is_mobile=True, has_touch=True
    )
    visitor_context.add_cookies(
        [{"name": "django_language", "value": "en", "url": live_server.url}]
    )
    visitor = request_log.attach(visitor_context.new_page())
    visitor.set_default_timeout(TIMEOUT)
    visitor.goto("/")
    visitor.locator("main").get_by_role("link", name="Showcase of Lampang ceramics").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Showcase of Lampang ceramics")
    card = visitor.locator("article", has=visitor.get_by_role("link", name=BOWL_EN))
    expect(card).to_have_count(1)
    expect(card).to_contain_text(NAME_EN)
    expect(card).to_contain_text("Ko Kha, Lampang")
    expect_images_loaded(card.locator("img"), 1)
    expect(visitor.locator("main")).not_to_contain_text(VASE_EN)
    assert fits_phone(visitor)

    card.get_by_role("link", name=BOWL_EN).click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text(BOWL_EN)
    expect(visitor.get_by_role("heading", name="Upgrade story")).to_be_visible()
    expect(visitor.get_by_role("heading", name="Ceramic specification")).to_be_visible()
    expect(visitor.locator("main")).to_contain_text("Orton cone 06")
    expect(visitor.locator("main")).to_contain_text("Ko Kha district, Lampang")
    expect_images_loaded(visitor.locator("main .carousel-item.active img"), 1)
    public_text = visitor.locator("body").inner_text()
    for private in (TAX_ID, TAX_ID_SHOWN, PHONE, PHONE.replace(" ", ""), owner.email):
        assert private not in public_text
    assert private_free(visitor.content())
    assert fits_phone(visitor)

    # The draft is not on the public site at all.
    response = visitor.goto(f"/showcase/{vase.pk}/")
    assert response.status == 404

    # Nothing on the way came from another host (no CDN).
    assert request_log.foreign == []
