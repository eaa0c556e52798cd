"""On SQLite, pages are read beside a held write lock; writes still wait for it.

A real portal in a process of its own: a fresh SQLite database in a temporary VAR_DIR
(migrated, with the demo data), served by the Procfile's gunicorn. The tests' own database
may be PostgreSQL (CI), so nothing here goes through it: the write lock is taken with
Python's sqlite3 on the portal's file, as another process writing would take it.

The server waits up to 20 seconds for the lock (settings.py); these clients give up after
10. A page that queued for the lock therefore fails here by a timeout, and one that was
refused it fails with a 500 (and a traceback in the server's log, checked at the end).
"""

import contextlib
import http.client
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings

from accounts.demo import DEMO_PASSWORD
from tests.test_gunicorn import free_port, get, web_command

OWNER = "owner@demo.nakhon-ceramic.test"
STUDENT = "student.demo@dome.tu.ac.th"
# Longer than a page takes, shorter than the server's wait for the lock (20 s).
PAGE_TIMEOUT = 10
# How long a writer is seen waiting before the lock is let go.
WAIT = 2


def portal_env(folder, **extra):
    """The environment of a one-machine portal in `folder`: SQLite and the database cache."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in ("DATABASE_URL", "CACHE_URL", "CELERY_BROKER_URL", "DEBUG")
    }
    env |= {
        "VAR_DIR": str(folder),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        "XDG_RUNTIME_DIR": str(folder),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    return env | extra


def manage(folder, *args):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=portal_env(folder),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )


class Portal:
    def __init__(self, folder, port):
        self.folder = folder
        self.port = port
        self.database = folder / "db.sqlite3"

    def query(self, sql, *params):
        """Rows read straight from the portal's database file."""
        with contextlib.closing(sqlite3.connect(self.database, timeout=30)) as db:
            return db.execute(sql, params).fetchall()

    @contextlib.contextmanager
    def write_lock(self):
        """Hold SQLite's write lock from another connection, as a long write would."""
        holder = sqlite3.connect(self.database, isolation_level=None, timeout=30)
        try:
            holder.execute("BEGIN IMMEDIATE")
            holder.execute("UPDATE django_site SET name = name")
            yield
            holder.execute("COMMIT")
        finally:
            holder.close()

    def expire_cache(self):
        """Expire every cached entry: reading one now deletes it, and pages write anew.

        Beside them, more entries than the cache keeps (MAX_ENTRIES, 300), so that each
        write culls first.
        """
        with contextlib.closing(sqlite3.connect(self.database, timeout=30)) as db, db:
            db.execute("UPDATE portal_cache SET expires = '2000-01-01 00:00:00'")
            db.executemany(
                "INSERT OR IGNORE INTO portal_cache (cache_key, value, expires)"
                " VALUES (?, '', '2100-01-01 00:00:00')",
                [(f"filler:{n}",) for n in range(400)],
            )


