"""Thai wording of words with two meanings: a place (location) is not a place (in an intake).

"Place" as a location reads ที่ตั้ง; the places of an intake are counted the way Thai
officers count them, in ราย ("รับ 4 ราย", "รับแล้ว 3 จาก 10 ราย"), never ที่นั่ง (seats).
"""

import datetime as dt
from pathlib import Path

import polib
import pytest
from django.urls import reverse
from django.utils import timezone

from entrepreneurs.models import VerificationStatus
from programmes.models import Enrolment, EnrolmentStatus
from tests.factories import EnterpriseFactory, IntakeFactory, ProductFactory

SEAT = "ที่นั่ง"


@pytest.fixture
def intake(db):
    return IntakeFactory(capacity=10)


@pytest.fixture
def accepted(intake, owner):
    enterprise = EnterpriseFactory(owner=owner, status=VerificationStatus.VERIFIED)
    enrolment = Enrolment.objects.create(
        intake=intake,
        enterprise=enterprise,
        status=EnrolmentStatus.ACCEPTED,
        submitted_at=timezone.now() - dt.timedelta(hours=1),
    )
    enrolment.products.set([ProductFactory(enterprise=enterprise)])
    return enrolment


def test_review_panel_labels_the_enterprise_location_as_a_location(officer_client, accepted):
    response = officer_client.get(reverse("programmes:review_panel", args=[accepted.pk]))
    html = response.content.decode()
    assert '<dt class="col-5">ที่ตั้ง</dt>' in html
    assert SEAT not in html


def test_review_queue_counts_places_taken_in_ราย(officer_client, accepted, intake):
    html = officer_client.get(reverse("programmes:review_queue"), {"intake": intake.pk}).text
    assert "รับแล้ว 1 จาก 10 ราย" in html
    assert SEAT not in html


def test_public_intake_says_how_many_it_takes_in_ราย(client, intake):
    html = client.get(reverse("programmes:programme_detail", args=[intake.programme_id])).text
    assert "รับ 10 ราย" in html
    assert SEAT not in html


def test_an_application_taking_part_is_not_a_running_programme(client, owner, accepted):
    accepted.status = EnrolmentStatus.ACTIVE
    accepted.save(update_fields=["status"])
    client.force_login(owner)
    html = client.get(reverse("programmes:my_applications")).text
    assert "กำลังเข้าร่วม" in html
    assert "ดำเนินการอยู่" not in html


def test_a_closed_intake_is_closed_for_applications(client, intake):
    intake.opens_at = timezone.now() - dt.timedelta(days=30)
    intake.closes_at = timezone.now() - dt.timedelta(days=1)
    intake.save()
    html = client.get(reverse("programmes:programme_detail", args=[intake.programme_id])).text
    assert "ปิดรับสมัครแล้ว" in html


def test_no_thai_translation_speaks_of_seats():
    catalogue = Path(__file__).resolve().parents[2] / "locale/th/LC_MESSAGES/django.po"
    seats = [e.msgid for e in polib.pofile(str(catalogue)) if SEAT in e.msgstr]
    assert seats == []
