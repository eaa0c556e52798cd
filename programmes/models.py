from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import capfirst, format_lazy, get_text_list
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from entrepreneurs.models import Enterprise, EnterpriseKind, Province
from products.models import Category, Product
from toolkit.capacity import Places
from toolkit.thaisort import thai_order


class PartnerKind(models.TextChoices):
    GOVERNMENT = "government", _("Government agency")
    UNIVERSITY = "university", _("University")
    COMPANY = "company", _("Private company")
    INTERNATIONAL = "international", _("International body")


class Partner(models.Model):
    name_th = models.CharField(_("name (Thai)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=PartnerKind.choices)
    country = models.CharField(_("country (ISO code)"), max_length=2, default="TH")

    class Meta:
        ordering = [thai_order("name_th")]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")

    def __str__(self):
        return self.name

    @property
    def name(self):
        if translation.get_language() == "en" and self.name_en:
            return self.name_en
        return self.name_th


class ProgrammeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", pgettext_lazy("programme state", "Active")
    CLOSED = "closed", pgettext_lazy("programme state", "Closed")
    ARCHIVED = "archived", _("Archived")


class ProgrammeQuerySet(models.QuerySet):
    def public(self):
        return self.filter(status__in=[ProgrammeStatus.ACTIVE, ProgrammeStatus.CLOSED])

    def visible_to(self, user):
        """Officers see every programme, drafts and archived ones too; others the public ones."""
        if user.has_perm("programmes.manage_programmes"):
            return self
        return self.public()

    def listed(self, now=None):
        """What the public list shows: active programmes and those closed this or last year."""
        from toolkit.thaidates import fiscal_year

        recent = fiscal_year(now or timezone.now()) - 1
        return self.filter(
            Q(status=ProgrammeStatus.ACTIVE)
            | Q(status=ProgrammeStatus.CLOSED, fiscal_year__gte=recent)
        )


class Programme(models.Model):
    title_th = models.CharField(_("title (Thai)"), max_length=255)
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    description_th = models.TextField(_("description (Thai)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year (B.E.)"))
    policy = models.CharField(_("policy"), max_length=120, blank=True)
    lead_agency = models.CharField(
        _("lead agency"), max_length=200, default="กรมส่งเสริมอุตสาหกรรม (ดีพร้อม)"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ProgrammeStatus.choices, default=ProgrammeStatus.DRAFT
    )
    partners = models.ManyToManyField(
        Partner, through="ProgrammePartner", related_name="programmes"
    )
    # KPI targets
    target_enterprises = models.PositiveIntegerField(_("enterprises to enrol"), default=0)
    target_design = models.PositiveIntegerField(_("products upgraded in design"), default=0)
    target_standards = models.PositiveIntegerField(_("products upgraded in standards"), default=0)
    target_usability = models.PositiveIntegerField(_("products upgraded in usability"), default=0)
    target_innovation = models.PositiveIntegerField(_("products upgraded in innovation"), default=0)
    target_revenue_uplift = models.DecimalField(
        _("revenue uplift (%)"), max_digits=6, decimal_places=2, default=0
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        ordering = ["-fiscal_year", thai_order("title_th")]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("programmes:programme_detail", args=[self.pk])

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


class PartnerRole(models.TextChoices):
    LEAD = "lead", _("Lead")
    CO_IMPLEMENTER = "co_implementer", _("Co-implementer")
    FACILITY_HOST = "facility_host", _("Facility host")
    FUNDER = "funder", _("Funder")


class ProgrammePartner(models.Model):
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        related_name="partnerships",
    )
    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="partnerships"
    )
    role = models.CharField(_("role"), max_length=20, choices=PartnerRole.choices)
    agreement_reference = models.CharField(_("agreement reference"), max_length=120, blank=True)

    class Meta:
        ordering = ["programme", "role"]
        verbose_name = _("programme partner")
        verbose_name_plural = _("programme partners")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "partner", "role"], name="programme_partner_role_once"
            )
        ]

    def __str__(self):
        return f"{self.partner} ({self.get_role_display()})"


