"""Staff lists on a phone: wide tables scroll inside their box, never the whole page."""

import pytest
from django.test import Client
from django.urls import reverse

from entrepreneurs.models import VerificationStatus
from products.models import Standard
from programmes.models import Enrolment, EnrolmentStatus, Partner, PartnerKind
from tests.browser.helpers import fits_phone
from tests.conftest import sign_in as sign_in_client
from tests.factories import EnterpriseFactory, IntakeFactory, ProductFactory

pytestmark = pytest.mark.browser


def sign_in(page, user, live_server):
    """Put a signed-in session's cookie into the browser (the login journeys test logging in)."""
    client = sign_in_client(Client(), user)  # a session that passed two-factor sign-in
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


@pytest.mark.parametrize(
    "name",
    [
        "products:standard_list",
        "programmes:review_queue",
        "entrepreneurs:enterprise_list",
        "products:product_list",
        "programmes:partner_list",
        "products:material_list",
        "accounts:invitation_list",
    ],
)
def test_officer_lists_fit_a_phone(phone_page, officer_2fa, live_server, name):
    assert Standard.objects.exists(), "the reference standards come with the migrations"
    intake = IntakeFactory()
    Partner.objects.create(
        name_th="ศูนย์วิจัยและพัฒนาวัสดุอุตสาหกรรมสร้างสรรค์ เกาะคา",
        name_en="Creative Industrial Materials R&D Centre, Ko Kha",
        kind=PartnerKind.UNIVERSITY,
    )
    for _ in range(3):
        enterprise = EnterpriseFactory(status=VerificationStatus.VERIFIED)
        ProductFactory(enterprise=enterprise)
        Enrolment.objects.create(
            intake=intake, enterprise=enterprise, status=EnrolmentStatus.SUBMITTED
        )
    sign_in(phone_page, officer_2fa, live_server)
    response = phone_page.goto(reverse(name))
    assert response.ok and response.url.endswith(reverse(name))
    assert phone_page.locator("main table").count() >= 1
    assert fits_phone(phone_page)


def test_the_unread_count_shows_on_a_phone_without_opening_the_menu(phone_page, owner, live_server):
    from playwright.sync_api import expect

    from notifications.services import notify

    notify(owner, "welcome", email=False)
    notify(owner, "welcome", email=False)
    sign_in(phone_page, owner, live_server)
    phone_page.goto(reverse("home"))
    toggler = phone_page.locator(".navbar-toggler")
    expect(toggler).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "false")
    expect(phone_page.locator("#nc-nav")).to_be_hidden()
    badge = phone_page.locator("#nc-unread-badge")
    expect(badge).to_be_visible()
    expect(badge).to_contain_text("2")
    assert fits_phone(phone_page)

    # Marking one read in the inbox (htmx, no reload) updates the bell's count too.
    phone_page.locator(".nc-bell").click()
    expect(phone_page.locator("#notification-list > li")).to_have_count(2)
    phone_page.locator("#notification-list > li").first.get_by_role("button").last.click()
    expect(badge).to_contain_text("1")
    expect(badge).to_be_visible()
