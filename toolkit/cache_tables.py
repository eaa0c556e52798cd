"""Migration operations that create a database-cache table (settings.CACHES), for toolkit's
migrations: a migration rather than `manage.py createcachetable`, so tests, scripts and
every deploy have the table without an extra step."""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations


def create_cache_table(table):
    """A RunPython that creates the cache table `table` (and drops it when reversed)."""

    def create(apps, schema_editor):
        command = CreateCacheTable()
        command.verbosity = 0
        command.create_table(schema_editor.connection.alias, table, dry_run=False)

    def drop(apps, schema_editor):
        schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(table)}")

    return migrations.RunPython(create, drop)
