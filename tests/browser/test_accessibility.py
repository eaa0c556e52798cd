"""Accessibility in the browser: axe-core's WCAG 2.1 A and AA rules on every page type, at
360 and 1366 px, and the review queue's side panel used from the keyboard.

axe-core comes bundled in the pinned axe-playwright-python (no network at run time); it
is injected with page.evaluate, which a Content-Security-Policy does not block.
One signed-in page per role visits all of that role's pages at both widths, in one test:
each role signs in once, and the database is set up and restored once, not per page.
"""

import re
from decimal import Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import expect

from entrepreneurs.models import VerificationStatus
from products.models import ProductImage, ProductStatus
from programmes.models import Enrolment, EnrolmentStatus
from programmes.services import decide_enrolment, save_application, submit_application
from tests.browser.helpers import sign_in
from tests.conftest import enable_totp
from tests.factories import (
    EnterpriseFactory,
    IntakeFactory,
    MaterialFactory,
    MaterialTestFactory,
    ProductFactory,
    UpgradeRecordFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser

TIMEOUT = 15_000
WIDTHS = (360, 1366)
AXE = Axe()
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
S = EnrolmentStatus


def violations(page):
    """axe's WCAG 2.1 A/AA violations on the page as it is now, one line per element."""
    found = AXE.run(page, options=AXE_OPTIONS).response["violations"]
    return [
        f"{violation['id']}: {violation['help']} — {' '.join(node['target'])}: "
        f"{node.get('failureSummary', '').splitlines()[-1:]}"
        for violation in found
        for node in violation["nodes"]
    ]


def check_pages(page, pages):
    """Open each (name, path, then) at each width; axe's violations by page and width.

    `then`, when given, is called with the page after it loaded (open a panel, choose a
    province...), so the state checked is the one a person reaches.
    """
    problems = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        for name, path, then in pages:
            response = page.goto(path)
            assert response is not None and response.ok, (name, path, response and response.status)
            if then:
                then(page)
            if found := violations(page):
                problems[f"{name} ({path}) at {width} px"] = found
    return problems


def add_photo(product):
    # The file is not there (the page gets a 404 for it): what axe checks is the markup.
    return ProductImage.objects.create(
        product=product,
        image=f"products/{product.pk}-0.jpg",
        thumbnail=f"products/thumbs/{product.pk}-0.jpg",
        width=800,
        height=600,
    )


@pytest.fixture
def portal(db):
    """An entrepreneur with a verified enterprise, a published and upgraded product with a
    photo, and an application an officer has decided; an officer with two-factor set up."""
    owner = UserFactory(email="potter@example.com", full_name="บุญมี ปั้นดี")
    officer = enable_totp(
        UserFactory(role="officer", email="officer@diprom.example", full_name="วิภา ศรีสุข")
    )
    enterprise = EnterpriseFactory(owner=owner, status=VerificationStatus.VERIFIED)
    product = ProductFactory(
        enterprise=enterprise, status=ProductStatus.PUBLISHED, unit_price=Decimal("350.00")
    )
    add_photo(product)
    UpgradeRecordFactory(product=product, recorded_by=officer)
    # Two places: the owner's application and another are accepted, a third waits.
    intake = IntakeFactory(capacity=2)
    enrolment = save_application(
        intake=intake, enterprise=enterprise, by=owner, products=[product], answers={}
    )
    submit_application(enrolment=enrolment, by=owner)
    decide_enrolment(enrolment=enrolment, by=officer, decision=S.ACCEPTED)
    other, waiting = (apply_for_enterprise(intake, officer) for _ in range(2))
    submit_application(enrolment=other, by=officer)
    decide_enrolment(enrolment=other, by=officer, decision=S.ACCEPTED)
    waiting = submit_application(enrolment=waiting, by=officer)
    assert waiting.status == S.WAITLISTED
    return {
        "owner": owner,
        "officer": officer,
        "enterprise": enterprise,
        "product": product,
        "intake": intake,
        "enrolment": enrolment,
        "other": other,
        "waiting": waiting,
    }


def apply_for_enterprise(intake, officer):
    """A fresh verified enterprise's draft application, made by an officer on its behalf."""
    enterprise = EnterpriseFactory(status=VerificationStatus.VERIFIED)
    enrolment = save_application(
        intake=intake,
        enterprise=enterprise,
        by=officer,
        products=[ProductFactory(enterprise=enterprise)],
        answers={},
    )
    return enrolment


def fail_to_sign_in(page):
    """A wrong password: the form's error must be announced and tied to the form."""
    page.locator("#id_login").fill("nobody@example.com")
    page.locator("#id_password").fill("not the password")
    page.locator("main").get_by_role("button", name=re.compile("ลงชื่อเข้าใช้|Sign In")).click()
    expect(page.locator("main .alert-danger, main .invalid-feedback").first).to_be_visible()


def public_pages(portal):
    product, intake = portal["product"], portal["intake"]
    return [
        ("landing", "/", None),
        ("showcase", reverse("showcase:index"), None),
        ("showcase product", reverse("showcase:product", args=[product.pk]), None),
        ("programmes", reverse("programmes:programme_list"), None),
        (
            "programme",
            reverse("programmes:programme_detail", args=[intake.programme_id]),
            None,
        ),
        ("intake", reverse("programmes:intake_detail", args=[intake.pk]), None),
        ("login", reverse("account_login"), None),
        ("login refused", reverse("account_login"), fail_to_sign_in),
        ("signup", reverse("account_signup"), None),
        ("privacy notice", reverse("accounts:privacy_notice"), None),
    ]


def choose_province(page):
    """Choose a province in the address chooser: the district list reloads, and says so."""
    page.locator("#id_province").select_option("50")
    expect(page.locator("#address-status")).to_have_text(
        re.compile(r"^รายการอำเภอปรับปรุงแล้ว \d+ รายการ$")
    )
    expect(page.locator("#id_district option")).not_to_have_count(1)


def entrepreneur_pages(portal):
    enterprise, product = portal["enterprise"], portal["product"]
    return [
        ("entrepreneur home", "/", None),
        ("my enterprises", reverse("entrepreneurs:my_enterprises"), None),
        ("enterprise", enterprise.get_absolute_url(), None),
        (
            "enterprise form",
            reverse("entrepreneurs:enterprise_update", args=[enterprise.pk]),
            choose_province,
        ),
        ("product", product.get_absolute_url(), None),
        ("product form", reverse("products:product_create", args=[enterprise.pk]), None),
        ("my applications", reverse("programmes:my_applications"), None),
        ("application", portal["enrolment"].get_absolute_url(), None),
        ("inbox", reverse("notifications:inbox"), None),
        ("profile", reverse("accounts:profile"), None),
    ]


def open_panel(page):
    row = page.locator("tbody tr").first
    row.locator("a[hx-get]").click()
    expect(page.locator("#review-panel h2")).to_be_focused()


def officer_pages(portal):
    intake = portal["intake"]
    return [
        ("officer home", "/", None),
        ("review queue", reverse("programmes:review_queue"), None),
        (
            "review queue with the panel open",
            reverse("programmes:review_queue") + "?status=all",
            open_panel,
        ),
        ("dashboard", reverse("programmes:dashboard", args=[intake.programme_id]), None),
        ("enterprise list", reverse("entrepreneurs:enterprise_list"), None),
        ("product list", reverse("products:product_list"), None),
        ("programmes to manage", reverse("programmes:programme_manage_list"), None),
        (
            "programme to manage",
            reverse("programmes:programme_manage", args=[intake.programme_id]),
            None,
        ),
        ("material library", reverse("products:material_list"), None),
        ("inbox", reverse("notifications:inbox"), None),
        ("profile", reverse("accounts:profile"), None),
    ]


@pytest.fixture
def campus(portal):
    """Centre staff (one with two-factor set up, one without yet), faculty and a student,
    and a glaze in the material library with a test result."""
    material = MaterialFactory(code="GL-001", name="เคลือบขี้เถ้าลำปาง", supplier="ศูนย์เกาะคา")
    MaterialTestFactory(material=material)
    return {
        "staff": enable_totp(
            UserFactory(role="centre_staff", email="lab@kokha.example", full_name="ประยุทธ คำดี")
        ),
        "new staff": UserFactory(
            role="centre_staff", email="new@kokha.example", full_name="สมชาย ใหม่มา"
        ),
        "faculty": UserFactory(role="faculty", email="kamol@tu.ac.th", full_name="กมล วงศ์ดี"),
        "student": UserFactory(role="student", email="napa@dome.tu.ac.th", full_name="นภา ใจงาม"),
        "material": material,
    }


def two_factor_pages():
    return [
        ("profile", reverse("accounts:profile"), None),
        ("two-factor sign-in", reverse("mfa_index"), None),
    ]


def centre_staff_pages(portal, campus):
    material, product = campus["material"], portal["product"]
    return [
        ("centre staff home", "/", None),
        ("material library", reverse("products:material_list"), None),
        ("material", material.get_absolute_url(), None),
        ("material form", reverse("products:material_create"), None),
        ("material test form", reverse("products:material_test_add", args=[material.pk]), None),
        ("product list", reverse("products:product_list"), None),
        ("product", product.get_absolute_url(), None),
        ("inbox", reverse("notifications:inbox"), None),
        *two_factor_pages(),
    ]


def new_staff_pages():
    """A staff account without an authenticator yet: the home's warning and the setup page."""
    return [
        ("home before two-factor set-up", "/", None),
        ("authenticator set-up", reverse("mfa_activate_totp"), None),
        ("profile", reverse("accounts:profile"), None),
    ]


def faculty_pages(portal, campus):
    product = portal["product"]
    return [
        ("faculty home", "/", None),
        ("product list", reverse("products:product_list"), None),
        ("product", product.get_absolute_url(), None),
        ("upgrade form", reverse("products:upgrade_create", args=[product.pk]), None),
        ("material library", reverse("products:material_list"), None),
        ("material", campus["material"].get_absolute_url(), None),
        *two_factor_pages(),
    ]


def student_pages(campus):
    return [
        ("student home", "/", None),
        ("material library", reverse("products:material_list"), None),
        ("material", campus["material"].get_absolute_url(), None),
        ("showcase", reverse("showcase:index"), None),
        *two_factor_pages(),
    ]


def test_every_page_type_passes_axe_at_360_and_1366_px(new_context, portal, campus):
    """One test for all roles: the live server's data is set up and restored once."""
    problems = {}

    def check_code_step(page):
        # Checked once, at the width of a phone, where it is read most.
        page.set_viewport_size({"width": WIDTHS[0], "height": 800})
        if found := violations(page):
            problems["centre staff: the code step of signing in"] = found
        page.set_viewport_size({"width": WIDTHS[-1], "height": 800})

    for role, user, pages in [
        ("public", None, public_pages(portal)),
        ("entrepreneur", portal["owner"], entrepreneur_pages(portal)),
        ("officer", portal["officer"], officer_pages(portal)),
        ("centre staff", campus["staff"], centre_staff_pages(portal, campus)),
        ("new centre staff", campus["new staff"], new_staff_pages()),
        ("faculty", campus["faculty"], faculty_pages(portal, campus)),
        ("student", campus["student"], student_pages(campus)),
    ]:
        page = new_context().new_page()
        page.set_default_timeout(TIMEOUT)
        if user is not None:
            sign_in(
                page,
                user,
                code=role in ("officer", "centre staff"),
                at_code_step=check_code_step if role == "centre staff" else None,
            )
        found = check_pages(page, pages)
        problems.update({f"{role}: {where}": lines for where, lines in found.items()})
        page.context.close()
    assert not problems, "axe found WCAG 2.1 A/AA violations:\n" + "\n".join(
        f"{where}:\n  " + "\n  ".join(lines) for where, lines in problems.items()
    )


def places_taken(page, intake):
    """The numbers of the intake's places line, in whichever words it says them."""
    return page.locator(f"#intake-places-{intake.pk} strong")


def numbers(*values):
    return re.compile(r"^\D*" + r"\D+".join(str(v) for v in values) + r"\D*$")


def test_review_panel_takes_the_focus_and_a_decision_updates_the_queue(page, portal):
    """Issue 8, items 9 and 18: the panel is read from the keyboard; nothing goes stale."""
    page.set_default_timeout(TIMEOUT)
    officer, intake = portal["officer"], portal["intake"]
    other, waiting = portal["other"], portal["waiting"]
    officer.language = "en"
    officer.save(update_fields=["language"])
    sign_in(page, officer, code=True)
    page.goto(reverse("programmes:review_queue") + "?status=all")
    expect(places_taken(page, intake)).to_have_text(numbers(2, 2))
    other_row = page.locator(f"#review-row-{other.pk}")
    waiting_row = page.locator(f"#review-row-{waiting.pk}")
    expect(waiting_row).to_contain_text("number 1 in line")

    # Opening a panel from the keyboard puts the focus on its heading ...
    other_row.locator("a[hx-get]").focus()
    page.keyboard.press("Enter")
    panel = page.locator("#review-panel")
    heading = panel.get_by_role("heading", level=2)
    expect(heading).to_have_text(other.enterprise.name_th)
    expect(heading).to_be_focused()
    # ... and the next Tab stop is inside the panel, not back in the table.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('#review-panel') !== null")

    # Rejecting an accepted application frees its place: the waitlist's first takes it.
    panel.get_by_label("Note to the applicant").fill("The workshop cannot take part this year.")
    panel.get_by_role("button", name="Reject", exact=True).click()
    outcome = panel.get_by_role("status")
    expect(outcome).to_contain_text("Decision saved: Rejected")
    expect(outcome).to_be_focused()
    # Without a reload: the decided row, the promoted row and the places line.
    expect(other_row.locator(".badge")).to_have_text("Rejected")
    expect(waiting_row.locator(".badge")).to_have_text("Accepted")
    expect(waiting_row).to_contain_text("holds a place")
    expect(places_taken(page, intake)).to_have_text(numbers(2, 2))
    waiting.refresh_from_db()
    assert waiting.status == S.ACCEPTED

    # Rejecting the promoted one gives a place back: the line says 1 of 2 at once.
    waiting_row.locator("a[hx-get]").click()
    expect(heading).to_have_text(waiting.enterprise.name_th)
    expect(heading).to_be_focused()
    panel.get_by_label("Note to the applicant").fill("The products are not ready.")
    panel.get_by_role("button", name="Reject", exact=True).click()
    expect(outcome).to_be_focused()
    expect(waiting_row.locator(".badge")).to_have_text("Rejected")
    expect(places_taken(page, intake)).to_have_text(numbers(1, 2))
    assert Enrolment.objects.filter(intake=intake, status=S.ACCEPTED).count() == 1
