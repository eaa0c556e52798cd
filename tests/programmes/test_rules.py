"""Programme permissions live in programmes/rules.py; services ask them, so an officer
acts only with two-factor sign-in, as the staff pages require."""

import pytest

from programmes import services
from programmes.exceptions import NotAllowed
from programmes.models import EnrolmentStatus, Partner, Programme
from tests.factories import EnterpriseFactory, IntakeFactory, ProgrammeFactory
from toolkit.twofactor import SESSION_ATTRIBUTE

pytestmark = pytest.mark.django_db
S = EnrolmentStatus


def submitted_application(intake):
    enterprise = EnterpriseFactory()
    return intake.enrolments.create(
        enterprise=enterprise, status=S.SUBMITTED, created_by=enterprise.created_by
    )


def password_only(user):
    """The user as a request whose session passed only the password step hands it over."""
    setattr(user, SESSION_ATTRIBUTE, False)
    return user


def test_an_officer_without_two_factor_cannot_run_programmes(officer):
    with pytest.raises(NotAllowed):
        services.save_partner(partner=Partner(name_th="ศูนย์ทดสอบ", kind="university"), by=officer)
    programme = ProgrammeFactory()
    with pytest.raises(NotAllowed):
        services.set_programme_status(programme=programme, by=officer, status="active")
    assert not Partner.objects.filter(name_th="ศูนย์ทดสอบ").exists()
    assert Programme.objects.get(pk=programme.pk).status == programme.status


def test_an_officer_without_two_factor_cannot_decide(officer):
    enrolment = submitted_application(IntakeFactory())
    with pytest.raises(NotAllowed):
        services.decide_enrolment(enrolment=enrolment, by=officer, decision=S.ACCEPTED)
    enrolment.refresh_from_db()
    assert enrolment.status == S.SUBMITTED


def test_a_password_only_session_cannot_decide(officer_2fa):
    enrolment = submitted_application(IntakeFactory())
    with pytest.raises(NotAllowed):
        services.decide_enrolment(
            enrolment=enrolment, by=password_only(officer_2fa), decision=S.ACCEPTED
        )
    enrolment.refresh_from_db()
    assert enrolment.status == S.SUBMITTED


def test_an_officer_with_two_factor_decides_and_runs_programmes(officer_2fa):
    enrolment = submitted_application(IntakeFactory())
    services.decide_enrolment(enrolment=enrolment, by=officer_2fa, decision=S.ACCEPTED)
    enrolment.refresh_from_db()
    assert enrolment.status == S.ACCEPTED
    partner = services.save_partner(
        partner=Partner(name_th="ศูนย์ทดสอบ", kind="university"), by=officer_2fa
    )
    assert partner.pk is not None


def test_drafts_are_hidden_from_an_officer_session_without_two_factor(officer_2fa):
    draft = ProgrammeFactory(status="draft")
    assert draft in Programme.objects.visible_to(officer_2fa)
    assert draft not in Programme.objects.visible_to(password_only(officer_2fa))
