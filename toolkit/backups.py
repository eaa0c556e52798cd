"""Online backups of a one-machine install, their restore, and row counts to check both.

A backup is one tar.gz archive: ``db.sqlite3`` (a copy made with SQLite's backup API, so a
consistent snapshot even while the web and the worker write: in WAL mode the copy reads one
snapshot and never blocks them), ``media/`` (MEDIA_ROOT), ``private/`` (the private storage)
and ``manifest.json`` (when, which migrations, how many rows per table, how many files).
PostgreSQL has pg_dump for this; the commands refuse it and say so.

The row counts (``database_counts``) also check the move from SQLite to PostgreSQL
(``manage.py count_rows``).
"""

import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connections

from .thaisort import THAI_COLLATION, sqlite_thai_collation

ARCHIVE_PREFIX = "nakhon-backup-"
ARCHIVE_SUFFIX = ".tar.gz"
DB_MEMBER = "db.sqlite3"
MANIFEST_MEMBER = "manifest.json"
FOLDERS = ("media", "private")
MANIFEST_FORMAT = 1

POSTGRESQL_ADVICE = (
    "The database is PostgreSQL: back it up with pg_dump -Fc and restore it with pg_restore, "
    "and copy MEDIA_ROOT and PRIVATE_MEDIA_ROOT beside it (README.md, 'Backups and restore')."
)


class BackupError(Exception):
    """A backup or a restore that cannot go ahead; the message says why and what to do."""


# --- Row counts ----------------------------------------------------------------------


def counted_tables(exclude=()):
    """{model label: table} for every table Django manages, many-to-many tables included.

    ``exclude`` takes labels as dumpdata's ``-e`` does: an app ("sessions") or a model
    ("auth.permission").
    """
    excluded = {label.lower() for label in exclude}
    tables = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        if meta.app_label in excluded or meta.label_lower in excluded:
            continue
        tables[meta.label_lower] = meta.db_table
    return dict(sorted(tables.items()))


