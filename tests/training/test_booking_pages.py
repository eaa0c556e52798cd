"""The person's booking pages: book a slot or a weekly series, their list, detail, cancel,
confirm a held slot, wait for a taken one; who may see and do what."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.confirming import CONFIRMED, assert_asks_first
from tests.conftest import enable_totp, sign_in
from tests.factories import (
    BookingFactory,
    ClearanceFactory,
    ClearanceKindFactory,
    EnterpriseFactory,
    ProductFactory,
    ResourceFactory,
    UserFactory,
    at,
)
from toolkit.thaidates import format_date, format_date_input
from training.models import (
    Booking,
    BookingStatus,
    Purpose,
    SlotWatch,
    SlotWatchStatus,
)
from training.services import bookings as booking_services
from training.services import waiting

pytestmark = pytest.mark.django_db


def speak(person, language):
    """The person's own language, which the portal speaks to them once signed in."""
    person.language = language
    person.save(update_fields=["language"])


def form_data(start, end, **extra):
    local = timezone.localtime(start)
    data = {
        "day": format_date_input(local.date()),
        "start": local.strftime("%H:%M"),
        "end": timezone.localtime(end).strftime("%H:%M"),
        "purpose": Purpose.RESEARCH,
        "description": "",
        "weeks": "1",
    }
    data.update(extra)
    return data


def book_url(resource):
    return reverse("training:book", args=[resource.pk])


# --- The book page --------------------------------------------------------------------


def test_the_book_page_is_prefilled_from_the_calendar(client, student):
    kiln = ResourceFactory()
    client.force_login(student)
    start = at(3, 9).isoformat()
    end = at(3, 11, 30).isoformat()
    response = client.get(book_url(kiln), {"start": start, "end": end})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="09:00" selected' in html
    assert 'value="11:30" selected' in html
    assert format_date_input(timezone.localdate(at(3, 9))) in html


def test_the_book_page_ignores_a_bad_start(client, student):
    client.force_login(student)
    response = client.get(book_url(ResourceFactory()), {"start": "nonsense\x00", "end": "x"})
    assert response.status_code in (200, 400)


def test_the_book_page_needs_sign_in(client):
    response = client.get(book_url(ResourceFactory()))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_the_book_page_is_for_the_roles_that_use_the_lab(client, officer_2fa):
    # An officer may see neither /lab/ nor a resource's page: nor its booking form.
    kiln = ResourceFactory()
    sign_in(client, officer_2fa)
    start, end = at(3, 9), at(3, 11)
    assert client.get(book_url(kiln)).status_code == 403
    assert client.post(book_url(kiln), form_data(start, end)).status_code == 403
    watch = reverse("training:watch", args=[kiln.pk])
    assert client.post(watch, form_data(start, end)).status_code == 403
    assert not kiln.bookings.exists()


def test_a_free_slot_is_booked_through_the_page(client, student):
    kiln = ResourceFactory()
    client.force_login(student)
    response = client.post(book_url(kiln), form_data(at(3, 9), at(3, 11)))
    booking = Booking.objects.get()
    assert response.status_code == 302
    assert response["Location"] == booking.get_absolute_url()
    assert booking.owner == student
    assert (booking.starts_at, booking.ends_at) == (at(3, 9), at(3, 11))
    assert booking.status == BookingStatus.APPROVED


def test_a_resource_needing_approval_makes_a_request(client, student):
    kiln = ResourceFactory(needs_approval=True)
    client.force_login(student)
    client.post(book_url(kiln), form_data(at(3, 9), at(3, 11)))
    assert Booking.objects.get().status == BookingStatus.REQUESTED


def test_a_bad_form_is_shown_again_and_nothing_saved(client, student):
    kiln = ResourceFactory()
    client.force_login(student)
    response = client.post(book_url(kiln), form_data(at(3, 11), at(3, 9), day="99/99/9999\x00"))
    assert response.status_code in (200, 400)
    assert not Booking.objects.exists()
    response = client.post(book_url(kiln), form_data(at(3, 11), at(3, 9)))
    assert response.status_code == 200
    assert "The end must come after the start." in response.content.decode() or (
        "หลังเวลาเริ่ม" in response.content.decode()
    )
    assert not Booking.objects.exists()


