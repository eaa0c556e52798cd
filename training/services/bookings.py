"""Booking lab time, and every change of a booking's state.

`refusals()` lists every reason a person may not have a slot, each with its own message;
`book()` checks them inside the transaction that writes the booking. On PostgreSQL the
exclusion constraint `booking_no_overlap` is the last word: a violation that slips past
the check (two requests at the same instant) is turned into the same overlap refusal.
On SQLite the transaction is IMMEDIATE, so it holds the write lock from its first
statement and two checks cannot interleave.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.text import format_lazy, get_text_list
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from accounts.models import Role
from notifications.services import notify
from toolkit.audit import record_audit
from toolkit.thaidates import format_date, format_datetime

from ..exceptions import BookingRefused, CancelTooLate, NotAllowed, TransitionRefused
from ..models import (
    BLOCKING_STATES,
    Blackout,
    Booking,
    BookingSeries,
    BookingStatus,
    Clearance,
    Purpose,
    Resource,
    ResourceStatus,
    Suspension,
)

S = BookingStatus
OVERLAP_CONSTRAINT = "booking_no_overlap"


class Reason:
    """The codes of refusals; each has its own message below."""

    PAST = "past"
    OVERLAP = "overlap"
    COOLDOWN = "cooldown"
    OWN_COOLDOWN = "own_cooldown"
    BLACKOUT = "blackout"
    OUTSIDE_HOURS = "outside_hours"
    OFF_GRID = "off_grid"
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    TOO_SOON = "too_soon"
    TOO_FAR = "too_far"
    WEEKLY_LIMIT = "weekly_limit"
    NO_CLEARANCE = "no_clearance"
    CLEARANCE_EXPIRED = "clearance_expired"
    CLEARANCE_LAPSED = "clearance_lapsed"
    ROLE = "role"
    MAINTENANCE = "maintenance"
    SUSPENDED = "suspended"


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str

    def __str__(self):
        return str(self.message)

    def error(self):
        return BookingRefused(self.code, self.message)


def _time(value):
    return timezone.localtime(value).strftime("%H:%M")


def _span(start, end):
    """ "24 พ.ย. 2569 09:00–12:00", or both dates when the span crosses midnight."""
    if timezone.localdate(start) == timezone.localdate(end):
        return f"{format_datetime(start)}–{_time(end)}"
    return f"{format_datetime(start)} – {format_datetime(end)}"


def is_staff(user):
    return user.is_authenticated and user.role == Role.CENTRE_STAFF


# --- Reading the rules ----------------------------------------------------------------


def active_suspension(person, now=None):
    now = now or timezone.now()
    return (
        Suspension.objects.filter(person=person, lifted_at__isnull=True, ends_at__gt=now)
        .order_by("-ends_at")
        .first()
    )


def clearance_refusal(resource, person, *, on_day):
    """Why `person` may not use `resource` on `on_day` for want of a clearance, or None."""
    kind = resource.required_clearance
    if kind is None or is_staff(person):
        return None
    where = kind.earned_at
    earn = format_lazy(_(" It is earned at: {where}."), where=where) if where else ""
    clearance = (
        Clearance.objects.not_revoked()
        .filter(holder=person, kind=kind)
        .order_by("-valid_until")
        .first()
    )
    if clearance is None:
        return Refusal(
            Reason.NO_CLEARANCE,
            format_lazy(
                _(
                    "{resource} may be booked only with the clearance “{kind}”,"
                    " which you do not have.{earn}"
                ),
                resource=resource.name,
                kind=kind.name,
                earn=earn,
            ),
        )
    if clearance.valid_until < on_day:
        return Refusal(
            Reason.CLEARANCE_EXPIRED,
            format_lazy(
                _("Your clearance “{kind}” is valid until {date}, before this booking.{earn}"),
                kind=kind.name,
                date=format_date(clearance.valid_until),
                earn=earn,
            ),
        )
    if clearance.lapses_on(resource.clearance_lapse_days) < on_day:
        return Refusal(
            Reason.CLEARANCE_LAPSED,
            format_lazy(
                _(
                    "Your clearance “{kind}” lapsed on {date}: it was not used"
                    " for {days} days.{earn}"
                ),
                kind=kind.name,
                date=format_date(clearance.lapses_on(resource.clearance_lapse_days)),
                days=resource.clearance_lapse_days,
                earn=earn,
            ),
        )
    return None


def _within_opening_hours(resource, start, end, periods):
    local_start, local_end = timezone.localtime(start), timezone.localtime(end)
    if local_start.date() != local_end.date() and local_end.time() != time(0):
        return False
    day_end = local_end.time() if local_end.time() != time(0) else time.max
    for period in periods:
        if (
            period.weekday == local_start.weekday()
            and period.opens <= local_start.time()
            and day_end <= period.closes
        ):
            return True
    return False


def _hours_text(resource, weekday, periods):
    spans = [f"{p.opens:%H:%M}–{p.closes:%H:%M}" for p in periods if p.weekday == weekday]
    return get_text_list(spans, _("and")) if spans else None


def week_bounds(moment):
    """Monday 00:00 to the next Monday 00:00 (local) around `moment`."""
    local = timezone.localtime(moment)
    monday = (local - timedelta(days=local.weekday())).date()
    start = timezone.make_aware(datetime.combine(monday, time(0)))
    return start, start + timedelta(days=7)


def booked_hours(person, resource, week_start, week_end, *, exclude=()):
    """Hours `person` holds on `resource` in the week, live and completed bookings."""
    total = (
        Booking.objects.filter(
            owner=person,
            resource=resource,
            status__in=BLOCKING_STATES,
            starts_at__gte=week_start,
            starts_at__lt=week_end,
        )
        .exclude(pk__in=[b for b in exclude if b])
        .aggregate(total=Sum(F("ends_at") - F("starts_at")))["total"]
    )
    return (total or timedelta(0)).total_seconds() / 3600


def overlap_refusal(resource, start, end, *, exclude=None):
    """Overlap with another live booking's time or cool-down, or with a blackout."""
    blocked_until = end + resource.cooldown
    clash = (
        Booking.objects.filter(resource=resource, status__in=BLOCKING_STATES)
        .overlapping(start, blocked_until)
        .exclude(pk=exclude)
        .order_by("starts_at")
        .first()
    )
    if clash is not None:
        if clash.starts_at < end and clash.ends_at > start:
            return Refusal(
                Reason.OVERLAP,
                format_lazy(
                    _("{resource} is already booked {span}."),
                    resource=resource.name,
                    span=_span(clash.starts_at, clash.ends_at),
                ),
            )
        if clash.starts_at < start:
            return Refusal(
                Reason.COOLDOWN,
                format_lazy(
                    _("{resource} is cooling down after a booking until {until}."),
                    resource=resource.name,
                    until=format_datetime(clash.blocked_until),
                ),
            )
        return Refusal(
            Reason.OWN_COOLDOWN,
            format_lazy(
                _(
                    "This booking's cool-down of {minutes} minutes would run until {until},"
                    " into a booking that starts {start}."
                ),
                minutes=resource.cooldown_minutes,
                until=format_datetime(blocked_until),
                start=format_datetime(clash.starts_at),
            ),
        )
    blackout = (
        Blackout.objects.filter(starts_at__lt=end, ends_at__gt=start)
        .filter(Q(resource=resource) | Q(resource__isnull=True))
        .order_by("starts_at")
        .first()
    )
    if blackout is not None:
        note = f" ({blackout.note})" if blackout.note else ""
        return Refusal(
            Reason.BLACKOUT,
            format_lazy(
                _("{resource} is closed {span}: {reason}{note}."),
                resource=resource.name,
                span=_span(blackout.starts_at, blackout.ends_at),
                reason=blackout.get_reason_display(),
                note=note,
            ),
        )
    return None


