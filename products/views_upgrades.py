"""Pages of upgrade records and the material library."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Role
from toolkit.confirm import ask_to_confirm, is_confirmed
from toolkit.decorators import role_required
from toolkit.thaisort import thai_order

from .exceptions import NotAllowed, ProductError
from .forms_upgrades import (
    MaterialFilter,
    MaterialForm,
    MaterialTestForm,
    ProductMaterialsForm,
    UpgradeForm,
)
from .models import Material, Product, UpgradeRecord
from .services import materials as material_services
from .services import upgrades as upgrade_services

# Every signed-in person; officers and centre staff still need their two-factor sign-in.
SIGNED_IN = tuple(Role.values)
LIBRARIANS = (Role.CENTRE_STAFF, Role.OFFICER)
PAGE_SIZE = 25


def _visible_product(user, pk):
    return get_object_or_404(Product.objects.visible_to(user).select_related("enterprise"), pk=pk)


def _visible_upgrade(user, pk):
    return get_object_or_404(
        UpgradeRecord.objects.select_related("product"),
        pk=pk,
        product__in=Product.objects.visible_to(user).values("pk"),
    )


def _timeline_url(product):
    return product.get_absolute_url() + "#upgrades"


def _run(form, service, **kwargs):
    """Call a service with the form's data; the rules it enforces become errors on the form."""
    try:
        return service(data=form.cleaned_data, **kwargs)
    except ValidationError as error:
        form.add_error(None, error)
    except NotAllowed as error:
        raise PermissionDenied(error.message) from error
    return None


@role_required(*SIGNED_IN)
def upgrade_create(request, product_pk):
    product = _visible_product(request.user, product_pk)
    if not upgrade_services.may_record_upgrades.test(request.user):
        raise PermissionDenied
    form = UpgradeForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        record = _run(
            form,
            upgrade_services.record_upgrade,
            product=product,
            by=request.user,
            **form.photo_changes(),
        )
        if record:
            messages.success(request, _("The upgrade was recorded and the owners notified."))
            _offer_price_message(request, record)
            return redirect(_timeline_url(product))
    return render(request, "products/upgrade_form.html", {"form": form, "product": product})


@role_required(*SIGNED_IN)
def upgrade_update(request, pk):
    record = _visible_upgrade(request.user, pk)
    if not upgrade_services.may_change_upgrade.test(request.user, record):
        raise PermissionDenied
    form = UpgradeForm(request.POST or None, request.FILES or None, instance=record)
    if request.method == "POST" and form.is_valid():
        saved = _run(
            form,
            upgrade_services.update_upgrade,
            record=record,
            by=request.user,
            **form.photo_changes(),
        )
        if saved:
            messages.success(request, _("The upgrade record was saved."))
            _offer_price_message(request, saved)
            return redirect(_timeline_url(record.product))
    context = {
        "form": form,
        "product": record.product,
        "record": record,
        "may_delete": upgrade_services.may_delete_upgrade.test(request.user),
    }
    return render(request, "products/upgrade_form.html", context)


@require_http_methods(["GET", "POST"])
@role_required(*SIGNED_IN)
def upgrade_delete(request, pk):
    record = _visible_upgrade(request.user, pk)
    if not upgrade_services.may_delete_upgrade.test(request.user):
        raise PermissionDenied
    if not is_confirmed(request):
        return ask_to_confirm(
            request,
            question=_("Delete this upgrade record?"),
            details=[
                record.summary,
                _(
                    "Delete only a record made in error: the upgrade history is the "
                    "programme's evidence of its work. The deletion is logged."
                ),
            ],
            confirm_label=_("Delete the record"),
            cancel_url=_timeline_url(record.product),
        )
    try:
        upgrade_services.delete_upgrade(record=record, by=request.user)
    except NotAllowed as error:
        raise PermissionDenied(error.message) from error
    messages.success(request, _("The upgrade record was deleted."))
    return redirect(_timeline_url(record.product))


