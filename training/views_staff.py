"""Centre staff's pages: resources and their opening hours, clearance kinds, blackouts,
maintenance records, and the usage log of a booking (which its owner may write too)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from toolkit.confirm import ask_to_confirm, is_confirmed
from toolkit.decorators import permission_required, role_required
from toolkit.thaidates import format_datetime
from toolkit.thaisort import thai_order

from .exceptions import LabError
from .forms_staff import (
    BlackoutForm,
    ClearanceKindForm,
    MaintenanceForm,
    ResourceForm,
    UsageForm,
    opening_hours_formset,
)
from .models import Blackout, Booking, ClearanceKind, OpeningHours, Resource, UsageLog
from .services import blackouts as blackout_services
from .services import resources as resource_services
from .views_common import form_error

PAGE_SIZE = 25
RECENT_USAGE = 10
RECENT_MAINTENANCE = 20


# Centre staff whose session passed two-factor sign-in.
lab_staff_required = permission_required("training.run_lab", Role.CENTRE_STAFF)


# --- Resources ------------------------------------------------------------------------


@lab_staff_required
def resource_list(request):
    resources = Resource.objects.select_related("required_clearance").order_by("kind", "name_th")
    page = Paginator(resources, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "training/staff/resource_list.html", {"page_obj": page})


def _resource_form(request, resource):
    form = ResourceForm(request.POST or None, request.FILES or None, instance=resource)
    hours = opening_hours_formset(request.POST or None, instance=resource)
    if request.method == "POST" and form.is_valid() and hours.is_valid():
        try:
            saved = resource_services.save_resource(
                resource=form.save(commit=False),
                by=request.user,
                bookable_by=form.cleaned_data["bookable_by"],
                hours=hours.kept(),
                removed_hours=hours.removed(),
                photo=form.photo_change(),
            )
        except (LabError, ValidationError) as error:
            form_error(form, error)
        else:
            messages.success(request, _("The resource is saved."))
            return redirect("training:staff_resource_detail", saved.pk)
    context = {
        "form": form,
        "hours": hours,
        "resource": Resource.objects.get(pk=resource.pk) if resource.pk else None,
    }
    return render(request, "training/staff/resource_form.html", context)


@lab_staff_required
def resource_create(request):
    return _resource_form(request, Resource())


@lab_staff_required
def resource_edit(request, pk):
    return _resource_form(request, get_object_or_404(Resource, pk=pk))


@lab_staff_required
def resource_detail(request, pk):
    resource = get_object_or_404(
        Resource.objects.select_related("required_clearance").prefetch_related(
            Prefetch("opening_hours", queryset=OpeningHours.objects.order_by("weekday", "opens"))
        ),
        pk=pk,
    )
    usage = (
        UsageLog.objects.filter(booking__resource=resource)
        .select_related("booking__owner", "recorded_by")
        .prefetch_related("products_fired")
        .order_by("-booking__starts_at", "-pk")[:RECENT_USAGE]
    )
    context = {
        "resource": resource,
        "blackouts": blackout_services.upcoming(resource)[:PAGE_SIZE],
        "maintenance": resource.maintenance.select_related("recorded_by")[:RECENT_MAINTENANCE],
        "usage_logs": usage,
    }
    return render(request, "training/staff/resource_detail.html", context)


@lab_staff_required
def maintenance_list(request, pk):
    resource = get_object_or_404(Resource, pk=pk)
    records = resource.maintenance.select_related("recorded_by")
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "training/staff/maintenance_list.html", {"resource": resource, "page_obj": page}
    )


@lab_staff_required
def maintenance_create(request, pk):
    resource = get_object_or_404(Resource, pk=pk)
    form = MaintenanceForm(request.POST or None, initial={"performed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            resource_services.record_maintenance(
                resource=resource, by=request.user, **form.cleaned_data
            )
        except (LabError, ValidationError) as error:
            form_error(form, error)
        else:
            messages.success(request, _("The maintenance record is saved."))
            return redirect("training:staff_resource_detail", resource.pk)
    return render(
        request, "training/staff/maintenance_form.html", {"form": form, "resource": resource}
    )


# --- Clearance kinds ------------------------------------------------------------------


@lab_staff_required
def clearance_kind_list(request):
    kinds = ClearanceKind.objects.annotate(resource_count=Count("resources")).order_by(
        thai_order("name_th"), "pk"
    )
    page = Paginator(kinds, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "training/staff/clearance_kind_list.html", {"page_obj": page})


def _clearance_kind_form(request, kind):
    form = ClearanceKindForm(request.POST or None, instance=kind)
    if request.method == "POST" and form.is_valid():
        try:
            resource_services.save_clearance_kind(kind=form.save(commit=False), by=request.user)
        except LabError as error:
            form_error(form, error)
        else:
            messages.success(request, _("The clearance kind is saved."))
            return redirect("training:clearance_kind_list")
    return render(
        request,
        "training/staff/clearance_kind_form.html",
        {"form": form, "kind": kind if kind.pk else None},
    )


@lab_staff_required
def clearance_kind_create(request):
    return _clearance_kind_form(request, ClearanceKind())


@lab_staff_required
def clearance_kind_edit(request, pk):
    return _clearance_kind_form(request, get_object_or_404(ClearanceKind, pk=pk))


# --- Blackouts ------------------------------------------------------------------------


@lab_staff_required
def blackout_list(request):
    resource = None
    if request.GET.get("resource", "").isdigit():
        resource = Resource.objects.filter(pk=request.GET["resource"]).first()
    page = Paginator(blackout_services.upcoming(resource), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "page_obj": page,
        "resource": resource,
        "resources": Resource.objects.order_by("kind", "name_th"),
    }
    return render(request, "training/staff/blackout_list.html", context)


def _hit_line(booking):
    return _("%(resource)s, %(start)s – %(end)s: %(owner)s (%(status)s)") % {
        "resource": booking.resource.name,
        "start": format_datetime(booking.starts_at),
        "end": format_datetime(booking.ends_at),
        "owner": booking.owner.full_name or booking.owner.email,
        "status": booking.get_status_display(),
    }


def _ids(bookings):
    return ",".join(str(b.pk) for b in bookings)


@lab_staff_required
def blackout_create(request):
    initial = {}
    if request.GET.get("resource", "").isdigit():
        initial["resource"] = request.GET["resource"]
    form = BlackoutForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        hit = list(
            blackout_services.bookings_hit(
                resource=data["resource"], starts_at=data["starts_at"], ends_at=data["ends_at"]
            )
        )
        # Staff confirm the very bookings they saw; if the list changed since, ask again.
        seen = request.POST.get("hit", "")
        if hit and not (is_confirmed(request) and seen == _ids(hit)):
            fields = {name: request.POST.get(name, "") for name in form.fields}
            fields["hit"] = _ids(hit)
            return ask_to_confirm(
                request,
                question=_("This blackout cancels %(count)s booking(s). Go on?")
                % {"count": len(hit)},
                details=[
                    _("Each owner is told by notification and email that the centre is closed."),
                    *(_hit_line(booking) for booking in hit),
                ],
                confirm_label=_("Save the blackout and cancel these bookings"),
                cancel_url=reverse("training:blackout_list"),
                extra_fields=fields,
            )
        try:
            blackout, cancelled = blackout_services.create_blackout(
                resource=data["resource"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                reason=data["reason"],
                note=data["note"],
                by=request.user,
            )
        except LabError as error:
            form_error(form, error)
        else:
            if cancelled:
                messages.success(
                    request,
                    _("The blackout is saved; %(count)s booking(s) were cancelled.")
                    % {"count": len(cancelled)},
                )
            else:
                messages.success(request, _("The blackout is saved."))
            return redirect("training:blackout_list")
    return render(request, "training/staff/blackout_form.html", {"form": form})


@lab_staff_required
def blackout_delete(request, pk):
    blackout = get_object_or_404(Blackout.objects.select_related("resource"), pk=pk)
    if not is_confirmed(request):
        where = blackout.resource.name if blackout.resource else _("Every resource of the centre")
        return ask_to_confirm(
            request,
            question=_("Delete this blackout?"),
            details=[
                f"{where}: {format_datetime(blackout.starts_at)} – "
                f"{format_datetime(blackout.ends_at)}",
                _("The time opens for booking again; bookings it cancelled stay cancelled."),
            ],
            confirm_label=_("Delete the blackout"),
            cancel_url=reverse("training:blackout_list"),
        )
    blackout_services.delete_blackout(blackout=blackout, by=request.user)
    messages.success(request, _("The blackout is deleted."))
    return redirect("training:blackout_list")


# --- Usage log ------------------------------------------------------------------------


@role_required(*Role.values)
def usage_record(request, pk):
    booking = get_object_or_404(
        Booking.objects.select_related("resource", "owner", "product").filter(
            status__in=resource_services.USAGE_STATES
        ),
        pk=pk,
    )
    if not resource_services.may_record_usage(request.user, booking):
        raise Http404
    log = UsageLog.objects.filter(booking=booking).first() or UsageLog(booking=booking)
    products = resource_services.product_choices(booking)
    form = UsageForm(request.POST or None, instance=log, booking=booking, products=products)
    if request.method == "POST" and form.is_valid():
        try:
            resource_services.record_usage(
                booking=booking,
                by=request.user,
                data=form.cleaned_data,
                products=form.cleaned_data.get("products_fired") or (),
            )
        except (LabError, ValidationError) as error:
            form_error(form, error)
        else:
            messages.success(request, _("The usage log is saved."))
            if request.user.has_perm("training.run_lab"):
                return redirect("training:staff_resource_detail", booking.resource_id)
            return redirect(booking.get_absolute_url())
    context = {"form": form, "booking": booking, "log": log if log.pk else None}
    return render(request, "training/staff/usage_form.html", context)
