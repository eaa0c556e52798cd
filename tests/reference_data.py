"""Reference data and transactional tests: geography is loaded once per test process.

A transactional test (``transaction=True``, ``live_server``, every browser test) cannot
roll back, so it empties every table when it ends, and serialized rollback puts back what
the migrations created: before the test and, for a plain test that may come next, after
it, a row at a time. Thailand's geography is 8,441 of those rows and made that cost 20 to
50 seconds per transactional test on PostgreSQL. No test changes geography, so its tables
are kept out of the flush and out of the serialized copy; the rest the migrations created
(categories, standards, the privacy notice, content types...) is small, and tests may
change it, so it is still restored. A test that changes geography fails after it.

Registered from tests/conftest.py (``pytest_plugins``).
"""

import json

import pytest
from django.apps import apps
from django.core.management.commands import flush
from django.db import connections

# Models whose rows the migrations load, no test changes, and flushes leave alone.
KEPT = ("entrepreneurs.province", "entrepreneurs.district", "entrepreneurs.subdistrict")

_kept_counts = {}
_kept_model_classes = []


def _kept_models():
    # Looked up once, at set-up: a test with available_apps narrows the app registry.
    if not _kept_model_classes:
        _kept_model_classes.extend(apps.get_model(label) for label in KEPT)
    return _kept_model_classes


def _sql_flush_keeping_reference_data(style, connection, **kwargs):
    """django.core.management.sql.sql_flush, leaving out the tables of the KEPT models."""
    kept = {model._meta.db_table for model in _kept_models()}
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    return connection.ops.sql_flush(style, [t for t in tables if t not in kept], **kwargs)


def _without_kept(contents):
    """Serialized database contents without the rows of the KEPT models."""
    return json.dumps([row for row in json.loads(contents) if row["model"] not in KEPT])


def _count_kept(connection):
    return [model._base_manager.using(connection.alias).count() for model in _kept_models()]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test databases, flushed from here on without the KEPT tables."""
    with django_db_blocker.unblock():
        for connection in connections.all():
            if connection.settings_dict["TEST"].get("MIRROR"):
                continue  # the same database as the one it mirrors (the reports' snapshot)
            contents = getattr(connection, "_test_serialized_contents", None)
            if contents:
                connection._test_serialized_contents = _without_kept(contents)
            _kept_counts[connection.alias] = _count_kept(connection)
    # The flush command looks sql_flush up in its own module when it runs.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(flush, "sql_flush", _sql_flush_keeping_reference_data)
        yield


def _is_transactional(item):
    marker = item.get_closest_marker("django_db")
    fixtures = set(getattr(item, "fixturenames", ()))
    return bool(
        (marker is not None and marker.kwargs.get("transaction"))
        or fixtures & {"transactional_db", "live_server"}
    )


def pytest_collection_modifyitems(items):
    """Transactional tests restore what the data migrations loaded (KEPT apart).

    Such a test empties every table when it ends, reference data included (categories,
    standards, the privacy notice); serialized rollback puts it back before each one, so
    the order tests run in never matters.
    """
    for item in items:
        if _is_transactional(item):
            marker = item.get_closest_marker("django_db")
            kwargs = dict(marker.kwargs) if marker is not None else {}
            if kwargs.get("available_apps") is not None:
                # Its flush empties only the tables of those apps: nothing to restore.
                continue
            kwargs.update(transaction=True, serialized_rollback=True)
            item.add_marker(pytest.mark.django_db(**kwargs), append=False)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a transactional test flushed the tables, check KEPT and put the rest back.

    Serialized rollback restores the rest only when the next transactional test starts;
    a plain test running next in the same process would find no categories at all.
    """
    outcome = yield
    marker = item.get_closest_marker("django_db")
    # After the last test the test databases are already gone.
    if nextitem is None or marker is None or not marker.kwargs.get("serialized_rollback"):
        return
    from pytest_django.plugin import blocking_manager_key

    with item.config.stash[blocking_manager_key].unblock():
        for connection in connections.all():
            if connection.alias not in _kept_counts:
                continue  # a mirror
            if _kept_counts.get(connection.alias) != _count_kept(connection):
                outcome.force_exception(
                    pytest.fail.Exception(
                        f"{item.nodeid} changed rows of {', '.join(KEPT)}, which every "
                        "transactional test shares (tests/reference_data.py); a test may "
                        "change them only inside a rolled-back transaction (a plain test)."
                    )
                )
            # The next test restores them itself.
            if _is_transactional(nextitem):
                continue
            contents = getattr(connection, "_test_serialized_contents", None)
            if contents:
                connection.creation.deserialize_db_from_string(contents)
