"""The centre staff's day in the lab, through HTTP: approvals, check-in, completion,
staff cancel, expiry, no-shows and suspensions, and who may open these pages."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from tests.conftest import sign_in
from tests.factories import (
    BookingFactory,
    ClearanceFactory,
    ClearanceKindFactory,
    ResourceFactory,
    UserFactory,
    at,
)
from toolkit.models import AuditEntry
from training.models import Blackout, Booking, BookingStatus, Purpose, Suspension
from training.services import bookings
from training.services.bookings import Reason

pytestmark = pytest.mark.django_db

S = BookingStatus


@pytest.fixture
def staff_client(client, staff_2fa):
    return sign_in(client, staff_2fa)


def texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def notified(person, kind):
    return Notification.objects.filter(recipient=person, kind=kind).count()


def audited(action, target):
    return AuditEntry.objects.filter(
        action=action, target_type=target._meta.label_lower, target_id=str(target.pk)
    ).count()


def requested(**kw):
    kw.setdefault("status", S.REQUESTED)
    return BookingFactory(**kw)


# --- Approvals ------------------------------------------------------------------------


def test_the_queue_lists_requests_soonest_first_with_what_they_are_for(staff_client, student):
    later = requested(owner=student, starts_at=at(3, 9), description="เผาแจกัน")
    sooner = requested(owner=student, starts_at=at(2, 13))
    BookingFactory(owner=student, starts_at=at(4, 9))  # approved already: not listed
    response = staff_client.get(reverse("training:approvals"))
    assert response.status_code == 200
    assert list(response.context["page_obj"]) == [sooner, later]
    body = response.content.decode()
    assert student.full_name in body
    assert "เผาแจกัน" in body
    assert later.resource.name_th in body


def test_approving_one_request_notifies_and_audits(staff_client, student):
    booking = requested(owner=student)
    response = staff_client.post(
        reverse("training:booking_decide", args=[booking.pk]), {"decision": "approve"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("training:approvals")
    booking.refresh_from_db()
    assert booking.status == S.APPROVED
    assert booking.decided_by is not None
    assert notified(student, "booking_approved") == 1
    assert audited("booking.approve", booking) == 1


def test_rejecting_needs_a_note(staff_client, student):
    booking = requested(owner=student)
    url = reverse("training:booking_decide", args=[booking.pk])
    response = staff_client.post(url, {"decision": "reject", "note": "  "})
    assert response.status_code == 400
    assert "note" in response.context["form"].errors
    booking.refresh_from_db()
    assert booking.status == S.REQUESTED

    response = staff_client.post(url, {"decision": "reject", "note": "เตาไม่ว่างช่วงนั้น"})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == S.REJECTED
    assert booking.decision_note == "เตาไม่ว่างช่วงนั้น"
    assert notified(student, "booking_rejected") == 1
    assert audited("booking.reject", booking) == 1


def test_the_decision_page_opens_for_a_request(staff_client, student):
    booking = requested(owner=student)
    response = staff_client.get(reverse("training:booking_decide", args=[booking.pk]))
    assert response.status_code == 200
    assert student.full_name in response.content.decode()


def test_deciding_twice_is_refused_with_a_message(staff_client, student):
    booking = requested(owner=student)
    url = reverse("training:booking_decide", args=[booking.pk])
    staff_client.post(url, {"decision": "approve"})
    response = staff_client.post(url, {"decision": "reject", "note": "ช้าไป"})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == S.APPROVED
    assert len(texts(response)) == 2  # the first success, then the refusal


def test_bulk_approve_rechecks_each_and_lists_the_refused_with_the_reason(
    staff_client, student, faculty
):
    fine = requested(owner=student, starts_at=at(2, 9))
    other = requested(owner=faculty, starts_at=at(2, 9))
    # Since the request, its resource went under maintenance: approve() checks again.
    other.resource.status = "maintenance"
    other.resource.save()
    response = staff_client.post(
        reverse("training:approvals"), {"bookings": [fine.pk, other.pk]}, follow=True
    )
    fine.refresh_from_db()
    other.refresh_from_db()
    assert fine.status == S.APPROVED
    assert other.status == S.REQUESTED
    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 2
    refused = [m for m in messages if faculty.full_name in m]
    assert refused and other.resource.name_th in refused[0]
    assert notified(student, "booking_approved") == 1
    assert notified(faculty, "booking_approved") == 0


def test_bulk_approve_refuses_a_request_a_blackout_now_covers(staff_client, student):
    booking = requested(owner=student, starts_at=at(2, 9))
    Blackout.objects.create(
        resource=booking.resource, starts_at=at(2, 8), ends_at=at(2, 12), reason="holiday"
    )
    response = staff_client.post(reverse("training:approvals"), {"bookings": [booking.pk]})
    booking.refresh_from_db()
    assert booking.status == S.REQUESTED
    assert len(texts(response)) == 1


def test_bulk_approve_lists_a_booking_decided_since_the_page_was_shown(
    staff_client, student, faculty
):
    fine = requested(owner=student, starts_at=at(2, 9))
    decided = requested(owner=faculty, starts_at=at(3, 9), status=S.REJECTED)
    response = staff_client.post(reverse("training:approvals"), {"bookings": [fine.pk, decided.pk]})
    fine.refresh_from_db()
    decided.refresh_from_db()
    assert fine.status == S.APPROVED
    assert decided.status == S.REJECTED
    messages = texts(response)
    assert len(messages) == 2
    assert any(faculty.full_name in m for m in messages)


def test_bulk_approve_with_nothing_chosen_says_so(staff_client):
    response = staff_client.post(reverse("training:approvals"), {})
    assert response.status_code == 302
    assert len(texts(response)) == 1
    response = staff_client.post(reverse("training:approvals"), {"bookings": ["x\x00"]})
    assert response.status_code in (302, 400)


def test_an_undecided_request_expires_at_its_start(student):
    booking = requested(owner=student, starts_at=at(1, 9))
    assert bookings.expire_requests(now=at(1, 8)) == 0
    assert bookings.expire_requests(now=at(1, 9, 1)) == 1
    booking.refresh_from_db()
    assert booking.status == S.EXPIRED
    assert notified(student, "booking_expired") == 1


def test_an_expired_request_can_no_longer_be_approved(staff_client, student):
    booking = requested(owner=student, starts_at=at(1, 9))
    bookings.expire_requests(now=at(1, 9, 1))
    staff_client.post(
        reverse("training:booking_decide", args=[booking.pk]), {"decision": "approve"}
    )
    booking.refresh_from_db()
    assert booking.status == S.EXPIRED


# --- Today: check-in, completion ------------------------------------------------------


def today_at(hour, minute=0):
    return at(0, hour, minute)


def test_today_lists_those_to_check_in_and_those_checked_in(staff_client, student):
    to_check_in = BookingFactory(owner=student, starts_at=today_at(9))
    in_use = BookingFactory(owner=student, starts_at=today_at(13), status=S.CHECKED_IN)
    BookingFactory(owner=student, starts_at=at(1, 9))  # tomorrow
    requested(owner=student, starts_at=today_at(16))  # not approved
    response = staff_client.get(reverse("training:today"))
    assert response.status_code == 200
    assert list(response.context["to_check_in"]) == [to_check_in]
    assert list(response.context["checked_in"]) == [in_use]


def test_approved_to_checked_in_to_completed_updates_the_clearance(staff_client, student):
    kind = ClearanceKindFactory()
    kiln = ResourceFactory(required_clearance=kind)
    clearance = ClearanceFactory(holder=student, kind=kind)
    booking = BookingFactory(owner=student, resource=kiln, starts_at=today_at(9))

    response = staff_client.post(reverse("training:booking_check_in", args=[booking.pk]))
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == S.CHECKED_IN
    assert booking.checked_in_at is not None

    response = staff_client.post(reverse("training:booking_complete", args=[booking.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("training:usage_record", args=[booking.pk])
    booking.refresh_from_db()
    assert booking.status == S.COMPLETED
    clearance.refresh_from_db()
    assert clearance.last_used_at == booking.completed_at


def test_completing_before_check_in_is_refused(staff_client, student):
    booking = BookingFactory(owner=student, starts_at=today_at(9))
    response = staff_client.post(reverse("training:booking_complete", args=[booking.pk]))
    assert response["Location"] == reverse("training:today")
    booking.refresh_from_db()
    assert booking.status == S.APPROVED
    assert len(texts(response)) == 1


def test_check_in_takes_post_only(staff_client, student):
    booking = BookingFactory(owner=student, starts_at=today_at(9))
    response = staff_client.get(reverse("training:booking_check_in", args=[booking.pk]))
    assert response.status_code == 405
    booking.refresh_from_db()
    assert booking.status == S.APPROVED


# --- Staff cancel ---------------------------------------------------------------------


def test_staff_cancel_asks_first_and_needs_a_reason(staff_client, student, staff_2fa):
    booking = BookingFactory(owner=student, starts_at=today_at(15))
    url = reverse("training:booking_staff_cancel", args=[booking.pk])

    response = staff_client.get(url)
    assert response.status_code == 200
    assert student.full_name in response.content.decode()

    # A one-tap POST without the confirmation page's answer only asks again.
    response = staff_client.post(url, {"reason": "เตาเสีย"})
    assert response.status_code == 200
    booking.refresh_from_db()
    assert booking.status == S.APPROVED

    response = staff_client.post(url, {"confirmed": "yes", "reason": ""})
    assert response.status_code == 400
    booking.refresh_from_db()
    assert booking.status == S.APPROVED

    response = staff_client.post(
        url, {"confirmed": "yes", "reason": "เตาเสีย", "next": reverse("training:today")}
    )
    assert response["Location"] == reverse("training:today")
    booking.refresh_from_db()
    assert booking.status == S.CANCELLED
    assert booking.cancelled_by == staff_2fa
    assert booking.cancel_reason == "เตาเสีย"
    assert notified(student, "booking_cancelled") == 1
    assert audited("booking.cancel", booking) == 1


def test_staff_cancel_goes_back_only_to_our_own_pages(staff_client, student):
    booking = BookingFactory(owner=student, starts_at=today_at(15))
    response = staff_client.post(
        reverse("training:booking_staff_cancel", args=[booking.pk]),
        {"confirmed": "yes", "reason": "ปิดศูนย์", "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("training:staff_booking_list")


def test_a_completed_booking_cannot_be_cancelled(staff_client, student):
    booking = BookingFactory(owner=student, starts_at=at(-1, 9), status=S.COMPLETED)
    url = reverse("training:booking_staff_cancel", args=[booking.pk])
    assert staff_client.get(url).status_code == 200
    staff_client.post(url, {"confirmed": "yes", "reason": "ลอง"})
    booking.refresh_from_db()
    assert booking.status == S.COMPLETED


# --- The staff booking list -----------------------------------------------------------


def test_the_booking_list_filters_by_resource_state_and_dates(staff_client, student):
    kiln, printer = ResourceFactory(), ResourceFactory(kind="clay_printer")
    a = BookingFactory(resource=kiln, owner=student, starts_at=at(1, 9))
    b = BookingFactory(resource=kiln, owner=student, starts_at=at(5, 9), status=S.REQUESTED)
    c = BookingFactory(resource=printer, owner=student, starts_at=at(1, 9))
    url = reverse("training:staff_booking_list")

    def shown(**query):
        response = staff_client.get(url, query)
        assert response.status_code == 200
        return set(response.context["page_obj"])

    assert shown() == {a, b, c}
    assert shown(resource=kiln.pk) == {a, b}
    assert shown(status="requested") == {b}
    day = timezone.localdate() + timedelta(days=1)
    be = f"{day.day}/{day.month}/{day.year + 543}"
    assert shown(date_from=be, date_to=be) == {a, c}
    assert shown(date_from=be) == {a, b, c}
    # Bad input: a clear error on the form, an empty list, never a 500.
    response = staff_client.get(url, {"date_from": "32/13/2569", "status": "nonsense"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert staff_client.get(url, {"resource": "1\x00"}).status_code in (200, 400)


# --- No-shows and suspensions ---------------------------------------------------------


def past_bookings(person, days_ago, resource=None):
    resource = resource or ResourceFactory()
    return [BookingFactory(resource=resource, owner=person, starts_at=at(-d, 9)) for d in days_ago]


def test_a_booking_not_checked_in_becomes_a_no_show(staff_client, student):
    (booking,) = past_bookings(student, [1])
    assert bookings.mark_no_shows() == 1
    booking.refresh_from_db()
    assert booking.status == S.NO_SHOW
    assert notified(student, "booking_no_show") == 1
    response = staff_client.get(reverse("training:no_shows"))
    assert list(response.context["page_obj"]) == [booking]
    assert not Suspension.objects.exists()


def test_the_limit_of_no_shows_in_the_window_suspends_and_staff_lift_it(
    staff_client, student, settings
):
    settings.LAB_NO_SHOW_LIMIT = 3
    settings.LAB_NO_SHOW_WINDOW_DAYS = 90
    past_bookings(student, [1, 2, 3])
    assert bookings.mark_no_shows() == 3
    suspension = Suspension.objects.get(person=student)
    assert suspension.is_active
    assert notified(student, "booking_suspended") == 1

    kiln = ResourceFactory()
    with pytest.raises(bookings.BookingRefused) as refused:
        bookings.book(
            resource=kiln,
            by=student,
            starts_at=at(2, 9),
            ends_at=at(2, 10),
            purpose=Purpose.RESEARCH,
        )
    assert refused.value.code == Reason.SUSPENDED

    response = staff_client.get(reverse("training:suspension_list"))
    assert list(response.context["active"]) == [suspension]

    url = reverse("training:suspension_lift", args=[suspension.pk])
    response = staff_client.get(url)  # asks first
    assert response.status_code == 200
    suspension.refresh_from_db()
    assert suspension.lifted_at is None

    response = staff_client.post(url, {"confirmed": "yes"})
    assert response["Location"] == reverse("training:suspension_list")
    suspension.refresh_from_db()
    assert suspension.lifted_at is not None
    assert audited("suspension.lift", suspension) == 1
    assert notified(student, "booking_suspension_lifted") == 1
    response = staff_client.get(reverse("training:suspension_list"))
    assert list(response.context["active"]) == []
    assert list(response.context["page_obj"]) == [suspension]

    booking = bookings.book(
        resource=kiln, by=student, starts_at=at(2, 9), ends_at=at(2, 10), purpose=Purpose.RESEARCH
    )
    assert booking.status == S.APPROVED


def test_no_shows_outside_the_window_do_not_count(student, settings):
    settings.LAB_NO_SHOW_LIMIT = 3
    settings.LAB_NO_SHOW_WINDOW_DAYS = 90
    past_bookings(student, [1, 2, 100])
    assert bookings.mark_no_shows() == 3
    assert not Suspension.objects.exists()


def test_lifting_a_lifted_suspension_changes_nothing(staff_client, student, staff_2fa):
    suspension = Suspension.objects.create(
        person=student, ends_at=timezone.now() + timedelta(days=30)
    )
    bookings.lift_suspension(suspension=suspension, by=staff_2fa)
    response = staff_client.post(
        reverse("training:suspension_lift", args=[suspension.pk]), {"confirmed": "yes"}
    )
    assert response.status_code == 302
    assert audited("suspension.lift", suspension) == 1


# --- Who may open these pages ---------------------------------------------------------

OPS_PAGES = [
    ("training:approvals", False),
    ("training:today", False),
    ("training:staff_booking_list", False),
    ("training:no_shows", False),
    ("training:suspension_list", False),
    ("training:booking_decide", True),
    ("training:booking_staff_cancel", True),
    ("training:suspension_lift", True),
]


def page_urls():
    booking = requested(starts_at=at(2, 9))
    suspension = Suspension.objects.create(
        person=booking.owner, ends_at=timezone.now() + timedelta(days=3)
    )
    ids = {"training:suspension_lift": suspension.pk}
    return [
        reverse(name, args=[ids.get(name, booking.pk)]) if takes_id else reverse(name)
        for name, takes_id in OPS_PAGES
    ]


@pytest.mark.parametrize("person", ["student", "faculty", "owner", "outsider", "officer_2fa"])
def test_other_roles_are_refused(client, request, person):
    sign_in(client, request.getfixturevalue(person))
    for url in page_urls():
        if person == "officer_2fa" and url == reverse("training:staff_booking_list"):
            # Officers read the list from their dashboard (tests/reports/test_officer_dashboard.py).
            assert client.get(url).status_code == 200
            continue
        assert client.get(url).status_code == 403, url
    booking = requested(starts_at=at(3, 9))
    for name in ("booking_check_in", "booking_complete", "booking_decide"):
        response = client.post(
            reverse(f"training:{name}", args=[booking.pk]), {"decision": "approve"}
        )
        assert response.status_code == 403
    booking.refresh_from_db()
    assert booking.status == S.REQUESTED


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for url in page_urls():
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_staff_without_the_sessions_two_factor_are_asked_for_the_code(client, staff_2fa):
    client.force_login(staff_2fa)  # the password step only
    booking = requested(starts_at=at(3, 9))
    for url in page_urls():
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("mfa_reauthenticate"))
    response = client.post(
        reverse("training:booking_decide", args=[booking.pk]), {"decision": "approve"}
    )
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == S.REQUESTED


def test_staff_without_a_device_are_sent_to_set_one_up(client, centre_staff):
    client.force_login(centre_staff)
    response = client.get(reverse("training:approvals"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_the_owner_of_a_booking_cannot_decide_it(student):
    booking = requested(owner=student)
    c = sign_in(Client(), student)
    response = c.post(
        reverse("training:booking_decide", args=[booking.pk]), {"decision": "approve"}
    )
    assert response.status_code == 403


# --- Query counts ---------------------------------------------------------------------


def many_bookings(n, status, *, day_offset=2, hour=9):
    """n bookings of n people, each on its own resource, in `status`."""
    return [
        BookingFactory(
            resource=ResourceFactory(),
            owner=UserFactory(role="student"),
            starts_at=at(day_offset, hour),
            status=status,
        )
        for _ in range(n)
    ]


@pytest.mark.parametrize(
    ("name", "status", "day_offset"),
    [
        ("training:approvals", S.REQUESTED, 2),
        ("training:today", S.APPROVED, 0),
        ("training:today", S.CHECKED_IN, 0),
        ("training:staff_booking_list", S.APPROVED, 2),
        ("training:no_shows", S.NO_SHOW, -2),
    ],
)
def test_lists_take_the_same_queries_for_many_rows(
    staff_client, django_assert_max_num_queries, name, status, day_offset
):
    many_bookings(2, status, day_offset=day_offset)
    with django_assert_max_num_queries(20) as few:
        assert staff_client.get(reverse(name)).status_code == 200
    many_bookings(20, status, day_offset=day_offset)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = staff_client.get(reverse(name))
    assert response.status_code == 200


def test_the_suspension_list_takes_the_same_queries_for_many_rows(
    staff_client, django_assert_max_num_queries, staff_2fa
):
    def suspensions(n):
        for _ in range(n):
            person = UserFactory(role="student")
            Suspension.objects.create(person=person, ends_at=timezone.now() + timedelta(days=3))
            Suspension.objects.create(
                person=person,
                starts_at=timezone.now() - timedelta(days=60),
                ends_at=timezone.now() - timedelta(days=30),
                lifted_by=staff_2fa,
                lifted_at=timezone.now() - timedelta(days=40),
            )

    suspensions(2)
    with django_assert_max_num_queries(20) as few:
        staff_client.get(reverse("training:suspension_list"))
    suspensions(15)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert staff_client.get(reverse("training:suspension_list")).status_code == 200


def test_everything_staff_saw_was_saved_in_one_state_each(staff_client, student):
    """A check-in of a booking already cancelled is refused, not half-applied."""
    booking = BookingFactory(owner=student, starts_at=today_at(9), status=S.CANCELLED)
    staff_client.post(reverse("training:booking_check_in", args=[booking.pk]))
    assert Booking.objects.get(pk=booking.pk).status == S.CANCELLED


# --- The centre staff home ------------------------------------------------------------


def test_the_staff_home_shows_the_labs_day(staff_client, student):
    to_check_in = BookingFactory(owner=student, starts_at=today_at(10))
    waiting = requested(owner=student, starts_at=at(3, 9))
    no_show = BookingFactory(owner=student, starts_at=at(-1, 9), status=S.NO_SHOW)
    broken = ResourceFactory(status="maintenance", name_th="เตาแก๊สซ่อม")
    Blackout.objects.create(starts_at=at(5, 8), ends_at=at(5, 17), reason="holiday")
    Blackout.objects.create(starts_at=at(-5, 8), ends_at=at(-5, 17), reason="holiday")  # past
    response = staff_client.get(reverse("home"))
    assert response.status_code == 200
    ctx = response.context
    assert ctx["booking_counts"] == {"to_check_in": 1, "pending": 1, "checked_in": 0, "no_shows": 1}
    assert ctx["to_check_in"] == [to_check_in]
    assert ctx["pending_bookings"] == [waiting]
    assert ctx["recent_no_shows"] == [no_show]
    assert ctx["under_maintenance"] == [broken]
    assert ctx["upcoming_blackouts"] == 1
    assert "material_count" in ctx
    body = response.content.decode()
    assert "เตาแก๊สซ่อม" in body
    assert reverse("training:approvals") in body


def test_the_staff_home_without_a_device_shows_no_lab_figures(client, centre_staff):
    requested(starts_at=at(3, 9))
    client.force_login(centre_staff)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "booking_counts" not in response.context
    assert response.context["needs_mfa_setup"]


def test_the_staff_home_takes_the_same_queries_for_many_rows(
    staff_client, django_assert_max_num_queries
):
    def fill(n):
        many_bookings(n, S.APPROVED, day_offset=0, hour=10)
        many_bookings(n, S.REQUESTED)
        many_bookings(n, S.NO_SHOW, day_offset=-1)
        for _ in range(n):
            ResourceFactory(status="maintenance")

    fill(2)
    with django_assert_max_num_queries(30) as few:
        staff_client.get(reverse("home"))
    fill(12)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert staff_client.get(reverse("home")).status_code == 200


# --- Both languages -------------------------------------------------------------------


def test_the_pages_speak_thai_with_buddhist_era_dates(staff_client, student):
    booking = requested(owner=student, starts_at=at(2, 9))
    body = staff_client.get(reverse("training:approvals")).content.decode()
    assert "การจองที่รออนุมัติ" in body
    assert str(booking.starts_at.year + 543) in body
    assert "Bookings waiting for approval" not in body


def test_the_pages_speak_english_to_staff_who_chose_it(client, staff_2fa, student):
    staff_2fa.language = "en"
    staff_2fa.save(update_fields=["language"])
    sign_in(client, staff_2fa)
    booking = requested(owner=student, starts_at=at(2, 9))
    pages = {
        "training:approvals": "Bookings waiting for approval",
        "training:today": "To check in",
        "training:staff_booking_list": "All bookings",
        "training:no_shows": "No-shows",
        "training:suspension_list": "Booking suspensions",
        "training:clearance_list": "Grant a clearance",
        "training:clearance_grant": "Email of the person",
        "home": "Waiting for approval",
    }
    for name, text in pages.items():
        body = client.get(reverse(name)).content.decode()
        assert text in body, name
    body = client.get(reverse("training:approvals")).content.decode()
    assert str(booking.starts_at.year) in body
    assert "การจองที่รออนุมัติ" not in body
