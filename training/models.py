"""The Ko Kha lab: resources, clearances, bookings, blackouts, usage and maintenance.

Courses come later and grant the clearances kept here.

Two live bookings of one resource never overlap, cool-downs included. A booking stores
`blocked_until` (its end plus the resource's cool-down at the time it was made), and on
PostgreSQL an exclusion constraint over `(resource, [starts_at, blocked_until))` for the
live states makes an overlap impossible whatever the application does; on SQLite the
service's check runs inside an IMMEDIATE transaction, which holds the database's one
write lock from its first statement, so two checks never interleave.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeBoundary, RangeOperators
from django.db import models
from django.db.models import Func, Q
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Role
from entrepreneurs.models import BilingualName
from products.models import Product, private_storage
from toolkit.capacity import Places
from toolkit.thaisort import thai_order

# --- Machinery ------------------------------------------------------------------------


class TsTzRange(Func):
    """PostgreSQL's tstzrange(start, end, '[)'): a half-open range of two timestamps."""

    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class PostgresExclusionConstraint(ExclusionConstraint):
    """An exclusion constraint on PostgreSQL; nothing on other databases.

    SQLite has no exclusion constraints: there the service's check, inside a transaction
    that holds the write lock, gives the same guarantee (see the module's docstring).
    """

    @staticmethod
    def _postgresql(schema_editor):
        return schema_editor.connection.vendor == "postgresql"

    def constraint_sql(self, model, schema_editor):
        return (
            super().constraint_sql(model, schema_editor)
            if self._postgresql(schema_editor)
            else None
        )

    def create_sql(self, model, schema_editor):
        return super().create_sql(model, schema_editor) if self._postgresql(schema_editor) else None

    def remove_sql(self, model, schema_editor):
        return super().remove_sql(model, schema_editor) if self._postgresql(schema_editor) else None

    def validate(self, model, instance, exclude=None, using=None):
        # The service checks overlaps itself, with a message for the person.
        return


# --- Resources ------------------------------------------------------------------------


class ResourceKind(models.TextChoices):
    ELECTRIC_KILN = "electric_kiln", _("Electric kiln")
    GAS_KILN = "gas_kiln", _("Gas kiln")
    GLAZE_LAB = "glaze_lab", _("Glaze lab")
    SLIP_CASTING = "slip_casting", _("Slip-casting station")
    CLAY_PRINTER = "clay_printer", _("3D clay printer")
    TESTING = "testing", _("Testing instrument")
    ROOM = "room", _("Room")


KILN_KINDS = (ResourceKind.ELECTRIC_KILN, ResourceKind.GAS_KILN)


class ResourceStatus(models.TextChoices):
    IN_SERVICE = "in_service", _("In service")
    MAINTENANCE = "maintenance", _("Under maintenance")


# Who may be allowed to book a resource (centre staff always may).
BOOKING_ROLES = (Role.STUDENT, Role.FACULTY, Role.ENTREPRENEUR)