class Visitor:
    """A browser of a sort: keeps its cookies, sends forms with the CSRF token."""

    def __init__(self, portal):
        self.portal = portal
        self.cookies = {}

    def request(self, method, path, form=None, timeout=PAGE_TIMEOUT):
        connection = http.client.HTTPConnection("127.0.0.1", self.portal.port, timeout=timeout)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode({**form, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body, headers)
            response = connection.getresponse()
            content = response.read().decode()
        finally:
            connection.close()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _equals, rest = value.partition("=")
                self.cookies[key] = rest.split(";")[0]
        return response.status, content

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, form, **kwargs):
        return self.request("POST", path, form=form, **kwargs)

    def sign_in(self, email):
        self.get("/accounts/login/")
        status, _content = self.post(
            "/accounts/login/", {"login": email, "password": DEMO_PASSWORD}
        )
        assert status == 302, _content
        return self


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sqlite-reads")
    manage(folder, "migrate", "--noinput")
    manage(folder, "seed_demo")
    port = free_port()
    server = subprocess.Popen(
        ["bash", "-c", "exec " + web_command()],
        cwd=settings.BASE_DIR,
        env=portal_env(folder, PORT=str(port), WEB_CONCURRENCY="3"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        get(port, "/jsi18n/")  # once it answers
        yield Portal(folder, port)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        _out, errors = server.communicate(timeout=30)
    assert b"Traceback" not in errors, errors.decode(errors="replace")


def links(content, pattern):
    return sorted(set(re.findall(pattern, content)))


def test_pages_are_read_while_another_connection_holds_the_write_lock(portal):
    owner = Visitor(portal).sign_in(OWNER)
    anonymous = Visitor(portal)
    _status, showcase = anonymous.get("/showcase/")
    on_show = links(showcase, r'href="/showcase/(\d+)/"')
    _status, home = owner.get("/")
    own = links(home, r'href="/products/(\d+)/"')
    assert on_show and own
    portal.expire_cache()

    with portal.write_lock():
        for path in ["/", "/showcase/", f"/showcase/{on_show[0]}/", "/programmes/"]:
            status, content = anonymous.get(path)
            assert status == 200, (path, content[:2000])
        for path in ["/", "/notifications/", f"/products/{own[0]}/"]:
            status, content = owner.get(path)
            assert status == 200, (path, content[:2000])


def unread(portal, email):
    return portal.query(
        "SELECT COUNT(*) FROM notifications_notification n"
        " JOIN accounts_user u ON u.id = n.recipient_id"
        " WHERE u.email = ? AND n.read_at IS NULL",
        email,
    )[0][0]


def test_a_post_waits_for_the_lock_and_is_saved_once_it_is_free(portal):
    owner = Visitor(portal).sign_in(OWNER)
    assert unread(portal, OWNER) > 0  # the demo's welcome
    with ThreadPoolExecutor(1) as pool:
        with portal.write_lock():
            posted = pool.submit(owner.post, "/notifications/read-all/", {}, timeout=30)
            time.sleep(WAIT)
            assert not posted.done()  # waiting for the lock, not refused
            assert unread(portal, OWNER) > 0
        status, _content = posted.result(timeout=30)
    assert status == 302
    assert unread(portal, OWNER) == 0


def test_two_posts_at_once_both_succeed(portal):
    owner = Visitor(portal).sign_in(OWNER)
    student = Visitor(portal).sign_in(STUDENT)
    barrier = threading.Barrier(2)

    def switch_to_english(visitor):
        barrier.wait(timeout=10)
        return visitor.post("/language/", {"language": "en", "next": "/"}, timeout=30)[0]

    with ThreadPoolExecutor(2) as pool:
        with portal.write_lock():
            posts = [pool.submit(switch_to_english, v) for v in (owner, student)]
            time.sleep(WAIT)
            assert not any(post.done() for post in posts)
        assert [post.result(timeout=30) for post in posts] == [302, 302]
    languages = portal.query(
        "SELECT language FROM accounts_user WHERE email IN (?, ?)", OWNER, STUDENT
    )
    assert languages == [("en",), ("en",)]


def test_a_get_that_writes_waits_for_the_lock_like_a_post(portal):
    """The calendar feed page makes the person's feed on first use (@writes_on_get)."""
    student = Visitor(portal).sign_in(STUDENT)
    feeds = "SELECT COUNT(*) FROM training_calendarfeed f JOIN accounts_user u"
    feeds += " ON u.id = f.owner_id WHERE u.email = ?"
    assert portal.query(feeds, STUDENT) == [(0,)]
    with ThreadPoolExecutor(1) as pool:
        with portal.write_lock():
            page = pool.submit(student.get, "/lab/feed/", timeout=30)
            time.sleep(WAIT)
            assert not page.done()
        status, _content = page.result(timeout=30)
    assert status == 200
    assert portal.query(feeds, STUDENT) == [(1,)]


# An unmarked view that writes on a GET, in a process of its own: the calendar feed page
# with its mark taken off. Its DEFERRED transaction is refused the lock when it writes.
UNMARKED_WRITER = """
import sqlite3, threading
import django
django.setup()
from django.conf import settings
from django.test import Client
from accounts.models import User
from training import views_feeds
from training.models import CalendarFeed

views_feeds.my_feed.writes_on_get = False
user = User.objects.get(email="owner@demo.nakhon-ceramic.test")
CalendarFeed.objects.filter(owner=user).delete()
client = Client(HTTP_HOST="127.0.0.1")
client.force_login(user)
holder = sqlite3.connect(
    settings.DATABASES["default"]["NAME"], isolation_level=None, check_same_thread=False
)
holder.execute("BEGIN IMMEDIATE")
holder.execute("UPDATE django_site SET name = name")
threading.Timer(2, holder.execute, ["COMMIT"]).start()
response = client.get("/lab/feed/")
print(response.status_code, CalendarFeed.objects.filter(owner=user).count())
"""


def test_a_get_that_writes_unmarked_is_run_again_as_a_writer(portal):
    result = subprocess.run(
        [sys.executable, "-c", UNMARKED_WRITER],
        cwd=settings.BASE_DIR,
        env=portal_env(portal.folder, PYTHONPATH=str(settings.BASE_DIR)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["200", "1"]
    assert "my_feed wrote during a GET" in result.stderr


MIDDLEWARE_IN_USE = """
import django
django.setup()
from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from toolkit.db.reads import ReadRequestsMiddleware
try:
    ReadRequestsMiddleware(lambda request: None)
except MiddlewareNotUsed:
    print(settings.DATABASES["default"]["ENGINE"], "not used")
else:
    print(settings.DATABASES["default"]["ENGINE"], "used")
"""


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("", "toolkit.db.sqlite used"),
        ("postgres://portal@127.0.0.1:5432/portal", "django.db.backends.postgresql not used"),
    ],
)
def test_only_sqlite_begins_reads_deferred(tmp_path, url, expected):
    env = portal_env(tmp_path, PYTHONPATH=str(settings.BASE_DIR))
    if url:
        env["DATABASE_URL"] = url
    result = subprocess.run(
        [sys.executable, "-c", MIDDLEWARE_IN_USE],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected
