"""Helpers for tests of rules that must hold when requests arrive at the same moment.

Each call runs in a thread with its own database connection, so a row lock (not a check
two requests can both pass) is what keeps the rule; SQLite serialises every writer and
would prove nothing, so these tests need PostgreSQL.
"""

import os
import threading

import pytest
from django.db import connection, connections


def require_postgresql():
    """Skip on SQLite during development; in CI a concurrency test must never be skipped."""
    if connection.vendor != "postgresql":
        if os.environ.get("CI"):
            pytest.fail("The concurrency tests must run on PostgreSQL in CI.")
        pytest.skip("Concurrency tests need PostgreSQL.")


def at_once(calls):
    """Run each call in its own thread with its own connection, all released together."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait(timeout=10)
            results[i] = call()
        except Exception as error:  # each thread reports what it got
            results[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    return results
