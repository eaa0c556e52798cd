from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from toolkit.backups import BackupError, make_backup


class Command(BaseCommand):
    help = (
        "Back up a one-machine install while it runs: the SQLite database (through SQLite's "
        "backup API, a consistent snapshot), MEDIA_ROOT, the private files and a manifest, in "
        "one timestamped tar.gz. Safe to run from cron beside the web and the worker. Refused "
        "on PostgreSQL, which has pg_dump."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            default=None,
            help="folder for the archives (default: VAR_DIR/backups)",
        )
        parser.add_argument(
            "--keep",
            type=int,
            default=None,
            help="keep only this many newest archives in the folder (default: keep all)",
        )

    def handle(self, *args, output, keep, **options):
        if keep is not None and keep < 1:
            raise CommandError("--keep must be 1 or more.")
        output = output or Path(settings.VAR_DIR) / "backups"
        try:
            path, manifest = make_backup(output=output, keep=keep)
        except BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(manifest["rows"].values())
        files = sum(manifest["files"].values())
        self.stdout.write(f"Backup written: {path}")
        self.stdout.write(f"  {rows} rows in {len(manifest['rows'])} tables, {files} files")
