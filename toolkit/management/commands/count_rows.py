import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from toolkit.backups import compare_counts, database_counts


class Command(BaseCommand):
    help = (
        "Count the rows of every table in the database (DATABASE_URL), write them to a JSON "
        "file, or compare them with such a file: the check after moving an install from "
        "SQLite to PostgreSQL."
    )

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--output", type=Path, help="write the counts to this JSON file")
        group.add_argument(
            "--compare",
            type=Path,
            help="compare with the counts in this JSON file; fails when any table differs",
        )
        parser.add_argument(
            "-e",
            "--exclude",
            action="append",
            default=[],
            help="an app or app.model to leave out (as dumpdata's -e); may be repeated",
        )

    def handle(self, *args, output, compare, exclude, **options):
        counts = database_counts(exclude=exclude)
        if not counts:
            # An empty file SQLite just made, or another database: not the portal's.
            settings = connection.settings_dict
            raise CommandError(
                f"The database {settings['NAME']} ({connection.vendor}) holds none of the "
                "portal's tables: run this with the environment the portal runs with "
                "(DATABASE_URL, or VAR_DIR on SQLite)."
            )
        if output:
            output.write_text(json.dumps(counts, indent=2) + "\n")
            self.stdout.write(f"{sum(counts.values())} rows in {len(counts)} tables: {output}")
            return
        if compare is None:
            for label, count in counts.items():
                self.stdout.write(f"{count:>10}  {label}")
            return
        try:
            expected = json.loads(compare.read_text())
        except (OSError, ValueError) as error:
            raise CommandError(f"Cannot read {compare}: {error}") from error
        # Left out here (-e) means left out of the comparison.
        excluded = {label.lower() for label in exclude}
        expected = {
            label: count
            for label, count in expected.items()
            if label not in excluded and label.split(".")[0] not in excluded
        }
        differences = compare_counts(expected, counts)
        if differences:
            for label, want, got in differences:
                self.stderr.write(f"{label}: {want} in {compare.name}, {got} here")
            raise CommandError(f"{len(differences)} tables differ from {compare}.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Every table matches {compare}: {sum(counts.values())} rows in "
                f"{len(counts)} tables."
            )
        )
