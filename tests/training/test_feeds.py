"""Calendar feeds: a person's bookings and a resource's, behind secret tokens."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from accounts.models import Role
from tests.conftest import sign_in
from tests.factories import BookingFactory, ResourceFactory, UserFactory, at
from toolkit.audit import AuditEntry
from training.models import Blackout, BookingStatus, CalendarFeed
from training.services import feeds

pytestmark = pytest.mark.django_db
S = BookingStatus


def parse(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def events(calendar):
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def my_feed_url(client, user):
    client.force_login(user)
    client.get(reverse("training:my_feed"))
    return reverse("training:personal_feed", args=[CalendarFeed.objects.get(owner=user).token])


# --- The page with one's address ------------------------------------------------------


def test_my_feed_page_makes_the_address_on_the_first_visit(client, student):
    client.force_login(student)
    response = client.get(reverse("training:my_feed"))
    assert response.status_code == 200
    feed = CalendarFeed.objects.get(owner=student)
    assert len(feed.token) >= 43
    url = reverse("training:personal_feed", args=[feed.token])
    assert url in response.content.decode()
    # Visiting again keeps the address.
    client.get(reverse("training:my_feed"))
    assert CalendarFeed.objects.get(owner=student).token == feed.token


def test_my_feed_page_needs_sign_in(client):
    response = client.get(reverse("training:my_feed"))
    assert response.status_code == 302
    assert CalendarFeed.objects.count() == 0


def test_reset_asks_first_then_makes_the_old_address_404(client, student):
    old = my_feed_url(client, student)
    assert client.get(old).status_code == 200

    asked = client.get(reverse("training:my_feed_reset"))
    assert asked.status_code == 200
    # A POST without the confirmation does nothing.
    client.post(reverse("training:my_feed_reset"))
    assert client.get(old).status_code == 200

    response = client.post(reverse("training:my_feed_reset"), {"confirmed": "yes"})
    assert response.status_code == 302
    assert client.get(old).status_code == 404
    new = reverse("training:personal_feed", args=[CalendarFeed.objects.get(owner=student).token])
    assert new != old
    assert client.get(new).status_code == 200


# --- The personal feed ----------------------------------------------------------------


def test_personal_feed_has_my_bookings_with_times_and_stable_uids(client, student, faculty):
    kiln = ResourceFactory(name_th="เตาเผาไฟฟ้า ก", name_en="Electric kiln A", location="อาคาร 2")
    approved = BookingFactory(resource=kiln, owner=student, starts_at=at(2, 9), ends_at=at(2, 12))
    requested = BookingFactory(
        resource=kiln, owner=student, status=S.REQUESTED, starts_at=at(3, 9), ends_at=at(3, 10)
    )
    done = BookingFactory(
        resource=kiln, owner=student, status=S.COMPLETED, starts_at=at(-3, 9), ends_at=at(-3, 10)
    )
    cancelled = BookingFactory(
        resource=kiln, owner=student, status=S.CANCELLED, starts_at=at(4, 9), ends_at=at(4, 10)
    )
    too_old = BookingFactory(
        resource=kiln, owner=student, status=S.COMPLETED, starts_at=at(-40, 9), ends_at=at(-40, 10)
    )
    others = BookingFactory(
        resource=kiln, owner=faculty, starts_at=at(5, 9), ends_at=at(5, 10),
        description="ทดลองเคลือบสูตรลับ",
    )  # fmt: skip
    url = my_feed_url(client, student)
    client.logout()  # a calendar app has no session

    calendar = parse(client.get(url))
    found = events(calendar)
    uids = {feeds.booking_uid(b) for b in (approved, requested, done)}
    assert set(found) == uids
    for booking in (cancelled, too_old, others):
        assert feeds.booking_uid(booking) not in found
    assert "ทดลองเคลือบสูตรลับ" not in client.get(url).content.decode()
    assert faculty.full_name not in client.get(url).content.decode()

    event = found[feeds.booking_uid(approved)]
    assert event.decoded("DTSTART") == approved.starts_at
    assert event.decoded("DTEND") == approved.ends_at
    assert event.decoded("DTSTART").utcoffset() == timedelta(0)
    assert str(event["SUMMARY"]) == "เตาเผาไฟฟ้า ก (อนุมัติแล้ว)"
    assert str(event["LOCATION"]) == "อาคาร 2"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(found[feeds.booking_uid(requested)]["STATUS"]) == "TENTATIVE"
    # Fetched again, the same bookings keep the same UIDs.
    assert set(events(parse(client.get(url)))) == uids


def test_personal_feed_speaks_its_owners_language(client):
    english = UserFactory(role=Role.FACULTY, language="en")
    kiln = ResourceFactory(name_th="เตาเผาไฟฟ้า ก", name_en="Electric kiln A")
    BookingFactory(resource=kiln, owner=english, starts_at=at(2, 9), ends_at=at(2, 10))
    url = my_feed_url(client, english)
    client.logout()
    (event,) = events(parse(client.get(url))).values()
    assert str(event["SUMMARY"]) == "Electric kiln A (Approved)"


@pytest.mark.parametrize(
    "token",
    ["x", "not-a-real-token-but-long-enough-0000000000", "a" * 43, "%00" * 20, "ก" * 43, "a" * 200],
)
def test_a_wrong_token_is_404_never_500(client, student, token):
    my_feed_url(client, student)
    client.logout()
    response = client.get(f"/lab/feed/{token}.ics")
    assert response.status_code in (400, 404)


def test_an_inactive_persons_feed_is_404(client, student):
    url = my_feed_url(client, student)
    student.is_active = False
    student.save()
    client.logout()
    assert client.get(url).status_code == 404


def test_personal_feed_query_count_does_not_grow(client, student, django_assert_max_num_queries):
    kiln = ResourceFactory()
    for day in range(1, 30):
        BookingFactory(resource=kiln, owner=student, starts_at=at(day, 9), ends_at=at(day, 10))
    url = my_feed_url(client, student)
    client.logout()
    with django_assert_max_num_queries(4):
        assert client.get(url).status_code == 200


# --- The resource feed for staff ------------------------------------------------------


def resource_feed_url(resource):
    return reverse("training:resource_feed", args=[resource.pk, resource.feed_token])


def test_staff_make_and_reset_a_resource_feed(client, staff_2fa):
    kiln = ResourceFactory()
    assert kiln.feed_token == ""
    sign_in(client, staff_2fa)
    reset_url = reverse("training:resource_feed_reset", args=[kiln.pk])

    page = client.get(reset_url)
    assert page.status_code == 200
    assert client.post(reset_url, {"confirmed": "yes"}).status_code == 302
    kiln.refresh_from_db()
    first = resource_feed_url(kiln)
    assert first in client.get(reset_url).content.decode()
    assert client.get(first).status_code == 200

    client.post(reset_url)  # unconfirmed: nothing changes
    kiln.refresh_from_db()
    assert resource_feed_url(kiln) == first

    client.post(reset_url, {"confirmed": "yes"})
    kiln.refresh_from_db()
    assert resource_feed_url(kiln) != first
    assert client.get(first).status_code == 404
    assert client.get(resource_feed_url(kiln)).status_code == 200
    assert AuditEntry.objects.filter(action="resource.feed_reset").count() == 2


@pytest.mark.parametrize("person", ["student", "faculty", "owner", "officer_2fa"])
def test_only_centre_staff_reset_a_resource_feed(client, request, person):
    kiln = ResourceFactory(feed_token=feeds.new_token())
    token = kiln.feed_token
    sign_in(client, request.getfixturevalue(person))
    url = reverse("training:resource_feed_reset", args=[kiln.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"confirmed": "yes"}).status_code == 403
    kiln.refresh_from_db()
    assert kiln.feed_token == token


def test_staff_without_two_factor_cannot_reset(client, centre_staff):
    kiln = ResourceFactory(feed_token=feeds.new_token())
    token = kiln.feed_token
    client.force_login(centre_staff)
    response = client.post(
        reverse("training:resource_feed_reset", args=[kiln.pk]), {"confirmed": "yes"}
    )
    assert response.status_code == 302
    kiln.refresh_from_db()
    assert kiln.feed_token == token


def test_the_service_refuses_a_reset_by_others(student):
    from training.exceptions import NotAllowed

    kiln = ResourceFactory()
    with pytest.raises(NotAllowed):
        feeds.reset_resource_feed(resource=kiln, by=student)


def test_resource_feed_has_every_blocking_booking_with_its_owner_and_the_blackouts(
    client, student, faculty, centre_staff
):
    kiln = ResourceFactory(feed_token=feeds.new_token(), cooldown_minutes=120)
    other = ResourceFactory()
    mine = BookingFactory(resource=kiln, owner=student, starts_at=at(2, 9), ends_at=at(2, 11))
    theirs = BookingFactory(
        resource=kiln, owner=faculty, status=S.REQUESTED, starts_at=at(3, 9), ends_at=at(3, 10)
    )
    cancelled = BookingFactory(
        resource=kiln, owner=faculty, status=S.CANCELLED, starts_at=at(4, 9), ends_at=at(4, 10)
    )
    elsewhere = BookingFactory(resource=other, owner=faculty, starts_at=at(2, 9))
    closed = Blackout.objects.create(
        resource=kiln, starts_at=at(6, 8), ends_at=at(6, 20), reason="maintenance",
        created_by=centre_staff,
    )  # fmt: skip
    holiday = Blackout.objects.create(
        resource=None, starts_at=at(7, 0), ends_at=at(8, 0), reason="holiday",
        created_by=centre_staff,
    )  # fmt: skip
    Blackout.objects.create(
        resource=other, starts_at=at(9, 0), ends_at=at(9, 10), reason="holiday",
        created_by=centre_staff,
    )  # fmt: skip

    found = events(parse(client.get(resource_feed_url(kiln))))

    assert set(found) == {
        feeds.booking_uid(mine),
        feeds.booking_uid(theirs),
        feeds.blackout_uid(closed),
        feeds.blackout_uid(holiday),
    }
    assert feeds.booking_uid(cancelled) not in found
    assert feeds.booking_uid(elsewhere) not in found
    assert student.full_name in str(found[feeds.booking_uid(mine)]["SUMMARY"])
    assert faculty.full_name in str(found[feeds.booking_uid(theirs)]["SUMMARY"])
    assert found[feeds.blackout_uid(closed)].decoded("DTSTART") == closed.starts_at
    assert found[feeds.blackout_uid(closed)].decoded("DTEND") == closed.ends_at
    assert "13:00" in str(found[feeds.booking_uid(mine)]["DESCRIPTION"])  # the cool-down


def test_a_resource_without_a_token_has_no_feed(client):
    kiln = ResourceFactory()
    assert client.get(f"/lab/resources/{kiln.pk}/feed/.ics").status_code == 404
    assert client.get(f"/lab/resources/{kiln.pk}/feed/{'a' * 43}.ics").status_code == 404


def test_a_resource_feed_token_opens_only_its_resource(client):
    kiln = ResourceFactory(feed_token=feeds.new_token())
    other = ResourceFactory(feed_token=feeds.new_token())
    assert client.get(f"/lab/resources/{other.pk}/feed/{kiln.feed_token}.ics").status_code == 404
    assert client.get(f"/lab/resources/999999/feed/{kiln.feed_token}.ics").status_code == 404
    # A personal feed's address does not open with a resource's token either.
    assert client.get(f"/lab/feed/{kiln.feed_token}.ics").status_code == 404


def test_resource_feed_query_count_does_not_grow(client, django_assert_max_num_queries):
    kiln = ResourceFactory(feed_token=feeds.new_token())
    for day in range(1, 30):
        BookingFactory(
            resource=kiln, owner=UserFactory(role=Role.STUDENT), starts_at=at(day, 9),
            ends_at=at(day, 10),
        )  # fmt: skip
    with django_assert_max_num_queries(5):
        assert client.get(resource_feed_url(kiln)).status_code == 200


def test_feed_window_is_thirty_days_back_and_180_ahead(student):
    now = timezone.now()
    kiln = ResourceFactory(feed_token=feeds.new_token())
    inside = BookingFactory(
        resource=kiln, owner=student, status=S.COMPLETED,
        starts_at=now - timedelta(days=29), ends_at=now - timedelta(days=29) + timedelta(hours=1),
    )  # fmt: skip
    late = BookingFactory(
        resource=kiln, owner=student, starts_at=now + timedelta(days=181),
        ends_at=now + timedelta(days=181, hours=1),
    )  # fmt: skip
    text = feeds.resource_calendar(kiln, now=now).decode()
    assert feeds.booking_uid(inside) in text
    assert feeds.booking_uid(late) not in text


def test_a_calendar_app_may_ask_with_head_but_not_post(client, student):
    url = my_feed_url(client, student)
    client.logout()
    head = client.head(url)
    assert head.status_code == 200
    assert head["Content-Type"] == "text/calendar; charset=utf-8"
    assert client.post(url).status_code == 405


def test_the_feeds_are_reached_from_my_bookings_and_the_staff_resource_page(
    client, student, staff_2fa
):
    client.force_login(student)
    page = client.get(reverse("training:my_bookings")).content.decode()
    assert reverse("training:my_feed") in page
    kiln = ResourceFactory()
    sign_in(client, staff_2fa)
    page = client.get(reverse("training:staff_resource_detail", args=[kiln.pk])).content.decode()
    assert reverse("training:resource_feed_reset", args=[kiln.pk]) in page
