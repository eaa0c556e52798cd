"""Upgrade records: who records them, what a record holds, who is told, what the page shows."""

import datetime as dt
import io
import os
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from PIL import Image

from accounts.models import Role
from entrepreneurs.models import Member, MemberRole
from notifications.models import Notification
from products.exceptions import NotAllowed
from products.models import UpgradeArea, UpgradeRecord, UpgradeStage
from products.services import upgrades
from tests.confirming import CONFIRMED, assert_asks_first
from tests.conftest import enable_totp, sign_in
from tests.factories import EnterpriseFactory, ProductFactory, UpgradeRecordFactory, UserFactory
from toolkit.models import AuditEntry


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def enterprise(owner):
    return EnterpriseFactory(owner=owner)


@pytest.fixture
def member(enterprise):
    """A member who reads in English."""
    user = UserFactory(email="member@example.com", full_name="Malee Clay", language="en")
    Member.objects.create(
        enterprise=enterprise, user=user, full_name=user.full_name, role=MemberRole.MEMBER
    )
    return user


@pytest.fixture
def product(enterprise):
    return ProductFactory(
        enterprise=enterprise, name_th="ชามตราไก่เกาะคา", name_en="Ko Kha rooster bowl"
    )


@pytest.fixture
def faculty_client(client, faculty):
    client.force_login(faculty)
    return client


def png(name="photo.png", size=(80, 60), colour=(176, 84, 46)):
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def not_a_photo(name="before.jpg"):
    return SimpleUploadedFile(name, b"this is not a picture", content_type="image/jpeg")


def form_data(**overrides):
    data = {
        "area": UpgradeArea.DESIGN,
        "stage": UpgradeStage.PROTOTYPE,
        "summary": "ลายไก่ร่วมสมัย",
        "what_changed": "ปรับลายไก่และสีเคลือบให้ร่วมสมัย",
        "price_before": "120",
        "price_after": "150",
        "monthly_sales_before": "20000",
        "monthly_sales_after": "26000",
        "expert": "",
        "expert_name": "คุณสมพร ช่างปั้น",
        "started_on": "01/03/2569",
        "completed_on": "15/06/2569",
    }
    data.update(overrides)
    return data


def create_url(product):
    return reverse("products:upgrade_create", args=[product.pk])


def service_data(**overrides):
    data = {
        "area": UpgradeArea.STANDARDS,
        "stage": UpgradeStage.TESTING,
        "summary": "ทดสอบตะกั่วตามมาตรฐาน",
        "what_changed": "เปลี่ยนเคลือบเป็นสูตรไร้ตะกั่ว",
        "started_on": dt.date(2026, 4, 1),
    }
    data.update(overrides)
    return data


# --- Recording ---------------------------------------------------------------------------