def refusals(*, resource, person, starts_at, ends_at, now=None, exclude=None, weekly_extra=0.0):
    """Every reason `person` may not book [starts_at, ends_at) on `resource`; [] when free.

    `exclude` leaves one booking out of the overlap and weekly counts (re-checking it);
    `weekly_extra` adds hours of a series' earlier occurrences to the weekly count.
    """
    now = now or timezone.now()
    staff = is_staff(person)
    found = []

    if resource.status == ResourceStatus.MAINTENANCE:
        found.append(maintenance_refusal(resource))
    if not staff and person.role not in resource.bookable_by:
        roles = resource.bookable_role_labels
        found.append(
            Refusal(
                Reason.ROLE,
                format_lazy(
                    _("{resource} may be booked by {roles} only."),
                    resource=resource.name,
                    roles=get_text_list([str(r) for r in roles], _("and")),
                )
                if roles
                else format_lazy(
                    _("{resource} may be booked by centre staff only."), resource=resource.name
                ),
            )
        )
    if not staff:
        suspension = active_suspension(person, now)
        if suspension is not None:
            found.append(
                Refusal(
                    Reason.SUSPENDED,
                    format_lazy(
                        _(
                            "Your booking rights are suspended until {date} after repeated"
                            " no-shows; the centre staff can lift this."
                        ),
                        date=format_date(suspension.ends_at),
                    ),
                )
            )
    if starts_at < now:
        found.append(Refusal(Reason.PAST, _("This time has already passed.")))
    elif not staff:
        if starts_at < now + timedelta(hours=resource.earliest_hours):
            found.append(
                Refusal(
                    Reason.TOO_SOON,
                    format_lazy(
                        ngettext_lazy(
                            "{resource} must be booked at least {hours} hour ahead.",
                            "{resource} must be booked at least {hours} hours ahead.",
                            "hours",
                        ),
                        resource=resource.name,
                        hours=resource.earliest_hours,
                    ),
                )
            )
        if starts_at > now + timedelta(days=resource.latest_days):
            found.append(
                Refusal(
                    Reason.TOO_FAR,
                    format_lazy(
                        ngettext_lazy(
                            "{resource} can be booked at most {days} day ahead.",
                            "{resource} can be booked at most {days} days ahead.",
                            "days",
                        ),
                        resource=resource.name,
                        days=resource.latest_days,
                    ),
                )
            )

    minutes = (ends_at - starts_at).total_seconds() / 60
    if minutes < resource.min_minutes:
        found.append(
            Refusal(
                Reason.TOO_SHORT,
                format_lazy(
                    _("The shortest booking of {resource} is {minutes} minutes."),
                    resource=resource.name,
                    minutes=resource.min_minutes,
                ),
            )
        )
    if minutes > resource.max_minutes:
        found.append(
            Refusal(
                Reason.TOO_LONG,
                format_lazy(
                    _("The longest booking of {resource} is {minutes} minutes."),
                    resource=resource.name,
                    minutes=resource.max_minutes,
                ),
            )
        )
    step = resource.slot_minutes
    local_start, local_end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    if any(
        (t.hour * 60 + t.minute) % step or t.second or t.microsecond
        for t in (local_start, local_end)
    ):
        found.append(
            Refusal(
                Reason.OFF_GRID,
                format_lazy(
                    _(
                        "Bookings of {resource} start and end on its steps of {minutes} minutes,"
                        " counted from the hour."
                    ),
                    resource=resource.name,
                    minutes=step,
                ),
            )
        )
    periods = list(resource.opening_hours.all())
    if not _within_opening_hours(resource, starts_at, ends_at, periods):
        hours = _hours_text(resource, local_start.weekday(), periods)
        found.append(
            Refusal(
                Reason.OUTSIDE_HOURS,
                format_lazy(
                    _(
                        "This is outside the opening hours of {resource}, which on that day"
                        " are {hours}."
                    ),
                    resource=resource.name,
                    hours=hours,
                )
                if hours
                else format_lazy(_("{resource} is closed on that day."), resource=resource.name),
            )
        )
    if not staff:
        refusal = clearance_refusal(resource, person, on_day=local_start.date())
        if refusal is not None:
            found.append(refusal)
        if resource.weekly_limit_hours:
            week_start, week_end = week_bounds(starts_at)
            used = (
                booked_hours(person, resource, week_start, week_end, exclude=[exclude])
                + weekly_extra
            )
            if used + minutes / 60 > resource.weekly_limit_hours:
                found.append(
                    Refusal(
                        Reason.WEEKLY_LIMIT,
                        format_lazy(
                            _(
                                "You may book {resource} for {limit} hours a week; you already hold"
                                " {used} hours in the week of {monday}."
                            ),
                            resource=resource.name,
                            limit=resource.weekly_limit_hours,
                            used=f"{used:g}",
                            monday=format_date(week_start),
                        ),
                    )
                )
    overlap = overlap_refusal(resource, starts_at, ends_at, exclude=exclude)
    if overlap is not None:
        found.append(overlap)
    return found