def _count(cursor, tables, present):
    counts = {}
    for label, table in tables.items():
        if table in present:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 (Django's own names)
            counts[label] = cursor.fetchone()[0]
    return counts


def database_counts(using="default", exclude=()):
    """Rows per model in a database Django connects to (SQLite or PostgreSQL)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        present = set(connection.introspection.table_names(cursor))
        return _count(cursor, counted_tables(exclude), present)


def sqlite_file_counts(sqlite_connection, exclude=()):
    """Rows per model in an SQLite file opened outside Django (a backup's copy)."""
    cursor = sqlite_connection.cursor()
    present = {
        row[0] for row in cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    return _count(cursor, counted_tables(exclude), present)


def compare_counts(expected, actual):
    """[(label, expected, actual)] for each model whose count differs (None: no table)."""
    return [
        (label, expected.get(label), actual.get(label))
        for label in sorted(set(expected) | set(actual))
        if expected.get(label) != actual.get(label)
    ]


# --- SQLite files --------------------------------------------------------------------


def sqlite_database_path(using="default"):
    """The SQLite file of the database, or BackupError (with pg_dump's routine) for others."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        raise BackupError(POSTGRESQL_ADVICE)
    if connection.vendor != "sqlite":
        raise BackupError(f"Backups are made for SQLite only, not {connection.vendor}.")
    return Path(connection.settings_dict["NAME"])


def open_sqlite(path):
    """An SQLite connection to a file that knows the portal's Thai collation (its indexes)."""
    connection = sqlite3.connect(path, timeout=20)
    connection.create_collation(THAI_COLLATION, sqlite_thai_collation)
    return connection


def integrity_problems(connection):
    """What PRAGMA integrity_check finds wrong ([] when the file is sound)."""
    rows = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    return [] if rows == ["ok"] else rows


def _migration_state(connection):
    rows = connection.execute("SELECT app, name FROM django_migrations ORDER BY id")
    state = {}
    for app, name in rows:
        state.setdefault(app, []).append(name)
    return {app: sorted(names)[-1] for app, names in sorted(state.items())}


def snapshot_database(source, target):
    """Copy the live SQLite database into ``target`` with SQLite's backup API.

    The whole copy is one step (pages=-1), so it reads one snapshot: rows written meanwhile
    by other connections are either all in the copy or all out of it. The copy leaves WAL
    mode so that it is a single file.
    """
    source_connection = open_sqlite(source)
    target_connection = open_sqlite(target)
    try:
        source_connection.backup(target_connection, pages=-1)
        target_connection.execute("PRAGMA journal_mode=DELETE")
    finally:
        source_connection.close()
        target_connection.close()


# --- Files ---------------------------------------------------------------------------


def private_media_root():
    return Path(settings.STORAGES["private"]["OPTIONS"]["location"])


def folder_roots():
    return {"media": Path(settings.MEDIA_ROOT), "private": private_media_root()}


def count_files(root):
    root = Path(root)
    if not root.is_dir():
        return 0
    return sum(len(files) for _dirpath, _dirs, files in os.walk(root))


def _add_tree(archive, root, arcname):
    """Add a folder's files to the archive, counted; a file deleted meanwhile is passed over."""
    root = Path(root)
    if not root.is_dir():
        return 0
    archive.add(root, arcname=arcname, recursive=False)
    added = 0
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        relative = Path(dirpath).relative_to(root)
        for name in [*dirnames, *sorted(filenames)]:
            path = Path(dirpath, name)
            try:
                archive.add(path, arcname=str(Path(arcname, relative, name)), recursive=False)
            except FileNotFoundError:
                continue
            added += name in filenames
    return added


# --- Backup --------------------------------------------------------------------------


def app_version():
    try:
        return metadata.version("nakhon-ceramic")
    except metadata.PackageNotFoundError:
        return "unknown"


def list_backups(folder):
    """The complete archives in the folder, oldest first (their names sort by time)."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    return sorted(
        path
        for path in folder.iterdir()
        if path.name.startswith(ARCHIVE_PREFIX) and path.name.endswith(ARCHIVE_SUFFIX)
    )


def make_backup(*, output, keep=None):
    """Write one archive of the database, media and private files into ``output``.

    Returns (path, manifest). The archive is written under a hidden name and renamed when
    complete, so a crash never leaves a partial file that looks like a backup; then only the
    ``keep`` newest archives are kept (all of them when ``keep`` is None).
    """
    source = sqlite_database_path()
    if not source.exists():
        raise BackupError(f"There is no database at {source}: run manage.py migrate first.")
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    now = datetime.now(tz=UTC)
    name = f"{ARCHIVE_PREFIX}{now:%Y%m%d-%H%M%S-%f}Z{ARCHIVE_SUFFIX}"
    final = output / name
    with tempfile.TemporaryDirectory(dir=output, prefix=".backup-") as work:
        copy = Path(work, DB_MEMBER)
        snapshot_database(source, copy)
        connection = open_sqlite(copy)
        try:
            problems = integrity_problems(connection)
            if problems:
                raise BackupError(
                    "The copy of the database fails SQLite's integrity check: "
                    + "; ".join(problems[:5])
                )
            counts = sqlite_file_counts(connection)
            migrations = _migration_state(connection)
        finally:
            connection.close()
        partial = Path(work, name)
        files = {}
        # gzip's own default level: on the database, -9 took 2.5 times as long for 1 % less.
        with tarfile.open(partial, "w:gz", compresslevel=6) as archive:
            archive.add(copy, arcname=DB_MEMBER)
            for folder, root in folder_roots().items():
                files[folder] = _add_tree(archive, root, folder)
            manifest = {
                "format": MANIFEST_FORMAT,
                "created_at": now.isoformat(),
                "app_version": app_version(),
                "django_version": django.get_version(),
                "migrations": migrations,
                "database_bytes": copy.stat().st_size,
                "rows": counts,
                "files": files,
            }
            manifest_path = Path(work, MANIFEST_MEMBER)
            manifest_path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
            archive.add(manifest_path, arcname=MANIFEST_MEMBER)
        # Personal data: for the owner only, whatever the umask.
        partial.chmod(0o600)
        os.replace(partial, final)
    if keep is not None:
        for old in list_backups(output)[:-keep]:
            old.unlink(missing_ok=True)
    return final, manifest


# --- Restore -------------------------------------------------------------------------


def read_manifest(archive_path):
    """The manifest of a backup archive, or BackupError when the file is not one."""
    archive_path = Path(archive_path)
    if not archive_path.is_file():
        raise BackupError(f"There is no file {archive_path}.")
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            names = set(archive.getnames())
            if not {DB_MEMBER, MANIFEST_MEMBER} <= names:
                raise BackupError(
                    f"{archive_path} is not a backup made by manage.py backup "
                    f"(it has no {DB_MEMBER} or {MANIFEST_MEMBER})."
                )
            return json.load(archive.extractfile(MANIFEST_MEMBER))
    except (tarfile.TarError, OSError, EOFError, ValueError) as error:
        raise BackupError(f"{archive_path} cannot be read as a backup: {error}") from error


def installed_data(database):
    """What the install already holds: (users in the database, files in the folders)."""
    users = 0
    if database.exists() and database.stat().st_size:
        connection = open_sqlite(database)
        try:
            table = get_user_model()._meta.db_table
            if connection.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
            ).fetchone():
                users = connection.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]  # noqa: S608
        finally:
            connection.close()
    files = sum(count_files(root) for root in folder_roots().values())
    return users, files


def _move_aside(path, suffix):
    if path.exists():
        aside = path.with_name(f"{path.name}.{suffix}")
        shutil.move(path, aside)
        return aside
    return None


def restore_backup(*, archive, force=False):
    """Put a backup's database and files in place of this install's; returns a summary.

    Refused when the install holds data (users, or any file in the media folders) unless
    ``force``. The present database file and non-empty folders are moved aside, never
    deleted. The
    archive's database and file counts are checked against its manifest before anything of
    the install is touched. Run ``migrate`` afterwards (the command does).
    """
    database = sqlite_database_path()
    manifest = read_manifest(archive)
    users, files = installed_data(database)
    if (users or files) and not force:
        raise BackupError(
            f"This install is not empty ({users} users in {database}, {files} files in the "
            "media folders). Restore into a new, stopped install, or stop the portal and pass "
            "--force: the present database and folders are then moved aside, not deleted."
        )
    connections.close_all()
    database.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=database.parent, prefix=".restore-") as work:
        work = Path(work)
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(work, filter="data")
        copy = work / DB_MEMBER
        connection = open_sqlite(copy)
        try:
            problems = integrity_problems(connection)
            counts = sqlite_file_counts(connection)
        finally:
            connection.close()
        if problems:
            raise BackupError(
                "The archive's database fails SQLite's integrity check: " + "; ".join(problems[:5])
            )
        differences = compare_counts(manifest["rows"], counts)
        file_counts = {folder: count_files(work / folder) for folder in FOLDERS}
        if differences or file_counts != manifest["files"]:
            raise BackupError(
                "The archive does not match its manifest (rows: "
                + ", ".join(f"{label} {want}≠{got}" for label, want, got in differences[:10])
                + f"; files: {file_counts} for {manifest['files']}). Nothing was changed."
            )
        stamp = f"before-restore-{datetime.now(tz=UTC):%Y%m%d-%H%M%S}"
        # A database file already there is moved aside even without users: it may hold
        # other rows, and a restore deletes nothing.
        moved = []
        for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
            aside = _move_aside(path, stamp)
            if aside:
                moved.append(aside)
        os.replace(copy, database)
        for folder, root in folder_roots().items():
            if root.exists():
                if count_files(root):
                    moved.append(_move_aside(root, stamp))
                else:
                    shutil.rmtree(root)
            root.parent.mkdir(parents=True, exist_ok=True)
            source = work / folder
            if source.is_dir():
                shutil.move(source, root)
            else:
                root.mkdir()
    return {"manifest": manifest, "database": database, "moved_aside": moved}
