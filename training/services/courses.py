"""Enrolment in course runs, attendance, completion, certificates and the clearances they grant.

Places are counted under a lock on the run's row with the same machinery as intakes
(`models.COURSE_PLACES`, toolkit.capacity): two people taking the last place queue behind
each other and the second joins the waitlist; a freed place moves the next one up.
"""

import secrets
from datetime import timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.text import format_lazy, get_text_list
from django.utils.translation import gettext_lazy as _

from accounts.rules import is_staff_officer
from notifications.services import notify
from toolkit.audit import record_audit
from toolkit.thaidates import fiscal_year

from ..exceptions import LabError, NotAllowed, TransitionRefused
from ..models import (
    ATTENDED,
    COURSE_PLACES,
    Attendance,
    AttendanceMark,
    Certificate,
    Clearance,
    CourseEnrolment,
    CourseEnrolmentStatus,
    CourseRun,
    RunStatus,
)

E = CourseEnrolmentStatus
# Letters and digits a person can read out without confusion (no 0/O, 1/I/L).
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12


class EnrolmentRefused(LabError):
    pass


def may_manage(user, run=None):
    """Officers and faculty manage courses; a run's instructors mark and close their runs."""
    if user.has_perm("training.manage_courses"):
        return True
    return run is not None and user.is_authenticated and run.instructors.filter(pk=user.pk).exists()


def may_take_attendance(user, run):
    """The run's or the course's instructors, and officers, mark attendance; other faculty not."""
    if not user.is_authenticated:
        return False
    if is_staff_officer(user):
        return True
    return (
        CourseRun.objects.filter(pk=run.pk)
        .filter(Q(instructors=user.pk) | Q(course__instructors=user.pk))
        .exists()
    )


# --- Enrolment ------------------------------------------------------------------------


def enrolment_refusal(run, person, now=None):
    """Why `person` may not enrol themselves in `run` now, or None."""
    now = now or timezone.now()
    course = run.course
    if run.status != RunStatus.OPEN:
        return _("This run is not taking enrolments.")
    if now < run.enrol_opens_at:
        return format_lazy(_("Enrolment opens on {date}."), date=_when(run.enrol_opens_at))
    if now > run.enrol_closes_at:
        return format_lazy(_("Enrolment closed on {date}."), date=_when(run.enrol_closes_at))
    if person.role not in course.audience:
        return format_lazy(
            _("This course is for {audience}."),
            audience=get_text_list([str(a) for a in course.audience_labels], _("and")),
        )
    return None


def _when(moment):
    from toolkit.thaidates import format_datetime

    return format_datetime(moment)


def _standing(run, person):
    return (
        CourseEnrolment.objects.filter(run=run, person=person).exclude(status=E.CANCELLED).first()
    )


@transaction.atomic
def enrol(*, run, person, by=None, now=None, check_rules=True):
    """Enrol `person` (by themselves, or `by` an officer): a place, or the waitlist when full."""
    by = by or person
    if by != person and not may_manage(by, run):
        raise NotAllowed()
    run = COURSE_PLACES.lock(run.pk, select_related=("course",))
    if check_rules:
        refusal = enrolment_refusal(run, person, now)
        if refusal is not None:
            raise EnrolmentRefused(refusal)
    if _standing(run, person) is not None:
        raise EnrolmentRefused(_("You are already enrolled in this run or on its waitlist."))
    status = E.ENROLLED if COURSE_PLACES.has_room(run) else E.WAITLISTED
    try:
        with transaction.atomic():
            enrolment = CourseEnrolment.objects.create(
                run=run,
                person=person,
                status=status,
                enrolled_by=by,
                enrolled_at=now or timezone.now(),
            )
    except IntegrityError as exc:
        raise EnrolmentRefused(
            _("You are already enrolled in this run or on its waitlist.")
        ) from exc
    if by != person:
        record_audit(actor=by, action="course.enrol", target=enrolment, person=person.pk)
    notify(
        person,
        "course_enrolled" if status == E.ENROLLED else "course_waitlisted",
        enrolment,
        url=run.get_absolute_url(),
    )
    return enrolment


def enrol_many(*, run, people, by):
    """An officer enrols a list of people; returns (enrolled, waitlisted, [(person, reason)])."""
    if not may_manage(by, run):
        raise NotAllowed()
    enrolled, waitlisted, refused = [], [], []
    for person in people:
        try:
            enrolment = enrol(run=run, person=person, by=by, check_rules=False)
        except EnrolmentRefused as exc:
            refused.append((person, exc.message))
            continue
        (enrolled if enrolment.status == E.ENROLLED else waitlisted).append(enrolment)
    return enrolled, waitlisted, refused


