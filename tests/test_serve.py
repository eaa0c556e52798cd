"""scripts/serve, the production mode for one machine, started as the README says.

The command runs in a fresh checkout (the files git tracks or would track, as they are
in the working tree, so the test runs the code under test) with the project's .venv
linked in, SQLite and the filesystem broker in a VAR_DIR of its own: the environment's
DATABASE_URL and CELERY_BROKER_URL (CI's PostgreSQL and Redis) are deliberately left out.
"""

import contextlib
import hashlib
import http.cookiejar
import os
import re
import secrets
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image

from tests.readme import readme_script
from tests.test_gunicorn import free_port

BASE_DIR = Path(settings.BASE_DIR)
START_SECONDS = 120
# What the test gives the command; everything else about the installation is its own.
LEFT_OUT = {
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "CACHE_URL",
    "DEBUG",
    "SECRET_KEY",
    "IDENTIFIER_HASH_KEYS",
    "ALLOWED_HOSTS",
    "SITE_URL",
    "CSRF_TRUSTED_ORIGINS",
    "MEDIA_ROOT",
    "STATIC_ROOT",
    "PRIVATE_MEDIA_ROOT",
    "SERVE_MEDIA",
    "PLAIN_HTTP",
    "PORT",
    "BIND_ADDRESS",
    "EMAIL_HOST",
    "EMAIL_BACKEND",
    "EMAIL_FILE_PATH",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


@pytest.fixture(scope="module")
def checkout(tmp_path_factory):
    """A fresh checkout of the project with the project's .venv linked in."""
    wanted = hashlib.sha256((BASE_DIR / "pyproject.toml").read_bytes()).hexdigest()
    stamp = BASE_DIR / ".venv" / ".pyproject.sha256"
    if not stamp.is_file() or stamp.read_text().strip() != wanted:
        # The checkout's bootstrap would pip install into the shared .venv from a folder
        # that is deleted afterwards.
        pytest.fail(".venv is not installed from this pyproject.toml: run scripts/test first")
    root = tmp_path_factory.mktemp("checkout")
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=BASE_DIR,
        capture_output=True,
        check=True,
    ).stdout
    for name in filter(None, listed.decode().split("\0")):
        source = BASE_DIR / name
        if not source.exists() and not source.is_symlink():
            continue  # deleted in the working tree
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target, follow_symlinks=False)
    (root / ".venv").symlink_to((BASE_DIR / ".venv").resolve())
    return root


@pytest.fixture(scope="module")
def var_dir(tmp_path_factory):
    """One installation's data, kept between the starts of this module's tests."""
    return tmp_path_factory.mktemp("serve") / "var"


def descendants(pid):
    """{pid: start time} of the process and everything below it."""
    children = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                children.setdefault(int(fields[1]), []).append((int(entry.name), fields[19]))
    found, todo = {}, [pid]
    while todo:
        for child, started in children.get(todo.pop(), []):
            found[child] = started
            todo.append(child)
    return found


def alive(processes):
    """Those of the processes still running (a zombie or a reused pid is not)."""
    running = []
    for pid, started in processes.items():
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            if fields[19] == started and fields[0] != "Z":
                running.append(pid)
    return running


def command_line(pid):
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    return []


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Portal:
    """The README's command running in the checkout, and an HTTP client for it."""

    def __init__(self, checkout, var_dir, mail_dir, tmp_path):
        self.port = free_port()
        self.var_dir = var_dir
        self.mail_dir = mail_dir
        self.log = tmp_path / f"serve-{self.port}.log"
        env = {name: value for name, value in os.environ.items() if name not in LEFT_OUT}
        env |= {
            "VAR_DIR": str(var_dir),
            "PORT": str(self.port),
            "BIND_ADDRESS": "127.0.0.1",
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(mail_dir),
        }
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                ["bash", "-c", readme_script("serve")],
                cwd=checkout,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect()
        )

    def output(self):
        return self.log.read_text(errors="replace")

    def wait_until_serving(self):
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"scripts/serve ended ({self.process.returncode}):\n{self.output()}")
            with contextlib.suppress(OSError):
                if self.get("/").status == 200:
                    return
            time.sleep(0.3)
        pytest.fail(f"scripts/serve did not answer in {START_SECONDS}s:\n{self.output()}")

    def request(self, path, data=None):
        url = f"http://127.0.0.1:{self.port}{path}"
        body = None if data is None else urllib.parse.urlencode(data).encode()
        request = urllib.request.Request(url, data=body)
        try:
            response = self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            response = error  # 3xx (not followed), 4xx, 5xx
        with response:
            response.body = response.read()
        return response

    get = request

    def stop(self):
        """SIGTERM to the command's process group, as systemd or Ctrl-C would."""
        processes = descendants(self.process.pid)
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            pytest.fail(f"scripts/serve did not stop on SIGTERM:\n{self.output()}")
        deadline = time.monotonic() + 10
        while alive(processes) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not alive(processes), self.output()
        return processes


