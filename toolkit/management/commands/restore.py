from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from toolkit.backups import BackupError, compare_counts, database_counts, restore_backup


class Command(BaseCommand):
    help = (
        "Restore an archive made by manage.py backup into this install (stopped, and empty "
        "unless --force), migrate it, and check its rows against the archive's manifest."
    )
    # The checks would open the database this command is about to replace.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument(
            "--force",
            action="store_true",
            help="restore over an install that holds data (it is moved aside, not deleted)",
        )

    def handle(self, *args, archive, force, **options):
        try:
            result = restore_backup(archive=archive, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from error
        manifest = result["manifest"]
        for path in result["moved_aside"]:
            self.stdout.write(f"Moved aside: {path}")
        self.stdout.write(
            f"Restored the backup of {manifest['created_at']} into {result['database']}; migrating."
        )
        call_command("migrate", interactive=False, verbosity=max(options["verbosity"] - 1, 0))
        counts = database_counts()
        # Tables that newer migrations created are not the backup's to check.
        differences = compare_counts(
            manifest["rows"], {label: counts.get(label) for label in manifest["rows"]}
        )
        if differences:
            # A backup older than the code: its newer migrations may add or change rows.
            self.stdout.write(
                self.style.WARNING(
                    "After migrate these tables differ from the backup's manifest: "
                    + ", ".join(f"{label} {want}→{got}" for label, want, got in differences)
                )
            )
        rows = sum(manifest["rows"].values())
        files = sum(manifest["files"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored and checked: {rows} rows in {len(manifest['rows'])} tables and "
                f"{files} files match the manifest."
            )
        )
