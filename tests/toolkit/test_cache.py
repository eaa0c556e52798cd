"""The cache on Redis, with its Redis down: requests go on as if it were empty (toolkit/cache.py).

"Down" is a Redis URL on a port where nothing listens, so every call meets the connection
error an outage gives; the broker is not involved (the tests run tasks eagerly).
"""

import logging

import pytest
from django.core.cache import caches
from django.test import override_settings
from django.urls import reverse

from programmes.models import EnrolmentStatus
from tests.factories import DEFAULT_PASSWORD, IntakeFactory
from tests.programmes.test_review import apply, decide_url
from toolkit import cache as tolerant

DOWN = "redis://127.0.0.1:1/0"
CACHES_DOWN = {
    alias: {
        "BACKEND": "toolkit.cache.TolerantRedisCache",
        "LOCATION": DOWN,
        "KEY_PREFIX": alias,
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
    }
    for alias in ("default", "derived")
}


@pytest.fixture
def cache_down(monkeypatch):
    monkeypatch.setattr(tolerant, "_last_warning", 0.0)
    with override_settings(CACHES=CACHES_DOWN):
        yield caches["default"]


def test_a_cache_whose_redis_is_down_reads_as_empty_and_drops_writes(cache_down, caplog):
    with caplog.at_level(logging.WARNING, logger="toolkit.cache"):
        cache_down.set("k", "v")
        assert cache_down.get("k") is None
        assert cache_down.get("k", "default") == "default"
        assert cache_down.get_many(["k", "l"]) == {}
        assert cache_down.has_key("k") is False
        # allauth's rate limiter locks with add: an unreachable cache must not hold it up.
        assert cache_down.add("lock", True, 5) is True
        assert cache_down.set_many({"k": 1, "l": 2}) == ["k", "l"]
        assert cache_down.touch("k") is False
        assert cache_down.delete("k") is False
        cache_down.delete_many(["k", "l"])

    warnings = [record for record in caplog.records if record.name == "toolkit.cache"]
    assert len(warnings) == 1  # once a minute, not once a call
    assert "cannot be reached" in warnings[0].getMessage()


def test_public_pages_answer_while_the_cache_is_down(cache_down, client, db):
    for url in (reverse("home"), reverse("showcase:index"), reverse("programmes:programme_list")):
        assert client.get(url).status_code == 200, url


def test_sign_in_works_while_the_cache_that_counts_attempts_is_down(cache_down, client, owner):
    response = client.post(
        reverse("account_login"), {"login": owner.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(owner.pk)


def test_a_saved_decision_is_not_a_500_when_the_cache_is_down_after_the_commit(
    cache_down, officer_client, django_capture_on_commit_callbacks
):
    enrolment = apply(IntakeFactory(capacity=2))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = officer_client.post(
            decide_url(enrolment), {"decision": EnrolmentStatus.ACCEPTED, "note": ""}
        )
    assert response.status_code == 302
    assert callbacks  # the decision's commit hooks ran, the derived data's among them
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ACCEPTED