# --- Booking --------------------------------------------------------------------------


def _check_purpose(purpose, product, person):
    if purpose not in Purpose.values:
        raise BookingRefused("purpose", _("Choose what the booking is for."))
    if purpose == Purpose.PROTOTYPE:
        from products.models import Product

        if product is None:
            raise BookingRefused(
                "product", _("Choose the enterprise's product the prototype is for.")
            )
        if (
            not is_staff(person)
            and not Product.objects.editable_by(person).filter(pk=product.pk).exists()
        ):
            raise BookingRefused(
                "product", _("You may book prototypes only for your enterprise's products.")
            )


def _lock_resource(resource_id):
    """The resource row, locked: bookings of one resource are decided one at a time."""
    return (
        Resource.objects.select_for_update(of=("self",))
        .select_related("required_clearance")
        .get(pk=resource_id)
    )


def maintenance_refusal(resource):
    return Refusal(
        Reason.MAINTENANCE,
        format_lazy(
            _("{resource} is under maintenance and cannot be booked now."), resource=resource.name
        ),
    )


def new_booking(resource, owner, starts_at, ends_at, **fields):
    """An unsaved booking of [starts_at, ends_at), blocking the resource's cool-down after it."""
    return Booking(
        resource=resource,
        owner=owner,
        starts_at=starts_at,
        ends_at=ends_at,
        blocked_until=ends_at + resource.cooldown,
        **fields,
    )


