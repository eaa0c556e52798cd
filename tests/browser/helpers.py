"""Steps the browser journeys share: signing in, the menu on a phone, logging out, the width of a
phone."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import PHONE_VIEWPORT
from tests.conftest import totp_code
from tests.factories import DEFAULT_PASSWORD


def open_menu_if_collapsed(page):
    """Open the navigation on a narrow screen and wait until it has finished sliding open.

    A click that lands while Bootstrap's collapse is still moving can miss its target.
    """
    toggler = page.get_by_role("button", name=re.compile("แสดงหรือซ่อนเมนู|Show or hide the menu"))
    if toggler.is_visible() and toggler.get_attribute("aria-expanded") != "true":
        toggler.click()
        expect(page.locator("#nc-nav")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))


def log_out(page):
    """Log out through the user menu, in whichever language the page is in."""
    open_menu_if_collapsed(page)
    page.locator("#nc-user-menu").click()
    expect(page.locator("#nc-user-menu")).to_have_attribute("aria-expanded", "true")
    page.get_by_role("button", name=re.compile("^(Log out|ลงชื่อออก)$")).click()


def fits_phone(page):
    """Nothing is wider than the phone's screen: no sideways scrolling.

    Measured once the page has loaded: right after a click the browser may be
    between two documents, when there is no document element to measure.
    """
    page.wait_for_load_state()
    width = page.wait_for_function(
        "document.documentElement && document.documentElement.scrollWidth"
    )
    return width.json_value() <= PHONE_VIEWPORT["width"]


def navbar_is_one_line(page):
    """On a laptop the expanded bar keeps every link on one line, inside the screen."""
    height, overflow = page.evaluate(
        """() => {
            const bar = document.querySelector('nav.navbar');
            const inner = bar.querySelector('.container');
            return [bar.getBoundingClientRect().height, inner.scrollWidth - inner.clientWidth];
        }"""
    )
    return height < 64 and overflow <= 0


def sign_in(page, user, *, code=False, at_code_step=None):
    """Sign in through the login form (and the code step when `code`).

    `at_code_step`, when given, is called with the page on the code step, before the code
    is typed: the step is a page of its own that people read.
    """
    page.goto("/accounts/login/")
    page.locator("#id_login").fill(user.email)
    page.locator("#id_password").fill(DEFAULT_PASSWORD)
    page.locator("main").get_by_role("button", name=re.compile("ลงชื่อเข้าใช้|Sign In")).click()
    if code:
        expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
        if at_code_step:
            at_code_step(page)
        page.locator("#id_code").fill(totp_code())
        page.locator("main").get_by_role("button", name=re.compile("ลงชื่อเข้าใช้|Sign In")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(user.full_name)