@require_POST
@role_required(*SIGNED_IN)
def upgrade_set_price(request, pk):
    """One click: the commercialised upgrade's price after becomes the product's price."""
    record = _visible_upgrade(request.user, pk)
    if not request.user.has_perm("products.set_price_from_upgrade", record):
        raise PermissionDenied
    try:
        product = upgrade_services.set_price_from_upgrade(record=record, by=request.user)
    except NotAllowed as error:
        raise PermissionDenied(error.message) from error
    except ProductError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The product's price is now %(price)s THB, as this upgrade sells it.")
            % {"price": floatformat(product.unit_price, "2g")},
        )
    return redirect(_timeline_url(record.product))


def _offer_price_message(request, record):
    """After saving, point at the offer when the upgrade may set the product's price."""
    if record.offers_price_for(record.product) and request.user.has_perm(
        "products.set_price_from_upgrade", record
    ):
        messages.info(
            request,
            _(
                "This upgrade sells the product at %(price)s THB. The timeline offers to make "
                "that the product's price."
            )
            % {"price": floatformat(record.price_after, "2g")},
        )


# --- Material library --------------------------------------------------------------------


@role_required(*SIGNED_IN)
def material_list(request):
    library = MaterialFilter(request.GET or None, queryset=Material.objects.with_latest_test())
    page = Paginator(library.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": library,
        "page": page,
        "query": query.urlencode(),
        "may_manage": material_services.may_manage_materials.test(request.user),
    }
    return render(request, "products/material_list.html", context)


@role_required(*SIGNED_IN)
def material_detail(request, pk):
    material = get_object_or_404(Material, pk=pk)
    context = {
        "material": material,
        "tests": material.tests.select_related("recorded_by"),
        "products": material.products.visible_to(request.user)
        .select_related("enterprise")
        .order_by(thai_order("name_th"), "pk"),
        "may_manage": material_services.may_manage_materials.test(request.user),
    }
    return render(request, "products/material_detail.html", context)


@role_required(*LIBRARIANS)
def material_create(request):
    form = MaterialForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        material = _run(form, material_services.create_material, by=request.user)
        if material:
            messages.success(request, _("The material was added to the library."))
            return redirect(material)
    return render(request, "products/material_form.html", {"form": form})


@role_required(*LIBRARIANS)
def material_update(request, pk):
    material = get_object_or_404(Material, pk=pk)
    form = MaterialForm(request.POST or None, instance=material)
    if request.method == "POST" and form.is_valid():
        saved = _run(form, material_services.update_material, material=material, by=request.user)
        if saved:
            messages.success(request, _("The material was saved."))
            return redirect(saved)
    return render(request, "products/material_form.html", {"form": form, "material": material})


@role_required(*LIBRARIANS)
def material_test_add(request, pk):
    material = get_object_or_404(Material, pk=pk)
    # The limits of the last test are the likeliest to apply again.
    last = material.tests.first()
    initial = {"lead_limit": last.lead_limit, "cadmium_limit": last.cadmium_limit} if last else {}
    form = MaterialTestForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        test = _run(
            form, material_services.record_material_test, material=material, by=request.user
        )
        if test:
            messages.success(request, _("The test result was recorded."))
            return redirect(material)
    return render(request, "products/material_test_form.html", {"form": form, "material": material})


@role_required(*SIGNED_IN)
def product_materials(request, product_pk):
    product = _visible_product(request.user, product_pk)
    if not request.user.has_perm("products.change_product", product):
        raise PermissionDenied
    form = ProductMaterialsForm(
        request.POST or None, initial={"materials": product.materials.all()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            material_services.link_materials(
                product=product, by=request.user, materials=form.cleaned_data["materials"]
            )
        except NotAllowed as error:
            raise PermissionDenied(error.message) from error
        messages.success(request, _("The materials of this product were saved."))
        return redirect(product.get_absolute_url() + "#materials")
    return render(
        request, "products/material_product_form.html", {"form": form, "product": product}
    )
