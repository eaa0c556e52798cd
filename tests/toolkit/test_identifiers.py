"""Tax IDs are hashed with keys of their own, and the keys can be rotated without losing data."""

import os
import secrets
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.urls import reverse

from entrepreneurs import services
from entrepreneurs.demo import ENTERPRISES
from entrepreneurs.exceptions import AlreadyRegistered
from entrepreneurs.models import Enterprise, Subdistrict
from entrepreneurs.validators import hash_tax_id, tax_id_check_digit
from toolkit.checks import identifier_keys_match_the_database
from toolkit.identifiers import keyed_hash

TAX_ID = "099300012345" + str(tax_id_check_digit("099300012345"))
OTHER_TAX_ID = "099300099999" + str(tax_id_check_digit("099300099999"))
# The development SECRET_KEY: databases made before the keys were separate used it.
LEGACY_KEY = "dev-only-insecure-key-never-use-in-production"


def data(**overrides):
    values = {
        "kind": "community_enterprise",
        "name_th": "วิสาหกิจชุมชนบ้านทุ่งเกวียน",
        "name_en": "Lampang Luang Kilns",
        "registration_code": "",
        "tax_id": TAX_ID,
        "address_line": "99 หมู่ 5",
        "subdistrict": Subdistrict.objects.get(code="520301"),
        "postal_code": "52130",
        "phone": "",
        "line_id": "",
    }
    values.update(overrides)
    return values


def rotate(monkeypatch, new_key):
    monkeypatch.setenv("NEW_IDENTIFIER_HASH_KEY", new_key)
    call_command("rotate_identifier_key", stdout=StringIO())


def test_the_hash_of_one_key_is_the_one_made_with_the_secret_key_before(settings):
    """A database hashed under the old SECRET_KEY is under the chain "<that key>"."""
    import hashlib
    import hmac

    old = hmac.new(
        hashlib.sha256(("tax-id:" + "an-old-secret").encode()).digest(),
        TAX_ID.encode(),
        hashlib.sha256,
    ).hexdigest()
    assert keyed_hash(TAX_ID, purpose="tax-id", keys=["an-old-secret"]) == old


@pytest.mark.django_db
def test_another_secret_key_keeps_duplicate_detection(settings, owner, outsider):
    first, _warnings = services.register_enterprise(by=owner, data=data())
    settings.SECRET_KEY = "a-new-secret-key-after-a-leak-" + "x" * 30
    with pytest.raises(AlreadyRegistered) as error:
        services.register_enterprise(by=outsider, data=data(name_en="Another"))
    assert error.value.existing == first
    assert error.value.field == "tax_id"


@pytest.mark.django_db
def test_another_secret_key_keeps_seed_demo_working(settings, tmp_path):
    settings.DEBUG = True  # seed_demo is a development tool
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", stdout=StringIO())
    settings.SECRET_KEY = "a-new-secret-key-after-a-leak-" + "x" * 30
    call_command("seed_demo", stdout=StringIO())
    assert Enterprise.objects.count() == len(ENTERPRISES)


@pytest.mark.django_db
def test_rotation_keeps_duplicate_detection_with_the_new_chain(
    settings, monkeypatch, client, owner, outsider
):
    settings.IDENTIFIER_HASH_KEYS = [LEGACY_KEY]
    first, _warnings = services.register_enterprise(by=owner, data=data())
    rotate(monkeypatch, "the-new-identifier-key")
    first.refresh_from_db()
    # Wrapped, so the old key alone no longer matches what is stored.
    assert first.tax_id_hash != keyed_hash(TAX_ID, purpose="tax-id", keys=[LEGACY_KEY])

    settings.IDENTIFIER_HASH_KEYS = [LEGACY_KEY, "the-new-identifier-key"]
    assert first.tax_id_hash == hash_tax_id(TAX_ID)
    outsider.language = "en"
    outsider.save(update_fields=["language"])
    client.force_login(outsider)
    response = client.post(
        reverse("entrepreneurs:enterprise_create"),
        {
            **data(subdistrict="520301", name_en="Another"),
            "province": "52",
            "district": "5203",
        },
    )
    assert response.status_code == 200
    assert "Already registered as Lampang Luang Kilns." in response.text
    assert Enterprise.objects.count() == 1
    # A new enterprise is stored under the new chain and found by it.
    second, _warnings = services.register_enterprise(by=outsider, data=data(tax_id=OTHER_TAX_ID))
    assert second.tax_id_hash == keyed_hash(
        OTHER_TAX_ID, purpose="tax-id", keys=[LEGACY_KEY, "the-new-identifier-key"]
    )
    assert identifier_keys_match_the_database(None, databases=["default"]) == []


@pytest.mark.django_db
def test_rotating_twice_without_the_new_chain_is_refused(settings, monkeypatch, owner):
    settings.IDENTIFIER_HASH_KEYS = [LEGACY_KEY]
    first, _warnings = services.register_enterprise(by=owner, data=data())
    rotate(monkeypatch, "key-2")
    stored = Enterprise.objects.get().tax_id_hash
    with pytest.raises(CommandError, match="already run"):
        rotate(monkeypatch, "key-3")
    assert Enterprise.objects.get().tax_id_hash == stored
    # The database check says so too (migrate runs it).
    errors = identifier_keys_match_the_database(None, databases=["default"])
    assert [error.id for error in errors] == ["toolkit.E001"]
    # With the chain it printed, the next rotation goes ahead.
    settings.IDENTIFIER_HASH_KEYS = [LEGACY_KEY, "key-2"]
    rotate(monkeypatch, "key-3")
    settings.IDENTIFIER_HASH_KEYS = [LEGACY_KEY, "key-2", "key-3"]
    assert Enterprise.objects.get().tax_id_hash == hash_tax_id(TAX_ID)


@pytest.mark.django_db
def test_rotation_prints_the_chain_to_configure(settings, monkeypatch, owner, capsys):
    settings.IDENTIFIER_HASH_KEYS = ["k1"]
    services.register_enterprise(by=owner, data=data())
    monkeypatch.delenv("NEW_IDENTIFIER_HASH_KEY", raising=False)
    call_command("rotate_identifier_key")
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert line.startswith("IDENTIFIER_HASH_KEYS=k1,")
    settings.IDENTIFIER_HASH_KEYS = line.split("=", 1)[1].split(",")
    assert len(settings.IDENTIFIER_HASH_KEYS[1]) >= 40  # a generated key
    assert Enterprise.objects.get().tax_id_hash == hash_tax_id(TAX_ID)


def test_production_refuses_to_start_without_identifier_keys():
    env = {name: value for name, value in os.environ.items() if name != "IDENTIFIER_HASH_KEYS"}
    env |= {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(45),
        "ALLOWED_HOSTS": "portal.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured: Set IDENTIFIER_HASH_KEYS when DEBUG is off." in result.stderr