class IntakeQuerySet(models.QuerySet):
    def open(self, now=None):
        now = now or timezone.now()
        return self.filter(
            programme__status=ProgrammeStatus.ACTIVE, opens_at__lte=now, closes_at__gt=now
        )

    def with_rules(self):
        """The eligibility lists, for eligibility_in_words() without a query per intake."""
        return self.prefetch_related("eligible_provinces", "eligible_categories")

    def with_places_taken(self):
        """Annotate places_taken_count: applications that hold a place (see PLACES)."""
        return PLACES.with_taken(self, name="places_taken_count")


# Enterprise kinds in the plural, lower case, for sentences about who may apply.
KIND_PLURALS = {
    EnterpriseKind.COMMUNITY_ENTERPRISE.value: _("community enterprises"),
    EnterpriseKind.NETWORK.value: _("community-enterprise networks"),
    EnterpriseKind.OTOP_GROUP.value: _("OTOP producer groups"),
    EnterpriseKind.SME.value: _("SMEs"),
    EnterpriseKind.ARTISAN.value: _("individual artisans"),
}


class Intake(models.Model):
    """A cohort of a programme: an application window, a capacity and who may apply."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="intakes")
    name_th = models.CharField(_("name (Thai)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    opens_at = models.DateTimeField(_("applications open"))
    closes_at = models.DateTimeField(_("applications close"))
    capacity = models.PositiveIntegerField(_("places"))
    eligible_provinces = models.ManyToManyField(
        Province, blank=True, related_name="+", verbose_name=_("provinces (none: all)")
    )
    # Enterprise kinds that may apply; empty means every kind.
    eligible_kinds = models.JSONField(_("enterprise kinds (none: all)"), default=list, blank=True)
    eligible_categories = models.ManyToManyField(
        Category, blank=True, related_name="+", verbose_name=_("product categories (none: all)")
    )
    verified_only = models.BooleanField(_("verified enterprises only"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = IntakeQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at"]
        verbose_name = _("intake")
        verbose_name_plural = _("intakes")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="intake_closes_after_opening"
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("programmes:intake_detail", args=[self.pk])

    @property
    def name(self):
        if translation.get_language() == "en" and self.name_en:
            return self.name_en
        return self.name_th

    def is_open(self, now=None):
        now = now or timezone.now()
        return (
            self.programme.status == ProgrammeStatus.ACTIVE
            and self.opens_at <= now < self.closes_at
        )

    @property
    def eligible_kind_labels(self):
        labels = dict(EnterpriseKind.choices)
        return [labels[k] for k in self.eligible_kinds if k in labels]

    def eligibility_in_words(self):
        """The rules as sentences for applicants: "Enterprises in Lampang", and so on."""
        rules = []
        if self.verified_only:
            rules.append(_("Verified enterprises only"))
        provinces = [p.name for p in self.eligible_provinces.all()]
        if provinces:
            rules.append(
                format_lazy(
                    _("Enterprises in {provinces}"),
                    provinces=get_text_list(provinces, _("and")),
                )
            )
        kinds = [str(KIND_PLURALS[k]) for k in self.eligible_kinds if k in KIND_PLURALS]
        if kinds:
            rules.append(capfirst(get_text_list(kinds, _("and"))))
        categories = [c.name for c in self.eligible_categories.all()]
        if categories:
            rules.append(
                format_lazy(_("Products in: {categories}"), categories=", ".join(categories))
            )
        return rules or [_("Open to every enterprise")]


class IntakeQuestion(models.Model):
    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="questions")
    text_th = models.CharField(_("question (Thai)"), max_length=500)
    text_en = models.CharField(_("question (English)"), max_length=500, blank=True)
    required = models.BooleanField(_("required"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("intake question")
        verbose_name_plural = _("intake questions")

    def __str__(self):
        return self.text

    @property
    def text(self):
        if translation.get_language() == "en" and self.text_en:
            return self.text_en
        return self.text_th


class EnrolmentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    RETURNED = "returned", _("Returned for changes")
    ACCEPTED = "accepted", _("Accepted")
    WAITLISTED = "waitlisted", _("Waitlisted")
    REJECTED = "rejected", _("Rejected")
    # "Active" of an application is taking part, not a programme that runs.
    ACTIVE = "active", pgettext_lazy("application state", "Active")
    COMPLETED = "completed", _("Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# What the review queue shows until the officer picks another state (a partial index,
# enrolment_to_review_idx, is kept in this set's order of arrival).
# The name of the programmes' data for the figures cached under it (the programme
# dashboard, toolkit.pagination): every service that changes a programme, an intake or an
# application's state calls data_changed(PROGRAMME_DATA).
PROGRAMME_DATA = "programmes"

TO_REVIEW_STATES = [EnrolmentStatus.SUBMITTED, EnrolmentStatus.UNDER_REVIEW]
# States that hold one of the intake's places.
PLACE_HOLDING = frozenset(
    {EnrolmentStatus.ACCEPTED, EnrolmentStatus.ACTIVE, EnrolmentStatus.COMPLETED}
)
# States from which the applicant may still withdraw.
OPEN_STATES = frozenset(
    {
        EnrolmentStatus.DRAFT,
        EnrolmentStatus.SUBMITTED,
        EnrolmentStatus.UNDER_REVIEW,
        EnrolmentStatus.RETURNED,
        EnrolmentStatus.ACCEPTED,
        EnrolmentStatus.WAITLISTED,
        EnrolmentStatus.ACTIVE,
    }
)


class EnrolmentQuerySet(models.QuerySet):
    def holding_places(self):
        return PLACES.holding_places(self)

    def waitlist(self):
        """Waitlisted applications, first come first served."""
        return PLACES.in_line(self)

    def visible_to(self, user):
        from accounts.models import Role

        if not user.is_authenticated:
            return self.none()
        if user.role == Role.OFFICER:
            return self
        return self.filter(enterprise__in=Enterprise.objects.belonging_to(user))


class Enrolment(models.Model):
    """An enterprise's application to an intake, and then its participation."""

    intake = models.ForeignKey(Intake, on_delete=models.PROTECT, related_name="enrolments")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="enrolments")
    products = models.ManyToManyField(Product, blank=True, related_name="enrolments")
    status = models.CharField(
        _("status"), max_length=20, choices=EnrolmentStatus.choices, default=EnrolmentStatus.DRAFT
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(
                fields=["intake", "enterprise"], name="one_application_per_enterprise_per_intake"
            )
        ]
        indexes = [
            models.Index(fields=["intake", "status"], name="enrolment_intake_status_idx"),
            # The review queue, first come first served: its default "to review" states
            # (two, which a composite index cannot read in one order) and any one state.
            models.Index(
                fields=["submitted_at", "id"],
                condition=Q(status__in=TO_REVIEW_STATES),
                name="enrolment_to_review_idx",
            ),
            models.Index(fields=["status", "submitted_at", "id"], name="enrolment_state_queue_idx"),
            # Places taken per intake (PLACES.with_taken, in the review queue's header and
            # the programme pages): a count over the holding applications only.
            models.Index(
                fields=["intake"],
                condition=Q(status__in=sorted(PLACE_HOLDING)),
                name="enrolment_holding_idx",
            ),
        ]

    def __str__(self):
        return f"{self.enterprise} → {self.intake}"

    def get_absolute_url(self):
        return reverse("programmes:enrolment_detail", args=[self.pk])

    @property
    def holds_place(self):
        return PLACES.holds(self)


# An intake's places: held by accepted, active and completed applications; when all are
# taken, submitted applications wait in line by the time they were first submitted.
PLACES = Places(
    holders=Enrolment,
    container="intake",
    holding=PLACE_HOLDING,
    waiting=EnrolmentStatus.WAITLISTED,
    arrival=("submitted_at",),
)


class EnrolmentAnswer(models.Model):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(IntakeQuestion, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(_("answer"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "question"], name="answer_once")
        ]

    def __str__(self):
        return self.text[:50]


class EnrolmentEvent(models.Model):
    """One change of an application's state: who, when, from what to what, and why."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, choices=EnrolmentStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=EnrolmentStatus.choices)
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("application event")
        verbose_name_plural = _("application events")

    def __str__(self):
        return f"{self.from_status} → {self.to_status}"

    @property
    def shown_note(self):
        """The note, or for a promotion from the waitlist the reason, in the reader's language."""
        if self.note:
            return self.note
        promoted = (self.from_status, self.to_status) == (
            EnrolmentStatus.WAITLISTED,
            EnrolmentStatus.ACCEPTED,
        )
        return _("A place became free.") if promoted and self.by_id is None else ""
