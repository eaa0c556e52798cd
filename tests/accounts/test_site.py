"""The portal names itself and SITE_URL's host everywhere: the Sites record and every mail."""

import importlib
import os
import re
import subprocess
import sys
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.contrib.sites.models import Site
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from tests.accounts.test_signup import signup_data
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PORTAL_URL = "https://portal.nakhon-ceramic.test"
# An address whose domain is not the one this issue is about, so the check means something.
NEW_PERSON = "boonmee@lampang-mail.test"


def links(text):
    return re.findall(r"https?://[^\s<>\"]+", text)


def assert_names_the_portal(message, *, name, prefix):
    text = message.subject + message.body + "".join(a[0] for a in message.alternatives)
    assert "example.com" not in text
    assert message.subject.startswith(prefix)
    assert name in message.body
    found = links(message.body)
    assert found, message.body
    for link in found:
        assert urlsplit(link).scheme == "https", link
        assert urlsplit(link).netloc == "portal.nakhon-ceramic.test", link


def test_migrations_name_the_site_and_take_its_host_from_site_url(settings):
    site = Site.objects.get_current()
    assert site.name == "Nakhon Ceramic"
    assert site.domain == urlsplit(settings.SITE_URL).netloc
    assert not Site.objects.filter(domain="example.com").exists()


def test_the_data_migration_renames_the_default_site(settings):
    Site.objects.filter(pk=settings.SITE_ID).update(name="example.com", domain="example.com")
    settings.SITE_URL = PORTAL_URL
    migration = importlib.import_module("accounts.migrations.0004_site_from_settings")

    # The function reads only the editor's connection (SQLite refuses a real editor here).
    migration.name_the_site(apps, SimpleNamespace(connection=connection))

    site = Site.objects.get(pk=settings.SITE_ID)
    assert (site.name, site.domain) == ("Nakhon Ceramic", "portal.nakhon-ceramic.test")


def test_every_migrate_follows_a_changed_site_url(settings):
    settings.SITE_URL = "https://ceramic.diprom.example:8443"

    call_command("migrate", verbosity=0, interactive=False)

    site = Site.objects.get_current()
    assert (site.name, site.domain) == ("Nakhon Ceramic", "ceramic.diprom.example:8443")


@pytest.mark.parametrize(
    ("site_url", "protocol"),
    [("https://portal.nakhon-ceramic.test", "https"), ("http://127.0.0.1:8000", "http")],
)
def test_allauth_links_take_the_scheme_of_site_url(site_url, protocol):
    env = {name: value for name, value in os.environ.items() if name != "SITE_URL"}
    env |= {"SITE_URL": site_url, "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; print(settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL)",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == protocol, result.stderr


@pytest.mark.parametrize(
    ("language", "name", "prefix"),
    [("th", "นครเซรามิก", "[นครเซรามิก] "), ("en", "Nakhon Ceramic", "[Nakhon Ceramic] ")],
)
def test_verification_mail_names_the_portal_and_links_to_site_url(
    language, name, prefix, client, settings, mailoutbox, django_capture_on_commit_callbacks
):
    # The request comes in on another host name ("testserver"): links still go to SITE_URL.
    settings.SITE_URL = PORTAL_URL
    client.cookies["django_language"] = language

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_signup"), signup_data(email=NEW_PERSON))

    (message,) = mailoutbox
    assert_names_the_portal(message, name=name, prefix=prefix)
    assert f"{PORTAL_URL}/accounts/confirm-email/" in message.body
    if language == "th":
        assert message.subject == "[นครเซรามิก] กรุณายืนยันอีเมลของท่าน"
        assert message.body.startswith("สวัสดีจากนครเซรามิก")
    else:
        assert message.subject == "[Nakhon Ceramic] Please Confirm Your Email Address"
        assert message.body.startswith("Hello from Nakhon Ceramic!")


@pytest.mark.parametrize(
    ("language", "name", "prefix"),
    [("th", "นครเซรามิก", "[นครเซรามิก] "), ("en", "Nakhon Ceramic", "[Nakhon Ceramic] ")],
)
def test_password_reset_mail_names_the_portal_and_links_to_site_url(
    language, name, prefix, client, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.SITE_URL = PORTAL_URL
    UserFactory(email=NEW_PERSON)
    client.cookies["django_language"] = language

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": NEW_PERSON})

    (message,) = mailoutbox
    assert_names_the_portal(message, name=name, prefix=prefix)
    assert f"{PORTAL_URL}/accounts/password/reset/key/" in message.body


def test_mail_to_an_unknown_address_names_the_portal_and_links_to_site_url(
    client, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.SITE_URL = PORTAL_URL

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": "nobody@lampang-mail.test"})

    (message,) = mailoutbox
    assert_names_the_portal(message, name="นครเซรามิก", prefix="[นครเซรามิก] ")
    assert f"{PORTAL_URL}/accounts/signup/" in message.body
