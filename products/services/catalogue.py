"""Products, their photos and certifications, and the standards they are certified against."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import User
from entrepreneurs.models import REGISTRY_DATA, VerificationStatus
from notifications.services import notify
from toolkit.audit import record_audit
from toolkit.pagination import data_changed

from ..exceptions import (
    CannotPublish,
    DocumentRejected,
    LastPhoto,
    NotALeafCategory,
    NotAllowed,
    PhotoRejected,
    ProductError,
    StandardExists,
    TooManyPhotos,
)
from ..files import document_kind
from ..images import card_images, process_photo
from ..models import Certification, Product, ProductImage, ProductStatus, Standard

MAX_PHOTOS = 8
EXPIRY_NOTICE_DAYS = 30

PRODUCT_FIELDS = frozenset(
    {
        "name_th",
        "name_en",
        "category",
        "hs_code",
        "description",
        "unit_price",
        "monthly_capacity",
        "otop_stars",
        "otop_year",
        "clay_body",
        "forming_method",
        "glaze",
        "lead_free_glaze",
        "bisque_temperature",
        "glaze_temperature",
        "orton_cone",
        "atmosphere",
        "kiln_type",
        "length_mm",
        "width_mm",
        "height_mm",
        "capacity_ml",
        "weight_g",
        "water_absorption",
        "food_safe",
        "microwave_safe",
        "dishwasher_safe",
        "oven_safe",
    }
)
CERTIFICATION_FIELDS = frozenset({"standard", "number", "issued_on", "expires_on"})
STANDARD_FIELDS = frozenset({"kind", "reference", "name_th", "name_en", "is_active"})


def _require(user, perm, obj=None):
    if not user.has_perm(perm, obj):
        raise NotAllowed()


def _fields(data, allowed):
    unknown = set(data) - allowed
    if unknown:
        raise TypeError(f"Unexpected fields: {', '.join(sorted(unknown))}")
    return dict(data)


def _lock(product):
    return Product.objects.select_for_update().select_related("enterprise").get(pk=product.pk)


def _delete_files_on_commit(*fields):
    """Remove stored files once the row that named them is gone for good."""
    files = [(field.storage, field.name) for field in fields if field]

    def delete():
        for storage, name in files:
            storage.delete(name)

    transaction.on_commit(delete, robust=True)


# --- Products ----------------------------------------------------------------------------


def _prepare(product):
    if product.category.parent_id is None:
        raise NotALeafCategory()
    if not product.hs_code:
        product.hs_code = product.category.hs_code


@transaction.atomic
def create_product(*, enterprise, by, data) -> Product:
    """Register a draft product of an enterprise; its HS code defaults from the category."""
    _require(by, "products.add_product", enterprise)
    product = Product(enterprise=enterprise, created_by=by, **_fields(data, PRODUCT_FIELDS))
    _prepare(product)
    product.save()
    data_changed(REGISTRY_DATA)
    record_audit(actor=by, action="product.created", target=product)
    return product


@transaction.atomic
def update_product(*, product, by, data) -> Product:
    """Change a product's description, price, OTOP rating or ceramic specification."""
    _require(by, "products.change_product", product)
    product = _lock(product)
    changed = sorted(
        name
        for name, value in _fields(data, PRODUCT_FIELDS).items()
        if getattr(product, name) != value
    )
    for name in changed:
        setattr(product, name, data[name])
    if "unit_price" in changed:
        # A price typed in by hand no longer comes from an upgrade.
        product.price_set_by = None
    _prepare(product)
    product.save()
    data_changed(REGISTRY_DATA)
    record_audit(actor=by, action="product.updated", target=product, fields=changed)
    return product


def _set_status(product, by, status, action):
    product.status = status
    if status == ProductStatus.PUBLISHED:
        product.published_at = timezone.now()
    product.save(update_fields=["status", "published_at", "updated_at"])
    data_changed(REGISTRY_DATA)
    record_audit(actor=by, action=action, target=product)
    return product


