"""The application state machine: every transition, every refusal, capacity and waitlist."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from accounts.models import Role
from entrepreneurs.models import EnterpriseKind, Member, MemberRole, Province, VerificationStatus
from notifications.models import Notification, OutboundEmail
from programmes import services
from programmes.exceptions import (
    AlreadyApplied,
    IncompleteApplication,
    IntakeClosed,
    IntakeFull,
    NotAllowed,
    NotEligible,
    NoteRequired,
    TransitionRefused,
)
from programmes.models import (
    OPEN_STATES,
    Enrolment,
    EnrolmentEvent,
    EnrolmentStatus,
    IntakeQuestion,
)
from programmes.selectors import counted_upgrades, upgrades_counted, with_waitlist_position
from programmes.services import DECISIONS
from tests.conftest import enable_totp
from tests.factories import (
    EnterpriseFactory,
    IntakeFactory,
    ProductFactory,
    UpgradeRecordFactory,
    UserFactory,
    category,
)
from toolkit.models import AuditEntry

S = EnrolmentStatus
pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(officer):
    """With a device: programme services let officers act only with two-factor sign-in."""
    return enable_totp(officer)


@pytest.fixture
def intake():
    return IntakeFactory()


@pytest.fixture
def enterprise(owner):
    return EnterpriseFactory(owner=owner, status=VerificationStatus.VERIFIED)


@pytest.fixture
def product(enterprise):
    return ProductFactory(enterprise=enterprise)


def applicant(language="th"):
    """A verified enterprise with its owner and one product."""
    user = UserFactory(role=Role.ENTREPRENEUR, language=language)
    enterprise = EnterpriseFactory(owner=user, status=VerificationStatus.VERIFIED)
    return enterprise, ProductFactory(enterprise=enterprise), user


def application(intake, status=S.SUBMITTED, *, submitted_at=None, language="th"):
    """An application already in `status`, as if it had got there through the services."""
    enterprise, product, user = applicant(language)
    enrolment = Enrolment.objects.create(
        intake=intake,
        enterprise=enterprise,
        status=status,
        created_by=user,
        submitted_at=None if status == S.DRAFT else (submitted_at or timezone.now()),
    )
    enrolment.products.set([product])
    return enrolment


def submitted(intake, n, **kwargs):
    start = timezone.now() - dt.timedelta(hours=n)
    return [
        application(intake, submitted_at=start + dt.timedelta(minutes=i), **kwargs)
        for i in range(n)
    ]


def fill(intake):
    for enrolment in submitted(intake, intake.capacity):
        enrolment.status = S.ACCEPTED
        enrolment.save()


def status_of(enrolment):
    enrolment.refresh_from_db()
    return enrolment.status


# --- Applying ----------------------------------------------------------------------------


def test_save_application_creates_a_draft_with_products_and_answers(intake, enterprise, product):
    question = IntakeQuestion.objects.create(intake=intake, text_th="ทำไม", required=True)
    enrolment = services.save_application(
        intake=intake,
        enterprise=enterprise,
        by=enterprise.created_by,
        products=[product],
        answers={question.pk: "  เพื่อพัฒนา  "},
    )
    assert enrolment.status == S.DRAFT
    assert list(enrolment.products.all()) == [product]
    assert enrolment.answers.get().text == "เพื่อพัฒนา"
    assert list(enrolment.events.values_list("to_status", flat=True)) == [S.DRAFT]


def test_save_application_twice_keeps_one_application(intake, enterprise, product, owner):
    first = services.save_application(
        intake=intake, enterprise=enterprise, by=owner, products=[product], answers={}
    )
    again = services.save_application(
        intake=intake, enterprise=enterprise, by=owner, products=[], answers={}
    )
    assert again == first
    assert intake.enrolments.count() == 1
    assert again.products.count() == 0


def test_one_application_per_enterprise_per_intake(intake, enterprise, product, owner):
    enrolment = services.save_application(
        intake=intake, enterprise=enterprise, by=owner, products=[product], answers={}
    )
    services.submit_application(enrolment=enrolment, by=owner)
    with pytest.raises(AlreadyApplied):
        services.save_application(
            intake=intake, enterprise=enterprise, by=owner, products=[product], answers={}
        )
    assert intake.enrolments.count() == 1


def test_save_application_refuses_another_enterprises_products(intake, enterprise, owner):
    other_product = ProductFactory()
    with pytest.raises(NotAllowed):
        services.save_application(
            intake=intake, enterprise=enterprise, by=owner, products=[other_product], answers={}
        )
    assert not Enrolment.objects.exists()


def test_submit_draft_is_submitted_and_notifies(intake, enterprise, product, owner):
    enrolment = services.save_application(
        intake=intake, enterprise=enterprise, by=owner, products=[product], answers={}
    )
    enrolment = services.submit_application(enrolment=enrolment, by=owner)
    assert enrolment.status == S.SUBMITTED
    assert enrolment.submitted_at is not None
    assert Notification.objects.filter(recipient=owner, kind="enrolment_status").count() == 1


def test_submit_returned_application_keeps_its_place_in_line(intake):
    enrolment = application(intake, S.RETURNED)
    first_submitted = enrolment.submitted_at
    enrolment = services.submit_application(enrolment=enrolment, by=enrolment.created_by)
    assert enrolment.status == S.SUBMITTED
    assert enrolment.submitted_at == first_submitted


@pytest.mark.parametrize("status", sorted(set(S) - {S.DRAFT, S.RETURNED}))
def test_submit_refused_unless_draft_or_returned(intake, status):
    enrolment = application(intake, status)
    with pytest.raises(TransitionRefused):
        services.submit_application(enrolment=enrolment, by=enrolment.created_by)
    assert status_of(enrolment) == status


def test_submit_needs_a_product(intake, enterprise, owner):
    enrolment = services.save_application(
        intake=intake, enterprise=enterprise, by=owner, products=[], answers={}
    )
    with pytest.raises(IncompleteApplication):
        services.submit_application(enrolment=enrolment, by=owner)
    assert status_of(enrolment) == S.DRAFT


def test_submit_needs_every_required_answer(intake, enterprise, product, owner):
    required = IntakeQuestion.objects.create(intake=intake, text_th="จำเป็น", required=True)
    optional = IntakeQuestion.objects.create(intake=intake, text_th="ไม่จำเป็น", required=False)
    enrolment = services.save_application(
        intake=intake,
        enterprise=enterprise,
        by=owner,
        products=[product],
        answers={required.pk: "   ", optional.pk: "ok"},
    )
    with pytest.raises(IncompleteApplication):
        services.submit_application(enrolment=enrolment, by=owner)
    services.save_application(
        intake=intake,
        enterprise=enterprise,
        by=owner,
        products=[product],
        answers={required.pk: "ตอบแล้ว"},
    )
    assert services.submit_application(enrolment=enrolment, by=owner).status == S.SUBMITTED


# --- The deadline --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "opens, closes",
    [(dt.timedelta(days=1), dt.timedelta(days=5)), (-dt.timedelta(days=5), -dt.timedelta(days=1))],
    ids=["not-open-yet", "closed"],
)
def test_outside_the_window_nothing_is_saved_or_submitted(
    enterprise, product, owner, opens, closes
):
    now = timezone.now()
    intake = IntakeFactory(opens_at=now + opens, closes_at=now + closes)
    with pytest.raises(IntakeClosed):
        services.save_application(
            intake=intake, enterprise=enterprise, by=owner, products=[product], answers={}
        )
    draft = application(intake, S.DRAFT)
    with pytest.raises(IntakeClosed):
        services.submit_application(enrolment=draft, by=draft.created_by)
    assert status_of(draft) == S.DRAFT


def test_intake_of_a_draft_programme_is_closed(enterprise, product, owner):
    intake = IntakeFactory(programme__status="draft")
    with pytest.raises(IntakeClosed):
        services.save_application(
            intake=intake, enterprise=enterprise, by=owner, products=[product], answers={}
        )


# --- Eligibility ---------------------------------------------------------------------------


def test_eligible_enterprise_has_no_reasons(intake, enterprise, product):
    reasons = services.eligibility_reasons(intake=intake, enterprise=enterprise, products=[product])
    assert reasons == []


@pytest.mark.parametrize(
    "status, words",
    [(VerificationStatus.UNVERIFIED, "not verified"), (VerificationStatus.INACTIVE, "inactive")],
)
def test_eligibility_needs_an_active_verified_enterprise(intake, status, words):
    enterprise = EnterpriseFactory(status=status)
    reasons = english_reasons(intake=intake, enterprise=enterprise)
    assert len(reasons) == 1
    assert words in reasons[0]


def test_unverified_may_apply_when_intake_allows(enterprise):
    intake = IntakeFactory(verified_only=False)
    enterprise.status = VerificationStatus.UNVERIFIED
    assert services.eligibility_reasons(intake=intake, enterprise=enterprise) == []


def test_eligibility_by_province(intake, enterprise):
    intake.eligible_provinces.add(Province.objects.get(code="50"))  # Chiang Mai
    reasons = english_reasons(intake=intake, enterprise=enterprise)
    assert reasons == ["This intake is for enterprises in Chiang Mai."]
    intake.eligible_provinces.add(Province.objects.get(code="52"))  # Lampang
    assert services.eligibility_reasons(intake=intake, enterprise=enterprise) == []


def test_eligibility_by_kind(enterprise):
    intake = IntakeFactory(eligible_kinds=[EnterpriseKind.SME, EnterpriseKind.ARTISAN])
    reasons = english_reasons(intake=intake, enterprise=enterprise)
    assert reasons == ["This intake is for these kinds of enterprise: SME, Individual artisan."]
    enterprise.kind = EnterpriseKind.SME
    assert services.eligibility_reasons(intake=intake, enterprise=enterprise) == []


def test_eligibility_by_product_category(intake, enterprise, owner):
    intake.eligible_categories.add(category("decor"))  # a group: its types count too
    vase = ProductFactory(enterprise=enterprise, category=category("decor-vase"), name_en="Vase")
    bowl = ProductFactory(enterprise=enterprise, name_en="Bowl")
    reasons = english_reasons(intake=intake, enterprise=enterprise, products=[vase, bowl])
    assert reasons == ["Bowl is not in a product category this intake upgrades."]
    draft = services.save_application(
        intake=intake, enterprise=enterprise, by=owner, products=[bowl], answers={}
    )
    with pytest.raises(NotEligible) as refused:
        services.submit_application(enrolment=draft, by=owner)
    assert len(refused.value.reasons) == 1
    assert status_of(draft) == S.DRAFT


def test_submit_refuses_an_enterprise_no_longer_eligible(intake, enterprise, product, owner):
    draft = services.save_application(
        intake=intake, enterprise=enterprise, by=owner, products=[product], answers={}
    )
    enterprise.status = VerificationStatus.INACTIVE
    enterprise.save()
    with pytest.raises(NotEligible):
        services.submit_application(enrolment=draft, by=owner)


def english_reasons(**kwargs):
    with translation.override("en"):
        return [str(reason) for reason in services.eligibility_reasons(**kwargs)]


# --- Officers' decisions: every transition and every refused one ---------------------------

TRANSITIONS = [(decision, status) for decision in DECISIONS for status in S]


@pytest.mark.parametrize(
    "decision, from_status", TRANSITIONS, ids=[f"{s}->{d}" for d, s in TRANSITIONS]
)
def test_decision_from_each_state(intake, officer, decision, from_status):
    enrolment = application(intake, from_status)
    note = "เหตุผล" if decision in services.NOTE_REQUIRED else ""
    if from_status in DECISIONS[decision]:
        decided = services.decide_enrolment(
            enrolment=enrolment, by=officer, decision=decision, note=note
        )
        assert decided.status == decision
        assert status_of(enrolment) == decision
        event = enrolment.events.get()
        assert (event.from_status, event.to_status, event.by, event.note) == (
            from_status,
            decision,
            officer,
            note,
        )
        assert AuditEntry.objects.filter(action=f"enrolment.{decision}", actor=officer).exists()
    else:
        with pytest.raises(TransitionRefused):
            services.decide_enrolment(enrolment=enrolment, by=officer, decision=decision, note=note)
        assert status_of(enrolment) == from_status
        assert not enrolment.events.exists()
        assert not AuditEntry.objects.filter(action__startswith="enrolment.").exists()


@pytest.mark.parametrize("decision", sorted(services.NOTE_REQUIRED))
def test_reject_and_return_need_a_note(intake, officer, decision):
    enrolment = application(intake)
    with pytest.raises(NoteRequired):
        services.decide_enrolment(enrolment=enrolment, by=officer, decision=decision, note="  ")
    assert status_of(enrolment) == S.SUBMITTED


@pytest.mark.parametrize("decision", sorted(DECISIONS))
def test_each_decision_notifies_every_applicant_in_their_language(intake, officer, decision):
    from_status = sorted(DECISIONS[decision])[0]
    enrolment = application(intake, from_status, language="en")
    thai_member = UserFactory(role=Role.ENTREPRENEUR, language="th")
    Member.objects.create(
        enterprise=enrolment.enterprise,
        user=thai_member,
        full_name=thai_member.full_name,
        role=MemberRole.MEMBER,
    )
    services.decide_enrolment(enrolment=enrolment, by=officer, decision=decision, note="หมายเหตุ")
    owner = enrolment.created_by
    for user in (owner, thai_member):
        assert Notification.objects.filter(recipient=user, kind="enrolment_status").count() == 1
    english = OutboundEmail.objects.get(to=owner.email).body
    thai = OutboundEmail.objects.get(to=thai_member.email).body
    assert intake.programme.title_en in english
    assert intake.programme.title_th in thai
    assert "หมายเหตุ" in english


@pytest.mark.parametrize("user_fixture", ["owner", "centre_staff", "faculty", "student"])
def test_only_officers_decide(request, intake, user_fixture):
    enrolment = application(intake)
    with pytest.raises(NotAllowed):
        services.decide_enrolment(
            enrolment=enrolment, by=request.getfixturevalue(user_fixture), decision=S.ACCEPTED
        )
    assert status_of(enrolment) == S.SUBMITTED


# --- Capacity and the waitlist --------------------------------------------------------------


def test_accept_when_full_is_refused(officer):
    intake = IntakeFactory(capacity=2)
    fill(intake)
    late = application(intake)
    with pytest.raises(IntakeFull):
        services.decide_enrolment(enrolment=late, by=officer, decision=S.ACCEPTED)
    assert status_of(late) == S.SUBMITTED
    assert services.places_taken(intake) == 2


def test_submitting_when_full_waitlists_in_submission_order(intake):
    intake.capacity = 1
    intake.save()
    fill(intake)
    drafts = [application(intake, S.DRAFT) for _ in range(3)]
    # Submitted in reverse order of creation: the waitlist follows submission.
    for draft in reversed(drafts):
        services.submit_application(enrolment=draft, by=draft.created_by)
    positions = [services.waitlist_position(Enrolment.objects.get(pk=d.pk)) for d in drafts]
    assert positions == [3, 2, 1]
    assert [e.pk for e in intake.enrolments.waitlist()] == [d.pk for d in reversed(drafts)]


def test_submitted_does_not_hold_a_place(intake):
    submitted(intake, 8)
    assert services.places_taken(intake) == 0


def test_waitlist_position_is_none_unless_waitlisted(intake):
    assert services.waitlist_position(application(intake)) is None


def test_waitlist_annotation_agrees_with_waitlist_position(intake):
    enrolments = submitted(intake, 4)
    for enrolment in enrolments[1:]:
        enrolment.status = S.WAITLISTED
        enrolment.save()
    annotated = {e.pk: e.waitlist_place for e in with_waitlist_position(Enrolment.objects.all())}
    assert annotated == {e.pk: services.waitlist_position(e) for e in enrolments}
    assert [annotated[e.pk] for e in enrolments] == [None, 1, 2, 3]


@pytest.mark.parametrize("how", ["withdraw", "reject"])
def test_freeing_a_place_promotes_the_next_waitlisted_and_tells_them(officer, how):
    intake = IntakeFactory(capacity=1)
    (accepted,) = submitted(intake, 1)
    accepted.status = S.ACCEPTED
    accepted.save()
    first, second = submitted(intake, 2, language="en")
    for enrolment in (first, second):
        enrolment.status = S.WAITLISTED
        enrolment.save()
    if how == "withdraw":
        services.withdraw_application(enrolment=accepted, by=accepted.created_by)
    else:
        services.decide_enrolment(enrolment=accepted, by=officer, decision=S.REJECTED, note="ไม่ผ่าน")
    assert status_of(first) == S.ACCEPTED
    assert status_of(second) == S.WAITLISTED
    assert services.waitlist_position(second) == 1
    promotion = first.events.get()
    assert (promotion.from_status, promotion.to_status, promotion.by) == (
        S.WAITLISTED,
        S.ACCEPTED,
        None,
    )
    email = OutboundEmail.objects.get(to=first.created_by.email)
    assert "Accepted" in email.subject
    assert intake.programme.title_en in email.body
    assert not OutboundEmail.objects.filter(to=second.created_by.email).exists()


def test_withdrawing_without_a_place_promotes_nobody(intake):
    intake.capacity = 1
    intake.save()
    fill(intake)
    waiting, other = submitted(intake, 2)
    for enrolment in (waiting, other):
        enrolment.status = S.WAITLISTED
        enrolment.save()
    services.withdraw_application(enrolment=waiting, by=waiting.created_by)
    assert status_of(other) == S.WAITLISTED
    assert services.waitlist_position(other) == 1


def test_waitlisted_notice_tells_the_position(intake):
    intake.capacity = 1
    intake.save()
    fill(intake)
    draft = application(intake, S.DRAFT, language="en")
    services.submit_application(enrolment=draft, by=draft.created_by)
    assert "number 1 on the waitlist" in OutboundEmail.objects.get(to=draft.created_by.email).body


# --- Withdrawal ----------------------------------------------------------------------------


@pytest.mark.parametrize("status", sorted(OPEN_STATES))
def test_withdraw_from_each_open_state(intake, status):
    enrolment = application(intake, status)
    services.withdraw_application(enrolment=enrolment, by=enrolment.created_by)
    assert status_of(enrolment) == S.WITHDRAWN
    assert enrolment.events.get().from_status == status


@pytest.mark.parametrize("status", sorted(set(S) - OPEN_STATES))
def test_withdraw_refused_once_closed(intake, status):
    enrolment = application(intake, status)
    with pytest.raises(TransitionRefused):
        services.withdraw_application(enrolment=enrolment, by=enrolment.created_by)
    assert status_of(enrolment) == status


# --- Who may act ---------------------------------------------------------------------------


def test_outsider_cannot_save_submit_or_withdraw(intake, enterprise, product, owner, outsider):
    with pytest.raises(NotAllowed):
        services.save_application(
            intake=intake, enterprise=enterprise, by=outsider, products=[product], answers={}
        )
    draft = services.save_application(
        intake=intake, enterprise=enterprise, by=owner, products=[product], answers={}
    )
    with pytest.raises(NotAllowed):
        services.submit_application(enrolment=draft, by=outsider)
    with pytest.raises(NotAllowed):
        services.withdraw_application(enrolment=draft, by=outsider)
    assert status_of(draft) == S.DRAFT


def test_a_member_acts_for_the_enterprise(intake, enterprise, product):
    member = UserFactory(role=Role.ENTREPRENEUR)
    Member.objects.create(
        enterprise=enterprise, user=member, full_name=member.full_name, role=MemberRole.MEMBER
    )
    draft = services.save_application(
        intake=intake, enterprise=enterprise, by=member, products=[product], answers={}
    )
    assert services.submit_application(enrolment=draft, by=member).status == S.SUBMITTED


# --- Participation: upgrades that count ------------------------------------------------------


def test_upgrades_of_enrolled_products_since_the_intake_opened_count(officer):
    intake = IntakeFactory(opens_at=timezone.now() - dt.timedelta(days=30))
    opened = timezone.localdate(intake.opens_at)
    enrolment = application(intake, S.ACTIVE)
    product = enrolment.products.get()
    counted = UpgradeRecordFactory(product=product, started_on=opened)
    UpgradeRecordFactory(product=product, started_on=opened - dt.timedelta(days=1))  # before
    UpgradeRecordFactory(product=ProductFactory(enterprise=enterprise_of(enrolment)))  # not chosen
    waiting = application(intake, S.WAITLISTED)
    UpgradeRecordFactory(product=waiting.products.get(), started_on=opened)  # holds no place
    assert list(upgrades_counted(enrolment)) == [counted]
    assert list(counted_upgrades(intake.programme)) == [counted]
    # Another intake of the programme enrolling the same product counts the record once.
    again = IntakeFactory(programme=intake.programme, opens_at=intake.opens_at)
    second = Enrolment.objects.create(
        intake=again, enterprise=enrolment.enterprise, status=S.ACCEPTED
    )
    second.products.set([product])
    assert list(counted_upgrades(intake.programme)) == [counted]
    assert not counted_upgrades(IntakeFactory().programme).exists()


def enterprise_of(enrolment):
    return enrolment.enterprise


def test_event_history_records_each_step(intake, enterprise, product, owner, officer):
    draft = services.save_application(
        intake=intake, enterprise=enterprise, by=owner, products=[product], answers={}
    )
    services.submit_application(enrolment=draft, by=owner)
    services.decide_enrolment(enrolment=draft, by=officer, decision=S.UNDER_REVIEW)
    services.decide_enrolment(enrolment=draft, by=officer, decision=S.ACCEPTED)
    services.decide_enrolment(enrolment=draft, by=officer, decision=S.ACTIVE)
    services.decide_enrolment(enrolment=draft, by=officer, decision=S.COMPLETED)
    events = EnrolmentEvent.objects.filter(enrolment=draft)
    steps = list(events.values_list("from_status", "to_status"))
    assert steps == [
        ("", S.DRAFT),
        (S.DRAFT, S.SUBMITTED),
        (S.SUBMITTED, S.UNDER_REVIEW),
        (S.UNDER_REVIEW, S.ACCEPTED),
        (S.ACCEPTED, S.ACTIVE),
        (S.ACTIVE, S.COMPLETED),
    ]


def test_an_earlier_notice_keeps_the_state_it_announced(owner, officer_2fa):
    from notifications.models import Notification
    from programmes import services
    from tests.factories import EnterpriseFactory, IntakeFactory, ProductFactory

    enterprise = EnterpriseFactory(owner=owner, status="verified")
    product = ProductFactory(enterprise=enterprise)
    intake = IntakeFactory()
    enrolment = services.save_application(
        intake=intake, enterprise=enterprise, by=owner, products=[product], answers={}
    )
    services.submit_application(enrolment=enrolment, by=owner)
    services.decide_enrolment(enrolment=enrolment, by=officer_2fa, decision="accepted")
    first, second = Notification.objects.filter(recipient=owner).order_by("created_at", "pk")
    assert first.target.to_status == "submitted"
    assert second.target.to_status == "accepted"
    assert first.subject != second.subject