def test_a_prototype_booking_names_a_product_and_shows_on_its_page(client, owner):
    enterprise = EnterpriseFactory(created_by=owner)
    product = ProductFactory(enterprise=enterprise)
    kiln = ResourceFactory()
    client.force_login(owner)
    response = client.post(
        book_url(kiln), form_data(at(3, 9), at(3, 11), purpose=Purpose.PROTOTYPE)
    )
    assert response.status_code == 200
    assert not Booking.objects.exists()
    response = client.post(
        book_url(kiln),
        form_data(at(3, 9), at(3, 11), purpose=Purpose.PROTOTYPE, product=product.pk),
    )
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert booking.product == product
    page = client.get(product.get_absolute_url()).content.decode()
    assert 'id="lab-bookings"' in page
    assert reverse("training:booking_detail", args=[booking.pk]) in page


def test_a_product_of_another_enterprise_cannot_be_chosen(client, owner, outsider):
    theirs = ProductFactory(enterprise=EnterpriseFactory(created_by=outsider))
    kiln = ResourceFactory()
    client.force_login(owner)
    response = client.post(
        book_url(kiln),
        form_data(at(3, 9), at(3, 11), purpose=Purpose.PROTOTYPE, product=theirs.pk),
    )
    assert response.status_code == 200
    assert not Booking.objects.exists()


def test_lab_bookings_are_not_on_the_public_showcase(client, owner):
    product = ProductFactory(enterprise=EnterpriseFactory(created_by=owner), status="published")
    BookingFactory(product=product, purpose=Purpose.PROTOTYPE, owner=owner)
    response = client.get(reverse("showcase:index"))
    assert 'id="lab-bookings"' not in response.content.decode()


def test_the_product_page_lists_its_bookings_in_one_query(
    client, owner, django_assert_max_num_queries
):
    product = ProductFactory(enterprise=EnterpriseFactory(created_by=owner))
    client.force_login(owner)
    BookingFactory(product=product, purpose=Purpose.PROTOTYPE, owner=owner)
    client.get(product.get_absolute_url())
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(product.get_absolute_url())
    for day in range(4, 9):
        BookingFactory(
            product=product, purpose=Purpose.PROTOTYPE, owner=owner, starts_at=at(day, 9)
        )
    with django_assert_max_num_queries(len(few)):
        response = client.get(product.get_absolute_url())
    assert response.content.decode().count('lab-booking"') == 6


# --- Refusals on the page, and waiting for taken time ---------------------------------


def test_a_refusal_is_a_form_error_in_thai_and_english(client, student, faculty):
    kiln = ResourceFactory(name_en="Kiln E", name_th="เตา ก")
    BookingFactory(resource=kiln, owner=faculty, starts_at=at(3, 9), ends_at=at(3, 12))
    client.force_login(student)
    response = client.post(book_url(kiln), form_data(at(3, 10), at(3, 11)))
    html = response.content.decode()
    assert response.status_code == 200
    assert "มีผู้จองแล้ว" in html
    assert 'id="watch-form"' in html
    speak(student, "en")
    response = client.post(book_url(kiln), form_data(at(3, 10), at(3, 11)))
    assert "Kiln E is already booked" in response.content.decode()
    assert not Booking.objects.filter(owner=student).exists()


def test_a_refusal_that_waiting_cannot_cure_offers_no_watch(client, student):
    kiln = ResourceFactory()
    client.force_login(student)
    response = client.post(book_url(kiln), form_data(at(3, 6), at(3, 7)))
    assert response.status_code == 200
    assert 'id="watch-form"' not in response.content.decode()


def test_watch_a_taken_slot_then_withdraw(client, student, faculty):
    kiln = ResourceFactory()
    BookingFactory(resource=kiln, owner=faculty, starts_at=at(3, 9), ends_at=at(3, 12))
    client.force_login(student)
    response = client.post(
        reverse("training:watch", args=[kiln.pk]), form_data(at(3, 10), at(3, 11))
    )
    assert response.status_code == 302
    slot_watch = SlotWatch.objects.get()
    assert slot_watch.person == student
    page = client.get(reverse("training:my_bookings")).content.decode()
    assert 'id="my-watches"' in page
    assert "1" in page
    client.post(reverse("training:watch_withdraw", args=[slot_watch.pk]))
    slot_watch.refresh_from_db()
    assert slot_watch.status == SlotWatchStatus.WITHDRAWN


