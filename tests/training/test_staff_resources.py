"""Centre staff's pages of resources, clearance kinds, blackouts, maintenance and usage logs."""

import io
from datetime import time, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from notifications.models import Notification, OutboundEmail
from tests.conftest import enable_totp, sign_in
from tests.factories import (
    BookingFactory,
    ClearanceKindFactory,
    EnterpriseFactory,
    ProductFactory,
    ResourceFactory,
    UserFactory,
    at,
)
from toolkit.models import AuditEntry
from toolkit.thaidates import format_date_input
from training.models import (
    Blackout,
    BookingStatus,
    ClearanceKind,
    MaintenanceRecord,
    OpeningHours,
    Resource,
    UsageLog,
)
from training.services import blackouts as blackout_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, staff_2fa):
    return sign_in(client, staff_2fa)


@pytest.fixture
def english_staff_client(client, staff_2fa):
    staff_2fa.language = "en"
    staff_2fa.save(update_fields=["language"])
    return sign_in(client, staff_2fa)


def photo_upload(name="kiln.jpg", size=(64, 48)):
    out = io.BytesIO()
    Image.new("RGB", size, (180, 90, 40)).save(out, format="JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def hours_management(prefix="hours", total=0, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def resource_data(**overrides):
    data = {
        "kind": "electric_kiln",
        "name_th": "เตาเผาไฟฟ้า 3",
        "name_en": "Electric kiln 3",
        "location": "อาคาร 2",
        "description_th": "",
        "description_en": "",
        "slot_minutes": "30",
        "min_minutes": "60",
        "max_minutes": "480",
        "earliest_hours": "24",
        "latest_days": "60",
        "cooldown_minutes": "480",
        "required_clearance": "",
        "clearance_lapse_days": "",
        "needs_approval": "on",
        "bookable_by": ["student", "faculty"],
        "weekly_limit_hours": "8",
        "no_show_after_minutes": "15",
        "status": "in_service",
        **hours_management(total=3),
        "hours-0-weekday": "0",
        "hours-0-opens": "08:00",
        "hours-0-closes": "12:00",
        "hours-1-weekday": "0",
        "hours-1-opens": "13:00",
        "hours-1-closes": "17:00",
        "hours-2-weekday": "",
        "hours-2-opens": "",
        "hours-2-closes": "",
    }
    data.update(overrides)
    return data


def staff_urls(resource, booking, blackout, kind):
    return [
        reverse("training:resource_list"),
        reverse("training:resource_create"),
        reverse("training:staff_resource_detail", args=[resource.pk]),
        reverse("training:resource_edit", args=[resource.pk]),
        reverse("training:maintenance_create", args=[resource.pk]),
        reverse("training:maintenance_list", args=[resource.pk]),
        reverse("training:clearance_kind_list"),
        reverse("training:clearance_kind_create"),
        reverse("training:clearance_kind_edit", args=[kind.pk]),
        reverse("training:blackout_list"),
        reverse("training:blackout_create"),
        reverse("training:blackout_delete", args=[blackout.pk]),
    ]


@pytest.fixture
def lab(db):
    resource = ResourceFactory()
    booking = BookingFactory(resource=resource, status=BookingStatus.COMPLETED)
    blackout = Blackout.objects.create(
        resource=resource, starts_at=at(5, 8), ends_at=at(5, 12), reason="holiday"
    )
    return resource, booking, blackout, ClearanceKindFactory()


# --- Who may open the pages -----------------------------------------------------------


def test_every_page_opens_for_centre_staff_with_two_factor(staff_client, lab):
    for url in staff_urls(*lab):
        response = staff_client.get(url)
        assert response.status_code == 200, url
    resource, booking, _blackout, _kind = lab
    assert staff_client.get(reverse("training:usage_record", args=[booking.pk])).status_code == 200


@pytest.mark.parametrize("who", ["student", "faculty", "owner", "outsider", "officer_2fa"])
def test_other_roles_are_refused(client, lab, who, request):
    sign_in(client, request.getfixturevalue(who))
    for url in staff_urls(*lab):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"confirmed": "yes"}).status_code == 403, url
    assert Blackout.objects.count() == 1


def test_anonymous_visitors_are_sent_to_sign_in(client, lab):
    for url in [*staff_urls(*lab), reverse("training:usage_record", args=[lab[1].pk])]:
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]


