"""Upgrade records: officers and faculty record the upgrade work done on a product."""

import rules
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from accounts.rules import is_staff_officer
from entrepreneurs.models import REGISTRY_DATA
from notifications.services import notify
from products.exceptions import NotAllowed, PriceNotOffered
from products.images import process_photo
from products.models import Product, UpgradeRecord
from toolkit.audit import record_audit
from toolkit.pagination import data_changed
from toolkit.thaisort import thai_order

UPGRADE_FIELDS = (
    "area",
    "stage",
    "summary",
    "what_changed",
    "price_before",
    "price_after",
    "monthly_sales_before",
    "monthly_sales_after",
    "expert",
    "expert_name",
    "started_on",
    "completed_on",
)
AMOUNT_FIELDS = ("price_before", "price_after", "monthly_sales_before", "monthly_sales_after")
PHOTO_FIELDS = ("before_photo", "after_photo")
EXPERT_ROLES = (Role.FACULTY, Role.OFFICER)


@rules.predicate
def is_faculty(user):
    return user.is_authenticated and user.role == Role.FACULTY


@rules.predicate
def recorded_it(user, record):
    return record is not None and record.recorded_by_id == user.pk


# Officers act only with two-factor sign-in, as on every staff page.
may_record_upgrades = is_staff_officer | is_faculty
may_change_upgrade = is_staff_officer | (is_faculty & recorded_it)
may_delete_upgrade = is_staff_officer


def expert_choices():
    """The people who may be named as an upgrade's expert: active faculty and officers."""
    return User.objects.filter(role__in=EXPERT_ROLES, is_active=True).order_by(
        thai_order("full_name")
    )


def _photos(before_photo, after_photo):
    """Re-encode uploads before anything is written, so a bad photo refuses the whole record.

    None keeps a photo as it is, False removes it, an upload replaces it.
    """
    photos = {}
    for field, upload in zip(PHOTO_FIELDS, (before_photo, after_photo), strict=True):
        if upload is None or upload is False:
            photos[field] = upload
            continue
        try:
            photos[field], _thumbnail = process_photo(upload, with_thumbnail=False)
        except ValidationError as error:
            raise ValidationError({field: error}) from error
    return photos


def _apply(record, data, photos):
    """Copy the form's fields and the photos onto the record; returns the replaced files."""
    for field in UPGRADE_FIELDS:
        if field in data:
            setattr(record, field, data[field])
    record.expert_name = (record.expert_name or "").strip()
    errors = {}
    for field in AMOUNT_FIELDS:
        value = getattr(record, field)
        if value is not None and value < 0:
            errors[field] = _("Enter an amount of zero or more.")
    if record.started_on and record.completed_on and record.completed_on < record.started_on:
        errors["completed_on"] = _("The work cannot be completed before it started.")
    if record.expert_id and record.expert.role not in EXPERT_ROLES:
        errors["expert"] = _("Choose a faculty member or an officer as the expert.")
    if errors:
        raise ValidationError(errors)
    record.full_clean(exclude=[*PHOTO_FIELDS, "product", "recorded_by"])
    replaced = []
    for field, photo in photos.items():
        if photo is None:
            continue
        current = getattr(record, field)
        if current:
            replaced.append(current.name)
        setattr(record, field, photo or "")
    return replaced


def _snapshot(record):
    return {
        field: getattr(record, "expert_id" if field == "expert" else field)
        for field in UPGRADE_FIELDS
    }


def _delete_files_on_commit(names):
    storage = UpgradeRecord._meta.get_field("before_photo").storage

    def delete():
        for name in names:
            storage.delete(name)

    if names:
        transaction.on_commit(delete, robust=True)


def _members_with_accounts(product):
    return User.objects.filter(
        memberships__enterprise_id=product.enterprise_id, is_active=True
    ).distinct()


@transaction.atomic
def record_upgrade(
    *, product: Product, by: User, data, before_photo=None, after_photo=None
) -> UpgradeRecord:
    """Record a step of upgrade work on a product and tell its enterprise's members."""
    if not may_record_upgrades.test(by):
        raise NotAllowed()
    photos = _photos(before_photo, after_photo)
    record = UpgradeRecord(product=product, recorded_by=by)
    _apply(record, data, photos)
    record.save()
    # The showcase's "upgraded only" filter counts products with a record.
    data_changed(REGISTRY_DATA)
    record_audit(
        actor=by,
        action="upgrade.recorded",
        target=record,
        product=product.pk,
        area=record.area,
        stage=record.stage,
    )
    url = product.get_absolute_url() + "#upgrades"
    for member in _members_with_accounts(product):
        notify(member, "upgrade_recorded", record, url=url)
    return record


@transaction.atomic
def update_upgrade(
    *, record: UpgradeRecord, by: User, data, before_photo=None, after_photo=None
) -> UpgradeRecord:
    """Correct an upgrade record; photos given replace the old ones, False removes one."""
    if not may_change_upgrade.test(by, record):
        raise NotAllowed()
    photos = _photos(before_photo, after_photo)
    record = UpgradeRecord.objects.select_for_update().get(pk=record.pk)
    before = _snapshot(record)
    replaced = _apply(record, data, photos)
    record.save()
    after = _snapshot(record)
    changed = [field for field in UPGRADE_FIELDS if before[field] != after[field]]
    changed += [field for field, photo in photos.items() if photo is not None]
    data_changed(REGISTRY_DATA)
    record_audit(actor=by, action="upgrade.updated", target=record, changed=changed)
    _delete_files_on_commit(replaced)
    return record


@transaction.atomic
def delete_upgrade(*, record: UpgradeRecord, by: User) -> None:
    """Remove an upgrade record recorded in error (officers only)."""
    if not may_delete_upgrade.test(by):
        raise NotAllowed()
    record_audit(
        actor=by,
        action="upgrade.deleted",
        target=record,
        product=record.product_id,
        area=record.area,
        stage=record.stage,
        summary=record.summary,
    )
    files = [getattr(record, field).name for field in PHOTO_FIELDS if getattr(record, field)]
    record.delete()
    data_changed(REGISTRY_DATA)
    _delete_files_on_commit(files)


@transaction.atomic
def set_price_from_upgrade(*, record: UpgradeRecord, by: User) -> Product:
    """Make a commercialised upgrade's price after the product's unit price, naming the upgrade."""
    # Lock the product so two clicks, or a price edited meanwhile, are judged on the price
    # it has now.
    product = Product.objects.select_for_update().get(pk=record.product_id)
    record = UpgradeRecord.objects.get(pk=record.pk)
    record.product = product
    if not by.has_perm("products.set_price_from_upgrade", record):
        raise NotAllowed()
    if not record.offers_price_for(product):
        raise PriceNotOffered()
    previous = product.unit_price
    product.unit_price = record.price_after
    product.price_set_by = record
    product.save(update_fields=["unit_price", "price_set_by", "updated_at"])
    data_changed(REGISTRY_DATA)
    record_audit(
        actor=by,
        action="product.price_set_from_upgrade",
        target=product,
        upgrade=record.pk,
        previous=None if previous is None else str(previous),
        price=str(record.price_after),
    )
    return product