class ClearanceKind(BilingualName):
    """A right to use a kind of equipment, e.g. "electric kiln operation"."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    description_th = models.TextField(_("description (Thai)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    # Where a person earns it, said in a refusal ("the kiln-operation course at Ko Kha").
    earned_at_th = models.CharField(_("where it is earned (Thai)"), max_length=255, blank=True)
    earned_at_en = models.CharField(_("where it is earned (English)"), max_length=255, blank=True)

    class Meta:
        ordering = [thai_order("name_th")]
        verbose_name = _("clearance kind")
        verbose_name_plural = _("clearance kinds")

    @property
    def earned_at(self):
        if translation.get_language() == "en" and self.earned_at_en:
            return self.earned_at_en
        return self.earned_at_th


class ResourceQuerySet(models.QuerySet):
    def kilns(self):
        return self.filter(kind__in=KILN_KINDS)

    def in_service(self):
        return self.filter(status=ResourceStatus.IN_SERVICE)

    def bookable_by_role(self, role):
        """Resources this role may book (staff: all); clearances are checked per person."""
        if role == Role.CENTRE_STAFF:
            return self
        if role not in BOOKING_ROLES:
            return self.none()
        # JSON containment (`bookable_by__contains`) exists on PostgreSQL only; the list's
        # text holds the role in quotes on every database.
        return self.alias(roles_text=Cast("bookable_by", models.TextField())).filter(
            roles_text__contains=f'"{role}"'
        )


def resource_photo_path(instance, filename):
    return f"resources/{filename}"


class Resource(BilingualName):
    kind = models.CharField(_("kind"), max_length=20, choices=ResourceKind.choices)
    location = models.CharField(_("location"), max_length=200, blank=True)
    photo = models.ImageField(_("photo"), upload_to=resource_photo_path, blank=True)
    description_th = models.TextField(_("description (Thai)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    slot_minutes = models.PositiveSmallIntegerField(_("slot step (minutes)"), default=30)
    min_minutes = models.PositiveIntegerField(_("shortest booking (minutes)"), default=30)
    max_minutes = models.PositiveIntegerField(_("longest booking (minutes)"), default=480)
    # How far ahead: at least this many hours before the start, at most this many days.
    earliest_hours = models.PositiveIntegerField(_("book at least (hours ahead)"), default=0)
    latest_days = models.PositiveIntegerField(_("book at most (days ahead)"), default=60)
    cooldown_minutes = models.PositiveIntegerField(
        _("cool-down after each booking (minutes)"), default=0
    )
    required_clearance = models.ForeignKey(
        ClearanceKind,
        verbose_name=_("clearance required"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="resources",
    )
    # Where set, a clearance lapses for this resource after so many days without use.
    clearance_lapse_days = models.PositiveIntegerField(
        _("clearance lapses after (days without use)"), null=True, blank=True
    )
    needs_approval = models.BooleanField(_("bookings need staff approval"), default=False)
    bookable_by = models.JSONField(_("roles that may book"), default=list, blank=True)
    weekly_limit_hours = models.PositiveIntegerField(
        _("weekly limit per person (hours)"), null=True, blank=True
    )
    # A booking not checked in this many minutes after its start becomes a no-show.
    no_show_after_minutes = models.PositiveIntegerField(
        _("no-show after (minutes without check-in)"), default=15
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ResourceStatus.choices,
        default=ResourceStatus.IN_SERVICE,
    )
    feed_token = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ResourceQuerySet.as_manager()

    class Meta:
        ordering = ["kind", thai_order("name_th")]
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        constraints = [
            models.CheckConstraint(condition=Q(slot_minutes__gt=0), name="resource_slot_positive"),
            models.CheckConstraint(
                condition=Q(min_minutes__lte=models.F("max_minutes")),
                name="resource_min_le_max",
            ),
        ]

    def get_absolute_url(self):
        return reverse("training:resource_detail", args=[self.pk])

    @property
    def description(self):
        if translation.get_language() == "en" and self.description_en:
            return self.description_en
        return self.description_th

    @property
    def cooldown(self):
        return timedelta(minutes=self.cooldown_minutes)

    @property
    def is_kiln(self):
        return self.kind in KILN_KINDS

    @property
    def bookable_role_labels(self):
        labels = dict(Role.choices)
        return [labels[r] for r in self.bookable_by if r in labels]


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class OpeningHours(models.Model):
    """One opening period of a resource on a weekday; a day may have several (a lunch break)."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        ordering = ["weekday", "opens"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        constraints = [
            models.CheckConstraint(
                condition=Q(opens__lt=models.F("closes")), name="opening_hours_order"
            ),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


# --- Clearances -----------------------------------------------------------------------


class ClearanceQuerySet(models.QuerySet):
    def not_revoked(self):
        return self.filter(revoked_at__isnull=True)

    def valid_on(self, day):
        return self.not_revoked().filter(valid_until__gte=day)


class Clearance(models.Model):
    """A person's right to book resources that require `kind`.

    Granted by staff (or, later, by a course certificate), valid until `valid_until`;
    where a resource sets `clearance_lapse_days`, it also lapses for that resource after
    so many days without use, counted from `last_used_at` (the holder's last completed
    booking needing it) or, before any use, from `granted_at`.
    """

    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="clearances"
    )
    kind = models.ForeignKey(ClearanceKind, on_delete=models.PROTECT, related_name="clearances")
    valid_until = models.DateField(_("valid until"))
    granted_at = models.DateTimeField(default=timezone.now)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoke_reason = models.CharField(_("reason"), max_length=255, blank=True)
    # The certificate whose course granted it; revoking the certificate lapses it.
    certificate = models.ForeignKey(
        "Certificate", on_delete=models.SET_NULL, null=True, blank=True, related_name="clearances"
    )
    # Set when the lapse reminder was sent for the current lapse date (not sent twice).
    lapse_reminder_for = models.DateField(null=True, blank=True)

    objects = ClearanceQuerySet.as_manager()

    class Meta:
        ordering = ["valid_until", "pk"]
        verbose_name = _("clearance")
        verbose_name_plural = _("clearances")
        constraints = [
            # One standing clearance of a kind per person: granting again extends it.
            models.UniqueConstraint(
                fields=["holder", "kind"],
                condition=Q(revoked_at__isnull=True),
                name="clearance_one_standing_per_kind",
            ),
        ]

    def __str__(self):
        return str(self.kind)

    @property
    def used_or_granted_at(self):
        return self.last_used_at or self.granted_at

    def lapses_on(self, lapse_days):
        """The last day it holds for a resource lapsing after `lapse_days` without use."""
        if not lapse_days:
            return self.valid_until
        unused_limit = timezone.localdate(self.used_or_granted_at) + timedelta(days=lapse_days)
        return min(self.valid_until, unused_limit)


# --- Bookings -------------------------------------------------------------------------


class BookingStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    HELD = "held", _("Held for you")
    APPROVED = "approved", pgettext_lazy("booking state", "Approved")
    REJECTED = "rejected", pgettext_lazy("booking state", "Rejected")
    CHECKED_IN = "checked_in", _("Checked in")
    COMPLETED = "completed", pgettext_lazy("booking state", "Completed")
    NO_SHOW = "no_show", _("No-show")
    CANCELLED = "cancelled", pgettext_lazy("booking state", "Cancelled")
    EXPIRED = "expired", pgettext_lazy("booking state", "Expired")


# States that take the resource's time (and its cool-down).
LIVE_STATES = frozenset(
    {BookingStatus.REQUESTED, BookingStatus.HELD, BookingStatus.APPROVED, BookingStatus.CHECKED_IN}
)
# States whose time and cool-down no other booking may overlap: the live ones, and a
# completed booking, whose kiln still cools after the firing is done.
BLOCKING_STATES = LIVE_STATES | {BookingStatus.COMPLETED}


class Purpose(models.TextChoices):
    COURSE_PROJECT = "course_project", _("Course project")
    RESEARCH = "research", _("Research")
    PROTOTYPE = "prototype", _("Product prototype for an enterprise")


class BookingQuerySet(models.QuerySet):
    def live(self):
        return self.filter(status__in=LIVE_STATES)

    def blocking(self):
        return self.filter(status__in=BLOCKING_STATES)

    def overlapping(self, start, end):
        """Bookings whose time or cool-down meets [start, end)."""
        return self.filter(starts_at__lt=end, blocked_until__gt=start)

    def visible_to(self, user):
        """Staff see every booking; others their own."""
        if not user.is_authenticated:
            return self.none()
        if user.role == Role.CENTRE_STAFF:
            return self
        return self.filter(owner=user)


