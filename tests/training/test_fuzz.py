"""Fuzzed input to the lab's pages: never a 500, always the right answer.

Every page as every member of the cast, with GET and POST and odd values (empty, huge,
wrong types, dates far out of range, other people's objects); then the particular
inputs that once made a page fail.
"""

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import enable_totp, sign_in
from tests.factories import (
    BookingFactory,
)
from training.models import BookingStatus

pytestmark = pytest.mark.django_db


def client_for(user, *, two_factor=True):
    client = Client(raise_request_exception=False)
    if user is None:
        return client
    if two_factor:
        enable_totp(user)
        return sign_in(client, user)
    client.force_login(user)
    return client


@pytest.fixture
def staff_client(staff_2fa):
    return client_for(staff_2fa)


# --- Where to go after a staff action ---------------------------------------------------


@pytest.mark.parametrize(
    "next_url", ["-1", "today", "javascript:alert(1)", "https://evil.example/"]
)
@pytest.mark.parametrize("name", ["booking_check_in", "booking_complete"])
def test_a_next_that_is_not_a_local_path_goes_to_the_default(staff_client, name, next_url):
    booking = BookingFactory()
    response = staff_client.post(reverse(f"training:{name}", args=[booking.pk]), {"next": next_url})
    assert response.status_code == 302
    assert response["Location"].startswith("/")


@pytest.mark.parametrize("next_url", ["-1", "approvals"])
def test_a_decision_with_a_bare_word_as_next_goes_to_the_queue(staff_client, next_url):
    booking = BookingFactory(status=BookingStatus.REQUESTED)
    response = staff_client.post(
        reverse("training:booking_decide", args=[booking.pk]),
        {"decision": "approve", "next": next_url},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("training:approvals")
