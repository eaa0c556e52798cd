"""The material library: clay bodies and glazes, their test results, the products using them."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.rules import has_mfa, is_centre_staff, is_officer
from products.exceptions import NotAllowed
from products.models import Material, MaterialTest, Product
from toolkit.audit import record_audit

MATERIAL_FIELDS = ("kind", "code", "name", "description", "supplier")
TEST_FIELDS = (
    "tested_on",
    "firing_temperature",
    "shrinkage",
    "water_absorption",
    "firing_range_min",
    "firing_range_max",
    "lead_release",
    "lead_limit",
    "cadmium_release",
    "cadmium_limit",
    "method",
    "notes",
)
# (release, the limit it is judged against)
RELEASES = (("lead_release", "lead_limit"), ("cadmium_release", "cadmium_limit"))
NON_NEGATIVE_FIELDS = (
    "shrinkage",
    "water_absorption",
    "lead_release",
    "lead_limit",
    "cadmium_release",
    "cadmium_limit",
)

# Centre staff keep the library; officers may too. Both act with two-factor sign-in.
may_manage_materials = (is_centre_staff | is_officer) & has_mfa


def release_verdict(*, lead_release, lead_limit, cadmium_release, cadmium_limit):
    """Pass when every measured release is within its limit; None when none was measured."""
    measured = [
        (release, limit)
        for release, limit in ((lead_release, lead_limit), (cadmium_release, cadmium_limit))
        if release is not None
    ]
    if not measured:
        return None
    return all(release <= limit for release, limit in measured)


def _copy(instance, fields, data):
    for field in fields:
        if field in data:
            setattr(instance, field, data[field])


def _changed(before, instance, fields):
    return [field for field in fields if before[field] != getattr(instance, field)]


@transaction.atomic
def create_material(*, by: User, data) -> Material:
    """Add a clay body or glaze to the library."""
    if not may_manage_materials.test(by):
        raise NotAllowed()
    material = Material(created_by=by)
    _copy(material, MATERIAL_FIELDS, data)
    material.code = material.code.strip().upper()
    material.full_clean(exclude=["created_by"])
    material.save()
    record_audit(actor=by, action="material.created", target=material, code=material.code)
    return material


@transaction.atomic
def update_material(*, material: Material, by: User, data) -> Material:
    """Correct a material's code, name, kind or description."""
    if not may_manage_materials.test(by):
        raise NotAllowed()
    material = Material.objects.select_for_update().get(pk=material.pk)
    before = {field: getattr(material, field) for field in MATERIAL_FIELDS}
    _copy(material, MATERIAL_FIELDS, data)
    material.code = material.code.strip().upper()
    material.full_clean(exclude=["created_by"])
    material.save()
    record_audit(
        actor=by,
        action="material.updated",
        target=material,
        changed=_changed(before, material, MATERIAL_FIELDS),
    )
    return material


@transaction.atomic
def record_material_test(*, material: Material, by: User, data) -> MaterialTest:
    """Record a test of a material; its pass or fail is judged now, under the limits given."""
    if not may_manage_materials.test(by):
        raise NotAllowed()
    test = MaterialTest(material=material, recorded_by=by)
    _copy(test, TEST_FIELDS, data)
    errors = {}
    for field in NON_NEGATIVE_FIELDS:
        value = getattr(test, field)
        if value is not None and value < 0:
            errors[field] = _("Enter zero or more.")
    for release, limit in RELEASES:
        if getattr(test, release) is not None and getattr(test, limit) is None:
            errors[limit] = _("Give the limit this result was judged against.")
    low, high = test.firing_range_min, test.firing_range_max
    if low is not None and high is not None and low > high:
        errors["firing_range_max"] = _("The top of the firing range is below its bottom.")
    if errors:
        raise ValidationError(errors)
    # Stored, not computed on display: limits change and a past verdict must not.
    test.passed = release_verdict(
        lead_release=test.lead_release,
        lead_limit=test.lead_limit,
        cadmium_release=test.cadmium_release,
        cadmium_limit=test.cadmium_limit,
    )
    test.full_clean(exclude=["material", "recorded_by", "passed"])
    test.save()
    record_audit(
        actor=by,
        action="material_test.recorded",
        target=test,
        material=material.code,
        passed=test.passed,
    )
    return test


@transaction.atomic
def link_materials(*, product: Product, by: User, materials) -> Product:
    """Set which library materials a product is made with (its editors choose)."""
    if not by.has_perm("products.change_product", product):
        raise NotAllowed()
    chosen = {material.pk: material for material in materials}
    current = {material.pk: material for material in product.materials.all()}
    added = sorted(chosen[pk].code for pk in chosen.keys() - current.keys())
    removed = sorted(current[pk].code for pk in current.keys() - chosen.keys())
    if added or removed:
        product.materials.set(chosen.values())
        record_audit(
            actor=by,
            action="product.materials_changed",
            target=product,
            added=added,
            removed=removed,
        )
    return product