@transaction.atomic
def publish_product(*, product, by) -> Product:
    """Show a draft product in the public showcase; it needs a photo and an active enterprise."""
    _require(by, "products.change_product", product)
    product = _lock(product)
    if product.status == ProductStatus.PUBLISHED:
        return product
    if product.status != ProductStatus.DRAFT:
        raise CannotPublish(_("An archived product goes back to draft before it is published."))
    if product.enterprise.status == VerificationStatus.INACTIVE:
        raise CannotPublish(_("The enterprise is inactive, so its products cannot be published."))
    if not product.images.exists():
        raise CannotPublish(_("Add at least one photo before you publish the product."))
    return _set_status(product, by, ProductStatus.PUBLISHED, "product.published")


@transaction.atomic
def archive_product(*, product, by) -> Product:
    """Take a product out of use (no longer made); it leaves the showcase."""
    _require(by, "products.change_product", product)
    product = _lock(product)
    if product.status == ProductStatus.ARCHIVED:
        return product
    return _set_status(product, by, ProductStatus.ARCHIVED, "product.archived")


@transaction.atomic
def unpublish_product(*, product, by) -> Product:
    """Put a published or archived product back to draft."""
    _require(by, "products.change_product", product)
    product = _lock(product)
    if product.status == ProductStatus.DRAFT:
        return product
    return _set_status(product, by, ProductStatus.DRAFT, "product.unpublished")


# --- Photos ------------------------------------------------------------------------------


def _check_room(product, adding):
    present = product.images.count()
    if present + adding > MAX_PHOTOS:
        raise TooManyPhotos(
            ngettext(
                "A product can have at most %(max)s photos; it has %(count)s already.",
                "A product can have at most %(max)s photos; it has %(count)s already.",
                present,
            )
            % {"max": MAX_PHOTOS, "count": present}
        )


@transaction.atomic
def add_photos(*, product, by, uploads) -> list[ProductImage]:
    """Verify, re-encode and keep photos; one bad file refuses the whole batch."""
    _require(by, "products.change_product", product)
    uploads = list(uploads)
    if not uploads:
        raise PhotoRejected(_("Choose at least one photo."))
    _check_room(product, len(uploads))
    # Every file is decoded before anything is saved, outside the row lock below.
    processed = []
    for upload in uploads:
        try:
            photo, thumbnail = process_photo(upload)
            processed.append((photo, thumbnail, card_images(photo)))
        except ValidationError as error:
            raise PhotoRejected(
                _("%(name)s: %(reason)s No photo was saved.")
                % {"name": upload.name, "reason": " ".join(error.messages)}
            ) from error
    product = _lock(product)
    _check_room(product, len(uploads))
    last = product.images.aggregate(last=Max("position"))["last"] or 0
    images = []
    for offset, (photo, thumbnail, cards) in enumerate(processed, start=1):
        image = ProductImage(product=product, position=last + offset)
        image.image.save(photo.name, photo, save=False)
        image.thumbnail.save(thumbnail.name, thumbnail, save=False)
        image.set_card_images(cards)
        image.save()
        images.append(image)
    data_changed(REGISTRY_DATA)
    record_audit(
        actor=by, action="product.photos_added", target=product, photos=[i.pk for i in images]
    )
    return images


@transaction.atomic
def remove_photo(*, photo, by) -> None:
    """Delete a photo; a published product keeps at least one."""
    _require(by, "products.change_product", photo.product)
    product = _lock(photo.product)
    if product.status == ProductStatus.PUBLISHED and product.images.count() <= 1:
        raise LastPhoto()
    _delete_files_on_commit(photo.image, photo.thumbnail, photo.card, photo.card_2x)
    record_audit(actor=by, action="product.photo_removed", target=product, photo=photo.pk)
    photo.delete()
    data_changed(REGISTRY_DATA)


# --- Certifications ----------------------------------------------------------------------


