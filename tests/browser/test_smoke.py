"""The portal opens in a real browser, in Thai, and loads nothing from other hosts."""

import pytest

pytestmark = pytest.mark.browser


def test_landing_page_loads_in_thai_from_the_portal_only(page, request_log, live_server):
    request_log.attach(page)

    response = page.goto("/")
    page.wait_for_load_state("networkidle")

    assert response is not None and response.ok, response and response.status
    assert page.url.startswith(live_server.url)
    assert page.locator("html").get_attribute("lang") == "th"
    assert page.title()
    assert request_log.urls, "the page made no request at all"
    assert request_log.foreign == [], f"requests to other hosts: {request_log.foreign}"


def test_landing_page_loads_on_a_phone(phone_page, request_log):
    request_log.attach(phone_page)

    response = phone_page.goto("/")
    phone_page.wait_for_load_state("networkidle")

    assert response is not None and response.ok
    assert phone_page.viewport_size == {"width": 360, "height": 800}
    assert phone_page.locator("html").get_attribute("lang") == "th"
    assert request_log.foreign == [], f"requests to other hosts: {request_log.foreign}"
