"""Applications to intakes and their review: every change of state goes through here.

Capacity is enforced by locking the intake's row before counting the places held, so two
officers accepting at the same moment queue behind each other and the second sees the
first's acceptance; the places, the waitlist and its order are those of
`models.PLACES` (toolkit.capacity).
"""

import copy
from collections import Counter

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from entrepreneurs.models import VerificationStatus
from notifications.services import notify, receives_email
from toolkit.audit import record_audit
from toolkit.pagination import data_changed

from .exceptions import (
    AlreadyApplied,
    EnrolmentError,
    IncompleteApplication,
    IntakeClosed,
    IntakeFull,
    NotAllowed,
    NotEligible,
    NoteRequired,
    TransitionRefused,
)
from .models import (
    OPEN_STATES,
    PLACE_HOLDING,
    PLACES,
    PROGRAMME_DATA,
    Enrolment,
    EnrolmentAnswer,
    EnrolmentEvent,
    EnrolmentStatus,
    Intake,
    Partner,
    Programme,
    ProgrammePartner,
    ProgrammeStatus,
)

S = EnrolmentStatus

# What an officer may decide, from which states.
DECISIONS = {
    S.UNDER_REVIEW: {S.SUBMITTED},
    S.ACCEPTED: {S.SUBMITTED, S.UNDER_REVIEW, S.WAITLISTED},
    S.WAITLISTED: {S.SUBMITTED, S.UNDER_REVIEW},
    S.REJECTED: {S.SUBMITTED, S.UNDER_REVIEW, S.WAITLISTED, S.ACCEPTED},
    S.RETURNED: {S.SUBMITTED, S.UNDER_REVIEW},
    S.ACTIVE: {S.ACCEPTED},
    S.COMPLETED: {S.ACTIVE},
}
NOTE_REQUIRED = {S.REJECTED, S.RETURNED}


def may_act_for(user, enterprise):
    """Members of the enterprise apply for it; officers may too."""
    return user.has_perm("programmes.apply_for_enterprise", enterprise)


def applicants(enrolment):
    """Everyone with an account who speaks for the applying enterprise."""
    enterprise = enrolment.enterprise
    users = {m.user for m in enterprise.members.select_related("user") if m.user_id}
    if enterprise.created_by_id and enterprise.created_by.role == Role.ENTREPRENEUR:
        users.add(enterprise.created_by)
    return sorted(users, key=lambda u: u.pk)


def places_taken(intake):
    return PLACES.taken(intake)


def waitlist_position(enrolment):
    """1 for the next in line; None when the application is not waitlisted."""
    return PLACES.position(enrolment)


def eligibility_reasons(*, intake, enterprise, products=()):
    """Why this enterprise (with these products) may not apply; empty when it may."""
    reasons = []
    if enterprise.status == VerificationStatus.INACTIVE:
        reasons.append(_("Your enterprise is inactive, so it cannot apply."))
    elif intake.verified_only and enterprise.status != VerificationStatus.VERIFIED:
        reasons.append(
            _("Only enterprises verified by a DIPROM officer may apply; yours is not verified yet.")
        )
    provinces = list(intake.eligible_provinces.all())
    if provinces and enterprise.province_id not in {p.code for p in provinces}:
        reasons.append(
            format_lazy(
                _("This intake is for enterprises in {provinces}."),
                provinces=", ".join(p.name for p in provinces),
            )
        )
    if intake.eligible_kinds and enterprise.kind not in intake.eligible_kinds:
        reasons.append(
            format_lazy(
                _("This intake is for these kinds of enterprise: {kinds}."),
                kinds=", ".join(str(k) for k in intake.eligible_kind_labels),
            )
        )
    categories = {c.pk for c in intake.eligible_categories.all()}
    if categories:
        for product in products:
            if (
                product.category_id not in categories
                and product.category.parent_id not in categories
            ):
                reasons.append(
                    format_lazy(
                        _("{product} is not in a product category this intake upgrades."),
                        product=product.name,
                    )
                )
    return reasons