@transaction.atomic
def add_certification(*, product, by, data, document=None) -> Certification:
    """Record a certificate of a product, with its document kept in private storage."""
    _require(by, "products.change_product", product)
    certification = Certification(
        product=product, created_by=by, **_fields(data, CERTIFICATION_FIELDS)
    )
    if not certification.standard.is_active:
        raise ProductError(_("This standard is no longer in use. Choose another."))
    expires_on = certification.expires_on
    if expires_on and expires_on < certification.issued_on:
        raise ProductError(_("A certificate cannot expire before it was issued."))
    if document:
        try:
            extension = document_kind(document)
        except ValidationError as error:
            raise DocumentRejected(" ".join(error.messages)) from error
        certification.document.save(f"document.{extension}", document, save=False)
    certification.save()
    data_changed(REGISTRY_DATA)
    record_audit(
        actor=by,
        action="certification.added",
        target=certification,
        product=product.pk,
        standard=certification.standard.reference,
        number=certification.number,
    )
    return certification


@transaction.atomic
def remove_certification(*, certification, by) -> None:
    """Delete a certification and its document."""
    _require(by, "products.change_product", certification.product)
    _delete_files_on_commit(certification.document)
    record_audit(
        actor=by,
        action="certification.removed",
        target=certification,
        product=certification.product_id,
        standard=certification.standard.reference,
        number=certification.number,
    )
    certification.delete()
    data_changed(REGISTRY_DATA)


def notify_expiring_certifications(*, today=None) -> int:
    """Tell the members of an enterprise, once, that a certificate expires within 30 days.

    Returns how many certifications were announced.
    """
    today = today or timezone.localdate()
    due = Certification.objects.filter(
        expiry_notified_at__isnull=True,
        expires_on__gte=today,
        expires_on__lte=today + timedelta(days=EXPIRY_NOTICE_DAYS),
    ).values_list("pk", flat=True)
    return sum(_announce_expiry(pk) for pk in list(due))


@transaction.atomic
def _announce_expiry(pk) -> bool:
    # Compare-and-swap: of two runs at once, only the one whose UPDATE claims the row
    # notifies; the claim and the notifications commit or roll back together.
    claimed = Certification.objects.filter(pk=pk, expiry_notified_at__isnull=True).update(
        expiry_notified_at=timezone.now()
    )
    if not claimed:
        return False
    certification = Certification.objects.select_related("product", "standard").get(pk=pk)
    product = certification.product
    recipients = User.objects.filter(
        memberships__enterprise_id=product.enterprise_id, is_active=True
    ).distinct()
    for user in recipients:
        notify(user, "certification_expiring", certification, url=product.get_absolute_url())
    return True


# --- Standards ---------------------------------------------------------------------------


def _save_standard(standard):
    try:
        with transaction.atomic():
            standard.save()
    except IntegrityError as error:
        raise StandardExists() from error


@transaction.atomic
def create_standard(*, by, data) -> Standard:
    """Add a standard products can be certified against (officers)."""
    _require(by, "products.manage_standards")
    standard = Standard(**_fields(data, STANDARD_FIELDS))
    _save_standard(standard)
    record_audit(actor=by, action="standard.created", target=standard)
    return standard


@transaction.atomic
def update_standard(*, standard, by, data) -> Standard:
    """Correct a standard's names or reference, or bring a retired one back into use."""
    _require(by, "products.manage_standards")
    standard = Standard.objects.select_for_update().get(pk=standard.pk)
    changed = sorted(
        name
        for name, value in _fields(data, STANDARD_FIELDS).items()
        if getattr(standard, name) != value
    )
    for name in changed:
        setattr(standard, name, data[name])
    _save_standard(standard)
    record_audit(actor=by, action="standard.updated", target=standard, fields=changed)
    return standard


@transaction.atomic
def retire_standard(*, standard, by) -> Standard:
    """Stop offering a standard for new certifications; old certifications keep it."""
    _require(by, "products.manage_standards")
    standard = Standard.objects.select_for_update().get(pk=standard.pk)
    if standard.is_active:
        standard.is_active = False
        standard.save(update_fields=["is_active"])
        record_audit(actor=by, action="standard.retired", target=standard)
    return standard