def jpeg():
    buffer = BytesIO()
    Image.new("RGB", (32, 24), (180, 90, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


def table_count(var_dir, table):
    with contextlib.closing(sqlite3.connect(var_dir / "db.sqlite3")) as db:
        return db.execute(f"select count(*) from {table}").fetchone()[0]  # noqa: S608


def test_serve_from_a_fresh_checkout_serves_the_portal_and_keeps_it_on_restart(
    checkout, var_dir, tmp_path
):
    mail_dir = tmp_path / "mail"
    portal = Portal(checkout, var_dir, mail_dir, tmp_path)
    try:
        portal.wait_until_serving()

        # Pages over plain HTTP, no redirect to an HTTPS nothing provides.
        for path in ("/", "/showcase/", "/accounts/login/", "/programmes/"):
            response = portal.get(path)
            assert response.status == 200, (path, response.status, response.headers)
        home = portal.get("/").body.decode()
        # Cookies a browser sends back over plain HTTP (the jar would not send Secure ones).
        assert "csrftoken" in {cookie.name for cookie in portal.cookies}
        assert not [cookie.name for cookie in portal.cookies if cookie.secure]

        # DEBUG is off: Django's technical pages are not shown, the portal's own are.
        missing = portal.get("/no-such-page/")
        assert missing.status == 404
        assert "ไม่พบหน้านี้".encode() in missing.body  # templates/404.html, in Thai
        assert b"URLconf" not in missing.body and b"Traceback" not in missing.body

        # Static files, collected with hashed names by collectstatic.
        stylesheet = re.search(r'href="(/static/css/portal\.[0-9a-f]{12}\.css)"', home)
        assert stylesheet, home
        css = portal.get(stylesheet[1])
        assert css.status == 200
        assert css.headers["Content-Type"].startswith("text/css")

        # A photo written after the start is served; nothing outside MEDIA_ROOT is.
        photo = var_dir / "media" / "products" / f"{uuid.uuid4().hex}.jpg"
        photo.parent.mkdir(parents=True, exist_ok=True)
        photo.write_bytes(jpeg())
        served = portal.get(f"/media/products/{photo.name}")
        assert served.status == 200
        assert served.headers["Content-Type"] == "image/jpeg"
        assert served.body == photo.read_bytes()
        (var_dir / "private").mkdir(exist_ok=True)
        (var_dir / "private" / "report.jpg").write_bytes(jpeg())
        for path in (
            "/media/../private/report.jpg",
            "/media/%2e%2e/private/report.jpg",
            "/media/..%2fsecrets.env",
            "/media/products/",
        ):
            assert portal.get(path).status == 404, path

        # No demo data: not one account.
        assert table_count(var_dir, "accounts_user") == 0

        # The worker runs: a password-reset mail reaches the mail folder.
        token = next(cookie.value for cookie in portal.cookies if cookie.name == "csrftoken")
        reset = portal.request(
            "/accounts/password/reset/",
            {"csrfmiddlewaretoken": token, "email": "nobody@example.org"},
        )
        assert reset.status == 302, reset.body.decode(errors="replace")
        deadline = time.monotonic() + 30
        while not (mail_dir.is_dir() and any(mail_dir.iterdir())):
            assert time.monotonic() < deadline, "no mail delivered:\n" + portal.output()
            time.sleep(0.3)
        mail = next(mail_dir.iterdir()).read_text()
        assert "nobody@example.org" in mail
    finally:
        stopped = portal.stop()
    # gunicorn's master and two workers, the worker and beat at least, all gone now.
    assert len(stopped) >= 5, stopped

    secrets_file = var_dir / "secrets.env"
    assert secrets_file.stat().st_mode & 0o777 == 0o600
    # Other users of the machine cannot even look inside.
    assert var_dir.stat().st_mode & 0o007 == 0
    assert (var_dir / "db.sqlite3").stat().st_mode & 0o007 == 0
    keys = secrets_file.read_bytes()
    assert re.search(rb"^SECRET_KEY=\S{50,}$", keys, re.MULTILINE)
    assert re.search(rb"^IDENTIFIER_HASH_KEYS=\S{32,}$", keys, re.MULTILINE)
    mails = table_count(var_dir, "notifications_outboundemail")
    assert mails >= 1

    # Started again on the same VAR_DIR: the same keys, the same data.
    again = Portal(checkout, var_dir, mail_dir, tmp_path)
    try:
        again.wait_until_serving()
        assert again.get("/accounts/login/").status == 200
        # collectstatic was skipped (nothing changed), and the files are still served.
        assert again.get(stylesheet[1]).status == 200
    finally:
        again.stop()
    assert secrets_file.read_bytes() == keys
    assert table_count(var_dir, "notifications_outboundemail") == mails


def kill_and_see_everything_stop(portal, pid, processes):
    """SIGKILL one process: scripts/serve exits with a failure (for systemd's Restart= to
    start it again) and every process it started is gone."""
    os.kill(pid, signal.SIGKILL)
    assert portal.process.wait(timeout=30) != 0, portal.output()
    deadline = time.monotonic() + 10
    while alive(processes) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not alive(processes), portal.output()


def test_serve_stops_everything_and_exits_when_a_process_dies(checkout, var_dir, tmp_path):
    portal = Portal(checkout, var_dir, tmp_path / "mail", tmp_path)
    try:
        portal.wait_until_serving()
        processes = descendants(portal.process.pid)
        # The worker itself, not the shell honcho started it through.
        workers = [
            pid
            for pid, argv in ((pid, command_line(pid)) for pid in processes)
            if argv
            and not argv[0].endswith("sh")
            and argv[1].endswith("celery")
            and "worker" in argv
        ]
        assert workers, portal.output()
        kill_and_see_everything_stop(portal, workers[0], processes)
    finally:
        if portal.process.poll() is None:
            portal.stop()


def test_plain_http_leaves_only_the_https_warnings_of_check_deploy(tmp_path):
    env = {name: value for name, value in os.environ.items() if name not in LEFT_OUT}
    env |= {
        "DEBUG": "0",
        "PLAIN_HTTP": "1",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "IDENTIFIER_HASH_KEYS": secrets.token_urlsafe(32),
        "ALLOWED_HOSTS": "192.0.2.10",
        "VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # HSTS, the redirect to HTTPS, and the two cookies without Secure; nothing else.
    assert sorted(re.findall(r"\(security\.(W\d+)\)", output)) == [
        "W004",
        "W008",
        "W012",
        "W016",
    ], output


def serve_manage(checkout, var_dir, *args, **env):
    """`scripts/serve manage ARGS` in the checkout; its output."""
    environment = {name: value for name, value in os.environ.items() if name not in LEFT_OUT}
    environment |= {"VAR_DIR": str(var_dir), **env}
    result = subprocess.run(
        ["./scripts/serve", "manage", *args],
        cwd=checkout,
        env=environment,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.strip().splitlines()[-1]


SHOW_SETTINGS = """
from django.conf import settings as s
print(s.DEBUG, s.SECRET_KEY, s.IDENTIFIER_HASH_KEYS, s.SECURE_SSL_REDIRECT,
      s.SESSION_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0, s.SITE_URL, s.SERVE_MEDIA,
      getattr(s, "SECURE_PROXY_SSL_HEADER", None), s.ALLOWED_HOSTS, sep="|")
"""


def test_serve_manage_runs_with_the_kept_keys_and_the_https_defaults(checkout, var_dir):
    shown = serve_manage(checkout, var_dir, "shell", "-c", SHOW_SETTINGS).split("|")
    kept = dict(
        line.split("=", 1)
        for line in (var_dir / "secrets.env").read_text().splitlines()
        if not line.startswith("#")
    )
    debug, secret_key, hash_keys, redirect, secure_cookie, hsts, site_url, *rest = shown
    assert (debug, secret_key, hash_keys) == (
        "False",
        kept["SECRET_KEY"],
        str([kept["IDENTIFIER_HASH_KEYS"]]),
    )
    # Without PLAIN_HTTP: HTTPS from a proxy on this machine.
    assert (redirect, secure_cookie, hsts) == ("True", "True", "True")
    assert site_url.startswith("https://") and ":" not in site_url[len("https://") :]
    serve_media, proxy_header, hosts = rest
    assert serve_media == "True"
    assert proxy_header == "('HTTP_X_FORWARDED_PROTO', 'https')"
    assert "'127.0.0.1'" in hosts and "'localhost'" in hosts

    # A key in the environment wins over the kept one; the file is left as it was.
    given = secrets.token_urlsafe(50)
    before = (var_dir / "secrets.env").read_bytes()
    shown = serve_manage(checkout, var_dir, "shell", "-c", SHOW_SETTINGS, SECRET_KEY=given)
    assert shown.split("|")[1] == given
    assert (var_dir / "secrets.env").read_bytes() == before


def test_serve_refuses_a_database_without_its_kept_keys(checkout, tmp_path):
    # A backup restored into a new VAR_DIR (README, "Backups and restore") without the
    # secrets.env kept with it: new random keys would match none of its tax-ID hashes nor
    # open its two-factor secrets, and no check could tell.
    restored = tmp_path / "restored"
    restored.mkdir()
    database = sqlite3.connect(restored / "db.sqlite3")
    database.execute("CREATE TABLE kept (x)")
    database.commit()
    database.close()
    environment = {name: value for name, value in os.environ.items() if name not in LEFT_OUT}
    environment["VAR_DIR"] = str(restored)
    refused = subprocess.run(
        ["./scripts/serve", "manage", "check"],
        cwd=checkout,
        env=environment,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode != 0
    assert "secrets.env" in refused.stderr
    assert not (restored / "secrets.env").exists()

    # With the keys given, it runs (and the keys it was given are the ones it uses).
    shown = serve_manage(
        checkout,
        restored,
        "shell",
        "-c",
        SHOW_SETTINGS,
        SECRET_KEY="k" * 50,
        IDENTIFIER_HASH_KEYS="h" * 32,
    ).split("|")
    assert shown[1:3] == ["k" * 50, str(["h" * 32])]


def test_serve_stops_everything_when_the_process_honcho_started_dies(checkout, var_dir, tmp_path):
    # Whatever honcho started for the worker (once a shell around celery, which left the
    # worker running unseen and honcho waiting on its pipe): its death stops everything.
    portal = Portal(checkout, var_dir, tmp_path / "mail", tmp_path)
    try:
        portal.wait_until_serving()
        processes = descendants(portal.process.pid)
        started_by_honcho = [
            pid
            for pid in processes
            if " worker " in " ".join(command_line(pid))
            and any("honcho" in part for part in command_line(parent_of(pid)))
        ]
        assert started_by_honcho, portal.output()
        kill_and_see_everything_stop(portal, started_by_honcho[0], processes)
    finally:
        if portal.process.poll() is None:
            portal.stop()


def parent_of(pid):
    with contextlib.suppress(OSError):
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    return 0


def test_serve_keeps_the_keys_it_was_first_given(checkout, tmp_path):
    # Keys given in the environment at the first start are the ones kept: a later command
    # run without them (cron, an operator's shell) uses the same keys, not others.
    given = {"SECRET_KEY": "s" * 50, "IDENTIFIER_HASH_KEYS": "i" * 32}
    first = serve_manage(checkout, tmp_path, "shell", "-c", SHOW_SETTINGS, **given)
    later = serve_manage(checkout, tmp_path, "shell", "-c", SHOW_SETTINGS)
    assert first.split("|")[1:3] == later.split("|")[1:3] == ["s" * 50, str(["i" * 32])]
