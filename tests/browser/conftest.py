"""Browser tests: Debian's Chromium driven by Playwright, against pytest-django's live_server.

pytest-playwright provides ``browser``, ``context`` and ``page``; this file points its
launch at /usr/bin/chromium (Playwright never downloads a browser here) and gives every
browser context the live server as base URL, so ``page.goto("/")`` opens the portal.
Asking for ``page`` (or ``phone_page``) therefore starts the live server, and the test
runs with a transactional database, as the server thread needs.

Fixtures: ``page`` (desktop), ``phone_page`` (360x800, touch), ``request_log``
(``request_log.attach(page)``, then ``request_log.foreign`` lists requests to other
hosts). Contexts send Accept-Language th-TH and use Asia/Bangkok time. Put browser tests
in this folder (the launch settings live here) and mark them ``pytest.mark.browser``.

Chromium missing: the browser tests are skipped on a developer's machine, but fail in CI
(CI set), where .ci/run installs it.
"""

import os
from urllib.parse import urlsplit

import pytest
from django.db import connections

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE_VIEWPORT = {"width": 360, "height": 800}

# Playwright's sync API keeps an asyncio event loop running in this thread from the
# first browser test to the end of the session, and Django refuses database access from
# a thread with a running loop. Nothing here is really asynchronous: allow it.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.fixture(scope="session")
def _database_snapshot(django_db_setup):
    """The test databases' serialized contents, taken before Playwright starts its loop.

    Django keeps its connections in an asgiref Local: while an event loop runs in the
    thread, the test code gets other connection objects than the ones the databases were
    set up with, and those lack the contents that serialized rollback restores.
    """
    return {
        alias: contents
        for alias in connections
        if (contents := getattr(connections[alias], "_test_serialized_contents", None))
    }


@pytest.fixture(scope="session")
def playwright(_database_snapshot, playwright):
    """pytest-playwright's Playwright, with Django's connections made ready for its loop."""
    for alias, contents in _database_snapshot.items():
        connections[alias]._test_serialized_contents = contents
    yield playwright
    # The connections opened while the loop ran would otherwise stay open, and keep
    # PostgreSQL from dropping the test database at the end of the session.
    connections.close_all()


@pytest.fixture(autouse=True)
def _restore_database_after_flush(django_db_serialized_rollback):
    """Browser tests run with a transactional database, which is emptied after each test.

    Serialized rollback puts back what the migrations created (the privacy notice, the
    site...) before each browser test, so the next one finds it again.
    """


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        reason = (
            f"{CHROMIUM} is missing: install Debian's chromium "
            "(apt-get install --no-install-recommends chromium); "
            "never `playwright install`"
        )
        if os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}:
            pytest.fail(f"Browser tests must run in CI, but {reason}", pytrace=False)
        pytest.skip(reason)
    # launch() gives every browser a fresh, temporary user-data-dir of its own.
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": CHROMIUM_ARGS,
        "headless": browser_type_launch_args.get("headless", True),
    }


@pytest.fixture(scope="session")
def base_url(live_server):
    """pytest-playwright's base URL: relative paths in page.goto() go to the live server."""
    return live_server.url


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # A Thai visitor in Thailand, as most of the portal's users are.
    return {
        **browser_context_args,
        "locale": "th-TH",
        "timezone_id": "Asia/Bangkok",
    }


@pytest.fixture
def phone_context(new_context):
    """A browser context shaped like a small Android phone: 360x800, touch, mobile."""
    return new_context(
        viewport=PHONE_VIEWPORT,
        screen=PHONE_VIEWPORT,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )


@pytest.fixture
def phone_page(phone_context):
    return phone_context.new_page()


class RequestLog:
    """Every request a page makes, to check that nothing leaves the live server (no CDN)."""

    def __init__(self, server_url):
        self.server = urlsplit(server_url).netloc
        self.urls = []

    def attach(self, page):
        page.on("request", lambda request: self.urls.append(request.url))
        return page

    @property
    def foreign(self):
        """Requests over the network to any host but the live server."""
        return [
            url
            for url in self.urls
            if urlsplit(url).scheme in {"http", "https", "ws", "wss"}
            and urlsplit(url).netloc != self.server
        ]


@pytest.fixture
def request_log(live_server):
    """A RequestLog; ``request_log.attach(page)`` starts recording that page's requests."""
    return RequestLog(live_server.url)
