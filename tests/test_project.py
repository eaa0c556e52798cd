"""Whole-project checks: production settings, migrations, the compiled Thai catalogue."""

import importlib
import inspect
import os
import re
import secrets
import subprocess
import sys
from io import StringIO
from pathlib import Path

import polib
import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import translation

MESSAGES_DIR = Path(settings.BASE_DIR) / "locale" / "th" / "LC_MESSAGES"


def test_production_settings_pass_check_deploy():
    # Browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process; production never does.
    env = {name: value for name, value in os.environ.items() if name != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env |= {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(45)[:60],
        "IDENTIFIER_HASH_KEYS": secrets.token_urlsafe(45),
        "ALLOWED_HOSTS": "portal.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS" not in output, output
    assert "no issues" in output, output


@pytest.mark.django_db
def test_no_missing_migrations():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit:
        pytest.fail(f"Models have changes without a migration:\n{out.getvalue()}")


@pytest.mark.django_db
def test_postgresql_test_database_has_a_utf8_ctype():
    """Thai trigram search finds nothing under a "C" ctype (DESIGN.md 5)."""
    if connection.vendor != "postgresql":
        if os.environ.get("CI"):
            pytest.fail(f"CI must run on PostgreSQL (DATABASE_URL), not {connection.vendor}")
        pytest.skip("runs on PostgreSQL only (set DATABASE_URL)")
    with connection.cursor() as cursor:
        cursor.execute("select datctype from pg_database where datname = current_database()")
        (ctype,) = cursor.fetchone()
    assert "utf" in ctype.lower().replace("-", ""), f"test database ctype is {ctype!r}"


def _key(entry):
    return (entry.msgctxt, entry.msgid)


def test_thai_catalogue_is_compiled():
    assert (MESSAGES_DIR / "django.po").is_file(), "locale/th/LC_MESSAGES/django.po is missing"
    assert (MESSAGES_DIR / "django.mo").is_file(), (
        "locale/th/LC_MESSAGES/django.mo is missing: run manage.py compilemessages and "
        "commit the .mo, so a fresh checkout shows Thai"
    )


# django.po always; djangojs.po too once there is one.
DOMAINS = sorted({"django"} | {path.stem for path in MESSAGES_DIR.glob("*.po")})


@pytest.mark.parametrize("domain", DOMAINS)
def test_thai_catalogue_is_complete_and_up_to_date(domain):
    po_path = MESSAGES_DIR / f"{domain}.po"
    assert po_path.is_file(), f"{po_path} is missing: run manage.py makemessages -l th"
    po = polib.pofile(str(po_path))

    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"untranslated in {domain}.po: {untranslated}"
    assert not fuzzy, f"fuzzy in {domain}.po: {fuzzy}"

    mo_path = MESSAGES_DIR / f"{domain}.mo"
    assert mo_path.is_file(), f"{mo_path} is missing: run manage.py compilemessages"
    compiled = {_key(e): e for e in polib.mofile(str(mo_path))}
    stale = []
    for entry in po:
        if entry.obsolete or entry.fuzzy:
            continue
        done = compiled.get(_key(entry))
        if done is None:
            stale.append(entry.msgid)
        elif entry.msgid_plural:
            wanted = {int(n): s for n, s in entry.msgstr_plural.items()}
            if {int(n): s for n, s in done.msgstr_plural.items()} != wanted:
                stale.append(entry.msgid)
        elif done.msgstr != entry.msgstr:
            stale.append(entry.msgid)
    assert not stale, (
        f"{domain}.mo is older than {domain}.po (run manage.py compilemessages): {stale}"
    )


THAI = re.compile("[\u0e00-\u0e7f]")


def _project_forms():
    """Every form class defined in the apps' form modules."""
    for app in apps.get_app_configs():
        if not app.path.startswith(str(settings.BASE_DIR)) or ".venv" in app.path:
            continue
        for path in sorted(Path(app.path).glob("forms*.py")):
            module = importlib.import_module(f"{app.name}.{path.stem}")
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                    yield cls


def test_every_form_field_has_a_thai_label():
    """A field without a translated label shows its English name on a Thai page."""
    found, english = 0, []
    with translation.override("th"):
        for cls in _project_forms():
            for name, field in cls.base_fields.items():
                found += 1
                if isinstance(field.widget, forms.HiddenInput):
                    continue
                if field.label is None or not THAI.search(str(field.label)):
                    english.append(f"{cls.__module__}.{cls.__name__}.{name}: {field.label!r}")
    assert found > 50, "the form modules were not found"
    assert not english, english


def test_every_scheduled_task_exists():
    from django.conf import settings

    from config.celery import app

    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks, entry["task"]
