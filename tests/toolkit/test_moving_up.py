"""The README's routines that end on PostgreSQL, followed word for word: the move from a
one-machine SQLite install, and pg_dump's backup and restore.

The installs run in subprocesses; the SQLite one with DATABASE_URL unset. The PostgreSQL
database is created on the server the tests use and dropped afterwards: one name, so the
tests that use it share this file (pytest-xdist runs a file in one process).
"""

import os
import sqlite3
import stat
import tarfile

import dj_database_url
import psycopg2
import pytest

from tests.concurrency import require_postgresql
from tests.readme import readme_script
from tests.toolkit.installs import DEMO_OWNER, DEMO_PASSWORD, install_env, manage, probe, run_script
from toolkit.backups import counted_tables

# Left behind by the move (README): created afresh by migrate, or not worth moving.
NOT_MOVED = ("contenttypes.", "auth.permission", "sessions.")


EXTRA_DATA = f"""
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from accounts.models import User
from notifications.models import OutboundEmail

late = User.objects.create_user("late@example.com", "{DEMO_PASSWORD}", full_name="มาทีหลัง")
OutboundEmail.objects.create(to=late.email, subject="ยังไม่ส่ง", body="...")
LogEntry.objects.create(
    user=late,
    content_type=ContentType.objects.get_for_model(OutboundEmail),
    object_id="1",
    object_repr="...",
    action_flag=ADDITION,
)
editors = Group.objects.create(name="editors")
editors.permissions.add(Permission.objects.get(codename="change_outboundemail"))
late.user_permissions.add(Permission.objects.get(codename="view_enrolment"))
late.groups.add(editors)
"""
PERMISSIONS = """
SELECT ct.app_label, p.codename FROM auth_permission p
JOIN django_content_type ct ON ct.id = p.content_type_id WHERE p.id IN (
    SELECT permission_id FROM auth_group_permissions
    UNION ALL SELECT permission_id FROM accounts_user_user_permissions
) ORDER BY p.codename
"""
LOGGED_TYPES = """
SELECT ct.app_label, ct.model FROM django_admin_log l
JOIN django_content_type ct ON ct.id = l.content_type_id
"""


def server_url(name):
    """The URL of database `name` on the PostgreSQL server the tests use."""
    config = dj_database_url.parse(os.environ["DATABASE_URL"])
    credentials = config["USER"] + (f":{config['PASSWORD']}" if config["PASSWORD"] else "")
    return f"postgres://{credentials}@{config['HOST']}:{config['PORT'] or 5432}/{name}"


def admin_connection():
    config = dj_database_url.parse(os.environ["DATABASE_URL"])
    connection = psycopg2.connect(
        dbname="postgres",
        user=config["USER"],
        password=config["PASSWORD"] or None,
        host=config["HOST"],
        port=config["PORT"] or 5432,
    )
    connection.autocommit = True
    return connection


@pytest.fixture
def new_database():
    require_postgresql()
    name = f"{dj_database_url.parse(os.environ['DATABASE_URL'])['NAME']}_move"
    # Not `with connection`: psycopg2 would open a transaction, which CREATE DATABASE refuses.
    connection = admin_connection()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()
    try:
        yield name
    finally:
        connection = admin_connection()
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.close()


def counts(cursor):
    found = {}
    for label, table in counted_tables().items():
        if not label.startswith(NOT_MOVED):
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608
            found[label] = cursor.fetchone()[0]
    return found


