"""Which request only reads, so that on SQLite its transaction leaves the write lock alone.

Every view runs in a transaction (ATOMIC_REQUESTS). ReadRequestsMiddleware marks, for a
GET, HEAD or OPTIONS, the transaction about to begin around the view; the SQLite backend
(toolkit/db/sqlite/base.py) begins that one DEFERRED instead of IMMEDIATE. On PostgreSQL
no connection honours the mark and the middleware removes itself.

A view that writes when asked with GET (it records a download, makes a row on first use)
says so with @writes_on_get: its transaction takes the write lock at once, as a POST's
does, and waits for it. In a DEFERRED transaction a write must upgrade the lock, which
SQLite refuses at once when another connection writes or wrote since the snapshot; a view
that was not marked and meets that refusal is run once more, from the start, in a
transaction that takes the lock (and the log says which view to mark).
"""

import logging
import sqlite3
from contextvars import ContextVar
from functools import wraps

from django.core.exceptions import MiddlewareNotUsed
from django.db import OperationalError, connections, transaction

logger = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# The aliases whose next transaction begins DEFERRED: set before the view, taken by the
# transaction ATOMIC_REQUESTS begins, cleared when the request ends.
_read_begins: ContextVar[frozenset] = ContextVar("read_begins", default=frozenset())


def take_read_begin(alias):
    """True (once) when the transaction beginning on `alias` is a read request's."""
    marked = _read_begins.get()
    if alias not in marked:
        return False
    _read_begins.set(marked - {alias})
    return True


def write_refused(error):
    """True when `error` is SQLite refusing a lock: "database is locked" (SQLITE_BUSY)."""
    if not isinstance(error, OperationalError):
        return False
    code = getattr(error.__cause__, "sqlite_errorcode", None)
    return code is not None and code & 0xFF == sqlite3.SQLITE_BUSY


def refused_in_read_transaction(error, connection):
    """True when a read request's DEFERRED transaction on `connection` could not write."""
    return getattr(connection, "in_read_transaction", False) and write_refused(error)


def writes_on_get(view):
    """Mark a view that writes even on a GET: its transaction takes the write lock at once.

    Put it outermost, above the other decorators.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return view(request, *args, **kwargs)

    wrapper.writes_on_get = True
    return wrapper


class ReadRequestsMiddleware:
    """Begin a GET's, HEAD's or OPTIONS's transaction DEFERRED where the backend can.

    Last in MIDDLEWARE: its process_view runs right before the view's transaction begins,
    and its process_exception first when the view fails.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.aliases = frozenset(
            connection.alias
            for connection in connections.all()
            if connection.settings_dict["ATOMIC_REQUESTS"]
            and getattr(connection, "defers_reads", False)
        )
        if not self.aliases:
            raise MiddlewareNotUsed

    def __call__(self, request):
        try:
            return self.get_response(request)
        finally:
            _read_begins.set(frozenset())

    def process_view(self, request, view, args, kwargs):
        if request.method not in SAFE_METHODS or getattr(view, "writes_on_get", False):
            return None
        aliases = self.aliases - getattr(view, "_non_atomic_requests", set())
        if aliases:
            _read_begins.set(aliases)
            request._read_view = (view, args, kwargs, aliases)
        return None

    def process_exception(self, request, exception):
        read = getattr(request, "_read_view", None)
        if read is None or not write_refused(exception):
            return None
        view, args, kwargs, aliases = read
        if not any(connections[alias].reading for alias in aliases):
            return None
        del request._read_view
        _read_begins.set(frozenset())
        logger.warning(
            "%s wrote during a %s and SQLite refused the lock; ran it again as a writer."
            " Mark it with toolkit.db.reads.writes_on_get.",
            getattr(view, "__qualname__", view),
            request.method,
        )
        for alias in aliases:
            view = transaction.atomic(using=alias)(view)
        return view(request, *args, **kwargs)
