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
from tests.factories import (
    BookingFactory,
    ClearanceFactory,
    ClearanceKindFactory,
    ResourceFactory,
    UserFactory,
    at,
)
from toolkit.confirm import FIELD as CONFIRM_FIELD
from toolkit.confirm import VALUE as CONFIRM_VALUE
from training import calendar
from training.models import Blackout, BookingStatus, Resource, SlotWatch, Suspension
from training.services import feeds

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
    [
        ("latest_days", "2147483647"),
        ("earliest_hours", "2147483647"),
        ("latest_days", "100000"),
        ("clearance_lapse_days", "2147483647"),
        ("clearance_lapse_days", "1000000"),
    ],
)
def test_a_resource_cannot_look_so_far_ahead_that_booking_breaks(staff_client, field, value):
    from tests.training.test_staff_resources import resource_data

    response = staff_client.post(
        reverse("training:resource_create"), resource_data(**{field: value})
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Resource.objects.exists()


# --- Every page, every member of the cast ---------------------------------------------------

CAST = ["anonymous", "student", "faculty", "owner", "officer", "staff_no_2fa", "staff"]
FUZZ = [
    "",
    "x" * 5000,
    "a\x00b",
    "-1",
    "0",
    "2147483648",
    "1e9",
    "[]",
    "31/12/9999",
    "1/1/2400",
    "0001-01-01",
    "25:99",
    "09:07",
    "9999-12-31T23:59-12:00",
]
FIELDS = [
    "day",
    "start",
    "end",
    "purpose",
    "product",
    "description",
    "weeks",
    "step",
    "occurrence",
    "decision",
    "note",
    "bookings",
    "reason",
    "resource",
    "status",
    "date_from",
    "date_to",
    "q",
    "kind",
    "revoked",
    "email",
    "valid_until",
    "start_date",
    "start_time",
    "end_date",
    "end_time",
    "performed_on",
    "work",
    "next_due_on",
    "summary",
    "peak_temperature_c",
    "firing_minutes",
    "cone",
    "products_fired",
    "slot_minutes",
    "min_minutes",
    "max_minutes",
    "earliest_hours",
    "latest_days",
    "cooldown_minutes",
    "week",
    "page",
    "resources",
    "next",
    "hit",
    "name_th",
    "code",
]


def _url_names():
    from training import urls_bookings, urls_calendar, urls_feeds, urls_ops, urls_staff

    return [
        p.name
        for module in (urls_calendar, urls_bookings, urls_feeds, urls_ops, urls_staff)
        for p in module.urlpatterns
    ]


@pytest.fixture
def lab(db):
    """Objects of another student, whom no one in the cast but staff may touch."""
    kind = ClearanceKindFactory()
    resource = ResourceFactory(cooldown_minutes=60, required_clearance=kind)
    other = UserFactory(role=Role.STUDENT)
    booking = BookingFactory(resource=resource, owner=other, status=BookingStatus.REQUESTED)
    done = BookingFactory(
        resource=resource, owner=other, starts_at=at(3, 9), status=BookingStatus.COMPLETED
    )
    return {
        "resource": resource,
        "booking": booking,
        "done": done,
        "kind": kind,
        "blackout": Blackout.objects.create(
            resource=resource, starts_at=at(5, 9), ends_at=at(5, 10), reason="holiday"
        ),
        "watch": SlotWatch.objects.create(
            person=other,
            resource=resource,
            starts_at=at(2, 9),
            ends_at=at(2, 10),
            purpose="research",
        ),
        "suspension": Suspension.objects.create(person=other, ends_at=at(20, 9)),
        "clearance": ClearanceFactory(holder=other, kind=kind),
        "feed": feeds.personal_feed(user=other),
    }


def _url(name, lab):
    r, b = lab["resource"].pk, lab["booking"].pk
    args = {
        "book": [r],
        "watch": [r],
        "resource_detail": [r],
        "resource_week": [r],
        "staff_resource_detail": [r],
        "resource_edit": [r],
        "maintenance_list": [r],
        "maintenance_create": [r],
        "resource_feed_reset": [r],
        "resource_feed": [r, "not-the-token"],
        "personal_feed": [lab["feed"].token],
        "booking_detail": [b],
        "booking_cancel": [b],
        "hold_confirm": [b],
        "booking_decide": [b],
        "booking_check_in": [b],
        "booking_complete": [b],
        "booking_staff_cancel": [b],
        "usage_record": [lab["done"].pk],
        "watch_withdraw": [lab["watch"].pk],
        "suspension_lift": [lab["suspension"].pk],
        "clearance_revoke": [lab["clearance"].pk],
        "clearance_kind_edit": [lab["kind"].pk],
        "blackout_delete": [lab["blackout"].pk],
    }.get(name, [])
    return reverse(f"training:{name}", args=args)


def _member(who):
    if who == "anonymous":
        return client_for(None)
    role = {
        "student": Role.STUDENT,
        "faculty": Role.FACULTY,
        "owner": Role.ENTREPRENEUR,
        "officer": Role.OFFICER,
        "staff_no_2fa": Role.CENTRE_STAFF,
        "staff": Role.CENTRE_STAFF,
    }[who]
    return client_for(UserFactory(role=role), two_factor=who in ("officer", "staff"))


@pytest.mark.parametrize("who", CAST)
def test_every_lab_page_with_fuzzed_input_never_fails(lab, who):
    client = _member(who)
    failures = []
    for name in _url_names():
        url = _url(name, lab)
        for method in ("get", "post"):
            for value in FUZZ:
                data = dict.fromkeys(FIELDS, value)
                data[CONFIRM_FIELD] = CONFIRM_VALUE
                response = getattr(client, method)(url, data)
                if response.status_code >= 500:
                    failures.append((method, name, value[:20], response.status_code))
    assert failures == []


# Pages of another student's objects: hidden (404) from everyone but centre staff.
OTHERS = {"booking_detail", "booking_cancel", "usage_record"}
# Pages of anyone signed in (their own things).
PERSONAL = {"my_bookings", "my_feed", "my_feed_reset"}
# Pages of the roles that use the lab (not officers): its calendar, booking a resource.
CALENDAR = {"lab_home", "resource_detail", "resource_week", "kilns", "book"}
POST_ONLY = {"hold_confirm", "watch", "watch_withdraw", "booking_check_in", "booking_complete"}


def expected_get(who, name):
    if name == "personal_feed":
        return 200  # the secret token is the key
    if name == "resource_feed":
        return 404  # a wrong token
    if who in ("anonymous", "staff_no_2fa"):
        return 302  # to sign in, or to the second factor
    staff = who == "staff"
    if name == "watch" and who == "officer":
        return 403  # the role is checked before the method
    if name in POST_ONLY and (staff or name not in ("booking_check_in", "booking_complete")):
        return 405
    if name == "calendar_json":
        return 403 if who == "officer" else 400  # no window asked
    if staff:
        return 200
    if name == "staff_booking_list" and who == "officer":
        return 200  # officers read the bookings behind the dashboard's lab figures
    if name in OTHERS:
        return 404
    if name in PERSONAL:
        return 200
    if name in CALENDAR:
        return 403 if who == "officer" else 200
    return 403


@pytest.mark.parametrize("who", CAST)
def test_who_may_open_each_lab_page(lab, who):
    client = _member(who)
    got = {name: client.get(_url(name, lab)).status_code for name in _url_names()}
    assert got == {name: expected_get(who, name) for name in _url_names()}
