"""Issue 4's journeys: apply and be accepted; a full intake, its waitlist and a withdrawal.

Journey 1: an entrepreneur on a phone applies to an open intake with a product and an
answer; an officer (two-factor) accepts it from the review queue's panel without leaving
the page; the entrepreneur sees the decision and its notification.
Journey 2: an officer creates a programme with a partner and opens an intake of one
place; the first applicant is accepted, the second waits as number 1; the first
withdraws and the second is accepted automatically and told so.
"""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from entrepreneurs.models import VerificationStatus
from notifications.models import Notification
from programmes.models import (
    Enrolment,
    EnrolmentStatus,
    IntakeQuestion,
    Programme,
    ProgrammeStatus,
)
from tests.browser.conftest import PHONE_VIEWPORT
from tests.browser.helpers import fits_phone, log_out, open_menu_if_collapsed
from tests.conftest import enable_totp, totp_code
from tests.factories import (
    DEFAULT_PASSWORD,
    EnterpriseFactory,
    IntakeFactory,
    ProductFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser

TIMEOUT = 15_000
S = EnrolmentStatus
PROGRAMME_TH = "โครงการพัฒนาอุตสาหกรรมวัสดุสร้างสรรค์และหัตถอุตสาหกรรม"
PROGRAMME_EN = "Creative industrial materials and craft industry"
QUESTION_EN = "What do you want to upgrade, and why?"


def in_english(context, live_server):
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    return context


def phone(new_context, live_server):
    """A page on a 360-px phone, in English."""
    context = new_context(
        viewport=PHONE_VIEWPORT, screen=PHONE_VIEWPORT, is_mobile=True, has_touch=True
    )
    page = in_english(context, live_server).new_page()
    page.set_default_timeout(TIMEOUT)
    return page


def desk(new_context, live_server):
    page = in_english(new_context(), live_server).new_page()
    page.set_default_timeout(TIMEOUT)
    return page


def log_in(page, user):
    page.locator("#id_login").fill(user.email)
    page.locator("#id_password").fill(DEFAULT_PASSWORD)
    page.locator("main").get_by_role("button", name=re.compile("ลงชื่อเข้าใช้|Sign In")).click()


def log_in_officer(page, officer):
    """Sign in with the password, then the authenticator's code."""
    page.goto("/accounts/login/")
    log_in(page, officer)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.locator("#id_code").fill(totp_code())
    page.locator("main").get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {officer.full_name}")


def entrepreneur(email, name_th, name_en, product_en):
    """An entrepreneur who reads English, with a verified enterprise and one product."""
    person = UserFactory(email=email, full_name=f"คุณ {name_en}", language="en")
    enterprise = EnterpriseFactory(
        owner=person, name_th=name_th, name_en=name_en, status=VerificationStatus.VERIFIED
    )
    ProductFactory(enterprise=enterprise, name_en=product_en)
    return person


def fill_application(page, *, intake, product, answer=None):
    """On the application form: choose the product, answer, submit."""
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Apply to {intake.name_en}")
    page.get_by_role("checkbox", name=re.compile(product)).check()
    if answer:
        page.get_by_label(QUESTION_EN).fill(answer)
    assert fits_phone(page)
    page.get_by_role("button", name="Submit the application").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Application to {intake.name_en}")
    assert fits_phone(page)


def apply_from_programme_page(page, *, intake, product):
    page.locator("main").get_by_role("link", name=re.compile(f"^Apply {intake.name_en}")).click()
    fill_application(page, intake=intake, product=product)


def state_badge(page):
    return page.locator("section[aria-labelledby=state-heading] .badge")


def accept_in_review_queue(page, enrolment, note=""):
    """The officer opens the queue, reads the application in the side panel and accepts it."""
    page.goto(reverse("programmes:review_queue"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Review queue")
    row = page.locator(f"#review-row-{enrolment.pk}")
    expect(row.locator(".badge")).to_have_text("Submitted")
    row.get_by_role("link", name=enrolment.enterprise.name_th).click()
    panel = page.locator("#review-panel")
    expect(panel.get_by_role("heading", level=2)).to_have_text(enrolment.enterprise.name_th)
    if note:
        panel.get_by_label("Note to the applicant").fill(note)
    panel.get_by_role("button", name="Accept", exact=True).click()
    expect(panel.get_by_role("status")).to_contain_text("Decision saved: Accepted")
    # The row changed in place: the officer never left the queue.
    expect(row.locator(".badge")).to_have_text("Accepted")
    expect(page).to_have_url(re.compile(r"/programmes/review/$"))


def expect_unread(page, user):
    """The bell's badge counts the person's unread notifications, the menu closed."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
    expect(page.locator("#nc-unread-badge")).to_contain_text(str(unread))
    return unread


def test_entrepreneur_applies_officer_accepts_in_review_queue_entrepreneur_sees_decision(
    new_context, officer, live_server, mailoutbox
):
    owner = entrepreneur(
        "potter@example.com",
        "วิสาหกิจชุมชนเครื่องปั้นดินเผาบ้านท่าผา",
        "Ban Tha Pha Pottery",
        "Celadon tea set",
    )
    enable_totp(officer)
    officer.language = "en"
    officer.save(update_fields=["language"])
    intake = IntakeFactory(
        programme__title_th=PROGRAMME_TH, programme__title_en=PROGRAMME_EN, name_en="Cohort 1"
    )
    IntakeQuestion.objects.create(intake=intake, text_th="ต้องการยกระดับอะไร", text_en=QUESTION_EN)

    # --- The entrepreneur, on a phone: the public page in Thai, then in English ----------------
    context = new_context(
        viewport=PHONE_VIEWPORT, screen=PHONE_VIEWPORT, is_mobile=True, has_touch=True
    )
    mobile = context.new_page()
    mobile.set_default_timeout(TIMEOUT)
    mobile.goto(reverse("programmes:programme_detail", args=[intake.programme.pk]))
    expect(mobile.get_by_role("heading", level=1)).to_have_text(PROGRAMME_TH)
    open_menu_if_collapsed(mobile)
    mobile.get_by_role("button", name="English").click()
    expect(mobile.locator("html")).to_have_attribute("lang", "en")
    expect(mobile.get_by_role("heading", level=1)).to_have_text(PROGRAMME_EN)
    assert fits_phone(mobile)

    # Apply asks to sign in first, then comes back to the application form.
    mobile.locator("main").get_by_role("link", name=re.compile("^Apply Cohort 1")).click()
    expect(mobile).to_have_url(re.compile(r"/accounts/login/"))
    log_in(mobile, owner)
    fill_application(
        mobile, intake=intake, product="Celadon tea set", answer="A lead-free celadon glaze."
    )
    expect(mobile.get_by_role("status")).to_contain_text("An officer will review it.")
    expect(state_badge(mobile)).to_have_text("Submitted")
    enrolment = Enrolment.objects.get(intake=intake)
    assert enrolment.status == S.SUBMITTED
    assert [p.name_en for p in enrolment.products.all()] == ["Celadon tea set"]
    assert enrolment.answers.get().text == "A lead-free celadon glaze."
    log_out(mobile)
    expect(mobile.locator("main").get_by_role("link", name="Log in")).to_be_visible()

    # --- The officer, at a desk, with two-factor sign-in ----------------------------------------
    office = desk(new_context, live_server)
    log_in_officer(office, officer)
    accept_in_review_queue(office, enrolment, note="Welcome to cohort 1.")
    enrolment.refresh_from_db()
    assert enrolment.status == S.ACCEPTED
    assert enrolment.events.last().by == officer

    # --- The entrepreneur again: the notification and the decision ------------------------------
    mobile.goto("/accounts/login/")
    log_in(mobile, owner)
    assert expect_unread(mobile, owner) == 2  # submitted, then accepted
    mobile.get_by_role("link", name=re.compile("Notifications")).click()
    # The newest notice comes first, unread.
    item = mobile.locator("#notification-list > li").first
    expect(item).to_contain_text("Your application: Accepted")
    expect(item).to_contain_text("Unread:")
    assert fits_phone(mobile)
    item.get_by_role("button", name="Your application: Accepted").click()
    expect(mobile.get_by_role("heading", level=1)).to_have_text("Application to Cohort 1")
    expect(state_badge(mobile)).to_have_text("Accepted")
    expect(mobile.locator("main")).to_contain_text("Welcome to cohort 1.")
    expect(mobile.locator("main")).to_contain_text("holds a place in this intake")
    assert fits_phone(mobile)
    # The email said so too, in the entrepreneur's language.
    subjects = [mail.subject for mail in mailoutbox if mail.to == [owner.email]]
    assert "Your application: Accepted" in subjects


def test_full_intake_waitlists_the_second_applicant_and_a_withdrawal_promotes_them(
    new_context, officer, live_server
):
    enable_totp(officer)
    officer.language = "en"
    officer.save(update_fields=["language"])
    first = entrepreneur(
        "first@example.com", "วิสาหกิจชุมชนดินเผานาแก้ว", "Na Kaeo Terracotta", "Rooster figurine"
    )
    second = entrepreneur(
        "second@example.com", "ไหล่หินเคลย์สตูดิโอ", "Lai Hin Clay Studio", "Wave planter"
    )

    # --- The officer records a partner, creates the programme and opens an intake -------------
    office = desk(new_context, live_server)
    log_in_officer(office, officer)
    office.goto(reverse("programmes:programme_manage_list"))
    office.locator("main").get_by_role("link", name="Partners").click()
    office.locator("main").get_by_role("link", name="Add a partner").click()
    office.locator("#id_name_th").fill("ศูนย์ลำปาง มหาวิทยาลัยธรรมศาสตร์")
    office.locator("#id_name_en").fill("Thammasat University Lampang Centre")
    office.locator("#id_kind").select_option(label="University")
    office.get_by_role("button", name="Save").click()
    expect(office.get_by_role("status")).to_contain_text("The partner is saved.")

    office.locator("main").get_by_role("link", name="Programmes").click()
    office.locator("main").get_by_role("link", name="New programme").click()
    office.locator("#id_title_th").fill(PROGRAMME_TH)
    office.locator("#id_title_en").fill(PROGRAMME_EN)
    office.locator("#id_fiscal_year").fill("2570")
    office.locator("#id_policy").fill("DIPROM CARE")
    office.locator("#id_target_enterprises").fill("1")
    office.get_by_role("button", name="Save").click()
    expect(office.get_by_role("heading", level=1)).to_have_text(PROGRAMME_EN)
    programme = Programme.objects.get(title_th=PROGRAMME_TH)
    assert programme.created_by == officer

    office.locator("#id_partner").select_option(label="Thammasat University Lampang Centre")
    office.locator("#id_role").select_option(label="Co-implementer")
    office.locator("#id_agreement_reference").fill("MOU 14/2569")
    office.get_by_role("button", name="Add the partner").click()
    expect(office.get_by_role("status")).to_contain_text("The partner is added")
    expect(office.locator("main")).to_contain_text("Agreement MOU 14/2569")
    office.get_by_role("button", name="Make active").click()
    expect(office.get_by_role("status")).to_contain_text("The programme is now Active")

    office.locator("main").get_by_role("link", name="New intake").click()
    today = timezone.localdate()
    deadline = today + timedelta(days=10)
    office.locator("#id_name_th").fill("รุ่นที่ 1")
    office.locator("#id_name_en").fill("Cohort 1")
    office.locator("#id_opens_on").fill(today.strftime("%d/%m/%Y"))
    office.locator("#id_opens_time").fill("00:00")
    # The deadline typed in the Buddhist Era, as officers write dates.
    office.locator("#id_closes_on").fill(f"{deadline:%d/%m}/{deadline.year + 543}")
    office.locator("#id_capacity").fill("1")
    office.get_by_role("button", name="Save").click()
    expect(office.get_by_role("status")).to_contain_text("The intake is saved.")
    expect(office.locator("main")).to_contain_text("0 of 1 places taken")
    programme.refresh_from_db()
    assert programme.status == ProgrammeStatus.ACTIVE
    intake = programme.intakes.get()
    assert intake.capacity == 1 and intake.is_open()
    assert timezone.localdate(intake.closes_at) == deadline
    assert programme.partnerships.get().partner.name_en == "Thammasat University Lampang Centre"
    programme_url = reverse("programmes:programme_detail", args=[programme.pk])

    # --- The first entrepreneur applies and is accepted ---------------------------------------
    first_phone = phone(new_context, live_server)
    first_phone.goto("/accounts/login/")
    log_in(first_phone, first)
    first_phone.goto(programme_url)
    expect(first_phone.locator("main")).to_contain_text("Thammasat University Lampang Centre")
    apply_from_programme_page(first_phone, intake=intake, product="Rooster figurine")
    first_enrolment = Enrolment.objects.get(enterprise__members__user=first)
    accept_in_review_queue(office, first_enrolment)

    # --- The second applies to the full intake and waits as number 1 ---------------------------
    second_phone = phone(new_context, live_server)
    second_phone.goto("/accounts/login/")
    log_in(second_phone, second)
    second_phone.goto(programme_url)
    expect(second_phone.locator("main")).to_contain_text("all taken")
    apply_from_programme_page(second_phone, intake=intake, product="Wave planter")
    # Full: a warning, not a refusal.
    expect(second_phone.get_by_role("alert")).to_contain_text("number 1 on the waitlist")
    expect(state_badge(second_phone)).to_have_text("Waitlisted")
    expect(second_phone.locator("main")).to_contain_text("number 1 in line")
    second_enrolment = Enrolment.objects.get(enterprise__members__user=second)
    assert second_enrolment.status == S.WAITLISTED

    # --- The first withdraws; the second is accepted automatically and told --------------------
    first_phone.goto(first_enrolment.get_absolute_url())
    expect(state_badge(first_phone)).to_have_text("Accepted")
    first_phone.get_by_role("link", name="Withdraw…").click()
    expect(first_phone.locator("main")).to_contain_text("Its place goes to the next enterprise")
    first_phone.get_by_role("button", name="Withdraw the application").click()
    expect(first_phone.get_by_role("status")).to_contain_text("Your application is withdrawn.")
    expect(state_badge(first_phone)).to_have_text("Withdrawn")

    second_enrolment.refresh_from_db()
    assert second_enrolment.status == S.ACCEPTED
    second_phone.reload()
    expect(state_badge(second_phone)).to_have_text("Accepted")
    history = second_phone.locator("section[aria-labelledby=history-heading]")
    expect(history.locator("li").last).to_contain_text("automatically")
    expect_unread(second_phone, second)
    second_phone.get_by_role("link", name=re.compile("Notifications")).click()
    expect(second_phone.locator("#notification-list > li").first).to_contain_text(
        "Your application: Accepted"
    )
    assert fits_phone(second_phone)
    latest = Notification.objects.filter(recipient=second).order_by("-pk").first()
    assert latest.kind == "enrolment_status" and latest.target.enrolment == second_enrolment
