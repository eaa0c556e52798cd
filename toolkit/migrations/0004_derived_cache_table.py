"""The table of the database cache for derived data (settings.DERIVED_CACHE).

Pages, counts and figures that any visitor can multiply (a new search, a new filter) live
apart from the default cache, so culling them never drops a rate limit's counter.
Created whatever CACHE_URL says now, as 0003 does.
"""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

TABLE = "portal_derived_cache"  # settings.CACHES[DERIVED_CACHE]["LOCATION"] without CACHE_URL


def create_table(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, TABLE, dry_run=False)


def drop_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("toolkit", "0003_cache_table")]

    operations = [migrations.RunPython(create_table, drop_table)]