def waitlist_position(enrolment):
    return COURSE_PLACES.position(enrolment)


@transaction.atomic
def cancel(*, enrolment, by):
    """The person (or a manager) cancels; a freed place goes to the next in line."""
    enrolment = (
        CourseEnrolment.objects.select_for_update().select_related("run").get(pk=enrolment.pk)
    )
    if enrolment.person_id != by.pk and not may_manage(by, enrolment.run):
        raise NotAllowed()
    if enrolment.status not in (E.ENROLLED, E.WAITLISTED):
        raise TransitionRefused(_("This enrolment can no longer be cancelled."))
    run = COURSE_PLACES.lock(enrolment.run_id, select_related=("course",))
    frees = COURSE_PLACES.frees(enrolment, E.CANCELLED)
    enrolment.status, enrolment.cancelled_at = E.CANCELLED, timezone.now()
    enrolment.save(update_fields=["status", "cancelled_at"])
    if frees and run.status == RunStatus.OPEN:
        promote(run)
    return enrolment


def promote(run):
    """Give free places to the waitlist, in order, and tell each person. Under the run's lock."""

    def accept(waiting):
        waiting.status = E.ENROLLED
        waiting.save(update_fields=["status"])
        notify(waiting.person, "course_promoted", waiting, url=run.get_absolute_url())

    return COURSE_PLACES.promote(run, accept=accept)


# --- Attendance -----------------------------------------------------------------------


@transaction.atomic
def mark_attendance(*, session, enrolment, mark, by):
    """Record one person's attendance at one session (a second mark replaces the first)."""
    run = session.run
    if not may_take_attendance(by, run):
        raise NotAllowed()
    if mark not in AttendanceMark.values:
        raise LabError(_("Choose present, late, absent or excused."))
    if enrolment.run_id != run.pk or enrolment.status not in (E.ENROLLED,):
        raise LabError(_("This person is not enrolled in this run."))
    if run.status == RunStatus.CLOSED:
        raise TransitionRefused(_("The run is closed; its attendance can no longer change."))
    attendance, _created = Attendance.objects.update_or_create(
        session=session,
        enrolment=enrolment,
        defaults={"mark": mark, "marked_by": by, "marked_at": timezone.now()},
    )
    return attendance


def percent_attended(attended, sessions):
    """The attendance share from the counts: percent of all the run's sessions, one decimal."""
    if not sessions:
        return Decimal(0)
    return (Decimal(attended) * 100 / sessions).quantize(Decimal("0.1"))


def attendance_share(enrolment, session_count=None):
    """Percent of the run's sessions attended (present or late); 0 for a run without sessions."""
    sessions = session_count if session_count is not None else enrolment.run.sessions.count()
    if not sessions:
        return Decimal(0)
    attended = enrolment.attendance.filter(mark__in=ATTENDED).count()
    return percent_attended(attended, sessions)


def shares_of(run):
    """{enrolment id: percent attended} for every enrolled person of the run, in one query."""
    sessions = run.sessions.count()
    rows = (
        CourseEnrolment.objects.filter(run=run, status=E.ENROLLED)
        .annotate(attended=Count("attendance", filter=Q(attendance__mark__in=ATTENDED)))
        .values_list("pk", "attended")
    )
    if not sessions:
        return {pk: Decimal(0) for pk, _a in rows}
    return {pk: percent_attended(a, sessions) for pk, a in rows}


# --- Completion and certificates ------------------------------------------------------


def new_code():
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _next_serial(year):
    """The next serial of the fiscal year; issue under the run lock, retried on a clash."""
    last = Certificate.objects.filter(fiscal_year=year).aggregate(m=Max("serial"))["m"]
    return (last or 0) + 1


def _instructor_names(run):
    instructors = list(run.instructors.all()) or list(run.course.instructors.all())
    return ", ".join(i.full_name for i in instructors)


def _issue(enrolment, *, now, by, instructor_names=None, grants=None):
    """One certificate and its clearances; a run's close passes what is the same for all."""
    run, course, person = enrolment.run, enrolment.run.course, enrolment.person
    if instructor_names is None:
        instructor_names = _instructor_names(run)
    if grants is None:
        grants = list(course.course_clearances.select_related("kind"))
    year = fiscal_year(now)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                certificate = Certificate.objects.create(
                    enrolment=enrolment,
                    holder=person,
                    fiscal_year=year,
                    serial=_next_serial(year),
                    code=new_code(),
                    issued_at=now,
                    holder_name=person.full_name or person.email,
                    course_title_th=course.title_th,
                    course_title_en=course.title_en,
                    hours=course.hours,
                    instructor_names=instructor_names,
                )
            break
        except IntegrityError:
            continue
    else:
        raise LabError(_("A certificate number could not be given; please try again."))
    for grant in grants:
        grant_for_certificate(
            certificate, grant.kind, timezone.localdate(now) + timedelta(days=grant.valid_days)
        )
    record_audit(
        actor=by, action="certificate.issue", target=certificate, number=certificate.number
    )
    return certificate