class BookingSeries(models.Model):
    """Bookings made together as a weekly series; each occurrence is a booking of its own."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("booking series")
        verbose_name_plural = _("booking series")

    def __str__(self):
        return f"{self.resource} ({self.owner})"


class Booking(models.Model):
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="bookings")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lab_bookings"
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    # ends_at + the resource's cool-down when booked: stored, because the constraint needs
    # a column (timestamptz + interval is not immutable, so it cannot be an expression).
    blocked_until = models.DateTimeField()
    status = models.CharField(
        _("status"), max_length=20, choices=BookingStatus.choices, default=BookingStatus.REQUESTED
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    description = models.CharField(_("what you will do"), max_length=500, blank=True)
    product = models.ForeignKey(
        Product,
        verbose_name=_("product"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lab_bookings",
    )
    series = models.ForeignKey(
        BookingSeries, on_delete=models.SET_NULL, null=True, blank=True, related_name="bookings"
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("note"), max_length=500, blank=True)
    hold_expires_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.CharField(_("reason"), max_length=500, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    objects = BookingQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        indexes = [
            models.Index(fields=["resource", "starts_at"], name="booking_resource_start"),
            models.Index(fields=["owner", "starts_at"], name="booking_owner_start"),
            models.Index(fields=["status", "starts_at"], name="booking_status_start"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="booking_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(blocked_until__gte=models.F("ends_at")),
                name="booking_blocked_after_end",
            ),
            models.CheckConstraint(
                condition=~Q(purpose=Purpose.PROTOTYPE)
                | Q(product__isnull=False)
                | Q(status__in=[s for s in BookingStatus.values if s not in LIVE_STATES]),
                name="booking_prototype_has_product",
            ),
            PostgresExclusionConstraint(
                name="booking_no_overlap",
                expressions=[
                    ("resource", RangeOperators.EQUAL),
                    (
                        TsTzRange("starts_at", "blocked_until", RangeBoundary()),
                        RangeOperators.OVERLAPS,
                    ),
                ],
                condition=Q(status__in=sorted(BLOCKING_STATES)),
            ),
        ]

    def __str__(self):
        return f"{self.resource} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    def get_absolute_url(self):
        return reverse("training:booking_detail", args=[self.pk])

    @property
    def is_live(self):
        return self.status in LIVE_STATES

    @property
    def duration(self):
        return self.ends_at - self.starts_at

    @property
    def has_cooldown(self):
        return self.blocked_until > self.ends_at


class SlotWatchStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    OFFERED = "offered", _("Offered")
    FULFILLED = "fulfilled", _("Booked")
    LAPSED = "lapsed", _("Lapsed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class SlotWatch(models.Model):
    """A person waiting for a taken slot; when it frees, the first in line gets it held."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="slot_watches"
    )
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="slot_watches")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    description = models.CharField(max_length=500, blank=True)
    product = models.ForeignKey(
        Product, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=20, choices=SlotWatchStatus.choices, default=SlotWatchStatus.WAITING
    )
    created_at = models.DateTimeField(default=timezone.now)
    booking = models.ForeignKey(
        Booking, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("slot watch")
        verbose_name_plural = _("slot watches")
        indexes = [
            models.Index(fields=["resource", "status", "starts_at"], name="slotwatch_lookup")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "resource", "starts_at"],
                condition=Q(status__in=["waiting", "offered"]),
                name="slotwatch_one_per_slot",
            ),
        ]

    def __str__(self):
        return f"{self.resource} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"


