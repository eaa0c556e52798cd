"""The demo lab: idempotent, realistic rules, and a week of bookings in every state."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from notifications.models import Notification
from training.demo import STUDENT_EMAIL, holiday_date, working_days_after
from training.models import (
    LIVE_STATES,
    Blackout,
    BlackoutReason,
    Booking,
    BookingStatus,
    Clearance,
    ClearanceKind,
    MaintenanceRecord,
    OpeningHours,
    Resource,
    ResourceKind,
    UsageLog,
)
from training.services.bookings import refusals

pytestmark = pytest.mark.django_db
S = BookingStatus
MODELS = [
    Resource,
    OpeningHours,
    ClearanceKind,
    Clearance,
    Booking,
    UsageLog,
    Blackout,
    MaintenanceRecord,
    Notification,
]


@pytest.fixture
def seeded(settings):
    settings.DEBUG = True  # seed_demo refuses to run without it
    call_command("seed_demo")


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_seed_demo_twice_changes_nothing(seeded):
    first = counts()
    call_command("seed_demo")
    assert counts() == first
    assert first["Resource"] == 6


def test_the_demo_resources_carry_the_centres_rules(seeded):
    kinds = set(Resource.objects.values_list("kind", flat=True))
    assert kinds == {
        ResourceKind.ELECTRIC_KILN,
        ResourceKind.GAS_KILN,
        ResourceKind.GLAZE_LAB,
        ResourceKind.SLIP_CASTING,
        ResourceKind.CLAY_PRINTER,
        ResourceKind.TESTING,
    }
    electric = Resource.objects.get(kind=ResourceKind.ELECTRIC_KILN)
    assert electric.cooldown_minutes == 480
    assert electric.required_clearance.code == "electric-kiln"
    assert electric.required_clearance.earned_at_en
    assert electric.clearance_lapse_days == 180
    assert (electric.max_minutes, electric.weekly_limit_hours) == (600, 20)
    assert sorted(electric.bookable_by) == ["entrepreneur", "faculty", "student"]
    assert not electric.needs_approval

    gas = Resource.objects.get(kind=ResourceKind.GAS_KILN)
    assert gas.needs_approval and gas.cooldown_minutes == 720
    assert gas.required_clearance.code == "gas-kiln"
    printer = Resource.objects.get(kind=ResourceKind.CLAY_PRINTER)
    assert printer.needs_approval and printer.required_clearance.code == "clay-printer"
    glaze = Resource.objects.get(kind=ResourceKind.GLAZE_LAB)
    assert glaze.required_clearance is None and glaze.slot_minutes == 60
    tester = Resource.objects.get(kind=ResourceKind.TESTING)
    assert tester.bookable_by == ["faculty"]
    for resource in Resource.objects.all():
        assert resource.name_th and resource.name_en

    # Weekdays 08:30-16:30 for the kilns; a lunch break and Saturday mornings elsewhere.
    assert {
        (h.weekday, h.opens.isoformat(), h.closes.isoformat()) for h in electric.opening_hours.all()
    } == {(day, "08:30:00", "16:30:00") for day in range(5)}
    assert glaze.opening_hours.filter(weekday=5).exists()
    assert not electric.opening_hours.filter(weekday__in=[5, 6]).exists()
    assert tester.opening_hours.filter(weekday=0).count() == 2


def test_the_demo_student_holds_the_electric_kiln_clearance(seeded):
    student = User.objects.get(email=STUDENT_EMAIL)
    clearance = Clearance.objects.get(holder=student)
    assert clearance.kind.code == "electric-kiln"
    assert clearance.valid_until > timezone.localdate()
    # Yesterday's completed firing counts as its last use.
    assert timezone.localdate(clearance.last_used_at) == timezone.localdate() - timedelta(days=1)


def test_the_demo_week_has_bookings_in_every_state(seeded):
    today = timezone.localdate()
    statuses = [b.status for b in Booking.objects.all()]
    for status in (S.REQUESTED, S.APPROVED, S.CHECKED_IN, S.COMPLETED, S.CANCELLED, S.NO_SHOW):
        assert status in statuses, status
    checked_in = Booking.objects.get(status=S.CHECKED_IN)
    assert timezone.localdate(checked_in.starts_at) == today
    completed = Booking.objects.get(status=S.COMPLETED)
    assert timezone.localdate(completed.starts_at) == today - timedelta(days=1)
    assert completed.resource.kind == ResourceKind.ELECTRIC_KILN
    assert completed.blocked_until == completed.ends_at + timedelta(hours=8)
    firing = completed.usage
    assert firing.cone == "06" and firing.peak_temperature_c and firing.atmosphere
    assert firing.firing_program
    cancelled = Booking.objects.get(status=S.CANCELLED)
    assert cancelled.cancelled_by == cancelled.owner and cancelled.cancel_reason
    approved_by_staff = Booking.objects.filter(status=S.APPROVED, decided_by__isnull=False)
    assert approved_by_staff.get().resource.kind == ResourceKind.GAS_KILN
    prototype = Booking.objects.get(purpose="prototype")
    assert prototype.status == S.REQUESTED and prototype.product is not None
    # Every stored cool-down is the one its resource asks for.
    for booking in Booking.objects.select_related("resource"):
        assert booking.blocked_until == booking.ends_at + booking.resource.cooldown


def test_the_demo_holiday_is_next_week_and_hits_no_live_booking(seeded):
    holiday = Blackout.objects.get()
    assert holiday.resource is None and holiday.reason == BlackoutReason.HOLIDAY
    today = timezone.localdate()
    next_monday = today + timedelta(days=7 - today.weekday())
    assert next_monday <= timezone.localdate(holiday.starts_at) < next_monday + timedelta(days=7)
    assert not Booking.objects.filter(
        status__in=LIVE_STATES, starts_at__lt=holiday.ends_at, blocked_until__gt=holiday.starts_at
    ).exists()
    assert MaintenanceRecord.objects.get().resource.kind == ResourceKind.GAS_KILN


def test_the_demo_kiln_refuses_a_booking_in_its_cool_down(seeded):
    """The demo shows the rule: the student's next firing blocks the kiln for 8 hours."""
    kiln = Resource.objects.get(kind=ResourceKind.ELECTRIC_KILN)
    firing = Booking.objects.get(resource=kiln, status=S.APPROVED)
    faculty = User.objects.get(email="faculty@demo.nakhon-ceramic.test")
    found = refusals(
        resource=kiln,
        person=faculty,
        starts_at=firing.ends_at,
        ends_at=firing.ends_at + timedelta(hours=2),
    )
    assert "cooldown" in {r.code for r in found}


@pytest.mark.parametrize("offset", range(7))
def test_the_holiday_falls_after_the_three_booked_working_days_on_any_weekday(offset):
    today = date(2026, 12, 7) + timedelta(days=offset)  # Monday + offset
    days = working_days_after(today, 3)
    assert all(day.weekday() < 5 and day > today for day in days)
    holiday = holiday_date(today)
    assert holiday.weekday() == 3
    assert days[-1] < holiday
    assert holiday - today <= timedelta(days=11)