def test_watching_a_free_slot_is_refused(client, student):
    kiln = ResourceFactory()
    client.force_login(student)
    response = client.post(
        reverse("training:watch", args=[kiln.pk]), form_data(at(3, 10), at(3, 11))
    )
    assert response.status_code == 200
    assert not SlotWatch.objects.exists()


def test_no_one_withdraws_another_persons_watch(client, student, faculty):
    kiln = ResourceFactory()
    BookingFactory(resource=kiln, owner=faculty, starts_at=at(3, 9), ends_at=at(3, 12))
    slot_watch = waiting.watch(
        resource=kiln, by=student, starts_at=at(3, 10), ends_at=at(3, 11), purpose="research"
    )
    client.force_login(faculty)
    response = client.post(reverse("training:watch_withdraw", args=[slot_watch.pk]))
    assert response.status_code == 404
    slot_watch.refresh_from_db()
    assert slot_watch.status == SlotWatchStatus.WAITING


def test_the_place_in_line_matches_the_service(client, student, faculty, owner):
    kiln = ResourceFactory()
    BookingFactory(resource=kiln, owner=owner, starts_at=at(3, 9), ends_at=at(3, 12))
    first = waiting.watch(
        resource=kiln, by=faculty, starts_at=at(3, 9), ends_at=at(3, 10), purpose="research"
    )
    second = waiting.watch(
        resource=kiln, by=student, starts_at=at(3, 9), ends_at=at(3, 11), purpose="research"
    )
    assert (waiting.position(first), waiting.position(second)) == (1, 2)
    client.force_login(student)
    response = client.get(reverse("training:my_bookings"))
    assert [w.place for w in response.context["watches"]] == [2]


def test_a_freed_slot_is_held_then_confirmed(client, student, faculty):
    kiln = ResourceFactory()
    taken = BookingFactory(resource=kiln, owner=faculty, starts_at=at(3, 9), ends_at=at(3, 12))
    waiting.watch(
        resource=kiln, by=student, starts_at=at(3, 10), ends_at=at(3, 11), purpose="research"
    )
    booking_services.cancel(booking=taken, by=faculty)
    held = Booking.objects.get(owner=student)
    assert held.status == BookingStatus.HELD
    client.force_login(student)
    page = client.get(reverse("training:my_bookings")).content.decode()
    assert reverse("training:hold_confirm", args=[held.pk]) in page
    detail = client.get(held.get_absolute_url()).content.decode()
    assert reverse("training:hold_confirm", args=[held.pk]) in detail
    response = client.post(reverse("training:hold_confirm", args=[held.pk]))
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.status == BookingStatus.APPROVED
    assert SlotWatch.objects.get().status == SlotWatchStatus.FULFILLED


def test_a_lapsed_hold_cannot_be_confirmed(client, student):
    kiln = ResourceFactory()
    held = BookingFactory(
        resource=kiln,
        owner=student,
        status=BookingStatus.HELD,
        hold_expires_at=timezone.now() - timedelta(minutes=1),
    )
    client.force_login(student)
    speak(student, "en")
    response = client.post(reverse("training:hold_confirm", args=[held.pk]), follow=True)
    assert "This hold has lapsed" in response.content.decode()
    held.refresh_from_db()
    assert held.status == BookingStatus.HELD
    waiting.lapse_holds()
    held.refresh_from_db()
    assert held.status == BookingStatus.EXPIRED


def test_no_one_confirms_another_persons_hold(client, student, faculty):
    held = BookingFactory(
        owner=student,
        status=BookingStatus.HELD,
        hold_expires_at=timezone.now() + timedelta(hours=2),
    )
    client.force_login(faculty)
    assert client.post(reverse("training:hold_confirm", args=[held.pk])).status_code == 404
    held.refresh_from_db()
    assert held.status == BookingStatus.HELD


# --- A weekly series --------------------------------------------------------------------


def test_a_series_is_checked_before_anything_is_saved(client, student, faculty):
    kiln = ResourceFactory()
    BookingFactory(resource=kiln, owner=faculty, starts_at=at(10, 9), ends_at=at(10, 12))
    client.force_login(student)
    response = client.post(book_url(kiln), form_data(at(3, 9), at(3, 11), weeks="4"))
    assert response.status_code == 200
    assert not Booking.objects.filter(owner=student).exists()
    occurrences = response.context["occurrences"]
    assert len(occurrences) == 4
    assert [o.free for o in occurrences] == [True, False, True, True]
    assert occurrences[1].refusals[0].code == booking_services.Reason.OVERLAP
    html = response.content.decode()
    assert "มีผู้จองแล้ว" in html
    # B.E. years under Thai.
    assert str(timezone.localdate(at(3, 9)).year + 543) in html