class Suspension(models.Model):
    """Self-booking suspended after repeated no-shows, until `ends_at` or lifted by staff."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="booking_suspensions"
    )
    starts_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField()
    reason = models.CharField(max_length=255, blank=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("booking suspension")
        verbose_name_plural = _("booking suspensions")

    def __str__(self):
        return f"{self.person} → {timezone.localdate(self.ends_at)}"

    @property
    def is_active(self):
        return self.lifted_at is None and self.ends_at > timezone.now()

    # --- Blackouts, usage, maintenance ----------------------------------------------------


class BlackoutReason(models.TextChoices):
    MAINTENANCE = "maintenance", _("Maintenance")
    HOLIDAY = "holiday", _("Holiday")
    EVENT = "event", _("Centre event")
    OTHER = "other", _("Other")


class Blackout(models.Model):
    """Time when a resource (or, with none, every resource) cannot be booked."""

    resource = models.ForeignKey(
        Resource,
        verbose_name=_("resource"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="blackouts",
        help_text=_("Leave empty to close every resource of the centre."),
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    reason = models.CharField(_("reason"), max_length=20, choices=BlackoutReason.choices)
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("blackout")
        verbose_name_plural = _("blackouts")
        indexes = [models.Index(fields=["resource", "starts_at"], name="blackout_resource_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="blackout_ends_after_start"
            ),
        ]

    def __str__(self):
        where = self.resource or _("Every resource")
        return f"{where} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"


class Atmosphere(models.TextChoices):
    OXIDATION = "oxidation", _("Oxidation")
    REDUCTION = "reduction", _("Reduction")
    NEUTRAL = "neutral", _("Neutral")


class UsageLog(models.Model):
    """What was done in a completed booking: a firing's record, or an instrument's results."""

    booking = models.OneToOneField(Booking, on_delete=models.CASCADE, related_name="usage")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    summary = models.TextField(_("what was done"), blank=True)
    # A firing.
    firing_program = models.CharField(_("firing program"), max_length=200, blank=True)
    cone = models.CharField(_("Orton cone"), max_length=8, blank=True)
    peak_temperature_c = models.PositiveSmallIntegerField(
        _("peak temperature (°C)"), null=True, blank=True
    )
    firing_minutes = models.PositiveIntegerField(
        _("firing duration (minutes)"), null=True, blank=True
    )
    atmosphere = models.CharField(
        _("atmosphere"), max_length=20, choices=Atmosphere.choices, blank=True
    )
    load = models.CharField(_("load"), max_length=255, blank=True)
    products_fired = models.ManyToManyField(
        Product, verbose_name=_("products fired"), blank=True, related_name="+"
    )
    # An instrument.
    samples = models.TextField(_("samples"), blank=True)
    results = models.TextField(_("results"), blank=True)

    class Meta:
        verbose_name = _("usage log")
        verbose_name_plural = _("usage logs")

    def __str__(self):
        return str(self.booking)


class MaintenanceRecord(models.Model):
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="maintenance")
    performed_on = models.DateField(_("date"))
    work = models.TextField(_("work done"))
    performed_by = models.CharField(_("done by"), max_length=200, blank=True)
    next_due_on = models.DateField(_("next due"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-performed_on", "-pk"]
        verbose_name = _("maintenance record")
        verbose_name_plural = _("maintenance records")

    def __str__(self):
        return f"{self.resource} {self.performed_on}"


class CalendarFeed(models.Model):
    """A person's secret iCalendar feed token; reset makes the old address stop working."""

    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lab_feed"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return str(self.owner)


# --- Courses (issue 10) ---------------------------------------------------------------


class Audience(models.TextChoices):
    STUDENTS = Role.STUDENT.value, _("Students")
    FACULTY = Role.FACULTY.value, _("Faculty")
    ENTREPRENEURS = Role.ENTREPRENEUR.value, _("Entrepreneurs")


class CourseQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)


