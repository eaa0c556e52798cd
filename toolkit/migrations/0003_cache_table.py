"""The table of the database cache, the default one every web process shares.

A migration rather than `manage.py createcachetable`, so tests, scripts/run and every
deploy have it without an extra step. It is created whatever CACHE_URL says now, so
unsetting CACHE_URL later needs no step either.
"""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

TABLE = "portal_cache"  # settings.CACHES["default"]["LOCATION"] without CACHE_URL


def create_table(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, TABLE, dry_run=False)


def drop_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("toolkit", "0002_key_chain_check")]

    operations = [migrations.RunPython(create_table, drop_table)]
