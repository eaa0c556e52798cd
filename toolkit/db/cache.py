"""Django's database cache, for pages that cache what they read in a read request.

In a read request's DEFERRED transaction on SQLite (toolkit.db.reads) a cache write must
upgrade the lock, which SQLite refuses at once while another connection writes. Django's
DatabaseCache already lets set() and add() fail quietly; here the other writes it makes
also give way: deleting expired entries found by get() and culling before a set(). The
page is then served without caching what it read, never a 500. Elsewhere (POSTs, tasks,
PostgreSQL) every error is raised as before.
"""

from django.core.cache.backends import db
from django.db import OperationalError, connections, router

from toolkit.db.reads import refused_in_read_transaction


class DatabaseCache(db.DatabaseCache):
    def _base_delete_many(self, keys):
        try:
            return super()._base_delete_many(keys)
        except OperationalError as error:
            if not self._refused_in_read(error):
                raise
            return False

    def _cull(self, db, cursor, now, num):
        try:
            super()._cull(db, cursor, now, num)
        except OperationalError as error:
            if not self._refused_in_read(error):
                raise

    def _refused_in_read(self, error):
        connection = connections[router.db_for_write(self.cache_model_class)]
        return refused_in_read_transaction(error, connection)
