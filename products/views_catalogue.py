"""Product pages for owners, members and officers: details, photos, certifications, standards."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Role
from entrepreneurs.models import Enterprise
from toolkit import thaidates
from toolkit.confirm import ask_to_confirm, is_confirmed
from toolkit.decorators import role_required

from .exceptions import DocumentRejected, NotALeafCategory, ProductError
from .files import serve_private
from .forms import (
    CertificationForm,
    PhotoUploadForm,
    ProductForm,
    StandardForm,
    StandardUpdateForm,
)
from .models import Certification, Product, Standard
from .services import catalogue

# Any signed-in person; officers and centre staff still need two-factor sign-in.
signed_in = role_required(*Role.values)


def _visible_product(user, pk):
    products = Product.objects.visible_to(user).select_related("enterprise", "category__parent")
    return get_object_or_404(products, pk=pk)


def _editable_product(user, pk):
    """The product if `user` edits it; 404 if they may not see it, 403 if only see it."""
    product = _visible_product(user, pk)
    if not user.has_perm("products.change_product", product):
        raise PermissionDenied
    return product


def _posted(request):
    """Form data and files of a POST, so that a POST with no fields still binds the form."""
    if request.method == "POST":
        return request.POST, request.FILES
    return None, None


def _product_error_on_form(form, error):
    field = "category" if isinstance(error, NotALeafCategory) else None
    form.add_error(field, error.message)


# --- Products ----------------------------------------------------------------------------


@signed_in
def product_create(request, enterprise_pk):
    enterprise = get_object_or_404(Enterprise.objects.editable_by(request.user), pk=enterprise_pk)
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            product = catalogue.create_product(
                enterprise=enterprise, by=request.user, data=form.service_data()
            )
        except ProductError as error:
            _product_error_on_form(form, error)
        else:
            messages.success(request, _("The product is saved as a draft. Now add its photos."))
            return redirect("products:photo_upload", product.pk)
    return render(request, "products/product_form.html", {"form": form, "enterprise": enterprise})


@signed_in
def product_update(request, pk):
    product = _editable_product(request.user, pk)
    form = ProductForm(request.POST or None, instance=product)
    if request.method == "POST" and form.is_valid():
        try:
            catalogue.update_product(product=product, by=request.user, data=form.service_data())
        except ProductError as error:
            _product_error_on_form(form, error)
        else:
            messages.success(request, _("The product has been saved."))
            return redirect(product)
    return render(
        request,
        "products/product_form.html",
        {"form": form, "product": product, "enterprise": product.enterprise},
    )


def specification(product):
    """The ceramic specification as (label, value) rows with units; empty values left out."""
    rows = [
        (_("Clay body"), product.get_clay_body_display()),
        (_("Forming method"), product.get_forming_method_display()),
        (_("Glaze"), product.glaze),
    ]
    if product.bisque_temperature:
        rows.append((_("Bisque firing"), _("%(value)s °C") % {"value": product.bisque_temperature}))
    if product.glaze_temperature:
        rows.append((_("Glaze firing"), _("%(value)s °C") % {"value": product.glaze_temperature}))
    if product.orton_cone:
        rows.append((_("Orton cone"), _("Cone %(cone)s") % {"cone": product.orton_cone}))
    rows += [
        (_("Firing atmosphere"), product.get_atmosphere_display()),
        (_("Kiln"), product.get_kiln_type_display()),
    ]
    sides = [
        (_("length"), product.length_mm),
        (_("width"), product.width_mm),
        (_("height"), product.height_mm),
    ]
    sides = [(name, value) for name, value in sides if value]
    if sides:
        rows.append(
            (
                " × ".join(str(name) for name, _value in sides).capitalize(),
                _("%(value)s mm") % {"value": " × ".join(str(value) for _name, value in sides)},
            )
        )
    if product.capacity_ml:
        rows.append((_("Capacity"), _("%(value)s ml") % {"value": product.capacity_ml}))
    if product.weight_g:
        rows.append((_("Weight"), _("%(value)s g") % {"value": product.weight_g}))
    if product.water_absorption is not None:
        rows.append(
            (
                _("Water absorption"),
                _("%(value)s %%") % {"value": floatformat(product.water_absorption, -2)},
            )
        )
    return [(label, value) for label, value in rows if value]


def safety_marks(product):
    marks = [
        (product.lead_free_glaze, _("Lead-free glaze")),
        (product.food_safe, _("Food-contact safe")),
        (product.microwave_safe, _("Microwave safe")),
        (product.dishwasher_safe, _("Dishwasher safe")),
        (product.oven_safe, _("Oven safe")),
    ]
    return [label for present, label in marks if present]


def certification_validity(certification, today):
    """ "valid", "expiring" (within the notice period) or "expired"."""
    expires_on = certification.expires_on
    if expires_on is None or expires_on > today + timedelta(days=catalogue.EXPIRY_NOTICE_DAYS):
        return "valid"
    return "expiring" if expires_on >= today else "expired"


# Lab bookings made for the product; the reverse relation keeps products from importing
# training (which depends on products), in one query.
LAB_BOOKINGS_SHOWN = 20


def lab_bookings(product):
    return list(
        product.lab_bookings.select_related("resource").order_by("-starts_at", "-pk")[
            :LAB_BOOKINGS_SHOWN
        ]
    )


@signed_in
def product_detail(request, pk):
    product = _visible_product(request.user, pk)
    today = timezone.localdate()
    certifications = list(product.certifications.select_related("standard"))
    for certification in certifications:
        certification.validity = certification_validity(certification, today)
    can_edit = request.user.has_perm("products.change_product", product)
    upgrades = list(product.upgrades.for_timeline())
    for upgrade in upgrades:
        upgrade.product = product  # at hand: not a query per record
    # Who may take an upgrade's price depends on the product alone: asked once.
    may_set_price = bool(upgrades) and request.user.has_perm(
        "products.set_price_from_upgrade", upgrades[0]
    )
    for upgrade in upgrades:
        upgrade.offers_price = may_set_price and upgrade.offers_price_for(product)
    context = {
        "product": product,
        "upgrades": upgrades,
        "price_set_by": next((u for u in upgrades if u.pk == product.price_set_by_id), None),
        "photos": list(product.images.all()),
        "certifications": certifications,
        "specification": specification(product),
        "safety_marks": safety_marks(product),
        "otop_year": thaidates.display_year(product.otop_year) if product.otop_year else None,
        "can_edit": can_edit,
        "max_photos": catalogue.MAX_PHOTOS,
        "lab_bookings": lab_bookings(product) if can_edit else [],
    }
    return render(request, "products/product_detail.html", context)


def _change_status(request, pk, service, done_message):
    product = _editable_product(request.user, pk)
    try:
        service(product=product, by=request.user)
    except ProductError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done_message)
    return redirect(product)


@require_POST
@signed_in
def product_publish(request, pk):
    return _change_status(
        request, pk, catalogue.publish_product, _("The product is published in the showcase.")
    )


@require_http_methods(["GET", "POST"])
@signed_in
def product_archive(request, pk):
    if not is_confirmed(request):
        product = _editable_product(request.user, pk)
        return ask_to_confirm(
            request,
            question=_("Archive %(name)s?") % {"name": product.name},
            details=_(
                "An archived product leaves the public showcase and can no longer be chosen in "
                "an application. It can be put back to draft later."
            ),
            confirm_label=_("Archive the product"),
            cancel_url=product.get_absolute_url(),
        )
    return _change_status(request, pk, catalogue.archive_product, _("The product is archived."))


@require_POST
@signed_in
def product_unpublish(request, pk):
    return _change_status(
        request, pk, catalogue.unpublish_product, _("The product is back to draft.")
    )


# --- Photos ------------------------------------------------------------------------------


@signed_in
def photo_upload(request, pk):
    product = _editable_product(request.user, pk)
    form = PhotoUploadForm(*_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            images = catalogue.add_photos(
                product=product, by=request.user, uploads=form.cleaned_data["photos"]
            )
        except ProductError as error:
            form.add_error("photos", error.message)
        else:
            messages.success(
                request,
                ngettext("%(count)s photo added.", "%(count)s photos added.", len(images))
                % {"count": len(images)},
            )
            return redirect(product)
    context = {
        "product": product,
        "form": form,
        "photos": product.images.all(),
        "max_photos": catalogue.MAX_PHOTOS,
    }
    return render(request, "products/photo_upload.html", context)


@require_http_methods(["GET", "POST"])
@signed_in
def photo_delete(request, pk, photo_pk):
    product = _editable_product(request.user, pk)
    photo = get_object_or_404(product.images, pk=photo_pk)
    if not is_confirmed(request):
        return ask_to_confirm(
            request,
            question=_("Remove this photo?"),
            details=_("The photo is deleted for good; it cannot be brought back."),
            image_url=photo.thumbnail.url if photo.thumbnail else None,
            image_alt=_("The photo to remove"),
            confirm_label=_("Remove the photo"),
            cancel_url=reverse("products:photo_upload", args=[product.pk]),
        )
    try:
        catalogue.remove_photo(photo=photo, by=request.user)
    except ProductError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The photo was removed."))
    return redirect("products:photo_upload", product.pk)


# --- Certifications ----------------------------------------------------------------------


@signed_in
def certification_add(request, pk):
    product = _editable_product(request.user, pk)
    form = CertificationForm(*_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            catalogue.add_certification(
                product=product,
                by=request.user,
                data=form.service_data(),
                document=form.cleaned_data["document"],
            )
        except ProductError as error:
            field = "document" if isinstance(error, DocumentRejected) else None
            form.add_error(field, error.message)
        else:
            messages.success(request, _("The certification was added."))
            return redirect(product)
    return render(request, "products/certification_form.html", {"form": form, "product": product})


@require_http_methods(["GET", "POST"])
@signed_in
def certification_delete(request, pk, certification_pk):
    product = _editable_product(request.user, pk)
    certification = get_object_or_404(
        product.certifications.select_related("standard"), pk=certification_pk
    )
    if not is_confirmed(request):
        return ask_to_confirm(
            request,
            question=_("Remove the certification %(standard)s %(number)s?")
            % {"standard": certification.standard.reference, "number": certification.number},
            details=_("The certification and its document are deleted for good."),
            confirm_label=_("Remove the certification"),
            cancel_url=product.get_absolute_url(),
        )
    catalogue.remove_certification(certification=certification, by=request.user)
    messages.success(request, _("The certification was removed."))
    return redirect(product)


@signed_in
def certification_document(request, pk, certification_pk):
    """A certificate's private document, for the enterprise and officers only."""
    products = Product.objects.editable_by(request.user)
    certification = get_object_or_404(
        Certification.objects.filter(product__in=products).select_related("standard"),
        pk=certification_pk,
        product_id=pk,
    )
    if not certification.document:
        return redirect("products:product_detail", pk)
    return serve_private(
        certification.document, name=f"{certification.standard.reference} {certification.number}"
    )