# PostgreSQL's "deadlock detected".
DEADLOCK = "40P01"
# How often an insert that PostgreSQL chose as a deadlock's victim is tried again.
DEADLOCK_RETRIES = 3


def _just_booked():
    return Refusal(Reason.OVERLAP, _("Someone has just booked this time; choose another."))


def _insert(booking):
    """Save a new or changed booking; the exclusion constraint's verdict becomes a refusal.

    Inserts that overlap and arrive together each wait, while checking the constraint,
    for the other's transaction; PostgreSQL breaks such a cycle by failing one of them
    with a deadlock. That one tries again from its savepoint, now waiting behind the
    survivor, and ends booked or refused like everyone else.
    """
    for _attempt in range(DEADLOCK_RETRIES):
        try:
            with transaction.atomic():
                booking.save()
            return
        except IntegrityError as exc:
            if OVERLAP_CONSTRAINT in str(exc):
                refusal = overlap_refusal(
                    booking.resource, booking.starts_at, booking.ends_at, exclude=booking.pk
                )
                raise (refusal or _just_booked()).error() from exc
            raise
        except OperationalError as exc:
            if getattr(exc.__cause__, "pgcode", None) != DEADLOCK:
                raise
    raise _just_booked().error()


def initial_status(resource, person):
    if resource.needs_approval and not is_staff(person):
        return S.REQUESTED
    return S.APPROVED


@transaction.atomic
def book(
    *,
    resource,
    by,
    starts_at,
    ends_at,
    purpose,
    description="",
    product=None,
    series=None,
    now=None,
):
    """Book [starts_at, ends_at) of `resource` for `by`; raises BookingRefused with the reason."""
    if not by.is_authenticated:
        raise NotAllowed()
    _check_purpose(purpose, product, by)
    resource = _lock_resource(resource.pk)
    found = refusals(resource=resource, person=by, starts_at=starts_at, ends_at=ends_at, now=now)
    if found:
        raise found[0].error()
    booking = new_booking(
        resource,
        by,
        starts_at,
        ends_at,
        status=initial_status(resource, by),
        purpose=purpose,
        description=description,
        product=product if purpose == Purpose.PROTOTYPE else None,
        series=series,
    )
    _insert(booking)
    return booking


@dataclass
class Occurrence:
    starts_at: datetime
    ends_at: datetime
    refusals: list

    @property
    def free(self):
        return not self.refusals


def series_occurrences(starts_at, ends_at, weeks):
    """The same local wall-clock time, every week for `weeks` weeks."""
    local_start, local_end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    out = []
    for week in range(weeks):
        s = timezone.make_aware(
            datetime.combine(local_start.date() + timedelta(weeks=week), local_start.time())
        )
        e = timezone.make_aware(
            datetime.combine(local_end.date() + timedelta(weeks=week), local_end.time())
        )
        out.append((s, e))
    return out


def check_series(*, resource, by, starts_at, ends_at, weeks, now=None):
    """Each occurrence of a weekly series with its refusals (empty: free to book).

    Occurrences earlier in the series count toward the weekly limit of later ones only
    when they fall in the same week, which a weekly series never does; each is checked
    against what is booked now.
    """
    return [
        Occurrence(s, e, refusals(resource=resource, person=by, starts_at=s, ends_at=e, now=now))
        for s, e in series_occurrences(starts_at, ends_at, weeks)
    ]


