"""The table of the database cache, the default one every web process shares.

A migration rather than `manage.py createcachetable`, so tests, scripts/run and every
deploy have it without an extra step. It is created whatever CACHE_URL says now, so
unsetting CACHE_URL later needs no step either.
"""

from django.db import migrations

from toolkit.cache_tables import create_cache_table

TABLE = "portal_cache"  # settings.CACHES["default"]["LOCATION"] without CACHE_URL


class Migration(migrations.Migration):
    dependencies = [("toolkit", "0002_key_chain_check")]

    operations = [create_cache_table(TABLE)]
