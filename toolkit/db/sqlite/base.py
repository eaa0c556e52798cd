"""Django's SQLite backend, whose read requests' transactions do not take the write lock.

settings.py sets transaction_mode IMMEDIATE: a transaction takes SQLite's one write lock
as it begins, waiting up to `timeout` seconds for it. Two writers therefore never both
read and then try to upgrade to writing, which WAL refuses at once ("database is locked",
SQLITE_BUSY or SQLITE_BUSY_SNAPSHOT: busy_timeout does not apply to an upgrade).

A request that only reads has no lock to take, and taking it made every page wait for
every write and for every other page. The middleware in toolkit.db.reads marks the
transaction ATOMIC_REQUESTS is about to begin for a GET, HEAD or OPTIONS; that one begins
DEFERRED, and in WAL it reads one consistent snapshot while a writer writes. Every other
transaction (POSTs, services called by tasks and commands, a session saved after the
view) begins IMMEDIATE as before.
"""

from django.db.backends.sqlite3 import base

from toolkit.db import reads


class DatabaseWrapper(base.DatabaseWrapper):
    # Read by toolkit.db.reads: this backend honours its marks.
    defers_reads = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Whether the transaction in progress began DEFERRED for a read request.
        self.reading = False

    def _start_transaction_under_autocommit(self):
        self.reading = reads.take_read_begin(self.alias)
        if self.reading:
            self.cursor().execute("BEGIN DEFERRED")
        else:
            super()._start_transaction_under_autocommit()

    @property
    def in_read_transaction(self):
        """True inside a transaction begun DEFERRED for a read request."""
        return self.reading and self.in_atomic_block