def test_centre_staff_without_the_sessions_two_factor_are_sent_to_the_code(client, lab):
    staff = enable_totp(UserFactory(role="centre_staff"))
    client.force_login(staff)
    for url in staff_urls(*lab):
        response = client.get(url)
        assert response.status_code == 302, url
        assert reverse("mfa_reauthenticate") in response["Location"]


# --- Resources ------------------------------------------------------------------------


def test_staff_create_a_resource_with_opening_hours_and_photo(staff_client, staff_2fa):
    kind = ClearanceKindFactory()
    data = resource_data(required_clearance=str(kind.pk), clearance_lapse_days="90")
    data["photo"] = photo_upload()
    response = staff_client.post(reverse("training:resource_create"), data)
    resource = Resource.objects.get(name_en="Electric kiln 3")
    assert response.status_code == 302
    assert response["Location"] == reverse("training:staff_resource_detail", args=[resource.pk])
    assert resource.bookable_by == ["student", "faculty"]
    assert resource.required_clearance == kind
    assert resource.cooldown_minutes == 480 and resource.needs_approval
    assert resource.photo.name.endswith(".jpg")
    with resource.photo.open("rb") as kept, Image.open(kept) as image:
        assert image.format == "JPEG"
    periods = [(h.weekday, h.opens, h.closes) for h in resource.opening_hours.all()]
    assert periods == [(0, time(8), time(12)), (0, time(13), time(17))]
    entry = AuditEntry.objects.get(action="resource.create")
    assert entry.actor == staff_2fa and entry.target_id == str(resource.pk)
    page = staff_client.get(response["Location"]).content.decode()
    assert "13:00–17:00" in page


def test_staff_edit_a_resource_and_remove_a_period(staff_client):
    resource = ResourceFactory(hours=False, bookable_by=["student"])
    morning = OpeningHours.objects.create(
        resource=resource, weekday=1, opens=time(8), closes=time(12)
    )
    data = resource_data(
        **hours_management(total=1, initial=1),
        **{
            "hours-0-id": str(morning.pk),
            "hours-0-resource": str(resource.pk),
            "hours-0-weekday": "1",
            "hours-0-opens": "08:00",
            "hours-0-closes": "12:00",
            "hours-0-DELETE": "on",
        },
        status="maintenance",
        bookable_by=["entrepreneur"],
    )
    for key in ("hours-1-weekday", "hours-1-opens", "hours-1-closes"):
        data.pop(key)
    response = staff_client.post(reverse("training:resource_edit", args=[resource.pk]), data)
    assert response.status_code == 302
    resource.refresh_from_db()
    assert resource.status == "maintenance"
    assert resource.bookable_by == ["entrepreneur"]
    assert not resource.opening_hours.exists()
    assert AuditEntry.objects.filter(action="resource.update").count() == 1


