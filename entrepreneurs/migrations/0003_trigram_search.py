"""Trigram GIN indexes for Thai substring search (PostgreSQL only).

Thai has no spaces between words, so full-text search cannot split it; pg_trgm serves
LIKE '%...%' instead. The database needs a UTF-8 ctype for Thai trigrams.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = [
    ("entrepreneurs_enterprise", "enterprise_search_trgm"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, name in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (search_text gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _table, name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("entrepreneurs", "0002_load_geography")]
    operations = [TrigramExtension(), migrations.RunPython(create, drop)]
