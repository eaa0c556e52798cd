"""The pages that run JavaScript work under the strict Content-Security-Policy.

Chromium reports every blocked script, style or handler as a `securitypolicyviolation`
event and a console error; each test collects both (and any JavaScript error) on every page
it opens and expects none, while the charts draw, htmx swaps the review panel and the
address lists, and Django's admin runs its widgets.
"""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from entrepreneurs.models import VerificationStatus
from products.models import ProductStatus
from programmes.models import Enrolment, EnrolmentStatus
from tests.browser.helpers import sign_in
from tests.conftest import enable_totp
from tests.factories import (
    EnterpriseFactory,
    IntakeFactory,
    ProductFactory,
    ResourceFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser

TIMEOUT = 15_000

# Reports every violation to the test, from every page the context opens (the binding
# survives navigation; a script of the page itself could not run under the policy anyway).
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportViolation(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} ` +
    `at ${event.sourceFile || document.location.pathname}:${event.lineNumber}`
  );
});
"""


class Problems:
    """Policy violations, console errors and uncaught exceptions seen in a browser context."""

    def __init__(self, context):
        self.violations = []
        self.console = []
        self.exceptions = []
        context.expose_binding(
            "reportViolation", lambda _source, text: self.violations.append(text)
        )
        context.add_init_script(REPORT_VIOLATIONS)
        context.on("console", self._console)
        context.on("weberror", lambda error: self.exceptions.append(str(error.error)))

    def _console(self, message):
        # The deliberate 404 page, and the icon the admin's pages do not name, are no problem.
        expected_404 = message.location.get("url", "").endswith(("/no-such-page/", "/favicon.ico"))
        if message.type in {"error", "warning"} and not expected_404:
            self.console.append(f"{message.type}: {message.text} ({message.page.url})")

    def all(self):
        return self.violations + self.console + self.exceptions

    def assert_none(self):
        problems = self.all()
        assert problems == [], "\n".join(problems)


@pytest.fixture
def browser_context(new_context, live_server):
    """A laptop's browser context in English, watched for violations."""
    context = new_context()
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    context.set_default_timeout(TIMEOUT)
    context.problems = Problems(context)
    return context


@pytest.fixture
def application(db):
    """A verified enterprise's application, with a published product, to an open intake."""
    owner = UserFactory(email="owner@example.com", full_name="บุญมี ปั้นดี", language="en")
    enterprise = EnterpriseFactory(owner=owner, status=VerificationStatus.VERIFIED)
    product = ProductFactory(
        enterprise=enterprise, status=ProductStatus.PUBLISHED, published_at=timezone.now()
    )
    enrolment = Enrolment.objects.create(
        intake=IntakeFactory(capacity=3),
        enterprise=enterprise,
        status=EnrolmentStatus.SUBMITTED,
        submitted_at=timezone.now(),
    )
    enrolment.products.set([product])
    return enrolment


@pytest.fixture
def officer(db):
    return enable_totp(
        UserFactory(
            role="officer",
            email="chief@diprom.example",
            full_name="วิภา ศรีสุข",
            language="en",
            is_staff=True,
            is_superuser=True,
        )
    )


def test_public_and_sign_in_pages_run_without_violations(browser_context, application):
    page = browser_context.new_page()
    for url in (
        "/",
        reverse("showcase:index"),
        reverse("showcase:product", args=[application.products.get().pk]),
        reverse("programmes:programme_list"),
        reverse("programmes:programme_detail", args=[application.intake.programme_id]),
        reverse("account_login"),
        reverse("account_signup"),
        reverse("account_reset_password"),
        "/no-such-page/",
    ):
        page.goto(url)
        page.wait_for_load_state("networkidle")
    # Bootstrap's JavaScript runs: the collapsed menu opens on a phone.
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto("/")
    page.get_by_role("button", name="Show or hide the menu").click()
    expect(page.locator("#nc-nav")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    browser_context.problems.assert_none()

    # The watch works: markup with a style attribute, added at run time, is reported.
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
    for _attempt in range(50):
        if browser_context.problems.violations:
            break
        page.wait_for_timeout(100)
    assert any("style-src" in text for text in browser_context.problems.violations)


def test_officer_pages_run_without_violations(browser_context, officer, application):
    """The dashboard's charts, the review panel's htmx and Django's admin, signed in with 2FA."""
    page = browser_context.new_page()
    sign_in(page, officer, code=True)

    # Charts: each fills the box portal.css gives it (Chart.js sizes the canvas through the
    # CSSOM, which the policy allows) and draws on it.
    page.goto(reverse("programmes:dashboard", args=[application.intake.programme_id]))
    canvases = page.locator("canvas[data-chart]")
    expect(canvases).to_have_count(4)
    page.wait_for_function(
        "() => [...document.querySelectorAll('canvas[data-chart]')]"
        ".every((canvas) => window.Chart && Chart.getChart(canvas))"
    )
    heights = canvases.evaluate_all("all => all.map((c) => c.parentElement.clientHeight)")
    assert heights == [320, 280, 280, 280]
    assert canvases.evaluate_all("all => all.every((c) => c.clientHeight > 200)")
    assert canvases.first.evaluate(
        "c => c.getContext('2d').getImageData(0, 0, c.width, c.height).data.some((v) => v)"
    )

    # Review queue: the panel and the decision swap in with htmx, without leaving the page.
    page.goto(reverse("programmes:review_queue"))
    row = page.locator(f"#review-row-{application.pk}")
    row.get_by_role("link", name=application.enterprise.name_th).click()
    panel = page.locator("#review-panel")
    expect(panel.get_by_role("heading", level=2)).to_have_text(application.enterprise.name_th)
    panel.get_by_role("button", name="Accept", exact=True).click()
    expect(row.locator(".badge")).to_have_text("Accepted")
    expect(page).to_have_url(re.compile(r"/programmes/review/$"))
    # htmx added no <style> of its own: its indicator rules come from portal.css.
    assert page.locator("head style").count() == 0

    # Django's admin: its changelist, and a change form whose permissions list
    # SelectFilter2.js turns into two boxes with a filter.
    page.goto(reverse("admin:index"))
    expect(page.locator("#site-name")).to_be_visible()
    page.goto(reverse("admin:accounts_user_changelist"))
    expect(page.locator("#result_list")).to_be_visible()
    page.goto(reverse("admin:accounts_user_change", args=[officer.pk]))
    expect(page.locator("#id_user_permissions_filter")).to_be_visible()
    page.goto(reverse("admin:programmes_enrolment_change", args=[application.pk]))
    page.wait_for_load_state("networkidle")
    browser_context.problems.assert_none()


def test_officer_home_draws_its_charts_without_violations(browser_context, officer, application):
    """The officer home's seven charts (Chart.js from json_script data) under the policy."""
    ResourceFactory(name_en="Test kiln")
    page = browser_context.new_page()
    sign_in(page, officer, code=True)
    page.goto("/")
    canvases = page.locator("canvas[data-chart]")
    expect(canvases).to_have_count(7)
    page.wait_for_function(
        "() => [...document.querySelectorAll('canvas[data-chart]')]"
        ".every((canvas) => window.Chart && Chart.getChart(canvas))"
    )
    assert canvases.evaluate_all("all => all.every((c) => c.clientHeight > 200)")
    # The enterprises' chart has a bar to draw (the applicant, verified).
    assert canvases.first.evaluate(
        "c => c.getContext('2d').getImageData(0, 0, c.width, c.height).data.some((v) => v)"
    )
    expect(page.locator("#figure-lab table")).to_contain_text("Test kiln")
    browser_context.problems.assert_none()


def test_entrepreneur_pages_run_without_violations(browser_context, application):
    """The address chooser loads each list with htmx; allauth's own scripts run."""
    page = browser_context.new_page()
    sign_in(page, application.enterprise.created_by)

    page.goto(reverse("entrepreneurs:enterprise_create"))
    page.locator("#id_province").select_option("52")
    expect(page.locator("#id_district option[value='5203']")).to_have_count(1)
    page.locator("#id_district").select_option("5203")
    expect(page.locator("#id_subdistrict option[value='520306']")).to_have_count(1)
    page.locator("#id_subdistrict").select_option("520306")
    expect(page.locator("#id_postal_code option[value='52130']")).to_have_count(1)
    for url in (
        "/",
        reverse("entrepreneurs:my_enterprises"),
        application.get_absolute_url(),
        application.products.get().get_absolute_url(),
        reverse("mfa_index"),
        reverse("account_email"),
        reverse("accounts:privacy_notice"),
    ):
        page.goto(url)
        page.wait_for_load_state("networkidle")
    browser_context.problems.assert_none()