def _record(enrolment, *, by, to_status, note=""):
    event = EnrolmentEvent.objects.create(
        enrolment=enrolment, from_status=enrolment.status, to_status=to_status, note=note, by=by
    )
    enrolment.status = to_status
    data_changed(PROGRAMME_DATA)
    return event


def _notify_applicants(enrolment, *, note=""):
    # The notice points at the event, not the application, so the inbox keeps showing
    # the state as it was when the notice went out.
    event = enrolment.events.order_by("-at", "-pk").first()
    context = {"enrolment": enrolment, "note": note, "position": waitlist_position(enrolment)}
    for user in applicants(enrolment):
        notify(
            user,
            "enrolment_status",
            event,
            url=reverse("programmes:enrolment_detail", args=[enrolment.pk]),
            context=context,
        )


@transaction.atomic
def save_application(*, intake, enterprise, by, products, answers) -> Enrolment:
    """Create or update the enterprise's draft application to an intake."""
    if not may_act_for(by, enterprise):
        raise NotAllowed()
    if not intake.is_open():
        raise IntakeClosed()
    products = list(products)
    if any(p.enterprise_id != enterprise.pk for p in products):
        raise NotAllowed(_("Choose only your own enterprise's products."))
    enrolment, created = Enrolment.objects.select_for_update().get_or_create(
        intake=intake, enterprise=enterprise, defaults={"created_by": by}
    )
    if not created and enrolment.status not in (S.DRAFT, S.RETURNED):
        raise AlreadyApplied()
    if created:
        EnrolmentEvent.objects.create(enrolment=enrolment, to_status=S.DRAFT, by=by)
        data_changed(PROGRAMME_DATA)
    enrolment.products.set(products)
    questions = {q.pk: q for q in intake.questions.all()}
    for question_id, text in answers.items():
        if question_id in questions:
            EnrolmentAnswer.objects.update_or_create(
                enrolment=enrolment, question_id=question_id, defaults={"text": text.strip()}
            )
    enrolment.save()
    return enrolment


@transaction.atomic
def submit_application(*, enrolment, by) -> Enrolment:
    """Submit a draft (or a returned application); a full intake puts it on the waitlist."""
    # Lock the intake so two last-minute submissions cannot both see a free place.
    intake = PLACES.lock(enrolment.intake_id, select_related=["programme"])
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if not may_act_for(by, enrolment.enterprise):
        raise NotAllowed()
    if enrolment.status not in (S.DRAFT, S.RETURNED):
        raise TransitionRefused(_("This application has been submitted already."))
    if not intake.is_open():
        raise IntakeClosed()
    products = list(enrolment.products.select_related("category"))
    reasons = eligibility_reasons(intake=intake, enterprise=enrolment.enterprise, products=products)
    if reasons:
        raise NotEligible(reasons)
    if not products:
        raise IncompleteApplication(_("Choose at least one product to upgrade."))
    answered = {a.question_id for a in enrolment.answers.all() if a.text}
    missing = [q for q in intake.questions.all() if q.required and q.pk not in answered]
    if missing:
        raise IncompleteApplication(
            format_lazy(_("Answer every required question: {question}"), question=missing[0].text)
        )
    full = not PLACES.has_room(intake)
    if enrolment.submitted_at is None:
        enrolment.submitted_at = timezone.now()
    _record(enrolment, by=by, to_status=S.WAITLISTED if full else S.SUBMITTED)
    enrolment.save()
    _notify_applicants(enrolment)
    return enrolment


