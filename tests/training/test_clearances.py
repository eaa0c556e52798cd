"""Clearances: staff grant and revoke them (audited, the holder told), the list with its
lapse dates, the lapse after days without use, and the reminder before it."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from notifications import rendering
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
from training.exceptions import BookingRefused
from training.models import BookingStatus, Clearance, Purpose
from training.services import bookings, clearances
from training.services.bookings import Reason

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, staff_2fa):
    return sign_in(client, staff_2fa)


@pytest.fixture
def kind():
    return ClearanceKindFactory()


def be(day):
    return f"{day.day}/{day.month}/{day.year + 543}"


def book_kiln(kiln, person, day=2):
    return bookings.book(
        resource=kiln,
        by=person,
        starts_at=at(day, 9),
        ends_at=at(day, 10),
        purpose=Purpose.RESEARCH,
    )


# --- Grant ----------------------------------------------------------------------------


def test_staff_grant_a_clearance_by_email_with_a_be_date(staff_client, student, kind, staff_2fa):
    until = timezone.localdate() + timedelta(days=200)
    response = staff_client.post(
        reverse("training:clearance_grant"),
        {"email": student.email.upper(), "kind": kind.pk, "valid_until": be(until), "note": "ผ่าน"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("training:clearance_list")
    clearance = Clearance.objects.get(holder=student, kind=kind)
    assert clearance.valid_until == until
    assert clearance.granted_by == staff_2fa
    assert clearance.note == "ผ่าน"
    entry = AuditEntry.objects.get(action="clearance.grant", target_id=str(clearance.pk))
    assert entry.actor == staff_2fa
    assert entry.data["holder"] == student.pk
    notice = Notification.objects.get(recipient=student, kind="clearance_granted")
    assert notice.target == clearance


def test_the_grant_page_opens(staff_client, kind):
    response = staff_client.get(reverse("training:clearance_grant"))
    assert response.status_code == 200
    assert kind.name_th in response.content.decode()


@pytest.mark.parametrize(
    "email",
    [
        "nobody@example.com",  # no account
        "staff@kokha.example",  # centre staff (the person signed in)
        "officer@diprom.example",  # an officer
        "closed@example.com",  # a closed account
        "not an email",
        "student@dome.tu.ac.th\x00",
    ],
)
def test_a_grant_to_someone_who_cannot_hold_it_is_refused_clearly(
    staff_client, officer, kind, email
):
    UserFactory(email="closed@example.com", role="student", is_active=False)
    response = staff_client.post(
        reverse("training:clearance_grant"),
        {"email": email, "kind": kind.pk, "valid_until": be(timezone.localdate())},
    )
    assert response.status_code in (400, 200)
    if response.status_code == 400 and "form" in response.context:
        assert response.context["form"].errors["email"]
    assert not Clearance.objects.exists()
    assert not AuditEntry.objects.filter(action="clearance.grant").exists()


def test_a_grant_ending_in_the_past_is_refused(staff_client, student, kind):
    yesterday = timezone.localdate() - timedelta(days=1)
    response = staff_client.post(
        reverse("training:clearance_grant"),
        {"email": student.email, "kind": kind.pk, "valid_until": be(yesterday)},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["valid_until"]
    assert not Clearance.objects.exists()


def test_a_bad_date_is_a_form_error(staff_client, student, kind):
    response = staff_client.post(
        reverse("training:clearance_grant"),
        {"email": student.email, "kind": kind.pk, "valid_until": "31/02/2569"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["valid_until"]


def test_granting_again_extends_the_one_clearance(staff_client, faculty, kind):
    ClearanceFactory(holder=faculty, kind=kind, valid_until=timezone.localdate())
    later = timezone.localdate() + timedelta(days=90)
    staff_client.post(
        reverse("training:clearance_grant"),
        {"email": faculty.email, "kind": kind.pk, "valid_until": be(later)},
    )
    assert Clearance.objects.get(holder=faculty).valid_until == later


# --- Revoke ---------------------------------------------------------------------------


def test_revoking_asks_first_and_needs_a_reason(staff_client, student, kind, staff_2fa):
    clearance = ClearanceFactory(holder=student, kind=kind)
    url = reverse("training:clearance_revoke", args=[clearance.pk])
    response = staff_client.get(url)
    assert response.status_code == 200
    assert student.full_name in response.content.decode()

    staff_client.post(url, {"reason": "ใช้เตาผิดวิธี"})  # no confirmation: asks again
    staff_client.post(url, {"confirmed": "yes", "reason": "   "})
    clearance.refresh_from_db()
    assert clearance.revoked_at is None

    response = staff_client.post(url, {"confirmed": "yes", "reason": "ใช้เตาผิดวิธี"})
    assert response["Location"] == reverse("training:clearance_list")
    clearance.refresh_from_db()
    assert clearance.revoked_at is not None
    assert clearance.revoked_by == staff_2fa
    assert clearance.revoke_reason == "ใช้เตาผิดวิธี"
    assert AuditEntry.objects.filter(
        action="clearance.revoke", target_id=str(clearance.pk), actor=staff_2fa
    ).exists()
    assert Notification.objects.filter(recipient=student, kind="clearance_revoked").exists()
    # Revoked: the page is gone, and booking needs it again.
    assert staff_client.get(url).status_code == 404
    with pytest.raises(BookingRefused) as refused:
        book_kiln(ResourceFactory(required_clearance=kind), student)
    assert refused.value.code == Reason.NO_CLEARANCE


# --- The list -------------------------------------------------------------------------


def test_the_list_filters_by_kind_and_finds_holders_by_name_or_email(staff_client, kind):
    other_kind = ClearanceKindFactory(code="glaze-lab", name_th="ห้องเคลือบ", name_en="Glaze lab")
    napa = UserFactory(role="student", full_name="นภา ใจงาม", email="napa@dome.tu.ac.th")
    kamol = UserFactory(role="faculty", full_name="กมล วงศ์ดี", email="kamol@tu.ac.th")
    a = ClearanceFactory(holder=napa, kind=kind)
    b = ClearanceFactory(holder=kamol, kind=other_kind)
    revoked = ClearanceFactory(holder=kamol, kind=kind, revoked_at=timezone.now())
    url = reverse("training:clearance_list")

    def shown(**query):
        response = staff_client.get(url, query)
        assert response.status_code == 200
        return set(response.context["page_obj"])

    assert shown() == {a, b}
    assert shown(kind=other_kind.pk) == {b}
    assert shown(q="ใจงาม") == {a}
    assert shown(q="KAMOL@") == {b}
    assert shown(q="kamol", revoked="on") == {b, revoked}
    assert staff_client.get(url, {"q": "\x00", "kind": "x"}).status_code in (200, 400)


def test_the_list_shows_the_lapse_date_of_the_strictest_resource(staff_client, student, kind):
    ResourceFactory(required_clearance=kind, clearance_lapse_days=90)
    ResourceFactory(required_clearance=kind, clearance_lapse_days=30)
    clearance = ClearanceFactory(holder=student, kind=kind)
    response = staff_client.get(reverse("training:clearance_list"))
    (shown,) = response.context["page_obj"]
    assert shown.lapse_on == clearances.lapse_date(clearance)
    assert shown.lapse_on == timezone.localdate() + timedelta(days=30)


def test_the_list_takes_the_same_queries_for_many_rows(
    staff_client, kind, django_assert_max_num_queries
):
    ResourceFactory(required_clearance=kind, clearance_lapse_days=30)

    def grant(n):
        for _ in range(n):
            ClearanceFactory(holder=UserFactory(role="student"), kind=kind)

    grant(2)
    with django_assert_max_num_queries(20) as few:
        staff_client.get(reverse("training:clearance_list"))
    grant(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert staff_client.get(reverse("training:clearance_list")).status_code == 200


# --- Lapse ----------------------------------------------------------------------------


def test_a_clearance_unused_for_n_days_lapses_and_a_completed_booking_renews_it(
    client, staff_2fa, student, kind
):
    kiln = ResourceFactory(required_clearance=kind, clearance_lapse_days=30)
    clearance = ClearanceFactory(
        holder=student, kind=kind, granted_at=timezone.now() - timedelta(days=40)
    )
    # The person's language names the clearance and where it is earned.
    with translation.override("en"), pytest.raises(BookingRefused) as refused:
        book_kiln(kiln, student)
    assert refused.value.code == Reason.CLEARANCE_LAPSED
    with translation.override("en"):
        message = str(refused.value.message)
    assert "Electric kiln operation" in message
    assert "30 days" in message
    assert "the kiln-operation course at the Ko Kha centre" in message

    # Staff complete a use of it (checked in before the lapse was noticed).
    used = BookingFactory(
        resource=kiln, owner=student, starts_at=at(-1, 9), status=BookingStatus.CHECKED_IN
    )
    sign_in(client, staff_2fa)
    client.post(reverse("training:booking_complete", args=[used.pk]))
    clearance.refresh_from_db()
    assert clearance.last_used_at is not None
    assert book_kiln(kiln, student).status == BookingStatus.APPROVED


def test_a_missing_clearance_names_where_it_is_earned(student, kind):
    kiln = ResourceFactory(required_clearance=kind)
    with translation.override("en"), pytest.raises(BookingRefused) as refused:
        book_kiln(kiln, student)
    assert refused.value.code == Reason.NO_CLEARANCE
    with translation.override("en"):
        assert "the kiln-operation course at the Ko Kha centre" in str(refused.value.message)


def test_the_holder_is_reminded_once_before_a_clearance_lapses(student, kind):
    ResourceFactory(required_clearance=kind, clearance_lapse_days=30)
    clearance = ClearanceFactory(
        holder=student, kind=kind, granted_at=timezone.now() - timedelta(days=20)
    )
    assert clearances.remind_lapsing() == 1
    assert clearances.remind_lapsing() == 0
    notice = Notification.objects.get(recipient=student, kind="clearance_lapsing")
    assert notice.target == clearance
    assert notice.email is not None
    ends = timezone.localdate() + timedelta(days=10)
    assert str(ends.year + 543) in notice.email.body


# --- The notices ----------------------------------------------------------------------


@pytest.mark.parametrize("language", ["th", "en"])
@pytest.mark.parametrize(
    "kind_name", ["clearance_granted", "clearance_revoked", "clearance_lapsing"]
)
def test_the_notices_render_in_each_language(student, kind, language, kind_name):
    clearance = ClearanceFactory(holder=student, kind=kind, note="ผ่านการอบรม")
    subject, body, _html = rendering.render_email(
        kind_name,
        recipient=student,
        obj=clearance,
        url="/lab/",
        context={"reason": "ใช้เตาผิดวิธี", "ends": timezone.localdate()},
        language=language,
    )
    name = kind.name_en if language == "en" else kind.name_th
    assert name in subject
    assert name in body
    assert "{{" not in body and "{%" not in body
    if kind_name == "clearance_revoked":
        assert "ใช้เตาผิดวิธี" in body
    with translation.override(language):
        notification = Notification(recipient=student, kind=kind_name)
        notification.target = clearance
        assert name in rendering.render_subject(notification)


# --- Who may open these pages ---------------------------------------------------------


def clearance_urls(kind):
    clearance = ClearanceFactory(kind=kind)
    return [
        reverse("training:clearance_list"),
        reverse("training:clearance_grant"),
        reverse("training:clearance_revoke", args=[clearance.pk]),
    ]


@pytest.mark.parametrize("person", ["student", "faculty", "owner", "outsider", "officer_2fa"])
def test_other_roles_are_refused(client, request, person, kind):
    sign_in(client, request.getfixturevalue(person))
    for url in clearance_urls(kind):
        assert client.get(url).status_code == 403
    response = client.post(
        reverse("training:clearance_grant"),
        {"email": "student@dome.tu.ac.th", "kind": kind.pk, "valid_until": "1/1/2600"},
    )
    assert response.status_code == 403
    assert Clearance.objects.count() == 1


def test_anonymous_visitors_are_sent_to_sign_in(client, kind):
    for url in clearance_urls(kind):
        response = client.get(url)
        assert response["Location"].startswith(reverse("account_login"))


def test_staff_without_the_sessions_two_factor_are_asked_for_the_code(client, staff_2fa, kind):
    client.force_login(staff_2fa)
    for url in clearance_urls(kind):
        response = client.get(url)
        assert response["Location"].startswith(reverse("mfa_reauthenticate"))
