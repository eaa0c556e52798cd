"""Every reason a booking is refused, each with its own message in Thai and in English,
through the service and through the book page; and the weekly series through the service."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from tests.factories import (
    BookingFactory,
    ClearanceFactory,
    ClearanceKindFactory,
    ResourceFactory,
    UserFactory,
    at,
)
from tests.training.test_booking_pages import form_data, speak
from training.exceptions import BookingRefused
from training.models import Blackout, Booking, OpeningHours, Purpose, Suspension
from training.services import bookings
from training.services.bookings import Reason

pytestmark = pytest.mark.django_db


def _plain(**kw):
    return ResourceFactory(**kw), at(3, 10), at(3, 11)


def overlap(person):
    kiln, start, end = _plain()
    BookingFactory(resource=kiln, starts_at=at(3, 9), ends_at=at(3, 12))
    return kiln, start, end


def cooldown(person):
    kiln = ResourceFactory(cooldown_minutes=120)
    BookingFactory(resource=kiln, starts_at=at(3, 8), ends_at=at(3, 10))
    return kiln, at(3, 11), at(3, 12)


def own_cooldown(person):
    kiln = ResourceFactory(cooldown_minutes=120)
    BookingFactory(resource=kiln, starts_at=at(3, 13), ends_at=at(3, 14))
    return kiln, at(3, 10), at(3, 12)


def blackout(person):
    kiln, start, end = _plain()
    Blackout.objects.create(
        resource=kiln,
        starts_at=at(3, 9),
        ends_at=at(3, 12),
        reason="maintenance",
        note="เปลี่ยนขดลวด",
    )
    return kiln, start, end


def outside_hours(person):
    kiln = ResourceFactory()
    return kiln, at(3, 6), at(3, 7)


def closed_day(person):
    kiln = ResourceFactory(hours=False)
    closed = timezone.localdate(at(3, 10)).weekday()
    OpeningHours.objects.bulk_create(
        OpeningHours(resource=kiln, weekday=d, opens=at(0, 8).time(), closes=at(0, 17).time())
        for d in range(7)
        if d != closed
    )
    return kiln, at(3, 10), at(3, 11)


def off_grid(person):
    return ResourceFactory(), at(3, 9, 10), at(3, 10, 10)


def too_short(person):
    return ResourceFactory(min_minutes=60), at(3, 9), at(3, 9, 30)


def too_long(person):
    return ResourceFactory(max_minutes=120), at(3, 9), at(3, 12)


def past(person):
    return ResourceFactory(), at(-1, 9), at(-1, 10)


def too_soon(person):
    return ResourceFactory(earliest_hours=24 * 5), at(3, 9), at(3, 10)


def too_far(person):
    return ResourceFactory(latest_days=5), at(10, 9), at(10, 10)


def weekly_limit(person):
    kiln = ResourceFactory(weekly_limit_hours=3)
    BookingFactory(resource=kiln, owner=person, starts_at=at(3, 9), ends_at=at(3, 11))
    return kiln, at(3, 13), at(3, 15)


def no_clearance(person):
    return ResourceFactory(required_clearance=ClearanceKindFactory()), at(3, 9), at(3, 10)


def clearance_expired(person):
    kind = ClearanceKindFactory()
    ClearanceFactory(holder=person, kind=kind, valid_until=timezone.localdate() + timedelta(1))
    return ResourceFactory(required_clearance=kind), at(3, 9), at(3, 10)


def clearance_lapsed(person):
    kind = ClearanceKindFactory()
    ClearanceFactory(holder=person, kind=kind, granted_at=timezone.now() - timedelta(days=40))
    kiln = ResourceFactory(required_clearance=kind, clearance_lapse_days=30)
    return kiln, at(3, 9), at(3, 10)


def role(person):
    return ResourceFactory(bookable_by=["faculty"]), at(3, 9), at(3, 10)


def maintenance(person):
    return ResourceFactory(status="maintenance"), at(3, 9), at(3, 10)


def suspended(person):
    Suspension.objects.create(person=person, ends_at=timezone.now() + timedelta(days=20))
    return ResourceFactory(), at(3, 9), at(3, 10)


CASES = {
    Reason.OVERLAP: (overlap, "is already booked", "มีผู้จองแล้ว"),
    Reason.COOLDOWN: (cooldown, "is cooling down after a booking until", "พักเครื่อง"),
    Reason.OWN_COOLDOWN: (own_cooldown, "cool-down of 120 minutes would run until", "120 นาที"),
    Reason.BLACKOUT: (blackout, "is closed", "เปลี่ยนขดลวด"),
    Reason.OUTSIDE_HOURS: (outside_hours, "outside the opening hours", "08:00–20:00"),
    "closed_day": (closed_day, "is closed on that day", "ปิด"),
    Reason.OFF_GRID: (off_grid, "steps of 30 minutes", "30 นาที"),
    Reason.TOO_SHORT: (too_short, "shortest booking", "60 นาที"),
    Reason.TOO_LONG: (too_long, "longest booking", "120 นาที"),
    Reason.PAST: (past, "already passed", "ผ่านไปแล้ว"),
    Reason.TOO_SOON: (too_soon, "at least 120 hours ahead", "120 ชั่วโมง"),
    Reason.TOO_FAR: (too_far, "at most 5 days ahead", "5 วัน"),
    Reason.WEEKLY_LIMIT: (weekly_limit, "for 3 hours a week", "3 ชั่วโมง"),
    Reason.NO_CLEARANCE: (no_clearance, "Electric kiln operation", "การใช้เตาเผาไฟฟ้า"),
    Reason.CLEARANCE_EXPIRED: (clearance_expired, "is valid until", "การใช้เตาเผาไฟฟ้า"),
    Reason.CLEARANCE_LAPSED: (clearance_lapsed, "was not used for 30 days", "30 วัน"),
    Reason.ROLE: (role, "may be booked by", "อาจารย์"),
    Reason.MAINTENANCE: (maintenance, "under maintenance", "ซ่อมบำรุง"),
    Reason.SUSPENDED: (suspended, "booking rights are suspended", "ระงับ"),
}
CODES = {"closed_day": Reason.OUTSIDE_HOURS}


@pytest.mark.parametrize("case", list(CASES))
def test_each_refusal_has_its_own_message_from_the_service(case, student):
    setup, english, thai = CASES[case]
    resource, start, end = setup(student)

    def message_in(language):
        with translation.override(language):
            found = bookings.refusals(
                resource=resource, person=student, starts_at=start, ends_at=end
            )
            assert [r.code for r in found] == [CODES.get(case, case)]
            return str(found[0].message)

    message_en, message_th = message_in("en"), message_in("th")
    assert english in message_en
    assert thai in message_th
    assert message_th != message_en
    with pytest.raises(BookingRefused) as refused:
        bookings.book(
            resource=resource, by=student, starts_at=start, ends_at=end, purpose=Purpose.RESEARCH
        )
    assert refused.value.code == CODES.get(case, case)
    assert not Booking.objects.filter(owner=student, starts_at=start).exists()


@pytest.mark.parametrize("language", ["th", "en"])
@pytest.mark.parametrize("case", list(CASES))
def test_each_refusal_is_shown_on_the_book_page(case, language, client, student):
    setup, english, thai = CASES[case]
    resource, start, end = setup(student)
    client.force_login(student)
    speak(student, language)
    response = client.post(reverse("training:book", args=[resource.pk]), form_data(start, end))
    assert response.status_code == 200
    html = response.content.decode()
    with translation.override(language):
        found = bookings.refusals(resource=resource, person=student, starts_at=start, ends_at=end)
        message = str(found[0].message)
    assert escape(message) in html
    assert escape(english if language == "en" else thai) in html
    assert ('id="watch-form"' in html) == (found[0].code in {"overlap", "cooldown", "own_cooldown"})
    assert not Booking.objects.filter(owner=student, starts_at=start).exists()


def test_a_missing_clearance_names_where_it_is_earned(student):
    resource, start, end = no_clearance(student)
    for language, where in (
        ("en", "the kiln-operation course at the Ko Kha centre"),
        ("th", "หลักสูตรการใช้เตาเผา ศูนย์เกาะคา"),
    ):
        with translation.override(language):
            (refusal,) = bookings.refusals(
                resource=resource, person=student, starts_at=start, ends_at=end
            )
            assert where in str(refusal)


def test_centre_staff_are_held_to_overlaps_and_cool_downs(staff_2fa):
    kiln, start, end = cooldown(staff_2fa)
    codes = [
        r.code
        for r in bookings.refusals(resource=kiln, person=staff_2fa, starts_at=start, ends_at=end)
    ]
    assert codes == [Reason.COOLDOWN]


def test_a_clearance_used_recently_has_not_lapsed(student):
    kind = ClearanceKindFactory()
    ClearanceFactory(
        holder=student,
        kind=kind,
        granted_at=timezone.now() - timedelta(days=100),
        last_used_at=timezone.now() - timedelta(days=5),
    )
    kiln = ResourceFactory(required_clearance=kind, clearance_lapse_days=30)
    assert (
        bookings.refusals(resource=kiln, person=student, starts_at=at(3, 9), ends_at=at(3, 10))
        == []
    )


def test_a_lifted_suspension_no_longer_refuses(student):
    Suspension.objects.create(
        person=student, ends_at=timezone.now() + timedelta(days=20), lifted_at=timezone.now()
    )
    kiln = ResourceFactory()
    assert (
        bookings.refusals(resource=kiln, person=student, starts_at=at(3, 9), ends_at=at(3, 10))
        == []
    )


# --- A weekly series, through the service ------------------------------------------------


def test_a_series_lists_each_clashing_week_with_its_reason(student, faculty):
    kiln = ResourceFactory(cooldown_minutes=60)
    BookingFactory(resource=kiln, owner=faculty, starts_at=at(10, 9), ends_at=at(10, 10))
    BookingFactory(resource=kiln, owner=faculty, starts_at=at(17, 7), ends_at=at(17, 8, 30))
    Blackout.objects.create(resource=kiln, starts_at=at(24, 0), ends_at=at(25, 0), reason="holiday")
    occurrences = bookings.check_series(
        resource=kiln, by=student, starts_at=at(3, 9), ends_at=at(3, 11), weeks=5
    )
    assert [[r.code for r in o.refusals] for o in occurrences] == [
        [],
        [Reason.OVERLAP],
        [Reason.COOLDOWN],
        [Reason.BLACKOUT],
        [],
    ]
    free = [(o.starts_at, o.ends_at) for o in occurrences if o.free]
    booked = bookings.book_series(
        resource=kiln, by=student, occurrences=free, purpose=Purpose.RESEARCH
    )
    assert [b.starts_at for b in booked] == [at(3, 9), at(31, 9)]


def test_a_series_with_one_week_taken_at_confirmation_saves_none(student, faculty):
    kiln = ResourceFactory()
    occurrences = bookings.check_series(
        resource=kiln, by=student, starts_at=at(3, 9), ends_at=at(3, 11), weeks=3
    )
    assert all(o.free for o in occurrences)
    BookingFactory(resource=kiln, owner=faculty, starts_at=at(17, 9), ends_at=at(17, 10))
    with pytest.raises(BookingRefused) as refused:
        bookings.book_series(
            resource=kiln,
            by=student,
            occurrences=[(o.starts_at, o.ends_at) for o in occurrences],
            purpose=Purpose.RESEARCH,
        )
    assert refused.value.code == Reason.OVERLAP
    assert not Booking.objects.filter(owner=student).exists()


def test_an_empty_series_is_refused(student):
    with pytest.raises(BookingRefused):
        bookings.book_series(
            resource=ResourceFactory(), by=student, occurrences=[], purpose=Purpose.RESEARCH
        )


def test_another_student_cannot_cancel_a_booking(student):
    from training.exceptions import NotAllowed

    booking = BookingFactory(owner=student)
    with pytest.raises(NotAllowed):
        bookings.cancel(booking=booking, by=UserFactory(role="student"))