@transaction.atomic
def decide_enrolment(*, enrolment, by, decision, note="") -> Enrolment:
    """An officer's decision on one application; capacity is checked under the intake's lock."""
    if not by.has_perm("programmes.decide_enrolment"):
        raise NotAllowed()
    intake = PLACES.lock(enrolment.intake_id)
    enrolment = (
        Enrolment.objects.select_for_update().select_related("enterprise").get(pk=enrolment.pk)
    )
    decision = S(decision)
    if enrolment.status not in DECISIONS.get(decision, ()):
        raise TransitionRefused()
    note = (note or "").strip()
    if decision in NOTE_REQUIRED and not note:
        raise NoteRequired()
    if decision == S.ACCEPTED and not PLACES.has_room(intake):
        raise IntakeFull()
    freed = PLACES.frees(enrolment, decision)
    _record(enrolment, by=by, to_status=decision, note=note)
    enrolment.decided_at = timezone.now()
    enrolment.save()
    record_audit(actor=by, action=f"enrolment.{decision}", target=enrolment, note=note)
    _notify_applicants(enrolment, note=note)
    if freed:
        promote_waitlisted(intake=intake)
    return enrolment


@transaction.atomic
def withdraw_application(*, enrolment, by) -> Enrolment:
    """The applicant withdraws; a place it held goes to the next on the waitlist."""
    intake = PLACES.lock(enrolment.intake_id)
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if not may_act_for(by, enrolment.enterprise):
        raise NotAllowed()
    if enrolment.status not in OPEN_STATES:
        raise TransitionRefused()
    freed = enrolment.holds_place
    _record(enrolment, by=by, to_status=S.WITHDRAWN)
    enrolment.save()
    _notify_applicants(enrolment)
    if freed:
        promote_waitlisted(intake=intake)
    return enrolment


def promote_waitlisted(*, intake) -> list[Enrolment]:
    """Give free places to the waitlist, first come first served. Call under the intake's lock."""
    return PLACES.promote(intake, accept=_accept_from_waitlist)


def _accept_from_waitlist(enrolment):
    # No note is stored: the history gives the reason in each reader's language.
    _record(enrolment, by=None, to_status=S.ACCEPTED)
    enrolment.decided_at = timezone.now()
    enrolment.save()
    _notify_applicants(enrolment)


def decision_order(enrolments, decision):
    """The order a bulk decision takes: oldest submission first.

    When the decision frees places (a rejection of accepted applications, say), the
    selected applications that hold none are decided first: otherwise a waitlisted one in
    the same selection could be promoted by a freed place, then decided, and be told both.
    """
    frees = S(decision) not in PLACE_HOLDING
    return sorted(
        enrolments,
        key=lambda e: (frees and e.status in PLACE_HOLDING, e.submitted_at or e.created_at, e.pk),
    )


def decide_many(*, enrolments, by, decision, note=""):
    """Decide several applications in decision_order; returns (done, refused).

    Each is decided in its own transaction, so one refusal (a full intake, a state that
    does not allow it) leaves the others decided; `refused` pairs each with its reason.
    """
    done, refused = [], []
    for enrolment in decision_order(enrolments, decision):
        try:
            done.append(decide_enrolment(enrolment=enrolment, by=by, decision=decision, note=note))
        except (TransitionRefused, IntakeFull, NoteRequired, NotAllowed) as error:
            refused.append((enrolment, error.message))
    return done, refused


def preview_notices(*, enrolments, decision, note=""):
    """The notices a bulk decision would send, as (enrolment, recipient, subject, body)."""
    from notifications.rendering import render_email

    notices = []
    for original in enrolments:
        # A copy with the decided state and an unsaved event, only to render the notice.
        enrolment = copy.copy(original)
        enrolment.status = S(decision)
        event = EnrolmentEvent(enrolment=enrolment, from_status=original.status, to_status=decision)
        for user in filter(receives_email, applicants(original)):
            subject, body, _html = render_email(
                "enrolment_status",
                recipient=user,
                obj=event,
                url=reverse("programmes:enrolment_detail", args=[enrolment.pk]),
                context={"enrolment": enrolment, "note": note, "position": None},
            )
            notices.append((original, user, subject, body))
    return notices


