"""allauth's rate limits hold across web processes: the cache they count in is shared."""

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import DEFAULT_PASSWORD
from tests.notifications.test_worker import _database_url

TOO_MANY = "ท่านลงชื่อเข้าใช้ไม่สำเร็จหลายครั้งเกินไป กรุณาลองใหม่ภายหลัง"


def run_python(code, *args, **env):
    """Run `code` in a new Python process with the project's settings and `env`."""
    base = {
        name: value
        for name, value in os.environ.items()
        if name not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "CACHE_URL", "DEBUG")
    }
    base |= {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONPATH": str(settings.BASE_DIR),
    }
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=settings.BASE_DIR,
        env=base | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(45)[:60],
    "ALLOWED_HOSTS": "portal.example.org",
    "IDENTIFIER_HASH_KEYS": secrets.token_urlsafe(32),
}
PRINT_CACHE = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"


@pytest.mark.parametrize("url", ["locmem://", "dummy://"])
def test_settings_refuse_a_per_process_cache_without_debug(url):
    result = run_python(PRINT_CACHE, **PRODUCTION, CACHE_URL=url)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "share the cache" in result.stderr


def test_a_per_process_cache_is_allowed_for_development():
    result = run_python(PRINT_CACHE, DEBUG="1", CACHE_URL="locmem://")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.core.cache.backends.locmem.LocMemCache"


def test_without_cache_url_production_uses_the_database_cache():
    result = run_python(PRINT_CACHE, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "toolkit.db.cache.DatabaseCache"


def test_an_unknown_cache_url_is_refused():
    result = run_python(PRINT_CACHE, DEBUG="1", CACHE_URL="memcached://cache:11211")
    assert result.returncode != 0
    assert "CACHE_URL must start with" in result.stderr


# Another web process: five wrong passwords for one account, through the real login view.
WRONG_PASSWORDS = """
import sys
import django
django.setup()
from django.test import Client
client = Client()
for _ in range(5):
    response = client.post("/accounts/login/", {"login": sys.argv[1], "password": "wrong"})
    assert response.status_code == 200, response.status_code
print("five wrong passwords")
"""


@pytest.mark.parametrize(
    ("other_process_cache", "refused"),
    [
        # The cache this process uses too (the database table, or CI's Redis).
        ({}, True),
        # Control: a cache of its own in the other process, as before the fix; its
        # failures are invisible here and the limit is lost.
        ({"CACHE_URL": "locmem://"}, False),
    ],
)
def test_failed_logins_in_another_process_count_here(
    transactional_db, client, owner, tmp_path, other_process_cache, refused
):
    shared = {"CACHE_URL": os.environ["CACHE_URL"]} if os.environ.get("CACHE_URL") else {}
    result = run_python(
        WRONG_PASSWORDS,
        owner.email,
        DEBUG="1",
        DATABASE_URL=_database_url(),
        ALLOWED_HOSTS="testserver",
        VAR_DIR=str(tmp_path / "var"),
        **(other_process_cache or shared),
    )
    assert result.returncode == 0, result.stderr
    response = client.post(
        reverse("account_login"), {"login": owner.email, "password": DEFAULT_PASSWORD}
    )
    assert (TOO_MANY in response.text) is refused
    assert ("_auth_user_id" in client.session) is not refused
