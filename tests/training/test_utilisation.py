"""Lab utilisation over a period and people trained: the shared reads of the dashboard and
the reports, checked against a small data set worked out by hand."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import BookingFactory, ResourceFactory
from training.models import Blackout, BookingStatus, OpeningHours
from training.selectors_attendance import people_trained
from training.selectors_utilisation import utilisation, utilisation_by_month

from .factories_attend import enrol, make_certificate, make_run

pytestmark = pytest.mark.django_db
S = BookingStatus
D = Decimal


def local(day, hour, minute=0):
    return timezone.make_aware(dt.datetime.combine(dt.date(2026, *day), dt.time(hour, minute)))


# The week of Monday 1 June 2026.
START, END = local((6, 1), 0), local((6, 8), 0)


@pytest.fixture
def glaze():
    """Open on weekdays 09:00-12:00 and 13:00-17:00: 35 hours a week."""
    resource = ResourceFactory(name_th="โต๊ะเคลือบ", kind="glaze_lab", hours=False)
    for day in range(5):
        OpeningHours.objects.create(
            resource=resource, weekday=day, opens=dt.time(9), closes=dt.time(12)
        )
        OpeningHours.objects.create(
            resource=resource, weekday=day, opens=dt.time(13), closes=dt.time(17)
        )
    return resource


@pytest.fixture
def kiln():
    """Open every day 08:00-20:00: 84 hours a week."""
    return ResourceFactory(name_th="เตาเผา", cooldown_minutes=120)


def book(resource, start, end, status, blocked_until=None):
    return BookingFactory(
        resource=resource,
        starts_at=start,
        ends_at=end,
        blocked_until=blocked_until or end,
        status=status,
    )


@pytest.fixture
def week(glaze, kiln):
    # Two blackouts of the glaze bench that overlap (10:30-14:00 in all): 2.5 opening hours.
    Blackout.objects.create(
        resource=glaze, starts_at=local((6, 2), 11), ends_at=local((6, 2), 14), reason="other"
    )
    Blackout.objects.create(
        resource=glaze,
        starts_at=local((6, 2), 10, 30),
        ends_at=local((6, 2), 11, 30),
        reason="maintenance",
    )
    # The whole centre, Friday 16:00-18:00: one opening hour of the bench, two of the kiln.
    Blackout.objects.create(starts_at=local((6, 5), 16), ends_at=local((6, 5), 18), reason="event")
    # Outside the week: not counted.
    Blackout.objects.create(
        resource=glaze, starts_at=local((6, 9), 9), ends_at=local((6, 9), 12), reason="holiday"
    )
    # The bench: from before the week into it (1 h booked and used, 2 h cool-down inside).
    book(glaze, local((5, 31), 23), local((6, 1), 1), S.COMPLETED, local((6, 1), 3))
    book(glaze, local((6, 1), 9), local((6, 1), 11), S.APPROVED)  # 2 h booked
    book(glaze, local((6, 1), 13), local((6, 1), 16), S.COMPLETED, local((6, 1), 17))  # 3 h, 1 h
    book(glaze, local((6, 3), 9), local((6, 3), 10), S.CHECKED_IN)  # 1 h booked and used
    book(glaze, local((6, 3), 10), local((6, 3), 12), S.CANCELLED)  # nothing
    book(glaze, local((6, 4), 9), local((6, 4), 10), S.NO_SHOW)  # a no-show
    book(glaze, local((5, 25), 9), local((5, 25), 10), S.NO_SHOW)  # the week before
    # Into the next week: 1 h booked; its cool-down starts after the week.
    book(glaze, local((6, 7), 23), local((6, 8), 2), S.APPROVED, local((6, 8), 4))
    book(glaze, local((6, 10), 9), local((6, 10), 11), S.APPROVED)  # after the week
    # The kiln: only a cool-down reaches into the week (00:00-00:30).
    book(kiln, local((5, 31), 20), local((5, 31), 22), S.COMPLETED, local((6, 1), 0, 30))


def test_utilisation_of_a_week_per_resource(week, glaze, kiln):
    rows = {row.resource: row for row in utilisation(START, END)}
    bench = rows[glaze]
    assert bench.blackout_hours == D("3.50")
    assert bench.hours_open == D("31.50")  # 35 - 3.5
    assert bench.hours_booked == D("8.00")  # 1 + 2 + 3 + 1 + 1
    assert bench.hours_used == D("5.00")  # 1 + 3 + 1
    assert bench.cooldown_hours == D("3.00")  # 2 + 1
    assert bench.no_shows == 1
    assert bench.booked_percent == 25  # 8 / 31.5
    assert bench.used_percent == 16
    kiln_row = rows[kiln]
    assert kiln_row.blackout_hours == D("2.00")
    assert kiln_row.hours_open == D("82.00")
    assert kiln_row.hours_booked == D("0.00")
    assert kiln_row.cooldown_hours == D("0.50")
    assert kiln_row.no_shows == 0


def test_utilisation_of_some_resources_only(week, glaze):
    rows = utilisation(START, END, resources=[glaze])
    assert [row.resource for row in rows] == [glaze]
    assert rows[0].hours_booked == D("8.00")


def test_a_resource_without_bookings_or_opening_hours_counts_zero(db):
    closed = ResourceFactory(hours=False)
    [row] = utilisation(START, END)
    assert row.resource == closed
    assert (row.hours_open, row.hours_booked, row.no_shows) == (D("0.00"), D("0.00"), 0)
    assert row.booked_percent is None


def test_utilisation_takes_four_queries_whatever_the_bookings(
    week, glaze, django_assert_num_queries
):
    with django_assert_num_queries(4):
        utilisation(START, END)
    for day in range(2, 7):
        for hour in (13, 14, 15):
            book(glaze, local((6, day), hour), local((6, day), hour, 50), S.COMPLETED)
    ResourceFactory()
    with django_assert_num_queries(4):
        rows = utilisation(START, END)
    assert len(rows) == 3


def test_utilisation_by_month_splits_a_booking_across_months(week, glaze):
    months = utilisation_by_month(dt.date(2026, 5, 15), dt.date(2026, 6, 2), resources=[glaze])
    assert [start for start, _rows in months] == [local((5, 1), 0), local((6, 1), 0)]
    [may] = months[0][1]
    [june] = months[1][1]
    assert may.hours_open == D("147.00")  # 21 weekdays of 7 hours
    assert may.hours_booked == D("1.00")  # 23:00-24:00 on 31 May
    assert may.no_shows == 1
    # June: 1 + 2 + 3 + 1 + 3 (the booking into the next week) + 2 (10 June).
    assert june.hours_booked == D("12.00")
    assert june.blackout_hours == D("6.50")  # 2.5 + 1 + 3 (9 June)


def test_utilisation_by_month_queries_do_not_grow_with_bookings(
    week, glaze, django_assert_num_queries
):
    # Resources, opening hours, blackouts, then one booking query per month.
    with django_assert_num_queries(5):
        utilisation_by_month(dt.date(2026, 5, 1), dt.date(2026, 6, 30))
    for day in range(2, 7):
        book(glaze, local((6, day), 13), local((6, day), 14), S.COMPLETED)
    with django_assert_num_queries(5):
        utilisation_by_month(dt.date(2026, 5, 1), dt.date(2026, 6, 30))


def test_people_trained_counts_each_holder_once_and_skips_revoked_certificates(
    django_assert_num_queries,
):
    first, second = make_run(name="รุ่นที่ 1"), make_run(name="รุ่นที่ 2")
    twice = enrol(first)
    make_certificate(twice, issued_at=local((6, 2), 10))
    make_certificate(enrol(second, person=twice.person), issued_at=local((6, 3), 10))
    make_certificate(enrol(first), issued_at=local((6, 4), 10))
    make_certificate(enrol(first), issued_at=local((6, 4), 10), revoked_at=local((6, 5), 9))
    make_certificate(enrol(first), issued_at=local((5, 31), 23))  # before
    make_certificate(enrol(first), issued_at=END)  # the end is not in the period
    with django_assert_num_queries(1):
        assert people_trained(START, END) == 2
    assert people_trained(local((5, 1), 0), END) == 3
