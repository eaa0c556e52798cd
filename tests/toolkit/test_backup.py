"""manage.py backup and restore on a one-machine install (SQLite), run as an operator would.

The install lives in a folder of its own and runs in subprocesses with DATABASE_URL and
CELERY_BROKER_URL unset, so these tests run on SQLite in CI too (where the test process
itself uses PostgreSQL and Redis).
"""

import json
import sqlite3
import subprocess
import sys
import tarfile
import time

import pytest

from accounts.models import User
from tests.readme import readme_script
from tests.toolkit.installs import (
    BASE_DIR,
    DEMO_OWNER,
    DEMO_PASSWORD,
    install_env,
    manage,
    probe,
    run_script,
)
from toolkit.backups import open_sqlite

# The writer adds users in transactions of this many: a consistent copy holds whole ones.
BATCH = 25
WRITER = f"""
import itertools
from django.db import transaction
from accounts.models import User
for n in itertools.count():
    with transaction.atomic():
        for i in range({BATCH}):
            User.objects.create(email=f"writer-{{n}}-{{i}}@example.com", full_name="writer")
"""
PRIVATE_DOCUMENT = b"%PDF-1.4 a certification document\n"


def writer_rows(database):
    connection = database if isinstance(database, sqlite3.Connection) else sqlite3.connect(database)
    table = User._meta.db_table
    return connection.execute(
        f"SELECT COUNT(*) FROM {table} WHERE email LIKE 'writer-%'"  # noqa: S608
    ).fetchone()[0]


def wait_until(condition, process, timeout=60):
    deadline = time.monotonic() + timeout
    while not condition():
        assert process.poll() is None, process.stderr.read()
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def count_files(folder):
    return sum(1 for path in folder.rglob("*") if path.is_file())


@pytest.fixture(scope="module")
def live_install(tmp_path_factory):
    """A migrated install with the demo data (photos included) and one private document."""
    var = tmp_path_factory.mktemp("live")
    env = install_env(var)
    manage(env, "migrate", "--noinput")
    manage(env, "seed_demo")
    document = var / "private" / "certifications" / "lead-test.pdf"
    document.parent.mkdir(parents=True)
    document.write_bytes(PRIVATE_DOCUMENT)
    return var, env


