from django.conf import settings
from django.db import models
from django.db.models import Case, Q, When
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from toolkit.thaisort import thai_collated, thai_order


class BilingualName(models.Model):
    """A name in Thai and English, shown in the reader's language."""

    name_th = models.CharField(_("name (Thai)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self):
        return self.name

    @property
    def name(self):
        if translation.get_language() == "en" and self.name_en:
            return self.name_en
        return self.name_th


# --- Thai geography: reference data loaded from the geothai package ---------------------


class PlaceQuerySet(models.QuerySet):
    @staticmethod
    def _name_order():
        """The name the reader sees: English names under English, else Thai (dictionary order)."""
        if translation.get_language() == "en":
            return ["name_en", thai_order("name_th")]
        return [thai_order("name_th")]

    def by_name(self):
        return self.order_by(*self._name_order())

    def home_first(self):
        """Provinces by name with the programme's home province (HOME_PROVINCE_CODE) on top."""
        home = Case(When(code=settings.HOME_PROVINCE_CODE, then=0), default=1)
        return self.order_by(home, *self._name_order())


class Province(BilingualName):
    code = models.CharField(_("code"), max_length=2, primary_key=True)

    objects = PlaceQuerySet.as_manager()

    class Meta:
        ordering = [thai_order("name_th")]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")


class District(BilingualName):
    code = models.CharField(_("code"), max_length=4, primary_key=True)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="districts")

    objects = PlaceQuerySet.as_manager()

    class Meta:
        ordering = [thai_order("name_th")]
        verbose_name = _("district")
        verbose_name_plural = _("districts")


class Subdistrict(BilingualName):
    code = models.CharField(_("code"), max_length=6, primary_key=True)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="subdistricts")
    # Space-separated: a few subdistricts are served by more than one post office.
    postal_codes = models.CharField(_("postal codes"), max_length=60)

    objects = PlaceQuerySet.as_manager()

    class Meta:
        ordering = [thai_order("name_th")]
        verbose_name = _("subdistrict")
        verbose_name_plural = _("subdistricts")

    @property
    def postal_code_list(self):
        return self.postal_codes.split()


# --- Enterprises -----------------------------------------------------------------------


class EnterpriseKind(models.TextChoices):
    COMMUNITY_ENTERPRISE = "community_enterprise", _("Community enterprise")
    NETWORK = "network", _("Community-enterprise network")
    OTOP_GROUP = "otop_group", _("OTOP producer group")
    SME = "sme", _("SME")
    ARTISAN = "artisan", _("Individual artisan")


# The name of the registry's data for the counts and pages cached under it (toolkit.pagination,
# toolkit.public_pages): the officers' lists of enterprises and products, the showcase and
# its products' pages, the landing page's figures. Every service that changes an
# enterprise, a product, its photos, certifications or upgrade records calls
# data_changed(REGISTRY_DATA).
REGISTRY_DATA = "registry"


class VerificationStatus(models.TextChoices):
    UNVERIFIED = "unverified", _("Unverified")
    VERIFIED = "verified", _("Verified")
    INACTIVE = "inactive", _("Inactive")


def format_registration_code(code) -> str:
    """A community-enterprise registration code as printed: X-XX-XX-XX/X-XXXX."""
    code = code or ""
    if len(code) != 12:
        return code
    return f"{code[0]}-{code[1:3]}-{code[3:5]}-{code[5:7]}/{code[7]}-{code[8:]}"


class EnterpriseQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Officers see every enterprise; anyone else only the ones they belong to."""
        if not user.is_authenticated:
            return self.none()
        if user.role == Role.OFFICER:
            return self
        return self.belonging_to(user)

    def belonging_to(self, user):
        """The enterprises a person is a member of or registered, whatever their role."""
        if not user.is_authenticated:
            return self.none()
        # A UNION of the two id sets, each read through its own index (member.user_id,
        # enterprise.created_by_id): `members__user OR created_by` over a join read every
        # enterprise (issue 12, plan of "entrepreneur: home" at 50,000 enterprises).
        ids = (
            Member.objects.filter(user=user)
            .order_by()
            .values("enterprise_id")
            .union(Enterprise.objects.filter(created_by=user).order_by().values("pk"))
        )
        return self.filter(pk__in=ids)

    def editable_by(self, user):
        return self.visible_to(user)

    def verified(self):
        return self.filter(status=VerificationStatus.VERIFIED)

    def in_province(self, code):
        return self.filter(province_id=code)

    def in_district(self, code):
        return self.filter(district_id=code)

    def search(self, text):
        """Substring search over names, codes and phone; served by a trigram index."""
        text = (text or "").strip().lower()
        if not text:
            return self
        return self.filter(search_text__contains=text)

    def with_place(self):
        return self.select_related("province", "district", "subdistrict")


class Enterprise(BilingualName):
    kind = models.CharField(_("kind"), max_length=30, choices=EnterpriseKind.choices)
    # Community-enterprise registration code from the Department of Agricultural
    # Extension: 12 digits, the 2nd to 7th being the subdistrict's code.
    registration_code = models.CharField(
        _("community-enterprise registration code"),
        max_length=12,
        unique=True,
        null=True,
        blank=True,
    )
    # The 13-digit tax ID: stored as a keyed hash for uniqueness (an artisan's tax ID is
    # their national ID number) and shown masked unless it is a juristic person's.
    tax_id_hash = models.CharField(
        max_length=64, unique=True, null=True, blank=True, editable=False
    )
    tax_id_display = models.CharField(_("tax ID"), max_length=20, blank=True, editable=False)
    address_line = models.CharField(_("house number, village, road"), max_length=255, blank=True)
    subdistrict = models.ForeignKey(
        Subdistrict, on_delete=models.PROTECT, related_name="+", verbose_name=_("subdistrict")
    )
    # Kept with the subdistrict so national lists filter by province or district fast.
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="+", verbose_name=_("district")
    )
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="+", verbose_name=_("province")
    )
    postal_code = models.CharField(_("postal code"), max_length=5)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    line_id = models.CharField(_("LINE ID"), max_length=50, blank=True)
    status = models.CharField(
        _("verification"),
        max_length=20,
        choices=VerificationStatus.choices,
        default=VerificationStatus.UNVERIFIED,
    )
    status_note = models.TextField(_("verification note"), blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Lower-cased names and codes; PostgreSQL indexes it with pg_trgm for Thai search.
    search_text = models.TextField(blank=True, editable=False)

    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        ordering = [thai_order("name_th")]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        indexes = [
            models.Index(fields=["province", "district"], name="enterprise_place_idx"),
            models.Index(fields=["status", "kind"], name="enterprise_status_kind_idx"),
            # The officers' list sorts 50,000 enterprises by Thai name, then id.
            models.Index(thai_collated("name_th"), "id", name="enterprise_name_th_idx"),
        ]

    def save(self, *args, **kwargs):
        self.search_text = self.build_search_text()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("entrepreneurs:enterprise_detail", args=[self.pk])

    def build_search_text(self):
        parts = [self.name_th, self.name_en, self.registration_code or "", self.phone]
        return " ".join(p for p in parts if p).lower()

    @property
    def formatted_registration_code(self):
        return format_registration_code(self.registration_code)


class MemberRole(models.TextChoices):
    PRESIDENT = "president", _("President")
    REPRESENTATIVE = "representative", _("Representative")
    COMMITTEE = "committee", _("Committee member")
    MEMBER = "member", _("Member")


class Member(models.Model):
    """A person in an enterprise; one with a portal account may edit its data."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("portal account"),
    )
    full_name = models.CharField(_("full name"), max_length=200)
    role = models.CharField(_("role"), max_length=20, choices=MemberRole.choices)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["enterprise", "role", thai_order("full_name")]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "user"],
                condition=Q(user__isnull=False),
                name="member_once_per_enterprise",
            ),
        ]

    def __str__(self):
        return f"{self.full_name} ({self.get_role_display()})"