def test_officer_records_an_upgrade_with_photos(
    officer_client, officer_2fa, product, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(
            create_url(product),
            {**form_data(), "before_photo": png("before.png"), "after_photo": png("after.png")},
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("products:product_detail", args=[product.pk]) + (
        "#upgrades"
    )
    record = UpgradeRecord.objects.get(product=product)
    assert record.recorded_by == officer_2fa
    assert record.area == UpgradeArea.DESIGN
    # The B.E. dates typed in were stored Gregorian.
    assert record.started_on == dt.date(2026, 3, 1)
    assert record.completed_on == dt.date(2026, 6, 15)
    assert record.price_after == Decimal("150")
    assert record.expert_name == "คุณสมพร ช่างปั้น"
    # The uploads were re-encoded: a JPEG is kept, whatever was sent.
    for photo in (record.before_photo, record.after_photo):
        assert photo.name.endswith(".jpg")
        with Image.open(photo.path) as kept:
            assert kept.format == "JPEG"
    assert AuditEntry.objects.filter(
        actor=officer_2fa, action="upgrade.recorded", target_id=str(record.pk)
    ).exists()


def test_faculty_records_an_upgrade_naming_an_officer_as_expert(
    faculty_client, faculty, officer, product
):
    response = faculty_client.post(
        create_url(product), form_data(expert=officer.pk, expert_name="")
    )
    assert response.status_code == 302
    record = UpgradeRecord.objects.get(product=product)
    assert record.recorded_by == faculty
    assert record.expert == officer
    assert record.expert_label == officer.full_name


def test_members_are_notified_of_a_new_record_in_their_own_language(
    faculty, product, owner, member, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        record = upgrades.record_upgrade(product=product, by=faculty, data=service_data())
    notified = Notification.objects.filter(kind="upgrade_recorded")
    assert {n.recipient for n in notified} == {owner, member}
    assert all(n.target == record for n in notified)
    assert all(n.url.endswith(f"/products/{product.pk}/#upgrades") for n in notified)
    mails = {mail.to[0]: mail for mail in mailoutbox}
    assert set(mails) == {owner.email, member.email}
    # Each reads the product's name in their language, and the record's summary.
    assert "ชามตราไก่เกาะคา" in mails[owner.email].body
    assert "Ko Kha rooster bowl" in mails[member.email].body
    assert "Ko Kha rooster bowl" not in mails[owner.email].body
    assert record.summary in mails[owner.email].subject
    assert "Standards" in mails[member.email].subject


def test_people_of_other_enterprises_are_not_notified(faculty, product, outsider):
    EnterpriseFactory(owner=outsider)
    upgrades.record_upgrade(product=product, by=faculty, data=service_data())
    assert not Notification.objects.filter(recipient=outsider).exists()


def test_completed_before_started_is_refused_on_the_form(officer_client, product):
    response = officer_client.post(
        create_url(product), form_data(started_on="01/06/2569", completed_on="01/05/2569")
    )
    assert response.status_code == 200
    assert "completed_on" in response.context["form"].errors
    assert not UpgradeRecord.objects.exists()


def test_negative_prices_and_sales_are_refused(officer_client, product):
    response = officer_client.post(
        create_url(product), form_data(price_before="-5", monthly_sales_after="-1")
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "price_before" in errors
    assert "monthly_sales_after" in errors
    assert not UpgradeRecord.objects.exists()


def test_a_bad_photo_is_refused_with_its_message_and_nothing_is_saved(
    officer_client, product, member, settings
):
    response = officer_client.post(
        create_url(product),
        {**form_data(), "before_photo": not_a_photo(), "after_photo": png()},
    )
    assert response.status_code == 200
    assert "ไม่ใช่ภาพถ่ายที่ระบบอ่านได้" in response.context["form"].errors["before_photo"][0]
    assert not UpgradeRecord.objects.exists()
    assert not Notification.objects.exists()
    assert not (settings.MEDIA_ROOT / "upgrades").exists()


def test_an_expert_chosen_and_typed_is_refused(officer_client, faculty, product):
    response = officer_client.post(
        create_url(product), form_data(expert=faculty.pk, expert_name="someone else")
    )
    assert response.status_code == 200
    assert "expert_name" in response.context["form"].errors


def test_only_faculty_and_officers_may_be_chosen_as_expert(officer_client, owner, product):
    response = officer_client.post(create_url(product), form_data(expert=owner.pk, expert_name=""))
    assert response.status_code == 200
    assert "expert" in response.context["form"].errors


def test_the_service_refuses_a_bad_photo_before_writing_anything(faculty, product):
    with pytest.raises(ValidationError) as refused:
        upgrades.record_upgrade(
            product=product, by=faculty, data=service_data(), before_photo=not_a_photo()
        )
    assert "before_photo" in refused.value.message_dict
    assert not UpgradeRecord.objects.exists()
    assert not AuditEntry.objects.filter(action="upgrade.recorded").exists()


def test_the_service_refuses_completed_before_started(faculty, product):
    data = service_data(started_on=dt.date(2026, 5, 1), completed_on=dt.date(2026, 4, 1))
    with pytest.raises(ValidationError) as refused:
        upgrades.record_upgrade(product=product, by=faculty, data=data)
    assert "completed_on" in refused.value.message_dict


@pytest.mark.parametrize("person", ["owner", "student", "centre_staff", "officer"])
def test_the_service_refuses_people_who_may_not_record(request, person, product):
    # An officer without two-factor sign-in may not act either.
    with pytest.raises(NotAllowed):
        upgrades.record_upgrade(
            product=product, by=request.getfixturevalue(person), data=service_data()
        )


# --- Who may open the recording page -----------------------------------------------------


def test_anonymous_is_sent_to_log_in(client, product):
    response = client.get(create_url(product))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_owner_sees_the_timeline_but_may_not_record(client, owner, product):
    UpgradeRecordFactory(product=product, summary="ลายใหม่ที่เจ้าของเห็น")
    client.force_login(owner)
    page = client.get(product.get_absolute_url())
    assert page.status_code == 200
    assert "ลายใหม่ที่เจ้าของเห็น" in page.text
    assert create_url(product) not in page.text
    assert client.get(create_url(product)).status_code == 403
    assert client.post(create_url(product), form_data()).status_code == 403
    assert UpgradeRecord.objects.count() == 1


@pytest.mark.parametrize("person", ["outsider", "student"])
def test_people_who_may_not_see_the_product_get_404(client, request, person, product):
    sign_in(client, request.getfixturevalue(person))
    assert client.get(create_url(product)).status_code == 404


def test_centre_staff_see_the_product_but_may_not_record(client, staff_2fa, product):
    sign_in(client, staff_2fa)
    assert client.get(create_url(product)).status_code == 403


def test_officer_without_two_factor_is_sent_to_set_it_up(client, officer, product):
    sign_in(client, officer)
    response = client.get(create_url(product))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_officer_and_faculty_get_the_recording_page(officer_client, faculty_client, product):
    for client in (officer_client, faculty_client):
        response = client.get(create_url(product))
        assert response.status_code == 200
        assert 'enctype="multipart/form-data"' in response.text


# --- Correcting and deleting ------------------------------------------------------------


def update_url(record):
    return reverse("products:upgrade_update", args=[record.pk])


def delete_url(record):
    return reverse("products:upgrade_delete", args=[record.pk])


@pytest.fixture
def recorded(faculty, product):
    return upgrades.record_upgrade(
        product=product, by=faculty, data=service_data(), before_photo=png("old.png")
    )


def test_faculty_corrects_their_own_record_and_a_new_photo_replaces_the_old(
    faculty_client, faculty, recorded, django_capture_on_commit_callbacks
):
    old = recorded.before_photo.path
    with django_capture_on_commit_callbacks(execute=True):
        response = faculty_client.post(
            update_url(recorded),
            {**form_data(summary="แก้ไขแล้ว", price_after="180"), "before_photo": png("new.png")},
        )
    assert response.status_code == 302
    recorded.refresh_from_db()
    assert recorded.summary == "แก้ไขแล้ว"
    assert recorded.before_photo.path != old
    assert not os.path.exists(old)
    entry = AuditEntry.objects.get(action="upgrade.updated", target_id=str(recorded.pk))
    assert entry.actor == faculty
    assert {"summary", "price_after", "before_photo"} <= set(entry.data["changed"])


def test_an_unchanged_photo_is_kept_and_a_cleared_one_removed(faculty_client, recorded):
    response = faculty_client.post(update_url(recorded), form_data())
    assert response.status_code == 302
    recorded.refresh_from_db()
    assert recorded.before_photo
    faculty_client.post(update_url(recorded), {**form_data(), "before_photo-clear": "on"})
    recorded.refresh_from_db()
    assert not recorded.before_photo


def test_another_faculty_member_may_not_correct_the_record(client, recorded):
    client.force_login(UserFactory(role=Role.FACULTY))
    assert client.get(update_url(recorded)).status_code == 403


def test_officer_corrects_any_record(officer_client, recorded):
    response = officer_client.post(update_url(recorded), form_data(stage=UpgradeStage.TESTING))
    assert response.status_code == 302
    recorded.refresh_from_db()
    assert recorded.stage == UpgradeStage.TESTING


def test_owner_may_not_correct_and_outsider_may_not_see(client, owner, outsider, recorded):
    client.force_login(owner)
    assert client.get(update_url(recorded)).status_code == 403
    client.force_login(outsider)
    assert client.get(update_url(recorded)).status_code == 404


def test_officer_deletes_a_record_and_it_is_audited(
    officer_client, officer_2fa, recorded, django_capture_on_commit_callbacks
):
    photo = recorded.before_photo.path
    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(delete_url(recorded), CONFIRMED)
    assert response.status_code == 302
    assert not UpgradeRecord.objects.exists()
    assert not os.path.exists(photo)
    entry = AuditEntry.objects.get(action="upgrade.deleted")
    assert entry.actor == officer_2fa
    assert entry.data["summary"] == recorded.summary


def test_deleting_a_record_asks_first_and_needs_an_officer(
    client, officer_2fa, faculty, recorded, outsider
):
    sign_in(client, officer_2fa)
    form = client.get(update_url(recorded)).text
    assert f'href="{delete_url(recorded)}"' in form
    assert recorded.summary in assert_asks_first(client.get(delete_url(recorded)))
    # The old form's one-tap POST only asks.
    assert_asks_first(client.post(delete_url(recorded)))
    client.force_login(faculty)
    assert client.get(delete_url(recorded)).status_code == 403
    assert client.post(delete_url(recorded), CONFIRMED).status_code == 403
    client.force_login(outsider)
    assert client.post(delete_url(recorded), CONFIRMED).status_code == 404
    assert UpgradeRecord.objects.filter(pk=recorded.pk).exists()


# --- What the timeline shows -------------------------------------------------------------


def test_changes_are_computed_in_per_cent():
    record = UpgradeRecord(
        price_before=Decimal("120"),
        price_after=Decimal("150"),
        monthly_sales_before=Decimal("30000"),
        monthly_sales_after=Decimal("20000"),
        stage=UpgradeStage.PROTOTYPE,
    )
    assert record.price_change == Decimal("25.0")
    assert record.sales_change == Decimal("-33.3")
    assert UpgradeRecord(price_before=Decimal("0"), price_after=Decimal("5")).price_change is None
    assert UpgradeRecord(price_before=Decimal("5")).price_change is None
    assert record.stage_number == 3
    assert [state for _label, state in record.stage_steps] == [
        "done",
        "done",
        "current",
        "todo",
        "todo",
    ]


def test_the_product_page_shows_the_timeline_newest_first(officer_client, faculty, product):
    UpgradeRecordFactory(
        product=product, summary="งานเก่า", started_on=dt.date(2025, 1, 10), area="usability"
    )
    UpgradeRecordFactory(
        product=product,
        summary="งานใหม่",
        started_on=dt.date(2026, 3, 1),
        completed_on=dt.date(2026, 6, 15),
        price_before=Decimal("120"),
        price_after=Decimal("150"),
        monthly_sales_before=Decimal("20000"),
        monthly_sales_after=Decimal("26000"),
        expert=faculty,
    )
    response = officer_client.get(product.get_absolute_url())
    text = response.text
    assert response.status_code == 200
    assert text.index("งานใหม่") < text.index("งานเก่า")
    assert "+25.0%" in text
    assert "+30.0%" in text
    assert faculty.full_name in text
    # Dates in the Buddhist Era under Thai.
    assert "1 มี.ค. 2569" in text
    assert create_url(product) in text


def test_the_public_story_hides_sales_and_the_expert(faculty, product):
    UpgradeRecordFactory(
        product=product,
        summary="เรื่องเล่าการยกระดับ",
        price_before=Decimal("120"),
        price_after=Decimal("150"),
        monthly_sales_before=Decimal("20000"),
        monthly_sales_after=Decimal("26000"),
        expert=faculty,
    )
    with translation.override("en"):
        html = render_to_string("products/_upgrade_story.html", {"product": product})
    assert "เรื่องเล่าการยกระดับ" in html
    assert "Stage 3 of 5: Prototype" in html
    assert "+25.0%" in html
    assert "Monthly sales" not in html
    assert "26,000" not in html and "26000" not in html
    assert faculty.email not in html
    assert faculty.full_name not in html


def test_the_timeline_partial_queries_do_not_grow_with_records(
    faculty, product, django_assert_max_num_queries
):
    def render():
        context = {"product": product, "user": faculty}
        return render_to_string("products/_upgrade_timeline.html", context)

    UpgradeRecordFactory.create_batch(2, product=product, expert=faculty)
    with django_assert_max_num_queries(1):
        render()
    UpgradeRecordFactory.create_batch(20, product=product, expert=UserFactory(role=Role.FACULTY))
    with django_assert_max_num_queries(1):
        html = render()
    assert html.count("<article") == 22


def test_an_officer_with_two_factor_is_offered_the_edit_link(client, officer, recorded):
    enable_totp(officer)
    sign_in(client, officer)
    assert update_url(recorded) in client.get(recorded.product.get_absolute_url()).text