@transaction.atomic
def book_series(*, resource, by, occurrences, purpose, description="", product=None, now=None):
    """Book every (start, end) in `occurrences` or none: one refusal refuses the whole series.

    The person chose these occurrences after `check_series()`; if one was taken since,
    nothing is saved and the refusal names it, so they can look again.
    """
    if not occurrences:
        raise BookingRefused("empty", _("There is no free occurrence to book."))
    _check_purpose(purpose, product, by)
    resource = _lock_resource(resource.pk)
    series = BookingSeries.objects.create(owner=by, resource=resource)
    bookings = []
    for s, e in occurrences:
        found = refusals(resource=resource, person=by, starts_at=s, ends_at=e, now=now)
        if found:
            raise BookingRefused(
                found[0].code,
                format_lazy(_("{when}: {reason}"), when=_span(s, e), reason=found[0].message),
            )
        booking = new_booking(
            resource,
            by,
            s,
            e,
            status=initial_status(resource, by),
            purpose=purpose,
            description=description,
            product=product if purpose == Purpose.PROTOTYPE else None,
            series=series,
        )
        _insert(booking)
        bookings.append(booking)
    return bookings


# --- Changes of state -----------------------------------------------------------------


def _lock_booking(booking_id):
    return (
        Booking.objects.select_for_update(of=("self",))
        .select_related("resource", "resource__required_clearance", "owner")
        .get(pk=booking_id)
    )


def _require_staff(by):
    if not by.has_perm("training.run_lab"):
        raise NotAllowed()


def _freed(booking, now=None):
    """A live booking stopped holding its time: offer it to the first person waiting."""
    from .waiting import offer_freed_time

    offer_freed_time(booking, now=now)


def _notify_owner(booking, kind, **context):
    notify(booking.owner, kind, booking, url=booking.get_absolute_url(), context=context)


@transaction.atomic
def approve(*, booking, by, note=""):
    """Approve a requested booking, checking it again against everything booked since."""
    _require_staff(by)
    booking = _lock_booking(booking.pk)
    if booking.status != S.REQUESTED:
        raise TransitionRefused()
    if booking.starts_at <= timezone.now():
        # Undecided at its start, a request expires (expire_requests); it is not approved late.
        raise TransitionRefused(
            _("This request's time has begun, so it can no longer be approved.")
        )
    _lock_resource(booking.resource_id)
    overlap = overlap_refusal(
        booking.resource, booking.starts_at, booking.ends_at, exclude=booking.pk
    )
    if overlap is not None:
        raise overlap.error()
    if booking.resource.status == ResourceStatus.MAINTENANCE:
        raise maintenance_refusal(booking.resource).error()
    booking.status = S.APPROVED
    booking.decided_by, booking.decided_at, booking.decision_note = by, timezone.now(), note
    _insert(booking)
    record_audit(actor=by, action="booking.approve", target=booking, note=note)
    _notify_owner(booking, "booking_approved")
    return booking


def bulk_approve(*, bookings, by):
    """Approve each in its own transaction; returns (approved, [(booking, message)])."""
    approved, refused = [], []
    for booking in bookings:
        try:
            approved.append(approve(booking=booking, by=by))
        except (BookingRefused, TransitionRefused) as exc:
            refused.append((booking, exc.message))
    return approved, refused


@transaction.atomic
def reject(*, booking, by, note):
    _require_staff(by)
    booking = _lock_booking(booking.pk)
    if booking.status != S.REQUESTED:
        raise TransitionRefused()
    booking.status = S.REJECTED
    booking.decided_by, booking.decided_at, booking.decision_note = by, timezone.now(), note
    booking.save()
    record_audit(actor=by, action="booking.reject", target=booking, note=note)
    _notify_owner(booking, "booking_rejected")
    _freed(booking)
    return booking


def cancel_cutoff(booking):
    return booking.starts_at - timedelta(hours=settings.LAB_CANCEL_CUTOFF_HOURS)