class Course(models.Model):
    """A course taught by DIPROM experts; finishing it may grant lab clearances."""

    title_th = models.CharField(_("title (Thai)"), max_length=255)
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    description_th = models.TextField(_("description (Thai)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    # Roles that may enrol themselves (Audience values).
    audience = models.JSONField(_("audience"), default=list)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)
    instructors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("instructors"),
        blank=True,
        related_name="courses_taught",
    )
    # Share of sessions attended (present or late) needed to complete, in percent.
    attendance_required = models.PositiveSmallIntegerField(
        _("attendance needed to complete (%)"), default=80
    )
    grants = models.ManyToManyField(
        ClearanceKind,
        through="CourseClearance",
        verbose_name=_("clearances granted"),
        blank=True,
        related_name="courses",
    )
    is_published = models.BooleanField(_("shown to the public"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = CourseQuerySet.as_manager()

    class Meta:
        ordering = [thai_order("title_th")]
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        constraints = [
            models.CheckConstraint(
                condition=Q(attendance_required__lte=100), name="course_attendance_share_le_100"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("training:course_detail", args=[self.pk])

    @property
    def title(self):
        if translation.get_language() == "en" and self.title_en:
            return self.title_en
        return self.title_th

    @property
    def description(self):
        if translation.get_language() == "en" and self.description_en:
            return self.description_en
        return self.description_th

    @property
    def audience_labels(self):
        labels = dict(Audience.choices)
        return [labels[a] for a in self.audience if a in labels]


class CourseClearance(models.Model):
    """A clearance that completing the course grants, valid for so many days."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="course_clearances")
    kind = models.ForeignKey(ClearanceKind, verbose_name=_("clearance"), on_delete=models.PROTECT)
    valid_days = models.PositiveIntegerField(_("valid for (days)"), default=365)

    class Meta:
        verbose_name = _("clearance granted")
        verbose_name_plural = _("clearances granted")
        constraints = [
            models.UniqueConstraint(fields=["course", "kind"], name="course_clearance_once"),
        ]

    def __str__(self):
        return f"{self.course} → {self.kind}"


class RunStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    OPEN = "open", _("Open for enrolment")
    CLOSED = "closed", pgettext_lazy("course run state", "Closed")
    CANCELLED = "cancelled", pgettext_lazy("course run state", "Cancelled")


class CourseRunQuerySet(models.QuerySet):
    def upcoming(self, now=None):
        now = now or timezone.now()
        return self.filter(status=RunStatus.OPEN, enrol_closes_at__gte=now)

    def with_places_taken(self):
        return COURSE_PLACES.with_taken(self, name="places_taken_count")


class CourseRun(models.Model):
    """One teaching of a course: its sessions, capacity, enrolment window and waitlist."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="runs")
    name = models.CharField(_("name"), max_length=120, help_text=_("For example: รุ่นที่ 1/2570"))
    capacity = models.PositiveIntegerField(_("capacity"))
    enrol_opens_at = models.DateTimeField(_("enrolment opens"))
    enrol_closes_at = models.DateTimeField(_("enrolment closes"))
    status = models.CharField(
        _("status"), max_length=20, choices=RunStatus.choices, default=RunStatus.OPEN
    )
    instructors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("instructors"),
        blank=True,
        related_name="runs_taught",
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = CourseRunQuerySet.as_manager()

    class Meta:
        ordering = ["enrol_opens_at", "pk"]
        verbose_name = _("course run")
        verbose_name_plural = _("course runs")
        constraints = [
            models.CheckConstraint(
                condition=Q(enrol_closes_at__gt=models.F("enrol_opens_at")),
                name="run_window_order",
            ),
        ]

    def __str__(self):
        return f"{self.course} · {self.name}"

    def get_absolute_url(self):
        return reverse("training:run_detail", args=[self.pk])

    def is_open_for_enrolment(self, now=None):
        now = now or timezone.now()
        return self.status == RunStatus.OPEN and self.enrol_opens_at <= now <= self.enrol_closes_at


class CourseSession(models.Model):
    """One meeting of a run: in a room of the centre (booked in the lab calendar) or elsewhere."""

    run = models.ForeignKey(CourseRun, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("topic"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    room = models.ForeignKey(
        Resource,
        verbose_name=_("room of the centre"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="course_sessions",
    )
    # The lab booking that holds the room; the exclusion constraint keeps it from clashing.
    booking = models.OneToOneField(
        Booking, on_delete=models.SET_NULL, null=True, blank=True, related_name="course_session"
    )
    place = models.CharField(_("place elsewhere"), max_length=200, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        indexes = [models.Index(fields=["starts_at"], name="session_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.run} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    @property
    def where(self):
        return self.room.name if self.room_id else self.place


class CourseEnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("Enrolled")
    WAITLISTED = "waitlisted", _("Waitlisted")
    CANCELLED = "cancelled", pgettext_lazy("course enrolment state", "Cancelled")
    COMPLETED = "completed", pgettext_lazy("course enrolment state", "Completed")
    NOT_COMPLETED = "not_completed", _("Not completed")


COURSE_PLACE_HOLDING = frozenset(
    {
        CourseEnrolmentStatus.ENROLLED,
        CourseEnrolmentStatus.COMPLETED,
        CourseEnrolmentStatus.NOT_COMPLETED,
    }
)


class CourseEnrolmentQuerySet(models.QuerySet):
    def holding_places(self):
        return COURSE_PLACES.holding_places(self)

    def in_line(self):
        return COURSE_PLACES.in_line(self)


class CourseEnrolment(models.Model):
    run = models.ForeignKey(CourseRun, on_delete=models.CASCADE, related_name="enrolments")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="course_enrolments"
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=CourseEnrolmentStatus.choices,
        default=CourseEnrolmentStatus.ENROLLED,
    )
    enrolled_at = models.DateTimeField(default=timezone.now)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = CourseEnrolmentQuerySet.as_manager()

    class Meta:
        ordering = ["enrolled_at", "pk"]
        verbose_name = _("course enrolment")
        verbose_name_plural = _("course enrolments")
        indexes = [models.Index(fields=["run", "status", "enrolled_at"], name="course_enrol_line")]
        constraints = [
            # One standing enrolment per person per run; a cancelled one may be followed.
            models.UniqueConstraint(
                fields=["run", "person"],
                condition=~Q(status="cancelled"),
                name="course_enrolment_once",
            ),
        ]

    def __str__(self):
        return f"{self.person} · {self.run}"


COURSE_PLACES = Places(
    holders=CourseEnrolment,
    container="run",
    holding=COURSE_PLACE_HOLDING,
    waiting=CourseEnrolmentStatus.WAITLISTED,
    arrival=("enrolled_at",),
)


class AttendanceMark(models.TextChoices):
    PRESENT = "present", _("Present")
    LATE = "late", _("Late")
    ABSENT = "absent", _("Absent")
    EXCUSED = "excused", _("Excused")


# Marks that count toward the attendance share.
ATTENDED = frozenset({AttendanceMark.PRESENT, AttendanceMark.LATE})


class Attendance(models.Model):
    session = models.ForeignKey(CourseSession, on_delete=models.CASCADE, related_name="attendance")
    enrolment = models.ForeignKey(
        CourseEnrolment, on_delete=models.CASCADE, related_name="attendance"
    )
    mark = models.CharField(_("attendance"), max_length=10, choices=AttendanceMark.choices)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    marked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["session", "enrolment"], name="attendance_once"),
        ]

    def __str__(self):
        return f"{self.enrolment} {self.get_mark_display()}"


class CertificateQuerySet(models.QuerySet):
    def valid(self):
        return self.filter(revoked_at__isnull=True)

    def issued_between(self, start, end):
        """Certificates issued in [start, end)."""
        return self.filter(issued_at__gte=start, issued_at__lt=end)


def certificate_pdf_path(instance, filename):
    return f"certificates/{instance.fiscal_year}/{filename}"


class Certificate(models.Model):
    """Proof that a person completed a course run; its code opens the public verify page."""

    enrolment = models.OneToOneField(
        CourseEnrolment, on_delete=models.PROTECT, related_name="certificate"
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="certificates"
    )
    # Serial number within the Thai fiscal year (B.E.) of issue: 2570-000123.
    fiscal_year = models.PositiveSmallIntegerField()
    serial = models.PositiveIntegerField()
    code = models.CharField(max_length=32, unique=True)
    issued_at = models.DateTimeField(default=timezone.now)
    # What the certificate says, frozen when issued (names and hours may change later).
    holder_name = models.CharField(max_length=200)
    course_title_th = models.CharField(max_length=255)
    course_title_en = models.CharField(max_length=255, blank=True)
    hours = models.DecimalField(max_digits=5, decimal_places=1)
    instructor_names = models.CharField(max_length=500, blank=True)
    # Private: served only through the permission-checked certificate_pdf view.
    pdf = models.FileField(upload_to=certificate_pdf_path, storage=private_storage, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoke_reason = models.CharField(max_length=255, blank=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "serial"], name="certificate_serial_per_year"
            ),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("training:certificate_verify", args=[self.code])

    @property
    def number(self):
        return f"{self.fiscal_year}-{self.serial:06d}"

    @property
    def course_title(self):
        if translation.get_language() == "en" and self.course_title_en:
            return self.course_title_en
        return self.course_title_th