def test_the_free_weeks_of_a_series_are_booked(client, student, faculty):
    kiln = ResourceFactory()
    BookingFactory(resource=kiln, owner=faculty, starts_at=at(10, 9), ends_at=at(10, 12))
    client.force_login(student)
    data = form_data(at(3, 9), at(3, 11), weeks="4")
    preview = client.post(book_url(kiln), data)
    free = [o.starts_at.isoformat() for o in preview.context["free"]]
    response = client.post(book_url(kiln), {**data, "step": "confirm", "occurrence": free})
    assert response.status_code == 302
    mine = list(Booking.objects.filter(owner=student).order_by("starts_at"))
    assert [b.starts_at for b in mine] == [at(3, 9), at(17, 9), at(24, 9)]
    assert len({b.series_id for b in mine}) == 1


def test_a_series_clashing_at_confirm_saves_none(client, student, faculty):
    kiln = ResourceFactory()
    client.force_login(student)
    data = form_data(at(3, 9), at(3, 11), weeks="3")
    preview = client.post(book_url(kiln), data)
    free = [o.starts_at.isoformat() for o in preview.context["free"]]
    assert len(free) == 3
    # Someone takes the second week between the check and the confirmation.
    BookingFactory(resource=kiln, owner=faculty, starts_at=at(10, 10), ends_at=at(10, 12))
    speak(student, "en")
    response = client.post(book_url(kiln), {**data, "step": "confirm", "occurrence": free})
    assert response.status_code == 200
    assert not Booking.objects.filter(owner=student).exists()
    html = response.content.decode()
    assert 'id="series-error"' in html
    assert "is already booked" in html
    assert [o.free for o in response.context["occurrences"]] == [True, False, True]


def test_a_forged_occurrence_is_not_booked(client, student):
    kiln = ResourceFactory()
    client.force_login(student)
    data = form_data(at(3, 9), at(3, 11), weeks="2")
    response = client.post(
        book_url(kiln), {**data, "step": "confirm", "occurrence": [at(5, 9).isoformat()]}
    )
    assert response.status_code == 200
    assert not Booking.objects.exists()


def test_too_many_weeks_is_a_form_error(client, student):
    client.force_login(student)
    response = client.post(book_url(ResourceFactory()), form_data(at(3, 9), at(3, 11), weeks="13"))
    assert response.status_code == 200
    assert "weeks" in response.context["form"].errors


# --- My bookings, detail, cancel ----------------------------------------------------------


def test_my_bookings_lists_upcoming_first_then_past(client, student):
    kiln = ResourceFactory()
    later = BookingFactory(resource=kiln, owner=student, starts_at=at(5, 9))
    sooner = BookingFactory(resource=kiln, owner=student, starts_at=at(2, 9))
    old = BookingFactory(resource=kiln, owner=student, starts_at=at(-5, 9), status="completed")
    older = BookingFactory(resource=kiln, owner=student, starts_at=at(-9, 9), status="completed")
    BookingFactory(resource=kiln, starts_at=at(4, 9))  # someone else's
    client.force_login(student)
    response = client.get(reverse("training:my_bookings"))
    assert list(response.context["page"]) == [sooner, later, old, older]


