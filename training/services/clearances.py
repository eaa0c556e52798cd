"""Granting, revoking and reminding of clearances; staff decisions are audited."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications.services import notify
from toolkit.audit import record_audit

from ..exceptions import LabError, NotAllowed
from ..models import Clearance, Resource


def _lock_person(person):
    """Lock the person's row: their one-of-a-kind rows are written one request at a time."""
    get_user_model().objects.select_for_update().filter(pk=person.pk).first()


def _require(by):
    if not by.has_perm("training.manage_clearances"):
        raise NotAllowed()


@transaction.atomic
def grant(*, holder, kind, valid_until, by, note="", audited=True):
    """Give `holder` the clearance, or extend the one they hold; returns it.

    `by` is centre staff here; courses grant through `grant_for_course` (issue 10) with
    audited=True and their own actor.
    """
    _require(by)
    if valid_until < timezone.localdate():
        raise LabError(_("The clearance must be valid until today or later."))
    # The holder's row, locked: two grants at once find no clearance to lock, and both
    # would create one.
    _lock_person(holder)
    clearance = (
        Clearance.objects.select_for_update().not_revoked().filter(holder=holder, kind=kind).first()
    )
    if clearance is None:
        clearance = Clearance.objects.create(
            holder=holder, kind=kind, valid_until=valid_until, granted_by=by, note=note
        )
    else:
        clearance.valid_until = max(clearance.valid_until, valid_until)
        # Granting again is a fresh start for the days-without-use count too.
        clearance.granted_at, clearance.granted_by, clearance.note = timezone.now(), by, note
        clearance.lapse_reminder_for = None
        clearance.save()
    if audited:
        record_audit(
            actor=by,
            action="clearance.grant",
            target=clearance,
            holder=holder.pk,
            kind=kind.code,
            valid_until=valid_until.isoformat(),
        )
    notify(holder, "clearance_granted", clearance, url="/lab/")
    return clearance


@transaction.atomic
def revoke(*, clearance, by, reason):
    _require(by)
    if not reason.strip():
        raise LabError(_("Give the reason for revoking the clearance."))
    clearance = Clearance.objects.select_for_update().get(pk=clearance.pk)
    if clearance.revoked_at is not None:
        return clearance
    clearance.revoked_at, clearance.revoked_by, clearance.revoke_reason = timezone.now(), by, reason
    clearance.save()
    record_audit(actor=by, action="clearance.revoke", target=clearance, reason=reason)
    notify(
        clearance.holder, "clearance_revoked", clearance, url="/lab/", context={"reason": reason}
    )
    return clearance


def lapse_date(clearance):
    """The first day the clearance stops letting its holder book something it covers.

    The valid-until date, or earlier where a resource needing it lapses after N days
    without use (the strictest such resource counts).
    """
    days = Resource.objects.filter(
        required_clearance=clearance.kind_id, clearance_lapse_days__isnull=False
    ).aggregate(days=Min("clearance_lapse_days"))["days"]
    return clearance.lapses_on(days)


def remind_lapsing(today=None):
    """Remind each holder once, LAB_CLEARANCE_REMINDER_DAYS before a clearance lapses."""
    today = today or timezone.localdate()
    horizon = today + timedelta(days=settings.LAB_CLEARANCE_REMINDER_DAYS)
    reminded = 0
    candidates = Clearance.objects.valid_on(today).select_related("kind", "holder").order_by("pk")
    strictest = dict(
        Resource.objects.filter(
            required_clearance__isnull=False, clearance_lapse_days__isnull=False
        )
        .values("required_clearance")
        .annotate(days=Min("clearance_lapse_days"))
        .values_list("required_clearance", "days")
    )
    for clearance in candidates.iterator(chunk_size=500):
        ends = clearance.lapses_on(strictest.get(clearance.kind_id))
        if not (today <= ends <= horizon) or clearance.lapse_reminder_for == ends:
            continue
        with transaction.atomic():
            updated = (
                Clearance.objects.filter(pk=clearance.pk)
                .exclude(lapse_reminder_for=ends)
                .update(lapse_reminder_for=ends)
            )
            if updated:
                notify(
                    clearance.holder,
                    "clearance_lapsing",
                    clearance,
                    url="/lab/",
                    context={"ends": ends},
                )
                reminded += 1
    return reminded