def test_maintenance_status_leaves_existing_bookings_alone(staff_client):
    resource = ResourceFactory()
    booking = BookingFactory(resource=resource, starts_at=at(3, 9))
    data = resource_data(status="maintenance", **hours_management(total=0))
    staff_client.post(reverse("training:resource_edit", args=[resource.pk]), data)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.APPROVED


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"hours-0-opens": "12:00", "hours-0-closes": "08:00"}, "must close after it opens"),
        ({"hours-1-opens": "11:00"}, "Two periods of Monday overlap: 08:00–12:00 and 11:00–17:00"),
        ({"hours-0-opens": "8 โมง"}, "Enter a valid time"),
        ({"min_minutes": "600", "max_minutes": "120"}, "cannot be shorter than the shortest"),
        ({"slot_minutes": "0"}, "greater than or equal to 1"),
    ],
)
def test_bad_resource_input_is_refused_with_a_message(english_staff_client, overrides, message):
    response = english_staff_client.post(
        reverse("training:resource_create"), resource_data(**overrides)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Resource.objects.exists()
    assert not OpeningHours.objects.exists()


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("kiln.jpg", b"not a photo at all", content_type="image/jpeg"),
        SimpleUploadedFile(
            "kiln.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", content_type="image/gif"
        ),
    ],
)
def test_a_bad_photo_is_refused(staff_client, upload):
    data = resource_data(photo=upload)
    response = staff_client.post(reverse("training:resource_create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["photo"]
    assert not Resource.objects.exists()


def test_thai_messages_on_the_resource_form(staff_client):
    response = staff_client.post(
        reverse("training:resource_create"),
        resource_data(**{"hours-0-opens": "12:00", "hours-0-closes": "08:00"}),
    )
    assert "must close" not in response.content.decode()
    assert response.context["hours"].forms[0].errors["closes"]


def test_resource_list_queries_stay_flat(staff_client, django_assert_max_num_queries):
    kind = ClearanceKindFactory()
    for _ in range(30):
        ResourceFactory(required_clearance=kind, hours=False)
    with django_assert_max_num_queries(12):
        response = staff_client.get(reverse("training:resource_list"))
    assert response.status_code == 200
    assert len(response.context["page_obj"]) == 25


def test_resource_detail_queries_stay_flat(staff_client, owner, django_assert_max_num_queries):
    resource = ResourceFactory()
    products = [ProductFactory(enterprise=EnterpriseFactory(owner=owner)) for _ in range(3)]
    for day in range(12):
        booking = BookingFactory(
            resource=resource, owner=owner, starts_at=at(-day - 1, 9), status="completed"
        )
        log = UsageLog.objects.create(booking=booking, cone="06", peak_temperature_c=1000)
        log.products_fired.set(products)
        MaintenanceRecord.objects.create(
            resource=resource, performed_on=timezone.localdate(), work="เปลี่ยนขดลวด"
        )
        Blackout.objects.create(
            resource=resource, starts_at=at(day + 1, 8), ends_at=at(day + 1, 9), reason="event"
        )
    with django_assert_max_num_queries(14):
        response = staff_client.get(reverse("training:staff_resource_detail", args=[resource.pk]))
    assert response.status_code == 200
    assert len(response.context["usage_logs"]) == 10


# --- Clearance kinds ------------------------------------------------------------------


def test_staff_create_and_edit_a_clearance_kind(staff_client):
    data = {
        "name_th": "การใช้เตาแก๊ส",
        "name_en": "Gas kiln operation",
        "code": "gas-kiln",
        "description_th": "",
        "description_en": "",
        "earned_at_th": "หลักสูตรเตาแก๊ส",
        "earned_at_en": "the gas-kiln course",
    }
    response = staff_client.post(reverse("training:clearance_kind_create"), data)
    assert response.status_code == 302
    kind = ClearanceKind.objects.get(code="gas-kiln")
    data["name_en"] = "Gas kiln firing"
    staff_client.post(reverse("training:clearance_kind_edit", args=[kind.pk]), data)
    kind.refresh_from_db()
    assert kind.name_en == "Gas kiln firing"
    assert AuditEntry.objects.filter(target_id=str(kind.pk)).count() == 2
    # The code is unique.
    response = staff_client.post(reverse("training:clearance_kind_create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["code"]


def test_clearance_kind_list_queries_stay_flat(staff_client, django_assert_max_num_queries):
    for n in range(30):
        kind = ClearanceKindFactory(code=f"kind-{n}")
        ResourceFactory(required_clearance=kind, hours=False)
    with django_assert_max_num_queries(10):
        response = staff_client.get(reverse("training:clearance_kind_list"))
    assert len(response.context["page_obj"]) == 25


# --- Blackouts ------------------------------------------------------------------------


def blackout_data(resource, start, end, **overrides):
    data = {
        "resource": str(resource.pk) if resource else "",
        "start_date": format_date_input(timezone.localdate(start)),
        "start_time": timezone.localtime(start).strftime("%H:%M"),
        "end_date": format_date_input(timezone.localdate(end)),
        "end_time": timezone.localtime(end).strftime("%H:%M"),
        "reason": "maintenance",
        "note": "เปลี่ยนขดลวด",
    }
    data.update(overrides)
    return data


@pytest.fixture
def booked(student, faculty):
    kiln = ResourceFactory()
    other = ResourceFactory()
    student.email, faculty.language = "student@dome.tu.ac.th", "en"
    faculty.save()
    return {
        "kiln": kiln,
        "other": other,
        "inside": BookingFactory(resource=kiln, owner=student, starts_at=at(3, 9)),
        "edge": BookingFactory(
            resource=kiln, owner=faculty, starts_at=at(3, 12), status="requested"
        ),
        "after": BookingFactory(resource=kiln, owner=student, starts_at=at(3, 14)),
        "cancelled": BookingFactory(
            resource=kiln, owner=student, starts_at=at(3, 9, 30), status="cancelled"
        ),
        "other_resource": BookingFactory(resource=other, owner=student, starts_at=at(3, 10)),
    }


def test_blackout_preview_lists_exactly_the_bookings_it_hits(staff_client, booked):
    kiln = booked["kiln"]
    data = blackout_data(kiln, at(3, 8), at(3, 13))
    response = staff_client.post(reverse("training:blackout_create"), data)
    assert response.status_code == 200
    assert not Blackout.objects.exists()
    assert response.templates[0].name == "confirm.html"
    details = response.context["details"]
    assert len(details) == 3  # the explanation and two bookings
    extra = dict(response.context["extra_fields"])
    assert extra["hit"] == f"{booked['inside'].pk},{booked['edge'].pk}"
    assert booked["inside"].owner.full_name in details[1]
    assert booked["edge"].owner.full_name in details[2]


def test_confirmed_blackout_cancels_the_hit_bookings_and_tells_their_owners(
    staff_client, staff_2fa, booked, django_capture_on_commit_callbacks, mailoutbox
):
    kiln = booked["kiln"]
    data = blackout_data(kiln, at(3, 8), at(3, 13))
    preview = staff_client.post(reverse("training:blackout_create"), data)
    confirm = {**dict(preview.context["extra_fields"]), "confirmed": "yes"}
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse("training:blackout_create"), confirm)
    assert response.status_code == 302
    blackout = Blackout.objects.get()
    assert blackout.resource == kiln and blackout.reason == "maintenance"
    assert blackout.starts_at == at(3, 8) and blackout.ends_at == at(3, 13)
    for key in ("inside", "edge"):
        booking = booked[key]
        booking.refresh_from_db()
        assert booking.status == BookingStatus.CANCELLED
        assert booking.cancelled_by == staff_2fa
        assert booking.cancel_reason == "ซ่อมบำรุง: เปลี่ยนขดลวด"
    for key in ("after", "other_resource"):
        booked[key].refresh_from_db()
        assert booked[key].status == BookingStatus.APPROVED
    notes = Notification.objects.filter(kind="booking_cancelled_blackout")
    assert {n.recipient_id for n in notes} == {booked["inside"].owner_id, booked["edge"].owner_id}
    emails = {e.to: e for e in OutboundEmail.objects.all()}
    assert set(emails) == {booked["inside"].owner.email, booked["edge"].owner.email}
    # Each in the owner's language: the faculty member reads English, the student Thai.
    assert "the centre is closed" in emails[booked["edge"].owner.email].subject
    assert "Maintenance" in emails[booked["edge"].owner.email].body
    assert "ซ่อมบำรุง" in emails[booked["inside"].owner.email].body
    assert len(mailoutbox) == 2
    entry = AuditEntry.objects.get(action="blackout.create")
    assert entry.data["cancelled"] == [booked["inside"].pk, booked["edge"].pk]


def test_a_booking_made_after_the_preview_is_shown_before_it_is_cancelled(
    staff_client, booked, student
):
    data = blackout_data(booked["kiln"], at(3, 8), at(3, 17))
    preview = staff_client.post(reverse("training:blackout_create"), data)
    fields = dict(preview.context["extra_fields"])
    # Someone books inside the time while staff read the list.
    booked["after"].refresh_from_db()
    late = BookingFactory(
        resource=booked["kiln"], owner=student, starts_at=at(3, 16, 30), ends_at=at(3, 17)
    )
    again = staff_client.post(reverse("training:blackout_create"), {**fields, "confirmed": "yes"})
    assert again.templates[0].name == "confirm.html"
    assert not Blackout.objects.exists()
    assert str(late.pk) in dict(again.context["extra_fields"])["hit"]


def test_a_centre_wide_blackout_hits_every_resource(staff_client, booked):
    data = blackout_data(None, at(3, 8), at(3, 11), reason="holiday", note="")
    preview = staff_client.post(reverse("training:blackout_create"), data)
    hit = dict(preview.context["extra_fields"])["hit"]
    assert hit == f"{booked['inside'].pk},{booked['other_resource'].pk}"
    staff_client.post(
        reverse("training:blackout_create"),
        {**dict(preview.context["extra_fields"]), "confirmed": "yes"},
    )
    assert Blackout.objects.get().resource is None
    booked["other_resource"].refresh_from_db()
    assert booked["other_resource"].status == BookingStatus.CANCELLED
    assert booked["other_resource"].cancel_reason == "วันหยุด"


def test_a_blackout_hitting_nothing_is_saved_at_once(staff_client, booked):
    data = blackout_data(booked["kiln"], at(4, 8), at(4, 17), reason="event")
    response = staff_client.post(reverse("training:blackout_create"), data)
    assert response.status_code == 302
    assert Blackout.objects.count() == 1
    assert not Notification.objects.exists()


def test_a_blackout_accepts_a_buddhist_era_date(staff_client):
    kiln = ResourceFactory()
    day = timezone.localdate() + timedelta(days=10)
    data = blackout_data(kiln, at(10, 8), at(10, 12))
    data["start_date"] = data["end_date"] = f"{day.day}/{day.month}/{day.year + 543}"
    staff_client.post(reverse("training:blackout_create"), data)
    assert timezone.localdate(Blackout.objects.get().starts_at) == day


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"end_time": "07:00"}, "The end must come after the start"),
        ({"start_date": "31/02/2569"}, "Enter a date as day/month/year"),
        ({"start_time": "25:00"}, "Enter a valid time"),
    ],
)
def test_bad_blackout_input_is_refused(english_staff_client, overrides, message):
    kiln = ResourceFactory()
    data = blackout_data(kiln, at(3, 8), at(3, 12), **overrides)
    response = english_staff_client.post(reverse("training:blackout_create"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Blackout.objects.exists()


def test_deleting_a_blackout_asks_first(staff_client, lab):
    _resource, _booking, blackout, _kind = lab
    url = reverse("training:blackout_delete", args=[blackout.pk])
    assert staff_client.get(url).templates[0].name == "confirm.html"
    assert staff_client.post(url).templates[0].name == "confirm.html"
    assert Blackout.objects.exists()
    response = staff_client.post(url, {"confirmed": "yes"})
    assert response.status_code == 302
    assert not Blackout.objects.exists()
    assert AuditEntry.objects.filter(action="blackout.delete").exists()


def test_blackout_list_queries_stay_flat(staff_client, django_assert_max_num_queries):
    for day in range(30):
        Blackout.objects.create(
            resource=ResourceFactory(hours=False),
            starts_at=at(day + 1, 8),
            ends_at=at(day + 1, 9),
            reason="event",
        )
    Blackout.objects.create(starts_at=at(-3, 8), ends_at=at(-3, 9), reason="event")
    with django_assert_max_num_queries(12):
        response = staff_client.get(reverse("training:blackout_list"))
    assert len(response.context["page_obj"]) == 25
    assert response.context["page_obj"].paginator.count == 30


def test_the_service_refuses_people_without_the_lab_permission(student):
    from training.exceptions import NotAllowed

    with pytest.raises(NotAllowed):
        blackout_services.create_blackout(
            resource=None, starts_at=at(2, 8), ends_at=at(2, 9), reason="other", by=student
        )


# --- Maintenance ----------------------------------------------------------------------


def test_staff_record_maintenance(staff_client, staff_2fa):
    kiln = ResourceFactory()
    today = timezone.localdate()
    data = {
        "performed_on": format_date_input(today),
        "work": "เปลี่ยนเทอร์โมคัปเปิล",
        "performed_by": "ช่างสมชาย",
        "next_due_on": format_date_input(today + timedelta(days=180)),
    }
    response = staff_client.post(reverse("training:maintenance_create", args=[kiln.pk]), data)
    assert response.status_code == 302
    record = MaintenanceRecord.objects.get()
    assert record.recorded_by == staff_2fa and record.next_due_on == today + timedelta(days=180)
    page = staff_client.get(reverse("training:staff_resource_detail", args=[kiln.pk]))
    assert "เปลี่ยนเทอร์โมคัปเปิล" in page.content.decode()
    data["next_due_on"] = format_date_input(today - timedelta(days=1))
    response = staff_client.post(reverse("training:maintenance_create", args=[kiln.pk]), data)
    assert response.status_code == 200
    assert MaintenanceRecord.objects.count() == 1


# --- Usage logs -----------------------------------------------------------------------


def test_staff_record_a_firing_with_the_owners_products(staff_client, owner, outsider):
    kiln = ResourceFactory()
    mine = ProductFactory(enterprise=EnterpriseFactory(owner=owner))
    theirs = ProductFactory(enterprise=EnterpriseFactory(owner=outsider))
    booking = BookingFactory(resource=kiln, owner=owner, status="completed")
    url = reverse("training:usage_record", args=[booking.pk])
    form = staff_client.get(url).context["form"]
    assert list(form.fields["products_fired"].queryset) == [mine]
    assert "samples" not in form.fields
    data = {
        "summary": "เผาเคลือบ",
        "firing_program": "Glaze 1240",
        "cone": "06",
        "peak_temperature_c": "1000",
        "firing_minutes": "600",
        "atmosphere": "oxidation",
        "load": "ครึ่งเตา",
        "products_fired": [str(mine.pk)],
    }
    response = staff_client.post(url, data)
    assert response.status_code == 302
    log = UsageLog.objects.get(booking=booking)
    assert log.cone == "06" and log.peak_temperature_c == 1000
    assert list(log.products_fired.all()) == [mine]
    # Another enterprise's product is not a choice.
    response = staff_client.post(url, {**data, "products_fired": [str(theirs.pk)]})
    assert response.status_code == 200
    assert response.context["form"].errors["products_fired"]
    # Recording again edits the one log.
    staff_client.post(url, {**data, "cone": "6", "products_fired": []})
    log.refresh_from_db()
    assert UsageLog.objects.count() == 1
    assert log.cone == "6" and not log.products_fired.exists()


def test_the_owner_records_an_instrument_run(client, student):
    instrument = ResourceFactory(kind="testing", name_en="Dilatometer")
    booking = BookingFactory(resource=instrument, owner=student, status="checked_in")
    sign_in(client, student)
    url = reverse("training:usage_record", args=[booking.pk])
    form = client.get(url).context["form"]
    assert "cone" not in form.fields and "products_fired" not in form.fields
    data = {"summary": "วัดการขยายตัว", "samples": "ดินเกาะคา 3 ชิ้น", "results": "0.6%"}
    response = client.post(url, {**data, "cone": "10"})
    assert response.status_code == 302
    log = UsageLog.objects.get()
    assert log.results == "0.6%" and log.cone == ""
    assert log.recorded_by == student


def test_usage_is_not_recorded_before_the_booking_begins_or_by_others(client, student, outsider):
    booking = BookingFactory(owner=student, status="approved")
    done = BookingFactory(owner=student, status="completed", starts_at=at(-2, 9))
    sign_in(client, student)
    assert client.get(reverse("training:usage_record", args=[booking.pk])).status_code == 404
    client.logout()
    sign_in(client, outsider)
    assert client.get(reverse("training:usage_record", args=[done.pk])).status_code == 404
    response = client.post(reverse("training:usage_record", args=[done.pk]), {"summary": "x"})
    assert response.status_code == 404
    assert not UsageLog.objects.exists()


def test_staff_replace_and_remove_a_resource_photo(staff_client):
    resource = ResourceFactory(hours=False)
    url = reverse("training:resource_edit", args=[resource.pk])
    staff_client.post(url, resource_data(photo=photo_upload(), **hours_management(total=0)))
    resource.refresh_from_db()
    assert resource.photo
    staff_client.post(url, resource_data(**{"photo-clear": "on"}, **hours_management(total=0)))
    resource.refresh_from_db()
    assert not resource.photo


def test_record_usage_refuses_someone_elses_booking(outsider):
    from training.exceptions import NotAllowed
    from training.services.resources import record_usage

    booking = BookingFactory(status="completed", starts_at=at(-1, 9))
    with pytest.raises(NotAllowed):
        record_usage(booking=booking, by=outsider, data={"summary": "x"})
    assert not UsageLog.objects.exists()


def test_maintenance_list_queries_stay_flat(staff_client, staff_2fa, django_assert_max_num_queries):
    kiln = ResourceFactory(hours=False)
    for n in range(30):
        MaintenanceRecord.objects.create(
            resource=kiln,
            performed_on=timezone.localdate() - timedelta(days=n),
            work="ทำความสะอาดเตา",
            recorded_by=staff_2fa,
        )
    with django_assert_max_num_queries(10):
        response = staff_client.get(reverse("training:maintenance_list", args=[kiln.pk]))
    assert len(response.context["page_obj"]) == 25
