"""The demo programme: idempotent, its applications real, its intake within capacity."""

import pytest
from django.core.management import call_command

from accounts.models import User
from entrepreneurs.demo import OWNER_EMAIL
from entrepreneurs.models import VerificationStatus
from notifications.models import Notification
from products.models import UpgradeArea, UpgradeRecord
from programmes.demo import TITLE_TH
from programmes.models import (
    Enrolment,
    EnrolmentAnswer,
    EnrolmentEvent,
    EnrolmentStatus,
    Intake,
    Partner,
    PartnerRole,
    Programme,
    ProgrammePartner,
    ProgrammeStatus,
)
from programmes.selectors import counted_upgrades
from programmes.services import places_taken, waitlist_position

pytestmark = pytest.mark.django_db

MODELS = [
    Programme,
    Partner,
    ProgrammePartner,
    Intake,
    Enrolment,
    EnrolmentAnswer,
    EnrolmentEvent,
    UpgradeRecord,
]
S = EnrolmentStatus


@pytest.fixture
def seeded(settings):
    settings.DEBUG = True  # seed_demo refuses to run without it
    call_command("seed_demo")
    return Programme.objects.get(title_th=TITLE_TH)


def counts():
    return {model.__name__: model.objects.count() for model in [*MODELS, Notification]}


def test_seed_demo_twice_changes_nothing(seeded):
    first = counts()
    call_command("seed_demo")
    assert counts() == first
    assert first["Programme"] == 1


def test_demo_programme_is_active_with_its_partners(seeded):
    assert seeded.status == ProgrammeStatus.ACTIVE
    assert (seeded.fiscal_year, seeded.policy) == (2570, "DIPROM CARE")
    assert seeded.target_enterprises > 0
    roles = {p.partner.name_en: p.role for p in seeded.partnerships.select_related("partner")}
    assert roles["Thammasat University Lampang Centre"] == PartnerRole.CO_IMPLEMENTER
    assert roles["Creative Industrial Materials R&D Centre, Ko Kha"] == PartnerRole.FACILITY_HOST
    assert PartnerRole.LEAD in roles.values()


def test_demo_applications_cover_the_review_states(seeded):
    statuses = set(Enrolment.objects.values_list("status", flat=True))
    assert {S.ACCEPTED, S.UNDER_REVIEW, S.SUBMITTED, S.WAITLISTED, S.RETURNED} <= statuses
    returned = Enrolment.objects.get(status=S.RETURNED)
    assert returned.events.get(to_status=S.RETURNED).note
    waitlisted = Enrolment.objects.get(status=S.WAITLISTED)
    assert waitlist_position(waitlisted) == 1
    for enrolment in Enrolment.objects.all():
        assert enrolment.products.exists()
        assert enrolment.answers.count() == enrolment.intake.questions.count() == 2
        # The history starts at the draft and ends at the current state.
        events = list(enrolment.events.all())
        assert events[0].to_status == S.DRAFT
        assert events[-1].to_status == enrolment.status


def test_demo_intake_is_open_and_within_capacity(seeded):
    cohort = seeded.intakes.get(capacity=4)
    assert cohort.is_open()
    assert cohort.verified_only
    assert list(cohort.eligible_provinces.values_list("code", flat=True)) == ["52"]
    assert cohort.questions.count() == 2
    assert 0 < places_taken(cohort) <= cohort.capacity
    # Only verified enterprises are in the verified-only intake.
    assert not cohort.enrolments.exclude(enterprise__status=VerificationStatus.VERIFIED).exists()


def test_demo_owner_is_notified_of_the_acceptance(seeded):
    owner = User.objects.get(email=OWNER_EMAIL)
    accepted = Enrolment.objects.get(status=S.ACCEPTED)
    assert accepted.enterprise.members.filter(user=owner).exists()
    notices = Notification.objects.filter(recipient=owner, kind="enrolment_status")
    assert notices.count() == accepted.events.exclude(to_status=S.DRAFT).count()


def test_demo_dashboard_counts_an_upgrade_made_in_the_programme(seeded):
    counted = list(counted_upgrades(seeded))
    assert [record.area for record in counted] == [UpgradeArea.DESIGN]
    assert counted[0].product.enrolments.get().status == S.ACCEPTED