@transaction.atomic
def cancel(*, booking, by, reason="", now=None):
    """The owner cancels until the cut-off; centre staff at any time before it ends."""
    now = now or timezone.now()
    booking = _lock_booking(booking.pk)
    staff = by.has_perm("training.run_lab")
    if booking.owner_id != by.pk and not staff:
        raise NotAllowed()
    if booking.status not in (S.REQUESTED, S.HELD, S.APPROVED):
        raise TransitionRefused()
    if not staff and booking.status != S.HELD and now > cancel_cutoff(booking):
        raise CancelTooLate()
    booking.status = S.CANCELLED
    booking.cancelled_at, booking.cancelled_by, booking.cancel_reason = now, by, reason
    booking.save()
    if booking.owner_id != by.pk:
        record_audit(actor=by, action="booking.cancel", target=booking, reason=reason)
        _notify_owner(booking, "booking_cancelled", reason=reason)
    _freed(booking)
    return booking


@transaction.atomic
def check_in(*, booking, by, now=None):
    _require_staff(by)
    booking = _lock_booking(booking.pk)
    if booking.status != S.APPROVED:
        raise TransitionRefused()
    booking.status = S.CHECKED_IN
    booking.checked_in_at = now or timezone.now()
    booking.save()
    return booking


@transaction.atomic
def complete(*, booking, by, now=None):
    """Checked in → completed; the use counts for the holder's clearance."""
    _require_staff(by)
    booking = _lock_booking(booking.pk)
    if booking.status != S.CHECKED_IN:
        raise TransitionRefused()
    now = now or timezone.now()
    booking.status = S.COMPLETED
    booking.completed_at = now
    booking.save()
    kind = booking.resource.required_clearance_id
    if kind:
        Clearance.objects.not_revoked().filter(holder=booking.owner_id, kind=kind).update(
            last_used_at=now, lapse_reminder_for=None
        )
    return booking


def mark_no_shows(now=None):
    """Approved bookings not checked in within their resource's grace become no-shows.

    The rest of their time (and cool-down) is freed; a person with LAB_NO_SHOW_LIMIT
    no-shows in LAB_NO_SHOW_WINDOW_DAYS is suspended from self-booking for
    LAB_SUSPENSION_DAYS. Returns how many bookings were marked.
    """
    now = now or timezone.now()
    due = (
        Booking.objects.filter(status=S.APPROVED, starts_at__lte=now)
        .select_related("resource")
        .order_by("starts_at", "pk")
    )
    marked = 0
    for candidate in due.iterator(chunk_size=200):
        if candidate.starts_at + timedelta(minutes=candidate.resource.no_show_after_minutes) > now:
            continue
        with transaction.atomic():
            booking = _lock_booking(candidate.pk)
            if booking.status != S.APPROVED:
                continue
            booking.status = S.NO_SHOW
            booking.save()
            marked += 1
            _notify_owner(booking, "booking_no_show")
            _maybe_suspend(booking.owner, now)
            _freed(booking)
    return marked


def _maybe_suspend(person, now):
    window = now - timedelta(days=settings.LAB_NO_SHOW_WINDOW_DAYS)
    count = Booking.objects.filter(owner=person, status=S.NO_SHOW, starts_at__gte=window).count()
    if count < settings.LAB_NO_SHOW_LIMIT or active_suspension(person, now) is not None:
        return None
    suspension = Suspension.objects.create(
        person=person,
        starts_at=now,
        ends_at=now + timedelta(days=settings.LAB_SUSPENSION_DAYS),
        reason=f"{count} no-shows",
    )
    notify(person, "booking_suspended", suspension, url="/lab/bookings/")
    return suspension


@transaction.atomic
def lift_suspension(*, suspension, by):
    _require_staff(by)
    suspension = Suspension.objects.select_for_update().get(pk=suspension.pk)
    if suspension.lifted_at is None:
        suspension.lifted_at, suspension.lifted_by = timezone.now(), by
        suspension.save()
        record_audit(actor=by, action="suspension.lift", target=suspension)
        notify(suspension.person, "booking_suspension_lifted", suspension, url="/lab/bookings/")
    return suspension


def expire_requests(now=None):
    """Requests still undecided at their start expire, and freed time is offered on."""
    now = now or timezone.now()
    expired = 0
    for pk in Booking.objects.filter(status=S.REQUESTED, starts_at__lte=now).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            booking = _lock_booking(pk)
            if booking.status != S.REQUESTED:
                continue
            booking.status = S.EXPIRED
            booking.save()
            expired += 1
            _notify_owner(booking, "booking_expired")
            _freed(booking, now)
    return expired
