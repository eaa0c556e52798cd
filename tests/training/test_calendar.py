"""The lab's calendars: the JSON they read, the pages, the list of a week, and who sees what."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import sign_in
from tests.factories import (
    BookingFactory,
    ClearanceFactory,
    ClearanceKindFactory,
    ResourceFactory,
    UserFactory,
    at,
)
from training.models import Blackout, BookingStatus

pytestmark = pytest.mark.django_db

JSON_URL = reverse("training:calendar_json")


def window(days_from=0, days=7):
    start = at(days_from, 0)
    return {"start": start.isoformat(), "end": (start + dt.timedelta(days=days)).isoformat()}


def events_of(client, resources, **params):
    params = {**window(), **params}
    params.setdefault("resources", ",".join(str(r.pk) for r in resources))
    response = client.get(JSON_URL, params)
    assert response.status_code == 200, response.content
    return response.json()


def of_kind(events, kind):
    return [e for e in events if e["extendedProps"]["kind"] == kind]


def in_english(user):
    user.language = "en"
    user.save(update_fields=["language"])
    return user


def starts(event):
    return dt.datetime.fromisoformat(event["start"])


# --- JSON ------------------------------------------------------------------------------


def test_json_shows_others_booking_as_booked_without_details(client, student, faculty):
    kiln = ResourceFactory()
    BookingFactory(
        resource=kiln,
        owner=faculty,
        starts_at=at(2, 9),
        ends_at=at(2, 11),
        description="Secret glaze trial",
    )
    client.force_login(in_english(student))
    response = client.get(JSON_URL, {**window(), "resources": str(kiln.pk)})
    (booking,) = of_kind(response.json(), "booking")
    assert booking["title"] == "Booked"
    assert "state" not in booking["extendedProps"]
    assert "url" not in booking["extendedProps"]
    body = response.content.decode()
    for secret in ("Secret glaze", faculty.full_name, faculty.email, "approved", "research"):
        assert secret not in body
    assert starts(booking) == at(2, 9)


def test_json_shows_own_booking_with_state_and_link(client, student):
    kiln = ResourceFactory()
    mine = BookingFactory(
        resource=kiln, owner=student, starts_at=at(2, 9), ends_at=at(2, 11), status="requested"
    )
    client.force_login(student)
    (booking,) = of_kind(events_of(client, [kiln]), "booking")
    assert booking["extendedProps"]["state"] == BookingStatus.REQUESTED
    assert booking["extendedProps"]["url"] == reverse("training:booking_detail", args=[mine.pk])
    assert "own" in booking["classNames"]


def test_json_shows_staff_the_owner_and_state(client, staff_2fa, faculty):
    kiln = ResourceFactory()
    BookingFactory(resource=kiln, owner=faculty, starts_at=at(2, 9), ends_at=at(2, 11))
    sign_in(client, staff_2fa)
    (booking,) = of_kind(events_of(client, [kiln]), "booking")
    assert faculty.full_name in booking["title"]
    assert booking["extendedProps"]["state"] == BookingStatus.APPROVED


def test_json_has_cool_down_blackout_and_free_time(client, student, faculty):
    kiln = ResourceFactory(cooldown_minutes=8 * 60)
    BookingFactory(resource=kiln, owner=faculty, starts_at=at(2, 8), ends_at=at(2, 10))
    Blackout.objects.create(
        resource=kiln, starts_at=at(3, 8), ends_at=at(3, 20), reason="holiday", note="สงกรานต์"
    )
    Blackout.objects.create(starts_at=at(4, 8), ends_at=at(4, 12), reason="event")
    client.force_login(student)
    events = events_of(client, [kiln])

    (cool,) = of_kind(events, "cool-down")
    assert "cool-down" in cool["classNames"]
    assert (starts(cool), dt.datetime.fromisoformat(cool["end"])) == (at(2, 10), at(2, 18))
    blackouts = of_kind(events, "blackout")
    assert len(blackouts) == 2
    assert all(b["display"] == "background" and "blackout" in b["classNames"] for b in blackouts)
    assert "สงกรานต์" in blackouts[0]["title"]
    free = of_kind(events, "free")
    assert len(free) == 7  # 08:00–20:00 each day of the week
    assert all(f["display"] == "background" and f["classNames"] == ["free"] for f in free)
    assert free[0]["start"].endswith("T08:00+07:00")


def test_json_leaves_out_bookings_that_no_longer_block(client, student):
    kiln = ResourceFactory()
    for status in ("cancelled", "rejected", "expired", "no_show"):
        BookingFactory(resource=kiln, starts_at=at(2, 9), ends_at=at(2, 10), status=status)
    BookingFactory(resource=kiln, starts_at=at(2, 12), ends_at=at(2, 13), status="completed")
    client.force_login(student)
    (booking,) = of_kind(events_of(client, [kiln]), "booking")
    assert starts(booking) == at(2, 12)


def test_json_window_finds_a_cool_down_begun_before_it(client, student):
    kiln = ResourceFactory(cooldown_minutes=12 * 60)
    BookingFactory(resource=kiln, starts_at=at(1, 16), ends_at=at(1, 20))
    client.force_login(student)
    events = events_of(client, [kiln], **window(days_from=2, days=1))
    assert len(of_kind(events, "cool-down")) == 1
    assert of_kind(events, "booking")  # the booking whose cool-down reaches in


@pytest.mark.parametrize(
    "params",
    [
        {"start": "yesterday"},
        {"start": ""},
        {"end": "2026-13-45T10:00"},
        {"end": "0001-01-01T00:00"},
        {"start": "2026-12-10T00:00", "end": "2026-12-01T00:00"},
        {"start": "2026-01-01T00:00", "end": "2026-03-15T00:00"},
        {"resources": "one,two"},
        {"resources": ""},
        {"resources": "1" * 40},
    ],
)
def test_json_refuses_bad_input_with_400_and_a_message(client, student, params):
    kiln = ResourceFactory()
    client.force_login(student)
    query = {**window(), "resources": str(kiln.pk), **params}
    response = client.get(JSON_URL, query)
    assert response.status_code == 400
    assert response.json()["error"]


def test_json_accepts_62_days_and_an_offset_sent_unencoded(client, student):
    kiln = ResourceFactory()
    client.force_login(student)
    response = client.get(
        f"{JSON_URL}?resources={kiln.pk}&start=2026-12-01T00:00:00+07:00&end=2027-02-01T00:00:00+07:00"
    )
    assert response.status_code == 200


def test_json_never_shows_a_resource_the_role_may_not_book(client, owner):
    students_only = ResourceFactory(bookable_by=["student"])
    BookingFactory(resource=students_only)
    client.force_login(owner)
    response = client.get(JSON_URL, {**window(), "resources": str(students_only.pk)})
    assert response.status_code == 404


def test_json_needs_sign_in(client):
    kiln = ResourceFactory()
    response = client.get(JSON_URL, {**window(), "resources": str(kiln.pk)})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_json_queries_do_not_grow_with_bookings(client, student, django_assert_max_num_queries):
    kilns = [ResourceFactory(cooldown_minutes=60) for _ in range(2)]
    client.force_login(student)

    def count():
        with django_assert_max_num_queries(10) as captured:
            events_of(client, kilns)
        return len(captured)

    few = count()
    for kiln in kilns:
        for day in range(7):
            for hour in (8, 11, 14, 17):
                BookingFactory(resource=kiln, starts_at=at(day, hour), ends_at=at(day, hour + 2))
    Blackout.objects.create(resource=kilns[0], starts_at=at(1, 8), ends_at=at(1, 9), reason="event")
    assert count() == few


# --- Pages -----------------------------------------------------------------------------


def test_pages_need_sign_in(client):
    kiln = ResourceFactory()
    for url in (
        reverse("training:lab_home"),
        reverse("training:resource_detail", args=[kiln.pk]),
        reverse("training:resource_week", args=[kiln.pk]),
        reverse("training:kilns"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_officer_has_no_lab_pages(client, officer_2fa):
    sign_in(client, officer_2fa)
    assert client.get(reverse("training:lab_home")).status_code == 403


def test_a_role_not_allowed_gets_404_for_the_resource(client, owner):
    students_only = ResourceFactory(bookable_by=["student"])
    client.force_login(owner)
    for name in ("training:resource_detail", "training:resource_week"):
        assert client.get(reverse(name, args=[students_only.pk])).status_code == 404


def test_lab_home_lists_what_the_person_may_book(client, student):
    kind = ClearanceKindFactory()
    kiln = ResourceFactory(name_en="Big kiln", required_clearance=kind, needs_approval=True)
    ResourceFactory(name_en="Printer", kind="clay_printer")
    ResourceFactory(name_en="Staff only", bookable_by=[])
    client.force_login(in_english(student))
    response = client.get(reverse("training:lab_home"))
    html = response.content.decode()
    assert "Big kiln" in html and "Printer" in html
    assert "Staff only" not in html
    assert "You need a clearance" in html
    assert "the kiln-operation course at the Ko Kha centre" in html
    assert "Needs staff approval" in html
    assert reverse("training:resource_detail", args=[kiln.pk]) in html
    assert reverse("training:kilns") in html


def test_lab_home_knows_a_held_clearance(client, student):
    kind = ClearanceKindFactory()
    ResourceFactory(required_clearance=kind)
    ClearanceFactory(holder=student, kind=kind)
    client.force_login(in_english(student))
    html = client.get(reverse("training:lab_home")).content.decode()
    assert "You need a clearance" not in html
    assert "Clearance required" in html


def test_staff_see_every_resource(client, staff_2fa):
    ResourceFactory(name_en="Staff only", bookable_by=[])
    sign_in(client, in_english(staff_2fa))
    assert "Staff only" in client.get(reverse("training:lab_home")).content.decode()


def test_lab_home_queries_do_not_grow(client, student, django_assert_max_num_queries):
    kind = ClearanceKindFactory()
    client.force_login(student)

    def count():
        with django_assert_max_num_queries(20) as captured:
            assert client.get(reverse("training:lab_home")).status_code == 200
        return len(captured)

    ResourceFactory(required_clearance=kind)
    few = count()
    for _ in range(6):
        ResourceFactory(required_clearance=kind)
    assert count() == few


def test_resource_page_shows_rules_calendar_and_list_link(client, student):
    kind = ClearanceKindFactory()
    kiln = ResourceFactory(
        name_en="Big kiln",
        required_clearance=kind,
        cooldown_minutes=480,
        needs_approval=True,
        weekly_limit_hours=6,
    )
    client.force_login(in_english(student))
    html = client.get(reverse("training:resource_detail", args=[kiln.pk])).content.decode()
    assert "480 minutes" in html
    assert "6 hours" in html
    assert "Electric kiln operation" in html
    assert "the kiln-operation course at the Ko Kha centre" in html
    assert "08:00–20:00" in html
    assert reverse("training:resource_week", args=[kiln.pk]) in html
    assert 'data-events-url="' + JSON_URL in html
    assert 'data-locale="en-GB"' in html
    assert "event-calendar.min.js" in html
    assert reverse("training:book", args=[kiln.pk]) in html


def test_resource_page_speaks_thai_calendar_under_thai(client, student):
    kiln = ResourceFactory()
    client.force_login(student)
    html = client.get(reverse("training:resource_detail", args=[kiln.pk])).content.decode()
    assert 'data-locale="th-TH-u-ca-buddhist' in html


def test_kilns_page_shows_only_kilns(client, student):
    kiln = ResourceFactory(name_en="Kiln A")
    gas = ResourceFactory(name_en="Gas B", kind="gas_kiln")
    ResourceFactory(name_en="Printer C", kind="clay_printer")
    client.force_login(in_english(student))
    html = client.get(reverse("training:kilns")).content.decode()
    assert "Kiln A" in html and "Gas B" in html
    assert "Printer C" not in html
    assert f"&quot;id&quot;: {kiln.pk}" in html and f"&quot;id&quot;: {gas.pk}" in html


# --- The list of a week ----------------------------------------------------------------


def week_url(resource, day):
    return reverse("training:resource_week", args=[resource.pk]) + f"?week={day:%Y-%m-%d}"


def test_week_list_splits_opening_hours_into_free_and_taken(client, student, faculty):
    kiln = ResourceFactory(cooldown_minutes=120)
    BookingFactory(resource=kiln, owner=faculty, starts_at=at(8, 9), ends_at=at(8, 11))
    Blackout.objects.create(
        resource=kiln, starts_at=at(8, 15), ends_at=at(8, 16), reason="maintenance"
    )
    client.force_login(in_english(student))
    day = timezone.localdate() + dt.timedelta(days=8)
    html = client.get(week_url(kiln, day)).content.decode()

    book = reverse("training:book", args=[kiln.pk])
    assert f"{book}?start={day:%Y-%m-%d}T08:00&amp;end={day:%Y-%m-%d}T09:00" in html
    assert f"{book}?start={day:%Y-%m-%d}T13:00&amp;end={day:%Y-%m-%d}T15:00" in html
    assert f"{book}?start={day:%Y-%m-%d}T16:00&amp;end={day:%Y-%m-%d}T20:00" in html
    assert re.search(r"09:00–11:00</td>\s*<td>\s*Booked", html)
    assert re.search(r"11:00–13:00</td>\s*<td>\s*Cooling down", html)
    assert "Closed: Maintenance" in html
    assert faculty.full_name not in html


def test_week_list_links_own_booking(client, student):
    kiln = ResourceFactory()
    mine = BookingFactory(resource=kiln, owner=student, starts_at=at(8, 9), ends_at=at(8, 11))
    client.force_login(student)
    day = timezone.localdate() + dt.timedelta(days=8)
    html = client.get(week_url(kiln, day)).content.decode()
    assert reverse("training:booking_detail", args=[mine.pk]) in html


def test_week_list_shows_buddhist_era_dates_under_thai(client, student):
    kiln = ResourceFactory()
    client.force_login(student)
    html = client.get(week_url(kiln, dt.date(2026, 11, 24))).content.decode()
    assert "23 พ.ย. 2569" in html  # the Monday of that week
    assert "29 พ.ย. 2569" in html
    assert "?week=2026-11-16" in html and "?week=2026-11-30" in html


def test_week_list_marks_the_past_without_links(client, student):
    kiln = ResourceFactory()
    client.force_login(in_english(student))
    html = client.get(week_url(kiln, timezone.localdate() - dt.timedelta(days=14))).content.decode()
    assert "Passed" in html
    assert reverse("training:book", args=[kiln.pk]) not in html


def test_week_list_survives_a_bad_week(client, student):
    kiln = ResourceFactory()
    client.force_login(student)
    url = reverse("training:resource_week", args=[kiln.pk])
    for value in ("junk", "2026-02-31", "99999-01-01", ""):
        assert client.get(url, {"week": value}).status_code == 200


def test_week_list_queries_do_not_grow(client, student, django_assert_max_num_queries):
    kiln = ResourceFactory(cooldown_minutes=30)
    client.force_login(student)
    day = timezone.localdate() + dt.timedelta(days=7)

    def count():
        with django_assert_max_num_queries(20) as captured:
            assert client.get(week_url(kiln, day)).status_code == 200
        return len(captured)

    few = count()
    others = UserFactory.create_batch(3, role="faculty")
    for n in range(7):
        for hour in (8, 12, 16):
            BookingFactory(
                resource=kiln,
                owner=others[n % 3],
                starts_at=at(7 + n, hour),
                ends_at=at(7 + n, hour + 2),
            )
    assert count() == few


# --- Navigation --------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["student", "faculty", "entrepreneur"])
def test_nav_has_the_lab_for_people_who_book(client, role):
    client.force_login(UserFactory(role=role))
    html = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("training:lab_home")}"' in html


def test_nav_has_no_lab_for_officers(client, officer_2fa):
    sign_in(client, officer_2fa)
    html = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("training:lab_home")}"' not in html


def test_nav_has_the_lab_for_centre_staff(client, staff_2fa):
    sign_in(client, staff_2fa)
    html = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("training:lab_home")}"' in html


def test_week_list_shows_staff_the_owner(client, staff_2fa, faculty):
    kiln = ResourceFactory()
    booking = BookingFactory(resource=kiln, owner=faculty, starts_at=at(8, 9), ends_at=at(8, 11))
    sign_in(client, staff_2fa)
    day = timezone.localdate() + dt.timedelta(days=8)
    html = client.get(week_url(kiln, day)).content.decode()
    assert faculty.full_name in html
    assert reverse("training:booking_detail", args=[booking.pk]) in html