def test_backup_while_the_portal_writes_restores_into_a_working_portal(live_install, tmp_path):
    var, env = live_install
    database = var / "db.sqlite3"
    media_files = count_files(var / "media")
    assert media_files > 0
    writer = subprocess.Popen(
        [sys.executable, "manage.py", "shell", "-c", WRITER],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until(lambda: writer_rows(database) >= 2 * BATCH, writer)
        backups = tmp_path / "backups"
        output = manage(env, "backup", "--output", str(backups), "--keep", "2").stdout
        after_backup = writer_rows(database)
        # It wrote beside the backup and goes on writing: the backup never stopped it.
        wait_until(lambda: writer_rows(database) > after_backup, writer)
        assert writer.poll() is None, writer.stderr.read()
    finally:
        writer.terminate()
        writer.wait(timeout=30)

    [archive] = backups.glob("nakhon-backup-*.tar.gz")
    assert f"Backup written: {archive}" in output
    assert archive.stat().st_mode & 0o777 == 0o600
    opened = tmp_path / "opened"
    with tarfile.open(archive) as tar:
        tar.extractall(opened, filter="data")
    manifest = json.loads((opened / "manifest.json").read_text())
    copy = open_sqlite(opened / "db.sqlite3")
    assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    copied = writer_rows(copy)
    # A snapshot: whole transactions of the writer, none cut in half.
    assert copied >= 2 * BATCH
    assert copied % BATCH == 0
    assert copied <= after_backup
    users = copy.execute(f"SELECT COUNT(*) FROM {User._meta.db_table}").fetchone()[0]  # noqa: S608
    copy.close()
    assert manifest["rows"]["accounts.user"] == users
    assert manifest["rows"]["products.productimage"] > 0
    assert manifest["files"] == {"media": media_files, "private": 1}
    assert manifest["migrations"]["accounts"].startswith("000")
    assert (
        opened / "private" / "certifications" / "lead-test.pdf"
    ).read_bytes() == PRIVATE_DOCUMENT

    # The README's restore, word for word, into a new install.
    fresh = tmp_path / "restored"
    restored_env = install_env(fresh, BACKUP=archive)
    result = run_script(readme_script("restore"), restored_env)
    assert "match the manifest" in result.stdout
    rows = tmp_path / "manifest-rows.json"
    rows.write_text(json.dumps(manifest["rows"]))
    manage(restored_env, "count_rows", "--compare", str(rows))
    assert count_files(fresh / "media") == media_files
    assert (fresh / "private" / "certifications" / "lead-test.pdf").read_bytes() == PRIVATE_DOCUMENT

    seen = probe(restored_env, email=DEMO_OWNER, password=DEMO_PASSWORD)
    assert seen == {
        "vendor": "sqlite",
        "sign_in_status": 302,
        "home_status": 200,
        "signed_in": True,
        "home_names_user": True,
        "product_status": 200,
        "page_shows_photo": True,
        "photo_status": 200,
        "photo_bytes_match": True,
    }


def test_restore_refuses_an_install_that_holds_data(live_install, tmp_path):
    var, env = live_install
    manage(env, "backup", "--output", str(tmp_path))
    [archive] = tmp_path.glob("nakhon-backup-*.tar.gz")
    users = User._meta.db_table
    before = sqlite3.connect(var / "db.sqlite3").execute(f"SELECT COUNT(*) FROM {users}").fetchone()  # noqa: S608

    result = manage(env, "restore", str(archive), check=False)

    assert result.returncode == 1
    assert "This install is not empty" in result.stderr
    assert "--force" in result.stderr
    after = sqlite3.connect(var / "db.sqlite3").execute(f"SELECT COUNT(*) FROM {users}").fetchone()  # noqa: S608
    assert after == before
    assert not list(var.glob("*before-restore*"))


def test_restore_force_moves_the_present_install_aside(tmp_path):
    source = tmp_path / "source"
    source_env = install_env(source)
    manage(source_env, "migrate", "--noinput")
    manage(
        source_env,
        "shell",
        "-c",
        "from accounts.models import User; User.objects.create_user('kept@example.com')",
    )
    manage(source_env, "backup", "--output", str(tmp_path / "backups"))
    [archive] = (tmp_path / "backups").glob("nakhon-backup-*.tar.gz")
    target = tmp_path / "target"
    target_env = install_env(target)
    manage(target_env, "migrate", "--noinput")
    manage(
        target_env,
        "shell",
        "-c",
        "from accounts.models import User; User.objects.create_user('other@example.com')",
    )
    (target / "media").mkdir(exist_ok=True)
    (target / "media" / "old.jpg").write_bytes(b"old")

    result = manage(target_env, "restore", "--force", str(archive))

    assert "Moved aside" in result.stdout
    emails = manage(
        target_env,
        "shell",
        "-c",
        "from accounts.models import User; "
        "print(sorted(User.objects.values_list('email', flat=True)))",
    ).stdout
    assert emails.strip().splitlines()[-1] == "['kept@example.com']"
    [old_media] = target.glob("media.before-restore-*")
    assert (old_media / "old.jpg").read_bytes() == b"old"
    [old_database] = target.glob("db.sqlite3.before-restore-*")
    assert sqlite3.connect(old_database).execute("SELECT email FROM accounts_user").fetchall() == [
        ("other@example.com",)
    ]


def test_restore_refuses_an_archive_that_does_not_match_its_manifest(tmp_path):
    source = tmp_path / "source"
    source_env = install_env(source)
    manage(source_env, "migrate", "--noinput")
    manage(source_env, "backup", "--output", str(tmp_path))
    [archive] = tmp_path.glob("nakhon-backup-*.tar.gz")
    unpacked = tmp_path / "unpacked"
    with tarfile.open(archive) as tar:
        tar.extractall(unpacked, filter="data")
    manifest = json.loads((unpacked / "manifest.json").read_text())
    manifest["rows"]["accounts.user"] += 1
    (unpacked / "manifest.json").write_text(json.dumps(manifest))
    tampered = tmp_path / "tampered.tar.gz"
    with tarfile.open(tampered, "w:gz") as tar:
        for path in unpacked.iterdir():
            tar.add(path, arcname=path.name)
    target = tmp_path / "target"

    result = manage(install_env(target), "restore", str(tampered), check=False)

    assert result.returncode == 1
    assert "does not match its manifest" in result.stderr
    assert "accounts.user 1≠0" in result.stderr
    assert not (target / "db.sqlite3").exists()


def test_backup_keeps_the_newest_archives(live_install, tmp_path):
    _var, env = live_install
    for _ in range(3):
        manage(env, "backup", "--output", str(tmp_path), "--keep", "2")
    # The archives' names sort by time; an unrelated file in the folder stays.
    (tmp_path / "notes.txt").write_text("keep me")
    manage(env, "backup", "--output", str(tmp_path), "--keep", "2")
    archives = sorted(tmp_path.glob("nakhon-backup-*.tar.gz"))
    assert len(archives) == 2
    assert (tmp_path / "notes.txt").exists()
    assert not list(tmp_path.glob(".backup-*"))


def test_backup_and_restore_refuse_postgresql_and_name_its_tools(tmp_path):
    env = install_env(tmp_path, DATABASE_URL="postgres://nakhon@127.0.0.1:1/nakhon")

    backup = manage(env, "backup", check=False)
    restore = manage(env, "restore", str(tmp_path / "any.tar.gz"), check=False)

    for result in (backup, restore):
        assert result.returncode == 1
        assert "pg_dump -Fc" in result.stderr
        assert "pg_restore" in result.stderr
    assert not list(tmp_path.glob("backups/*"))


def test_restore_brings_an_older_backup_up_to_the_code(tmp_path):
    source = tmp_path / "source"
    source_env = install_env(source)
    manage(source_env, "migrate", "--noinput")
    manage(
        source_env,
        "shell",
        "-c",
        "from notifications.models import OutboundEmail; "
        "OutboundEmail.objects.create(to='a@example.com', subject='s', body='b')",
    )
    # The code of the day before: the outbox had no claimed_at yet.
    manage(source_env, "migrate", "notifications", "0001")
    manage(source_env, "backup", "--output", str(tmp_path / "backups"))
    [archive] = (tmp_path / "backups").glob("nakhon-backup-*.tar.gz")
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["migrations"]["notifications"] == "0001_initial"

    restored_env = install_env(tmp_path / "restored", BACKUP=archive)
    result = run_script(readme_script("restore"), restored_env)

    assert "match the manifest" in result.stdout
    assert "differ" not in result.stdout
    waiting = manage(
        restored_env,
        "shell",
        "-c",
        "from notifications.models import OutboundEmail; "
        "print(list(OutboundEmail.objects.values_list('to', 'claimed_at')))",
    ).stdout
    assert waiting.strip().splitlines()[-1] == "[('a@example.com', None)]"


def test_count_rows_refuses_a_database_that_is_not_the_portals(tmp_path):
    # Run without the portal's VAR_DIR: SQLite opens an empty file in the folder given.
    env = install_env(tmp_path)

    result = manage(env, "count_rows", "--output", str(tmp_path / "counts.json"), check=False)

    assert result.returncode == 1
    assert "holds none of the portal's tables" in result.stderr
    assert not (tmp_path / "counts.json").exists()