def test_my_bookings_queries_do_not_grow_with_rows(
    client, student, faculty, django_assert_max_num_queries
):
    client.force_login(student)
    kiln = ResourceFactory()
    BookingFactory(resource=kiln, owner=student, starts_at=at(2, 9))
    client.get(reverse("training:my_bookings"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("training:my_bookings"))
    product = ProductFactory()
    for day in range(3, 30):
        BookingFactory(
            resource=ResourceFactory(hours=False),
            owner=student,
            starts_at=at(day, 9),
            status="held" if day % 3 else "approved",
            hold_expires_at=timezone.now() + timedelta(hours=1),
            product=product if day % 2 else None,
        )
    taken = ResourceFactory(hours=False)
    for day in range(3, 9):
        BookingFactory(resource=taken, owner=faculty, starts_at=at(day, 9))
        SlotWatch.objects.create(
            person=student,
            resource=taken,
            starts_at=at(day, 9),
            ends_at=at(day, 10),
            purpose="research",
        )
    with django_assert_max_num_queries(len(few)):
        response = client.get(reverse("training:my_bookings"))
    assert len(response.context["page"]) == 20
    assert len(response.context["watches"]) == 6


def test_my_bookings_is_paginated(client, student):
    kiln = ResourceFactory()
    for day in range(1, 26):
        BookingFactory(resource=kiln, owner=student, starts_at=at(day, 9))
    client.force_login(student)
    response = client.get(reverse("training:my_bookings"), {"page": "2"})
    assert len(response.context["page"]) == 5


def test_the_detail_shows_cool_down_and_purpose(client, student):
    kiln = ResourceFactory(cooldown_minutes=120)
    booking = BookingFactory(
        resource=kiln, owner=student, starts_at=at(3, 9), decision_note="โปรดมาก่อนเวลา"
    )
    client.force_login(student)
    response = client.get(booking.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "13:00" in html  # cool-down until 11:00 + 2 h
    assert "โปรดมาก่อนเวลา" in html
    assert reverse("training:booking_cancel", args=[booking.pk]) in html


@pytest.mark.parametrize("who", ["student2", "outsider", "faculty", "staff_without_2fa"])
def test_no_one_else_sees_a_booking(client, student, outsider, faculty, centre_staff, who):
    booking = BookingFactory(owner=student)
    person = {
        "student2": UserFactory(role="student"),
        "outsider": outsider,
        "faculty": faculty,
        "staff_without_2fa": None,
    }[who]
    if person is None:
        enable_totp(centre_staff)
        client.force_login(centre_staff)  # only the password step: refused
        response = client.get(booking.get_absolute_url())
        assert response.status_code != 200
        return
    client.force_login(person)
    assert client.get(booking.get_absolute_url()).status_code == 404
    assert client.get(reverse("training:booking_cancel", args=[booking.pk])).status_code == 404
    response = client.post(reverse("training:booking_cancel", args=[booking.pk]), CONFIRMED)
    assert response.status_code == 404
    booking.refresh_from_db()
    assert booking.status == BookingStatus.APPROVED


def test_centre_staff_see_a_booking(client, student, staff_2fa):
    booking = BookingFactory(owner=student)
    sign_in(client, staff_2fa)
    response = client.get(booking.get_absolute_url())
    assert response.status_code == 200
    assert "นภา ใจงาม" in response.content.decode()


def test_the_owner_cancels_after_being_asked(client, student):
    booking = BookingFactory(owner=student, starts_at=at(3, 9))
    client.force_login(student)
    url = reverse("training:booking_cancel", args=[booking.pk])
    assert_asks_first(client.get(url))
    assert_asks_first(client.post(url))
    booking.refresh_from_db()
    assert booking.status == BookingStatus.APPROVED
    response = client.post(url, CONFIRMED)
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert booking.cancelled_by == student


def test_the_owner_cannot_cancel_after_the_cut_off(client, student, settings):
    settings.LAB_CANCEL_CUTOFF_HOURS = 2
    start = timezone.now() + timedelta(hours=1)
    booking = BookingFactory(owner=student, starts_at=start, ends_at=start + timedelta(hours=1))
    client.force_login(student)
    speak(student, "en")
    detail = client.get(booking.get_absolute_url()).content.decode()
    assert reverse("training:booking_cancel", args=[booking.pk]) not in detail
    response = client.post(
        reverse("training:booking_cancel", args=[booking.pk]), CONFIRMED, follow=True
    )
    assert "too late to cancel" in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.APPROVED


def test_the_cut_off_in_the_service(student, settings):
    settings.LAB_CANCEL_CUTOFF_HOURS = 2
    from training.exceptions import CancelTooLate

    start = timezone.now() + timedelta(hours=3)
    booking = BookingFactory(owner=student, starts_at=start, ends_at=start + timedelta(hours=1))
    with pytest.raises(CancelTooLate):
        booking_services.cancel(booking=booking, by=student, now=start - timedelta(hours=1))
    booking_services.cancel(booking=booking, by=student, now=start - timedelta(hours=2, minutes=1))
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED


# --- Home pages ------------------------------------------------------------------------


def test_the_student_home_shows_bookings_clearances_and_what_may_be_booked(client, student):
    kind = ClearanceKindFactory()
    other_kind = ClearanceKindFactory(code="gas-kiln", name_th="การใช้เตาแก๊ส", name_en="Gas kiln")
    ClearanceFactory(holder=student, kind=kind, valid_until=timezone.localdate() + timedelta(300))
    ClearanceFactory(
        holder=student,
        kind=other_kind,
        granted_at=timezone.now() - timedelta(days=50),
        valid_until=timezone.localdate() + timedelta(300),
    )
    free = ResourceFactory(name_en="Glaze lab A")
    cleared = ResourceFactory(required_clearance=kind, name_en="Kiln cleared")
    lapsed = ResourceFactory(
        required_clearance=other_kind, clearance_lapse_days=30, name_en="Gas lapsed"
    )
    ResourceFactory(required_clearance=ClearanceKindFactory(code="printer"), name_en="Printer")
    ResourceFactory(status="maintenance", name_en="Broken")
    ResourceFactory(bookable_by=["faculty"], name_en="Faculty only")
    mine = BookingFactory(resource=free, owner=student, starts_at=at(2, 9))
    BookingFactory(resource=free, owner=student, starts_at=at(-3, 9), status="completed")
    client.force_login(student)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert response.context["lab_bookings"] == [mine]
    assert response.context["bookable_resources"] == [free, cleared]
    assert lapsed not in response.context["bookable_resources"]
    html = response.content.decode()
    assert 'id="home-clearance-list"' in html
    # The gas-kiln clearance lapsed 20 days ago for want of use.
    lapse_day = timezone.localdate(timezone.now() - timedelta(days=50)) + timedelta(days=30)
    from training.services.clearances import lapse_date

    gas = student.clearances.get(kind=other_kind)
    assert lapse_date(gas) == lapse_day
    assert response.context["clearances"][1].lapses == lapse_day


def test_the_faculty_home_keeps_its_queries_flat(client, faculty, django_assert_max_num_queries):
    def add(n):
        kind = ClearanceKindFactory(code=f"kind-{n}")
        ClearanceFactory(holder=faculty, kind=kind)
        resource = ResourceFactory(required_clearance=kind, clearance_lapse_days=90)
        BookingFactory(resource=resource, owner=faculty, starts_at=at(n + 1, 9))

    add(0)
    client.force_login(faculty)
    client.get(reverse("home"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("home"))
    for n in range(1, 4):
        add(n)
    with django_assert_max_num_queries(len(few)):
        response = client.get(reverse("home"))
    assert len(response.context["lab_bookings"]) == 4
    assert len(response.context["bookable_resources"]) == 4


def test_the_entrepreneur_home_shows_bookings(client, owner):
    booking = BookingFactory(owner=owner, starts_at=at(2, 9))
    client.force_login(owner)
    response = client.get(reverse("home"))
    assert response.context["lab_bookings"] == [booking]
    assert booking.get_absolute_url() in response.content.decode()


def test_resources_bookable_by_a_role(db):
    from training.models import Resource

    both = ResourceFactory(bookable_by=["student", "faculty"])
    faculty_only = ResourceFactory(bookable_by=["faculty"])
    assert list(Resource.objects.bookable_by_role("student")) == [both]
    assert set(Resource.objects.bookable_by_role("faculty")) == {both, faculty_only}
    assert not Resource.objects.bookable_by_role("officer").exists()
    assert Resource.objects.bookable_by_role("centre_staff").count() == 2


def test_the_entrepreneur_home_shows_the_clearances_they_hold_with_their_expiry(client, owner):
    """Entrepreneurs book kilns for prototypes and may hold clearances; the issue says the
    holder sees them with their expiry on their home page."""
    from tests.factories import ClearanceFactory, ClearanceKindFactory

    kind = ClearanceKindFactory(name_th="การใช้เตาเผาไฟฟ้า")
    clearance = ClearanceFactory(holder=owner, kind=kind)
    client.force_login(owner)
    response = client.get(reverse("home"))
    assert response.context["clearances"] == [clearance]
    page = response.content.decode()
    assert "การใช้เตาเผาไฟฟ้า" in page
    assert format_date(clearance.valid_until) in page


def test_an_entrepreneur_without_clearances_sees_no_empty_clearance_card(client, owner):
    client.force_login(owner)
    response = client.get(reverse("home"))
    assert 'id="home-clearance-list"' not in response.content.decode()