def grant_for_certificate(certificate, kind, valid_until):
    """The clearance a completed course grants: a new one, or the standing one extended."""
    clearance = (
        Clearance.objects.select_for_update()
        .not_revoked()
        .filter(holder=certificate.holder_id, kind=kind)
        .first()
    )
    if clearance is None:
        return Clearance.objects.create(
            holder=certificate.holder, kind=kind, valid_until=valid_until, certificate=certificate
        )
    clearance.valid_until = max(clearance.valid_until, valid_until)
    clearance.granted_at, clearance.certificate = timezone.now(), certificate
    clearance.lapse_reminder_for = None
    clearance.save()
    return clearance


@transaction.atomic
def close_run(*, run, by, now=None):
    """Complete everyone at or above the attendance share, issue their certificates.

    The PDFs are built afterwards by the worker (tasks.build_certificates); each holder is
    told when theirs is ready. Returns (completed, not_completed) enrolments.
    """
    now = now or timezone.now()
    if not may_manage(by, run):
        raise NotAllowed()
    run = COURSE_PLACES.lock(run.pk, select_related=("course",))
    if run.status == RunStatus.CLOSED:
        raise TransitionRefused(_("This run is closed already."))
    if run.status != RunStatus.OPEN:
        # A planned or cancelled run was never taught: nobody completes it.
        raise TransitionRefused(_("Only a run that is open or under way can be closed."))
    required = Decimal(run.course.attendance_required)
    shares = shares_of(run)
    # The same for every certificate of the run: read once, not once per person.
    names = _instructor_names(run)
    grants = list(run.course.course_clearances.select_related("kind"))
    completed, not_completed = [], []
    enrolments = (
        CourseEnrolment.objects.filter(pk__in=shares)
        .select_related("person", "run__course")
        .order_by("enrolled_at", "pk")
    )
    for enrolment in enrolments:
        if shares[enrolment.pk] >= required:
            enrolment.status = E.COMPLETED
            enrolment.save(update_fields=["status"])
            _issue(enrolment, now=now, by=by, instructor_names=names, grants=grants)
            completed.append(enrolment)
        else:
            enrolment.status = E.NOT_COMPLETED
            enrolment.save(update_fields=["status"])
            not_completed.append(enrolment)
    # Those still waiting never had a place: their enrolment ends with the run.
    CourseEnrolment.objects.filter(run=run, status=E.WAITLISTED).update(
        status=E.CANCELLED, cancelled_at=now
    )
    run.status, run.closed_at, run.closed_by = RunStatus.CLOSED, now, by
    run.save(update_fields=["status", "closed_at", "closed_by"])
    record_audit(
        actor=by,
        action="course_run.close",
        target=run,
        completed=len(completed),
        not_completed=len(not_completed),
    )
    run_id = run.pk

    def build_after_commit():
        from ..tasks import build_certificates

        build_certificates.delay(run_id)

    transaction.on_commit(build_after_commit, robust=True)
    return completed, not_completed


@transaction.atomic
def revoke_certificate(*, certificate, by, reason):
    """An officer revokes a certificate: the clearances it granted lapse; the holder is told."""
    if not by.has_perm("training.revoke_certificates"):
        raise NotAllowed()
    if not reason or not reason.strip():
        raise LabError(_("Give the reason for revoking the certificate."))
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.revoked_at is not None:
        return certificate
    now = timezone.now()
    certificate.revoked_at, certificate.revoked_by, certificate.revoke_reason = now, by, reason
    certificate.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    Clearance.objects.not_revoked().filter(certificate=certificate).update(
        revoked_at=now, revoked_by=by, revoke_reason=reason
    )
    record_audit(actor=by, action="certificate.revoke", target=certificate, reason=reason)
    notify(certificate.holder, "certificate_revoked", certificate, context={"reason": reason})
    return certificate


def verify(code):
    """The certificate with this code, or None (codes are compared case-insensitively)."""
    code = (code or "").strip().upper()
    if not code or len(code) > 32 or any(c not in CODE_ALPHABET for c in code):
        return None
    return Certificate.objects.filter(code=code).first()
