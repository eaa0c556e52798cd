"""Fuzzed input to the lab's pages: never a 500, always the right answer.

Every page as every member of the cast, with GET and POST and odd values (empty, huge,
wrong types, dates far out of range, other people's objects); then the particular
inputs that once made a page fail.
"""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from tests.conftest import enable_totp, sign_in
from tests.factories import BookingFactory, ResourceFactory, UserFactory
from training import calendar
from training.models import BookingStatus, Resource

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


# --- Dates out of range --------------------------------------------------------------------


@pytest.mark.parametrize("week", ["9999-12-31", "0001-01-01", "0001-01-03", "9999-12-27"])
@pytest.mark.parametrize("role", [Role.STUDENT, Role.CENTRE_STAFF])
def test_the_list_of_a_week_at_the_ends_of_the_calendar_shows_this_week(role, week):
    resource = ResourceFactory()
    client = client_for(UserFactory(role=role))
    response = client.get(reverse("training:resource_week", args=[resource.pk]), {"week": week})
    assert response.status_code == 200
    assert response.context["monday"] == calendar.week_start(timezone.localdate())


@pytest.mark.parametrize(
    "start",
    ["9999-12-31T23:59-12:00", "0001-01-01T00:00+14:00", "9999-12-31T23:59", "2026-13-01"],
)
def test_the_book_page_ignores_a_start_it_cannot_place(student, start):
    resource = ResourceFactory()
    client = client_for(student, two_factor=False)
    response = client.get(reverse("training:book", args=[resource.pk]), {"start": start})
    assert response.status_code == 200


@pytest.mark.parametrize("day", ["01/01/0001", "0001-01-01", "31/12/0999", "1/1/12543"])
def test_the_staff_booking_list_refuses_a_date_out_of_range(staff_client, day):
    BookingFactory()
    response = staff_client.get(
        reverse("training:staff_booking_list"), {"date_from": day, "date_to": day}
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert list(response.context["page_obj"]) == []


@pytest.mark.parametrize(
    ("field", "value"),
    [("latest_days", "2147483647"), ("earliest_hours", "2147483647"), ("latest_days", "100000")],
)
def test_a_resource_cannot_look_so_far_ahead_that_booking_breaks(staff_client, field, value):
    from tests.training.test_staff_resources import resource_data

    response = staff_client.post(
        reverse("training:resource_create"), resource_data(**{field: value})
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Resource.objects.exists()
