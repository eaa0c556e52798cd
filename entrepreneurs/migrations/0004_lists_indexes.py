"""B-tree indexes for the officers' enterprise list at national volume (PostgreSQL only).

Each sort key with the primary key as tie-breaker, so a page is read in index order and
stops after 25 rows instead of sorting 50,000. Like the trigram indexes they are made
only on PostgreSQL, the database for national volume; a one-machine SQLite install holds
one province and sorts it quickly without them.
"""

from django.db import migrations

INDEXES = [
    ("enterprise_name_idx", "entrepreneurs_enterprise (name_th, id)"),
    ("enterprise_created_idx", "entrepreneurs_enterprise (created_at, id)"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, columns in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {columns}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _columns in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("entrepreneurs", "0003_trigram_search")]
    operations = [migrations.RunPython(create, drop)]
