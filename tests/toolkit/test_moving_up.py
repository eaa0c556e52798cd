"""The README's move from a one-machine SQLite install to PostgreSQL, followed word for word.

The SQLite install runs in subprocesses with DATABASE_URL unset; the PostgreSQL database it
moves to is created on the server the tests use and dropped afterwards.
"""

import os
import sqlite3

import dj_database_url
import psycopg2
import pytest

from tests.concurrency import require_postgresql
from tests.readme import readme_script
from tests.toolkit.installs import DEMO_OWNER, DEMO_PASSWORD, install_env, manage, probe, run_script
from toolkit.backups import counted_tables

# Left behind by the move (README): created afresh by migrate, or not worth moving.
NOT_MOVED = ("contenttypes.", "auth.permission", "sessions.")


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
    # More than the demo: a user who signed up, and an email still waiting in the outbox.
    manage(
        sqlite_env,
        "shell",
        "-c",
        "from accounts.models import User; from notifications.models import OutboundEmail; "
        f"User.objects.create_user('late@example.com', '{DEMO_PASSWORD}', full_name='มาทีหลัง'); "
        "OutboundEmail.objects.create(to='late@example.com', subject='ยังไม่ส่ง', body='...')",
    )
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
    assert after == before
    assert waiting > 0

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