def likely_refusals(enrolments, decision) -> dict:
    """{pk: reason} for what a bulk decision will refuse; `enrolments` in decision_order.

    A state the decision does not apply to is refused; acceptances beyond an intake's
    free places too. A preview: the decision itself checks again under the lock.
    """
    decision = S(decision)
    free = {}
    if decision == S.ACCEPTED:
        free = PLACES.free_places(Intake.objects.filter(pk__in={e.intake_id for e in enrolments}))
    refusals = {}
    for enrolment in enrolments:
        if enrolment.status not in DECISIONS[decision]:
            refusals[enrolment.pk] = TransitionRefused.message
        elif decision == S.ACCEPTED:
            if free[enrolment.intake_id] <= 0:
                refusals[enrolment.pk] = IntakeFull.message
            else:
                free[enrolment.intake_id] -= 1
    return refusals


def likely_promotions(*, enrolments, decision) -> list[Enrolment]:
    """The waitlisted applications a decision on `enrolments` would move up to accepted.

    Places freed by taking accepted or active applications out go to the waitlist, first
    come first served, as promote_waitlisted gives them; applications in the same
    selection are not counted as waiting. A preview: the decision itself checks again.
    """
    if S(decision) in PLACE_HOLDING:
        return []
    freed = Counter(e.intake_id for e in enrolments if PLACES.frees(e, decision))
    free = PLACES.free_places(Intake.objects.filter(pk__in=freed), released=freed)
    chosen = [e.pk for e in enrolments]
    promoted = []
    for intake_id in sorted(free):
        waiting = PLACES.next_in_line(intake_id, free[intake_id], exclude=chosen)
        promoted += waiting.select_related("enterprise", "intake__programme")
    return promoted


# --- Partners, programmes and intakes: officers run them --------------------------------

P = ProgrammeStatus

# Where a programme may go from each state; closed → active reopens it.
PROGRAMME_MOVES = {
    P.DRAFT: (P.ACTIVE,),
    P.ACTIVE: (P.CLOSED,),
    P.CLOSED: (P.ACTIVE, P.ARCHIVED),
    P.ARCHIVED: (),
}


def next_programme_statuses(programme):
    return PROGRAMME_MOVES[P(programme.status)]


def _editable_fields(model, *, skip=()):
    skip = {"id", "created_by", "created_at", *skip}
    return [f.name for f in model._meta.concrete_fields if f.name not in skip]


def _changed_fields(saved, edited, fields):
    return [name for name in fields if getattr(saved, name) != getattr(edited, name)]


def _refuse_archived(programme):
    if programme.status == P.ARCHIVED:
        raise EnrolmentError(_("This programme is archived; it can no longer be changed."))


@transaction.atomic
def save_partner(*, partner, by) -> Partner:
    """Create or change a partner organisation."""
    if not by.has_perm("programmes.manage_programmes"):
        raise NotAllowed()
    fields = _editable_fields(Partner)
    if partner.pk is None:
        partner.save()
        record_audit(actor=by, action="partner.created", target=partner)
        return partner
    saved = Partner.objects.select_for_update().get(pk=partner.pk)
    partner.save(update_fields=fields)
    record_audit(
        actor=by,
        action="partner.changed",
        target=partner,
        fields=_changed_fields(saved, partner, fields),
    )
    return partner


@transaction.atomic
def save_programme(*, programme, by) -> Programme:
    """Create or change a programme's details; its state changes only by set_programme_status."""
    if not by.has_perm("programmes.manage_programmes"):
        raise NotAllowed()
    fields = _editable_fields(Programme, skip={"status"})
    if programme.pk is None:
        programme.status = P.DRAFT
        programme.created_by = by
        programme.save()
        record_audit(actor=by, action="programme.created", target=programme)
        return programme
    saved = Programme.objects.select_for_update().get(pk=programme.pk)
    _refuse_archived(saved)
    # Only the details are written, so a state changed meanwhile by someone else stays.
    programme.save(update_fields=fields)
    data_changed(PROGRAMME_DATA)
    programme.status = saved.status
    record_audit(
        actor=by,
        action="programme.changed",
        target=programme,
        fields=_changed_fields(saved, programme, fields),
    )
    return programme