def test_move_to_postgresql_keeps_every_row_and_the_portal_works(new_database, tmp_path):
    var = tmp_path / "var"
    sqlite_env = install_env(var)
    manage(sqlite_env, "migrate", "--noinput")
    manage(sqlite_env, "seed_demo")
    # More than the demo: a user who signed up, an email still waiting in the outbox, and
    # rows that point to a content type and a permission (their ids differ on PostgreSQL).
    manage(sqlite_env, "shell", "-c", EXTRA_DATA)
    source = sqlite3.connect(var / "db.sqlite3")
    before = counts(source.cursor())
    max_user_id = source.execute("SELECT MAX(id) FROM accounts_user").fetchone()[0]
    source.close()
    for label in (
        "accounts.user",
        "account.emailaddress",
        "mfa.authenticator",
        "entrepreneurs.enterprise",
        "products.productimage",
        "products.upgraderecord",
        "programmes.enrolment",
        "training.booking",
        "training.certificate",
        "notifications.notification",
        "notifications.outboundemail",
        "toolkit.auditentry",
    ):
        assert before[label] > 0, label

    move = tmp_path / "move"
    move.mkdir()
    url = server_url(new_database)
    result = run_script(
        readme_script("move-to-postgresql"),
        install_env(var, NEW_DATABASE_URL=url, MOVE_DIR=move),
    )
    assert "Every table matches" in result.stdout

    with psycopg2.connect(url) as connection, connection.cursor() as cursor:
        after = counts(cursor)
        cursor.execute("SELECT COUNT(*) FROM notifications_outboundemail WHERE sent_at IS NULL")
        waiting = cursor.fetchone()[0]
        cursor.execute(PERMISSIONS)
        permissions = cursor.fetchall()
        cursor.execute(LOGGED_TYPES)
        logged_types = cursor.fetchall()
    assert after == before
    assert waiting > 0
    assert permissions == [
        ("notifications", "change_outboundemail"),
        ("programmes", "view_enrolment"),
    ]
    assert logged_types == [("notifications", "outboundemail")]

    # The portal on PostgreSQL and Redis, with the same folders: the password still signs
    # in, the photo is there, and new rows get new ids in every table.
    postgres_env = install_env(var, DATABASE_URL=url)
    if os.environ.get("CELERY_BROKER_URL"):
        postgres_env["CELERY_BROKER_URL"] = os.environ["CELERY_BROKER_URL"]
    seen = probe(
        postgres_env,
        email=DEMO_OWNER,
        password=DEMO_PASSWORD,
        add_rows=True,
        max_user_id=max_user_id,
    )
    assert seen == {
        "vendor": "postgresql",
        "sign_in_status": 302,
        "home_status": 200,
        "signed_in": True,
        "home_names_user": True,
        "product_status": 200,
        "page_shows_photo": True,
        "photo_status": 200,
        "photo_bytes_match": True,
        "new_user_id_above_loaded": True,
        "sequences_behind": [],
    }

    # The comparison fails, naming the table, once the databases differ.
    compare = manage(
        postgres_env,
        "count_rows",
        "-e",
        "contenttypes",
        "-e",
        "auth.permission",
        "-e",
        "sessions",
        "--compare",
        str(move / "counts.json"),
        check=False,
    )
    assert compare.returncode == 1
    assert "accounts.user: " in compare.stderr


def test_pg_dump_routine_restores_a_working_portal(new_database, tmp_path):
    url = server_url(new_database)
    var = tmp_path / "var"
    env = install_env(var, DATABASE_URL=url)
    manage(env, "migrate", "--noinput")
    manage(env, "seed_demo")
    document = var / "private" / "certifications" / "lead-test.pdf"
    document.parent.mkdir(parents=True)
    document.write_bytes(b"%PDF-1.4 a certification document")
    with psycopg2.connect(url) as connection, connection.cursor() as cursor:
        before = counts(cursor)
    connection.close()
    backups = tmp_path / "backups"
    backups.mkdir()
    run_script(
        readme_script("pg-backup"), {**env, "BACKUP_DIR": str(backups), "FILES_DIR": str(var)}
    )
    [dump] = backups.glob("nakhon-*.dump")
    [files] = backups.glob("nakhon-files-*.tar.gz")

    # A lost machine: an empty database of the same name, no files.
    connection = admin_connection()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE "{new_database}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{new_database}"')
    connection.close()
    fresh = tmp_path / "fresh"
    fresh_env = install_env(fresh, DATABASE_URL=url)
    fresh.mkdir()
    run_script(
        readme_script("pg-restore"),
        {**fresh_env, "DUMP": str(dump), "FILES": str(files), "FILES_DIR": str(fresh)},
    )

    with psycopg2.connect(url) as connection, connection.cursor() as cursor:
        assert counts(cursor) == before
    connection.close()
    assert (fresh / "private" / "certifications" / "lead-test.pdf").exists()
    seen = probe(fresh_env, email=DEMO_OWNER, password=DEMO_PASSWORD)
    assert seen["vendor"] == "postgresql"
    assert seen["signed_in"] is True
    assert seen["photo_status"] == 200
    assert seen["photo_bytes_match"] is True


def test_pg_dump_routine_works_before_any_private_file_and_keeps_its_files_private(
    new_database, tmp_path
):
    var = tmp_path / "var"
    photo = var / "media" / "products" / "bowl.jpg"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(b"a photo")  # no private/ yet: no document has been stored
    backups = tmp_path / "backups"
    backups.mkdir()
    env = install_env(var, DATABASE_URL=server_url(new_database))

    run_script(
        readme_script("pg-backup"), {**env, "BACKUP_DIR": str(backups), "FILES_DIR": str(var)}
    )

    [dump] = backups.glob("nakhon-*.dump")
    [files] = backups.glob("nakhon-files-*.tar.gz")
    assert {stat.S_IMODE(path.stat().st_mode) for path in (dump, files)} == {0o600}
    with tarfile.open(files) as archive:
        assert "media/products/bowl.jpg" in archive.getnames()
