"""Centre staff's care of the lab's resources: settings and opening hours, clearance
kinds, maintenance records, and the usage log of a booking.

Setting a resource under maintenance only stops new bookings; bookings already made stay
until staff cancel them or a blackout does (services.blackouts).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from products.images import process_photo
from products.models import Product
from toolkit.audit import record_audit

from ..exceptions import NotAllowed
from ..models import BOOKING_ROLES, BookingStatus, MaintenanceRecord, OpeningHours, UsageLog

# A usage log is written once the booking has begun.
USAGE_STATES = (BookingStatus.CHECKED_IN, BookingStatus.COMPLETED)
KILN_FIELDS = (
    "firing_program",
    "cone",
    "peak_temperature_c",
    "firing_minutes",
    "atmosphere",
    "load",
)
INSTRUMENT_FIELDS = ("samples", "results")


def _require_staff(by):
    if not by.has_perm("training.run_lab"):
        raise NotAllowed()


def overlapping_periods(periods):
    """Pairs of periods (weekday, opens, closes) that overlap on one weekday."""
    clashes = []
    ordered = sorted(periods, key=lambda p: (p[0], p[1]))
    for before, after in zip(ordered, ordered[1:], strict=False):
        if before[0] == after[0] and after[1] < before[2]:
            clashes.append((before, after))
    return clashes


@transaction.atomic
def save_resource(*, resource, by, bookable_by, hours, removed_hours=(), photo=None):
    """Create or change a resource with its opening hours; returns it.

    `resource` carries the form's fields, unsaved; `hours` are the OpeningHours to keep
    (new ones unsaved), `removed_hours` those to delete. `photo` None keeps the photo,
    False removes it, an upload replaces it (re-encoded first, so a bad photo saves nothing).
    """
    _require_staff(by)
    if photo:
        resource.photo, _thumbnail = process_photo(photo, with_thumbnail=False)
    elif photo is False:
        resource.photo = ""
    unknown = set(bookable_by) - set(BOOKING_ROLES)
    if unknown:
        raise ValidationError(_("Choose among the roles listed."))
    resource.bookable_by = [role for role in BOOKING_ROLES if role in set(bookable_by)]
    if resource.min_minutes > resource.max_minutes:
        raise ValidationError(_("The shortest booking cannot be longer than the longest."))
    removed = {h.pk for h in removed_hours if h.pk}
    kept = [h for h in hours if h.pk not in removed]
    for period in kept:
        if period.opens >= period.closes:
            raise ValidationError(_("A period must open before it closes."))
    if overlapping_periods([(h.weekday, h.opens, h.closes) for h in kept]):
        raise ValidationError(_("Two opening periods of one day overlap."))
    created = resource.pk is None
    resource.save()
    OpeningHours.objects.filter(resource=resource, pk__in=removed).delete()
    for period in kept:
        period.resource = resource
        period.save()
    record_audit(
        actor=by,
        action="resource.create" if created else "resource.update",
        target=resource,
        status=resource.status,
    )
    return resource


@transaction.atomic
def save_clearance_kind(*, kind, by):
    """Create or change a clearance kind (its names, code and where it is earned)."""
    _require_staff(by)
    created = kind.pk is None
    kind.save()
    record_audit(
        actor=by,
        action="clearance_kind.create" if created else "clearance_kind.update",
        target=kind,
        code=kind.code,
    )
    return kind


@transaction.atomic
def record_maintenance(*, resource, by, performed_on, work, performed_by="", next_due_on=None):
    """Add a maintenance record to a resource."""
    _require_staff(by)
    if next_due_on and next_due_on < performed_on:
        raise ValidationError(_("The next maintenance cannot be due before this one."))
    record = MaintenanceRecord.objects.create(
        resource=resource,
        performed_on=performed_on,
        work=work,
        performed_by=performed_by,
        next_due_on=next_due_on,
        recorded_by=by,
    )
    record_audit(actor=by, action="maintenance.record", target=record, resource=resource.pk)
    return record


# --- Usage logs -----------------------------------------------------------------------


def may_record_usage(user, booking):
    """Centre staff, or the booking's owner, once the booking has begun."""
    if booking.status not in USAGE_STATES or not user.is_authenticated:
        return False
    return booking.owner_id == user.pk or user.has_perm("training.run_lab")


def product_choices(booking):
    """Products a firing may name: the owner's enterprises' products and the booking's own."""
    editable = Product.objects.editable_by(booking.owner).values("pk")
    return (
        Product.objects.filter(Q(pk__in=editable) | Q(pk=booking.product_id))
        .select_related("enterprise")
        .order_by("name_th", "pk")
    )


@transaction.atomic
def record_usage(*, booking, by, data, products=()):
    """Write, or rewrite, what was done in a booking; one log per booking."""
    if not may_record_usage(by, booking):
        raise NotAllowed()
    kiln = booking.resource.is_kiln
    allowed = set(product_choices(booking).values_list("pk", flat=True))
    if kiln and any(p.pk not in allowed for p in products):
        raise ValidationError(_("Choose products of the booking's owner only."))
    log, created = UsageLog.objects.select_for_update().get_or_create(
        booking=booking, defaults={"recorded_by": by}
    )
    fields = ("summary", *(KILN_FIELDS if kiln else INSTRUMENT_FIELDS))
    for name in fields:
        setattr(log, name, data.get(name, log._meta.get_field(name).get_default()))
    if "cone" in fields:
        # A cone is a name, not a number: "06" is much cooler than "6".
        log.cone = (log.cone or "").strip()
    log.recorded_by = by
    log.save()
    if kiln:
        log.products_fired.set(products)
    if by.pk != booking.owner_id:
        record_audit(
            actor=by,
            action="usage.record" if created else "usage.update",
            target=log,
            booking=booking.pk,
        )
    return log