# --- Standards (officers) ----------------------------------------------------------------


@role_required(Role.OFFICER)
def standard_list(request):
    standards = Standard.objects.annotate(certification_count=Count("certifications"))
    return render(request, "products/standard_list.html", {"standards": standards})


@role_required(Role.OFFICER)
def standard_create(request):
    form = StandardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            catalogue.create_standard(by=request.user, data=form.service_data())
        except ProductError as error:
            form.add_error("reference", error.message)
        else:
            messages.success(request, _("The standard was added."))
            return redirect("products:standard_list")
    return render(request, "products/standard_form.html", {"form": form})


@role_required(Role.OFFICER)
def standard_update(request, pk):
    standard = get_object_or_404(Standard, pk=pk)
    form = StandardUpdateForm(request.POST or None, instance=standard)
    if request.method == "POST" and form.is_valid():
        try:
            catalogue.update_standard(standard=standard, by=request.user, data=form.service_data())
        except ProductError as error:
            form.add_error("reference", error.message)
        else:
            messages.success(request, _("The standard was saved."))
            return redirect("products:standard_list")
    return render(request, "products/standard_form.html", {"form": form, "standard": standard})


@require_http_methods(["GET", "POST"])
@role_required(Role.OFFICER)
def standard_retire(request, pk):
    standard = get_object_or_404(Standard, pk=pk)
    if not is_confirmed(request):
        return ask_to_confirm(
            request,
            question=_("Retire %(standard)s?") % {"standard": standard},
            details=_(
                "New certifications can no longer use it; the certifications that name it keep it."
            ),
            confirm_label=_("Retire the standard"),
            cancel_url=reverse("products:standard_list"),
        )
    catalogue.retire_standard(standard=standard, by=request.user)
    messages.success(
        request,
        _("%(standard)s is retired: new certifications cannot use it.") % {"standard": standard},
    )
    return redirect("products:standard_list")
