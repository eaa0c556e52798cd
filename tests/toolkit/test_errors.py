"""An unexpected error: 503 with Retry-After when SQLite stayed locked, else the 500 page."""

import logging
import sqlite3

import pytest
from django.db import OperationalError
from django.test import Client

from reports import views as report_views


def locked():
    """What Django raises when SQLite's write lock stayed taken past the timeout."""
    cause = sqlite3.OperationalError("database is locked")
    cause.sqlite_errorcode = sqlite3.SQLITE_BUSY
    error = OperationalError("database is locked")
    error.__cause__ = cause
    return error


@pytest.fixture
def visitor(db):
    return Client(raise_request_exception=False)


def test_a_lock_held_past_the_timeout_is_a_busy_portal_not_a_broken_one(visitor, monkeypatch):
    def landing(*args, **kwargs):
        raise locked()

    monkeypatch.setattr(report_views, "landing_context", landing)
    response = visitor.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    page = response.content.decode()
    assert "ระบบกำลังบันทึกงานอื่นอยู่" in page and "busy saving other work" in page


@pytest.mark.parametrize(
    "error",
    [
        ValueError("boom"),
        OperationalError("no such table: x"),
        sqlite3.OperationalError("disk I/O"),
    ],
)
def test_any_other_error_is_the_500_page(visitor, monkeypatch, error):
    def landing(*args, **kwargs):
        raise error

    monkeypatch.setattr(report_views, "landing_context", landing)
    response = visitor.get("/")
    assert response.status_code == 500
    assert "Retry-After" not in response
    assert "ระบบขัดข้องชั่วคราว" in response.content.decode()


class Collected(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.records = []

    def emit(self, record):
        self.records.append(record)


def test_a_request_for_a_host_not_served_is_refused_without_a_logged_traceback(visitor):
    # With PLAIN_HTTP=1 gunicorn listens on every address: scanners name any host. What
    # reaches the root logger's handlers is what the production log prints.
    collected = Collected()
    logging.getLogger().addHandler(collected)
    try:
        response = visitor.get("/", HTTP_HOST="evil.example")
    finally:
        logging.getLogger().removeHandler(collected)

    assert response.status_code == 400
    assert not [record for record in collected.records if record.name.startswith("django.")]
