"""The table of the database cache for derived data (settings.DERIVED_CACHE).

Pages, counts and figures that any visitor can multiply (a new search, a new filter) live
apart from the default cache, so culling them never drops a rate limit's counter.
Created whatever CACHE_URL says now, as 0003 does.
"""

from django.db import migrations

from toolkit.cache_tables import create_cache_table

TABLE = "portal_derived_cache"  # settings.CACHES[DERIVED_CACHE]["LOCATION"] without CACHE_URL


class Migration(migrations.Migration):
    dependencies = [("toolkit", "0003_cache_table")]

    operations = [create_cache_table(TABLE)]
