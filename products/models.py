import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import (
    Avg,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, NullIf, Round
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from entrepreneurs.models import BilingualName, Enterprise, Member, VerificationStatus
from toolkit.thaidates import display_year
from toolkit.thaisort import thai_collated, thai_order


def product_image_path(instance, filename):
    return f"products/{uuid.uuid4().hex}.jpg"


def product_thumbnail_path(instance, filename):
    return f"products/thumbs/{uuid.uuid4().hex}.jpg"


def product_card_path(instance, filename):
    return f"products/cards/{uuid.uuid4().hex}.webp"


def upgrade_photo_path(instance, filename):
    return f"upgrades/{uuid.uuid4().hex}.jpg"


def certificate_document_path(instance, filename):
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"certifications/{uuid.uuid4().hex}.{ext}"


def private_storage():
    from django.core.files.storage import storages

    return storages["private"]


# --- Reference data ----------------------------------------------------------------------


class Category(BilingualName):
    """OTOP product group (no parent) or type (with a parent), with its export HS code."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("group"),
    )
    hs_code = models.CharField(_("default HS code"), max_length=10, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", thai_order("name_th")]
        verbose_name = _("category")
        verbose_name_plural = _("categories")


class StandardKind(models.TextChoices):
    COMMUNITY = "community", _("Thai community product standard (มผช.)")
    TIS = "tis", _("Thai Industrial Standard (มอก.)")
    OTOP = "otop", _("OTOP product champion")
    LEAD_CADMIUM = "lead_cadmium", _("Lead and cadmium release test")
    EXPORT = "export", _("Export certification")


class Standard(BilingualName):
    """A standard products are certified against; officers keep this list."""

    kind = models.CharField(_("kind"), max_length=20, choices=StandardKind.choices)
    reference = models.CharField(
        _("reference"), max_length=60, help_text=_("For example มผช. 14/2558 or มอก. 32-2553")
    )
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["kind", "reference"]
        verbose_name = _("standard")
        verbose_name_plural = _("standards")
        constraints = [
            models.UniqueConstraint(fields=["kind", "reference"], name="standard_unique_ref")
        ]

    def __str__(self):
        return f"{self.reference} {self.name}"


# --- Products ----------------------------------------------------------------------------


class ProductStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class ClayBody(models.TextChoices):
    EARTHENWARE = "earthenware", _("Earthenware")
    STONEWARE = "stoneware", _("Stoneware")
    PORCELAIN = "porcelain", _("Porcelain")
    LAMPANG_KAOLIN = "lampang_kaolin", _("Lampang kaolin")


class FormingMethod(models.TextChoices):
    WHEEL = "wheel", _("Wheel throwing")
    SLIP_CASTING = "slip_casting", _("Slip casting")
    JIGGERING = "jiggering", _("Jiggering and jollying")
    PRESS = "press", _("Press moulding")
    HAND = "hand", _("Hand building")
    PRINTING = "printing", _("3D clay printing")


class Atmosphere(models.TextChoices):
    OXIDATION = "oxidation", _("Oxidation")
    REDUCTION = "reduction", _("Reduction")


class KilnType(models.TextChoices):
    ELECTRIC = "electric", _("Electric")
    GAS_SHUTTLE = "gas_shuttle", _("Gas shuttle")
    TUNNEL = "tunnel", _("Tunnel")
    WOOD = "wood", _("Wood-fired")


class ProductQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=ProductStatus.PUBLISHED)

    def on_showcase(self):
        """What the public may see: published products of enterprises an officer verified."""
        return self.published().filter(enterprise__status=VerificationStatus.VERIFIED)

    def upgraded(self):
        """Products with at least one upgrade record."""
        return self.filter(Exists(UpgradeRecord.objects.filter(product=OuterRef("pk"))))

    def with_upgrade_areas(self):
        """Annotate `upgraded_<area>` for each of the four areas, as subqueries, not queries."""
        return self.annotate(
            **{
                f"upgraded_{area}": Exists(
                    UpgradeRecord.objects.filter(product=OuterRef("pk"), area=area)
                )
                for area in UpgradeArea.values
            }
        )

    def with_upgrade_area_records(self):
        """Prefetch each product's upgrade areas, for the fetched (paginated) rows only.

        A prefetch runs after the page is sliced, so it reads the page's few records by
        product id; the Exists() annotations of with_upgrade_areas() run inside the page's
        query, where PostgreSQL hashes every upgrade record of every area to sort the rows.
        """
        return self.prefetch_related(
            models.Prefetch(
                "upgrades",
                queryset=UpgradeRecord.objects.order_by().only("pk", "product_id", "area"),
                to_attr="upgrade_area_records",
            )
        )

    def showcase_cards(self):
        """Showcase products with what a card shows, newest in the showcase first.

        On PostgreSQL the order is read from the partial index product_showcase_idx
        (products/0008), which must keep matching it.
        """
        return (
            self.on_showcase()
            .select_related("category", "enterprise__district__province")
            .with_cover()
            .with_upgrade_area_records()
            .order_by(F("published_at").desc(nulls_last=True), thai_order("name_th"), "pk")
        )

    def visible_to(self, user):
        """Officers and faculty see every product; members see their enterprises' products."""
        if not user.is_authenticated:
            return self.none()
        if user.role in (Role.OFFICER, Role.FACULTY, Role.CENTRE_STAFF):
            return self
        return self.filter(
            Q(enterprise__members__user=user) | Q(enterprise__created_by=user)
        ).distinct()

    def editable_by(self, user):
        """Officers edit every product; members edit their enterprises' products."""
        if not user.is_authenticated:
            return self.none()
        if user.role == Role.OFFICER:
            return self
        # A subquery, not a join: no duplicate rows, so no DISTINCT to stop FOR UPDATE.
        member_of = Member.objects.filter(user=user).values("enterprise_id")
        return self.filter(Q(enterprise__in=member_of) | Q(enterprise__created_by=user))

    def in_province(self, code):
        return self.filter(enterprise__province_id=code)

    def in_district(self, code):
        return self.filter(enterprise__district_id=code)

    def search(self, text):
        text = (text or "").strip().lower()
        if not text:
            return self
        return self.filter(search_text__contains=text)

    def with_cover(self):
        """Each product's first image as `cover_images` (a one-item list), in one query."""
        return self.prefetch_related(
            models.Prefetch(
                "images",
                queryset=ProductImage.objects.order_by("position", "pk"),
                to_attr="ordered_images",
            )
        )


class Product(BilingualName):
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="products", verbose_name=_("enterprise")
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="products", verbose_name=_("category")
    )
    hs_code = models.CharField(_("HS code"), max_length=10, blank=True)
    description = models.TextField(_("description"), blank=True)
    unit_price = models.DecimalField(
        _("unit price (THB)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    # The commercialised upgrade whose price after became the unit price, until the price is
    # edited by hand; the product page names it.
    price_set_by = models.ForeignKey(
        "UpgradeRecord",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("price set by the upgrade"),
    )
    monthly_capacity = models.PositiveIntegerField(
        _("monthly capacity (pieces)"), null=True, blank=True
    )
    otop_stars = models.PositiveSmallIntegerField(
        _("OTOP stars"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    # The Gregorian year of the OTOP selection round that gave the stars.
    otop_year = models.PositiveSmallIntegerField(_("OTOP round year"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ProductStatus.choices, default=ProductStatus.DRAFT
    )
    published_at = models.DateTimeField(null=True, blank=True)

    # Ceramic specification
    clay_body = models.CharField(
        _("clay body"), max_length=20, choices=ClayBody.choices, blank=True
    )
    forming_method = models.CharField(
        _("forming method"), max_length=20, choices=FormingMethod.choices, blank=True
    )
    glaze = models.CharField(_("glaze"), max_length=200, blank=True)
    lead_free_glaze = models.BooleanField(_("lead-free glaze"), default=False)
    bisque_temperature = models.PositiveSmallIntegerField(
        _("bisque firing (°C)"), null=True, blank=True, validators=[MaxValueValidator(1600)]
    )
    glaze_temperature = models.PositiveSmallIntegerField(
        _("glaze firing (°C)"), null=True, blank=True, validators=[MaxValueValidator(1600)]
    )
    # A string: cone "06" is not cone "6".
    orton_cone = models.CharField(_("Orton cone"), max_length=4, blank=True)
    atmosphere = models.CharField(
        _("firing atmosphere"), max_length=20, choices=Atmosphere.choices, blank=True
    )
    kiln_type = models.CharField(_("kiln"), max_length=20, choices=KilnType.choices, blank=True)
    length_mm = models.PositiveIntegerField(_("length (mm)"), null=True, blank=True)
    width_mm = models.PositiveIntegerField(_("width (mm)"), null=True, blank=True)
    height_mm = models.PositiveIntegerField(_("height (mm)"), null=True, blank=True)
    capacity_ml = models.PositiveIntegerField(_("capacity (ml)"), null=True, blank=True)
    weight_g = models.PositiveIntegerField(_("weight (g)"), null=True, blank=True)
    water_absorption = models.DecimalField(
        _("water absorption (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    food_safe = models.BooleanField(_("food-contact safe"), default=False)
    microwave_safe = models.BooleanField(_("microwave safe"), default=False)
    dishwasher_safe = models.BooleanField(_("dishwasher safe"), default=False)
    oven_safe = models.BooleanField(_("oven safe"), default=False)

    materials = models.ManyToManyField(
        "Material", blank=True, related_name="products", verbose_name=_("materials used")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    search_text = models.TextField(blank=True, editable=False)

    objects = ProductQuerySet.as_manager()

    class Meta:
        ordering = [thai_order("name_th")]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        indexes = [
            models.Index(fields=["status", "category"], name="product_status_category_idx"),
            models.Index(fields=["enterprise", "status"], name="product_enterprise_idx"),
            # The officers' list sorts 190,000 products by Thai name, then id.
            models.Index(thai_collated("name_th"), "id", name="product_name_th_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(otop_stars__isnull=True) | Q(otop_stars__gte=1, otop_stars__lte=5),
                name="product_otop_stars_1_to_5",
            ),
        ]

    def save(self, *args, **kwargs):
        self.search_text = self.build_search_text()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("products:product_detail", args=[self.pk])

    def build_search_text(self):
        return " ".join(p for p in [self.name_th, self.name_en, self.hs_code] if p).lower()

    @property
    def upgrade_areas(self):
        """The areas upgraded, as labels; needs with_upgrade_areas() or ..._area_records()."""
        records = getattr(self, "upgrade_area_records", None)
        if records is not None:
            done = {record.area for record in records}
            return [label for area, label in UpgradeArea.choices if area in done]
        return [
            label for area, label in UpgradeArea.choices if getattr(self, f"upgraded_{area}", False)
        ]

    @property
    def otop_year_display(self):
        """The OTOP round year as the reader counts it (B.E. in Thai)."""
        return display_year(self.otop_year) if self.otop_year else None

    @property
    def cover(self):
        images = getattr(self, "ordered_images", None)
        if images is None:
            images = list(self.images.order_by("position", "pk")[:1])
        return images[0] if images else None


class ProductImage(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(
        _("photo"), upload_to=product_image_path, width_field="width", height_field="height"
    )
    thumbnail = models.ImageField(upload_to=product_thumbnail_path)
    # WebP crops for the showcase's cards (products.images.CARD_WIDTHS); empty on a photo
    # kept before they existed until `manage.py make_card_images` has run.
    card = models.ImageField(upload_to=product_card_path, blank=True)
    card_2x = models.ImageField(upload_to=product_card_path, blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("product photo")
        verbose_name_plural = _("product photos")

    def __str__(self):
        return self.caption or self.image.name

    def set_card_images(self, cards):
        """Attach the files card_images() made (saved to storage; the row is not saved)."""
        small, large = (cards[width] for width in sorted(cards))
        self.card.save(small.name, small, save=False)
        self.card_2x.save(large.name, large, save=False)


class Certification(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="certifications")
    standard = models.ForeignKey(
        Standard,
        on_delete=models.PROTECT,
        related_name="certifications",
        verbose_name=_("standard"),
    )
    number = models.CharField(_("certificate number"), max_length=60)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("valid until"), null=True, blank=True)
    # Private: served only through a permission-checked view.
    document = models.FileField(
        _("document"), upload_to=certificate_document_path, storage=private_storage, blank=True
    )
    expiry_notified_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-issued_on"]
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        indexes = [models.Index(fields=["expires_on"], name="certification_expiry_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=models.F("issued_on")),
                name="certification_expires_after_issue",
            ),
        ]

    def __str__(self):
        return f"{self.standard.reference} {self.number}"

    @property
    def is_valid(self):
        return self.expires_on is None or self.expires_on >= timezone.localdate()


# --- Upgrade records ---------------------------------------------------------------------


class UpgradeArea(models.TextChoices):
    DESIGN = "design", _("Design")
    STANDARDS = "standards", _("Standards")
    USABILITY = "usability", _("Usability")
    INNOVATION = "innovation", _("Innovation")


class UpgradeStage(models.TextChoices):
    ASSESSMENT = "assessment", _("Assessment")
    PLAN = "plan", _("Plan")
    PROTOTYPE = "prototype", _("Prototype")
    TESTING = "testing", _("Testing")
    COMMERCIALISED = "commercialised", _("Commercialised")


def percent_change(before, after):
    """The change from `before` to `after` in per cent to one decimal, or None if unknown."""
    if before is None or after is None or before == 0:
        return None
    return ((after - before) * 100 / before).quantize(Decimal("0.1"))


class Exact(Func):
    """Its argument unchanged; on SQLite as REAL, whose whole-number prices divide as integers."""

    template = "%(expressions)s"

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler, connection, template="CAST(%(expressions)s AS REAL)", **extra_context
        )


def percent_change_sql(before, after):
    """SQL for percent_change unrounded: NULL when before is 0 or NULL."""
    return ExpressionWrapper(
        (F(after) - F(before)) * Value(100) / NullIf(Exact(F(before)), Value(0)),
        output_field=DecimalField(max_digits=20, decimal_places=4),
    )


def uplift_expression(before, after):
    """SQL for percent_change: (after - before) * 100 / before to one decimal, or NULL."""
    return Round(
        percent_change_sql(before, after),
        1,
        output_field=DecimalField(max_digits=14, decimal_places=1),
    )


# Records whose price (or monthly sales) is known before and after: the ones an uplift counts.
PRICED = Q(price_before__gt=0, price_after__isnull=False)
SALES_KNOWN = Q(monthly_sales_before__isnull=False, monthly_sales_after__isnull=False)


class UpgradeRecordQuerySet(models.QuerySet):
    def for_timeline(self):
        """Newest first, with the expert each record names."""
        return self.select_related("expert").order_by("-started_on", "-recorded_at", "-pk")

    def with_uplift(self):
        """Annotate price_uplift and sales_uplift: per cent change after vs before, or None."""
        return self.annotate(
            price_uplift=uplift_expression("price_before", "price_after"),
            sales_uplift=uplift_expression("monthly_sales_before", "monthly_sales_after"),
        )

    def uplift_summary(self):
        """One query: records priced before and after, their mean price uplift, sales totals."""
        totals = self.order_by().aggregate(
            priced=Count("pk", filter=PRICED),
            mean_price_uplift=Avg(
                percent_change_sql("price_before", "price_after"),
                filter=PRICED,
                output_field=DecimalField(max_digits=14, decimal_places=4),
            ),
            with_sales=Count("pk", filter=SALES_KNOWN),
            sales_before=Sum("monthly_sales_before", filter=SALES_KNOWN),
            sales_after=Sum("monthly_sales_after", filter=SALES_KNOWN),
        )
        mean = totals["mean_price_uplift"]
        if mean is not None:
            totals["mean_price_uplift"] = Decimal(str(mean)).quantize(Decimal("0.1"))
        for key in ("sales_before", "sales_after"):
            totals[key] = Decimal(str(totals[key] or 0)).quantize(Decimal("0.01"))
        totals["sales_uplift"] = percent_change(totals["sales_before"], totals["sales_after"])
        return totals


class UpgradeRecord(models.Model):
    """One step of upgrade work on a product in one of the four areas."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="upgrades")
    area = models.CharField(_("area"), max_length=20, choices=UpgradeArea.choices)
    stage = models.CharField(_("stage"), max_length=20, choices=UpgradeStage.choices)
    summary = models.CharField(_("summary"), max_length=200)
    what_changed = models.TextField(_("what changed"))
    before_photo = models.ImageField(_("photo before"), upload_to=upgrade_photo_path, blank=True)
    after_photo = models.ImageField(_("photo after"), upload_to=upgrade_photo_path, blank=True)
    price_before = models.DecimalField(
        _("unit price before (THB)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    price_after = models.DecimalField(
        _("unit price after (THB)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    monthly_sales_before = models.DecimalField(
        _("monthly sales before (THB)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    monthly_sales_after = models.DecimalField(
        _("monthly sales after (THB)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("expert"),
    )
    expert_name = models.CharField(_("expert (if not a portal user)"), max_length=200, blank=True)
    started_on = models.DateField(_("started on"))
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = UpgradeRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on", "-recorded_at"]
        verbose_name = _("upgrade record")
        verbose_name_plural = _("upgrade records")
        indexes = [models.Index(fields=["product", "area"], name="upgrade_product_area_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True)
                | Q(completed_on__gte=models.F("started_on")),
                name="upgrade_completed_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.get_area_display()}: {self.summary}"

    @property
    def stage_number(self):
        """1 for assessment up to 5 for commercialised."""
        return UpgradeStage.values.index(self.stage) + 1

    @property
    def stage_steps(self):
        """The five stages in order as (label, state), state being done, current or todo."""
        current = self.stage_number
        steps = []
        for number, label in enumerate(UpgradeStage.labels, start=1):
            if number < current:
                steps.append((label, "done"))
            elif number == current:
                steps.append((label, "current"))
            else:
                steps.append((label, "todo"))
        return steps

    @property
    def price_change(self):
        return percent_change(self.price_before, self.price_after)

    def offers_price_for(self, product):
        """Whether the price after may become `product`'s price: a commercialised upgrade
        whose price after is known and differs from the price the product has now."""
        return (
            self.stage == UpgradeStage.COMMERCIALISED
            and self.price_after is not None
            and self.price_after != product.unit_price
        )

    @property
    def sales_change(self):
        return percent_change(self.monthly_sales_before, self.monthly_sales_after)

    @property
    def expert_label(self):
        """The expert's name, whether a portal user or typed in."""
        if self.expert_id:
            return self.expert.full_name or self.expert_name
        return self.expert_name


# --- Material library --------------------------------------------------------------------


class MaterialKind(models.TextChoices):
    CLAY_BODY = "clay_body", _("Clay body")
    GLAZE = "glaze", _("Glaze")


class MaterialQuerySet(models.QuerySet):
    def search(self, text):
        text = (text or "").strip()
        if not text:
            return self
        return self.filter(Q(code__icontains=text) | Q(name__icontains=text))

    def with_latest_test(self):
        """Annotate the latest test's date and verdict and the number of tests, as subqueries."""
        tests = MaterialTest.objects.filter(material=OuterRef("pk"))
        latest = tests.order_by("-tested_on", "-pk")
        counts = tests.order_by().values("material").annotate(n=Count("pk")).values("n")
        return self.annotate(
            latest_tested_on=Subquery(latest.values("tested_on")[:1]),
            latest_passed=Subquery(latest.values("passed")[:1]),
            test_count=Coalesce(Subquery(counts), 0),
        )


class Material(models.Model):
    """A clay body or glaze tested at the Ko Kha centre."""

    kind = models.CharField(_("kind"), max_length=20, choices=MaterialKind.choices)
    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    supplier = models.CharField(_("supplier or source"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = MaterialQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("material")
        verbose_name_plural = _("materials")

    def __str__(self):
        return f"{self.code} {self.name}"

    def get_absolute_url(self):
        return reverse("products:material_detail", args=[self.pk])


class MaterialTest(models.Model):
    """One test of a material; limits change, so the limit that applied is kept with it."""

    material = models.ForeignKey(Material, on_delete=models.CASCADE, related_name="tests")
    tested_on = models.DateField(_("tested on"))
    firing_temperature = models.PositiveSmallIntegerField(
        _("firing temperature (°C)"), null=True, blank=True
    )
    shrinkage = models.DecimalField(
        _("firing shrinkage (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    water_absorption = models.DecimalField(
        _("water absorption (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    firing_range_min = models.PositiveSmallIntegerField(
        _("firing range from (°C)"), null=True, blank=True
    )
    firing_range_max = models.PositiveSmallIntegerField(
        _("firing range to (°C)"), null=True, blank=True
    )
    lead_release = models.DecimalField(
        _("lead release (mg/L)"), max_digits=8, decimal_places=3, null=True, blank=True
    )
    lead_limit = models.DecimalField(
        _("lead limit that applied (mg/L)"), max_digits=8, decimal_places=3, null=True, blank=True
    )
    cadmium_release = models.DecimalField(
        _("cadmium release (mg/L)"), max_digits=8, decimal_places=3, null=True, blank=True
    )
    cadmium_limit = models.DecimalField(
        _("cadmium limit that applied (mg/L)"),
        max_digits=8,
        decimal_places=3,
        null=True,
        blank=True,
    )
    method = models.CharField(_("test method or standard"), max_length=120, blank=True)
    # Stored, not computed: the verdict given under the limits of the day.
    passed = models.BooleanField(_("passed"), null=True)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-tested_on", "-pk"]
        verbose_name = _("material test")
        verbose_name_plural = _("material tests")
        constraints = [
            models.CheckConstraint(
                condition=Q(firing_range_min__isnull=True)
                | Q(firing_range_max__isnull=True)
                | Q(firing_range_max__gte=models.F("firing_range_min")),
                name="material_test_firing_range_order",
            ),
        ]

    def __str__(self):
        return f"{self.material.code} {self.tested_on}"