@transaction.atomic
def set_programme_status(*, programme, by, status) -> Programme:
    """Move a programme draft → active → closed → archived, or reopen a closed one."""
    if not by.has_perm("programmes.manage_programmes"):
        raise NotAllowed()
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    current = P(programme.status)
    if status not in P.values or P(status) not in PROGRAMME_MOVES[current]:
        raise TransitionRefused(
            format_lazy(
                _("A programme that is {current} cannot be made {new}."),
                current=current.label.lower(),
                new=P(status).label.lower() if status in P.values else status,
            )
        )
    programme.status = P(status)
    programme.save(update_fields=["status"])
    record_audit(
        actor=by,
        action="programme.status_changed",
        target=programme,
        from_status=current.value,
        status=programme.status.value,
    )
    return programme


@transaction.atomic
def add_programme_partner(*, programme, partner, role, agreement_reference="", by):
    """Name a partner of the programme in a role (lead, co-implementer, host, funder)."""
    if not by.has_perm("programmes.manage_programmes"):
        raise NotAllowed()
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    _refuse_archived(programme)
    if programme.partnerships.filter(partner=partner, role=role).exists():
        raise EnrolmentError(_("This partner already has this role in the programme."))
    partnership = ProgrammePartner.objects.create(
        programme=programme,
        partner=partner,
        role=role,
        agreement_reference=agreement_reference.strip(),
    )
    record_audit(
        actor=by,
        action="programme.partner_added",
        target=programme,
        partner=partner.pk,
        role=role,
        agreement_reference=partnership.agreement_reference,
    )
    return partnership


@transaction.atomic
def remove_programme_partner(*, partnership, by) -> None:
    """Take a partner's role off the programme."""
    if not by.has_perm("programmes.manage_programmes"):
        raise NotAllowed()
    programme = Programme.objects.select_for_update().get(pk=partnership.programme_id)
    _refuse_archived(programme)
    record_audit(
        actor=by,
        action="programme.partner_removed",
        target=programme,
        partner=partnership.partner_id,
        role=partnership.role,
    )
    partnership.delete()


@transaction.atomic
def save_intake(
    *, intake, by, provinces=(), categories=(), questions=(), removed_questions=()
) -> Intake:
    """Create or change an intake with its eligibility and questions.

    `questions` are the intake's questions to keep, in order (new ones unsaved);
    `removed_questions` are deleted unless someone has answered them. The capacity is
    checked under the intake's lock, so it never drops below the places already taken;
    when it grows, the waitlist moves up into the new places.
    """
    if not by.has_perm("programmes.manage_programmes"):
        raise NotAllowed()
    _refuse_archived(Programme.objects.select_for_update().get(pk=intake.programme_id))
    if intake.closes_at <= intake.opens_at:
        raise EnrolmentError(_("Applications must close after they open."))
    created = intake.pk is None
    grown = False
    if not created:
        saved = PLACES.lock(intake.pk)
        grown = intake.capacity > saved.capacity
        taken = places_taken(intake)
        if intake.capacity < taken:
            raise EnrolmentError(
                format_lazy(
                    _("{taken} places are taken already; the capacity cannot be less."),
                    taken=taken,
                )
            )
    if EnrolmentAnswer.objects.filter(question__in=[q.pk for q in removed_questions]).exists():
        raise EnrolmentError(_("Applicants have answered a question you removed; it has to stay."))
    intake.save()
    data_changed(PROGRAMME_DATA)
    intake.eligible_provinces.set(provinces)
    intake.eligible_categories.set(categories)
    for question in removed_questions:
        question.delete()
    for position, question in enumerate(questions):
        question.intake = intake
        question.position = position
        question.save()
    record_audit(
        actor=by,
        action="intake.created" if created else "intake.changed",
        target=intake,
        capacity=intake.capacity,
        opens_at=intake.opens_at.isoformat(),
        closes_at=intake.closes_at.isoformat(),
    )
    # Only new places move the waitlist: an officer may have waitlisted someone on purpose
    # while places were free, and correcting a date or a name must not accept them.
    if grown:
        promote_waitlisted(intake=intake)
    return intake
