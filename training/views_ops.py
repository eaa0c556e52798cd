"""The centre staff's day in the lab: approvals, check-in and completion, no-shows,
suspensions and clearances. Each page asks for `training.run_lab` (clearances:
`training.manage_clearances`); every change goes through a service.
"""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Min, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.models import Role
from toolkit.confirm import FIELD as CONFIRM_FIELD
from toolkit.confirm import VALUE as CONFIRM_VALUE
from toolkit.confirm import ask_to_confirm, is_confirmed
from toolkit.decorators import permission_required
from toolkit.redirects import next_path
from toolkit.thaidates import format_date, format_datetime

from .exceptions import LabError
from .forms_ops import (
    APPROVE,
    BookingFilterForm,
    BulkApproveForm,
    ClearanceFilterForm,
    DecisionForm,
    GrantForm,
    RevokeForm,
    StaffCancelForm,
)
from .models import Booking, BookingStatus, Clearance, Resource, Suspension
from .services import bookings as booking_services
from .services import clearances as clearance_services

PAGE_SIZE = 25


# Centre staff with the session's two-factor sign-in, holding the permission.
run_lab = permission_required("training.run_lab", Role.CENTRE_STAFF)
manage_clearances = permission_required("training.manage_clearances", Role.CENTRE_STAFF)


def staff_bookings():
    return Booking.objects.select_related("resource", "owner", "product")


def page_of(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def back_to(request, default):
    """The safe `next` the form came from, or `default` (a URL name)."""
    return next_path(request, reverse(default))


def today_bounds():
    today = timezone.localdate()
    start = timezone.make_aware(datetime.combine(today, time(0)))
    return start, start + timedelta(days=1)


# --- Approvals ------------------------------------------------------------------------


@run_lab
def approvals(request):
    """Requested bookings, the soonest start first; approve several at once, or one by one."""
    if request.method == "POST":
        return bulk_approve(request)
    waiting = staff_bookings().filter(status=BookingStatus.REQUESTED).order_by("starts_at", "pk")
    return render(
        request,
        "training/ops/approvals.html",
        {"page_obj": page_of(request, waiting), "decision_form": DecisionForm()},
    )


def bulk_approve(request):
    form = BulkApproveForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("bookings", []):
            messages.error(request, error)
        return redirect("training:approvals")
    chosen = list(
        form.cleaned_data["bookings"]
        .select_related("resource", "owner")
        .order_by("starts_at", "pk")
    )
    approved, refused = booking_services.bulk_approve(bookings=chosen, by=request.user)
    if approved:
        messages.success(
            request,
            ngettext(
                "%(count)d booking approved; its owner has been notified.",
                "%(count)d bookings approved; their owners have been notified.",
                len(approved),
            )
            % {"count": len(approved)},
        )
    for booking, reason in refused:
        messages.error(
            request,
            _("Not approved: %(booking)s (%(owner)s). %(reason)s")
            % {**_booking_names(booking), "reason": reason},
        )
    return redirect("training:approvals")


@run_lab
def booking_decide(request, pk):
    """One booking's decision: the queue posts here; GET (or a refused note) shows the page."""
    booking = get_object_or_404(staff_bookings(), pk=pk)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        note = form.cleaned_data["note"].strip()
        try:
            if form.cleaned_data["decision"] == APPROVE:
                booking_services.approve(booking=booking, by=request.user, note=note)
                done = _("Booking approved; the person has been notified.")
            else:
                booking_services.reject(booking=booking, by=request.user, note=note)
                done = _("Booking rejected; the person has been notified with your note.")
        except LabError as refusal:
            messages.error(request, str(refusal.message))
        else:
            messages.success(request, done)
        return redirect(back_to(request, "training:approvals"))
    return render(
        request,
        "training/ops/booking_decide.html",
        {"booking": booking, "form": form},
        status=400 if request.method == "POST" else 200,
    )


# --- Today, check-in, completion, staff cancel ----------------------------------------


@run_lab
def today(request):
    start, end = today_bounds()
    to_check_in = (
        staff_bookings()
        .filter(status=BookingStatus.APPROVED, starts_at__gte=start, starts_at__lt=end)
        .order_by("starts_at", "pk")
    )
    checked_in = (
        staff_bookings().filter(status=BookingStatus.CHECKED_IN).order_by("starts_at", "pk")
    )
    return render(
        request,
        "training/ops/today.html",
        {
            "to_check_in": to_check_in,
            "checked_in": checked_in,
            "day": start,
            "cancel_cutoff_hours": settings.LAB_CANCEL_CUTOFF_HOURS,
        },
    )


@run_lab
@require_POST
def booking_check_in(request, pk):
    booking = get_object_or_404(Booking, pk=pk)
    try:
        booking_services.check_in(booking=booking, by=request.user)
    except LabError as refusal:
        messages.error(request, str(refusal.message))
    else:
        messages.success(
            request, _("Checked in: %(booking)s (%(owner)s).") % _booking_names(booking)
        )
    return redirect(back_to(request, "training:today"))


@run_lab
@require_POST
def booking_complete(request, pk):
    booking = get_object_or_404(Booking, pk=pk)
    try:
        booking_services.complete(booking=booking, by=request.user)
    except LabError as refusal:
        messages.error(request, str(refusal.message))
        return redirect(back_to(request, "training:today"))
    messages.success(
        request,
        _("Completed: %(booking)s (%(owner)s). Record what was done.") % _booking_names(booking),
    )
    return redirect("training:usage_record", pk=booking.pk)


def _booking_names(booking):
    """The booking as a message names it: resource and start (B.E. under Thai), and owner."""
    return {
        "booking": f"{booking.resource.name} {format_datetime(booking.starts_at)}",
        "owner": booking.owner.full_name,
    }


@run_lab
def booking_staff_cancel(request, pk):
    """Cancel someone's booking, with a reason the owner is told; a page asks first."""
    booking = get_object_or_404(staff_bookings(), pk=pk)
    form = StaffCancelForm(request.POST if is_confirmed(request) else None)
    if form.is_bound and form.is_valid():
        try:
            booking_services.cancel(
                booking=booking, by=request.user, reason=form.cleaned_data["reason"].strip()
            )
        except LabError as refusal:
            messages.error(request, str(refusal.message))
        else:
            messages.success(request, _("Booking cancelled; the person has been notified."))
        return redirect(back_to(request, "training:staff_booking_list"))
    return render(
        request,
        "training/ops/booking_cancel.html",
        {
            "booking": booking,
            "form": form,
            "cancellable": booking.status
            in (BookingStatus.REQUESTED, BookingStatus.HELD, BookingStatus.APPROVED),
            "confirm_field": CONFIRM_FIELD,
            "confirm_value": CONFIRM_VALUE,
            "next": back_to(request, "training:staff_booking_list"),
        },
        status=400 if form.is_bound else 200,
    )


@permission_required("training.view_lab_bookings", Role.CENTRE_STAFF, Role.OFFICER)
def booking_list(request):
    """Every booking, filtered by resource, state and dates; the latest start first."""
    form = BookingFilterForm(request.GET or None)
    rows = staff_bookings().order_by("-starts_at", "-pk")
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["resource"]:
            rows = rows.filter(resource=data["resource"])
        if data["status"]:
            rows = rows.filter(status=data["status"])
        if data["date_from"]:
            rows = rows.filter(
                starts_at__gte=timezone.make_aware(datetime.combine(data["date_from"], time(0)))
            )
        if data["date_to"]:
            rows = rows.filter(
                starts_at__lt=timezone.make_aware(
                    datetime.combine(data["date_to"] + timedelta(days=1), time(0))
                )
            )
    elif form.is_bound:
        rows = rows.none()
    return render(
        request,
        "training/ops/booking_list.html",
        {"form": form, "page_obj": page_of(request, rows)},
    )


# --- No-shows and suspensions ---------------------------------------------------------


@run_lab
def no_shows(request):
    since = timezone.now() - timedelta(days=settings.LAB_NO_SHOW_WINDOW_DAYS)
    rows = (
        staff_bookings()
        .filter(status=BookingStatus.NO_SHOW, starts_at__gte=since)
        .order_by("-starts_at", "-pk")
    )
    return render(
        request,
        "training/ops/no_shows.html",
        {
            "page_obj": page_of(request, rows),
            "window_days": settings.LAB_NO_SHOW_WINDOW_DAYS,
            "limit": settings.LAB_NO_SHOW_LIMIT,
        },
    )


@run_lab
def suspension_list(request):
    now = timezone.now()
    suspensions = Suspension.objects.select_related("person", "lifted_by")
    active = Q(lifted_at__isnull=True, ends_at__gt=now)
    return render(
        request,
        "training/ops/suspension_list.html",
        {
            "active": suspensions.filter(active).order_by("ends_at", "pk"),
            "page_obj": page_of(request, suspensions.exclude(active).order_by("-starts_at", "-pk")),
        },
    )


@run_lab
def suspension_lift(request, pk):
    suspension = get_object_or_404(Suspension.objects.select_related("person"), pk=pk)
    if suspension.lifted_at is not None:
        messages.info(request, _("This suspension was already lifted."))
        return redirect("training:suspension_list")
    if not is_confirmed(request):
        return ask_to_confirm(
            request,
            question=_("Lift the suspension of %(person)s?")
            % {"person": suspension.person.full_name},
            details=[
                _("Suspended until %(date)s. %(person)s may book the lab again at once.")
                % {"date": format_date(suspension.ends_at), "person": suspension.person.full_name}
            ],
            confirm_label=_("Lift the suspension"),
            cancel_url=reverse("training:suspension_list"),
        )
    booking_services.lift_suspension(suspension=suspension, by=request.user)
    messages.success(request, _("Suspension lifted; the person has been notified."))
    return redirect("training:suspension_list")


# --- Clearances -----------------------------------------------------------------------


def lapse_days_by_kind():
    """Per clearance kind, the strictest days-without-use of the resources needing it.

    The same rule as services.clearances.lapse_date, read once for a whole list.
    """
    return dict(
        Resource.objects.filter(
            required_clearance__isnull=False, clearance_lapse_days__isnull=False
        )
        .values("required_clearance")
        .annotate(days=Min("clearance_lapse_days"))
        .values_list("required_clearance", "days")
    )


@manage_clearances
def clearance_list(request):
    form = ClearanceFilterForm(request.GET or None)
    rows = Clearance.objects.select_related("holder", "kind", "granted_by").order_by(
        "valid_until", "pk"
    )
    include_revoked = False
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        include_revoked = data["revoked"]
        if data["kind"]:
            rows = rows.filter(kind=data["kind"])
        if data["q"].strip():
            q = data["q"].strip()
            rows = rows.filter(Q(holder__full_name__icontains=q) | Q(holder__email__icontains=q))
    if not include_revoked:
        rows = rows.not_revoked()
    page = page_of(request, rows)
    days = lapse_days_by_kind()
    today = timezone.localdate()
    for clearance in page:
        clearance.lapse_on = clearance.lapses_on(days.get(clearance.kind_id))
        clearance.is_lapsed = clearance.lapse_on < today
    return render(request, "training/ops/clearance_list.html", {"form": form, "page_obj": page})


@manage_clearances
def clearance_grant(request):
    form = GrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            clearance_services.grant(
                holder=form.holder,
                kind=data["kind"],
                valid_until=data["valid_until"],
                by=request.user,
                note=data["note"].strip(),
            )
        except LabError as refusal:
            form.add_error("valid_until", str(refusal.message))
        else:
            messages.success(
                request,
                _("Clearance “%(kind)s” granted to %(person)s until %(date)s; they have been told.")
                % {
                    "kind": data["kind"].name,
                    "person": form.holder.full_name,
                    "date": format_date(data["valid_until"]),
                },
            )
            return redirect("training:clearance_list")
    return render(
        request,
        "training/ops/clearance_grant.html",
        {"form": form},
        status=400 if form.is_bound else 200,
    )


@manage_clearances
def clearance_revoke(request, pk):
    clearance = get_object_or_404(
        Clearance.objects.not_revoked().select_related("holder", "kind"), pk=pk
    )
    form = RevokeForm(request.POST if is_confirmed(request) else None)
    if form.is_bound and form.is_valid():
        try:
            clearance_services.revoke(
                clearance=clearance, by=request.user, reason=form.cleaned_data["reason"].strip()
            )
        except LabError as refusal:
            form.add_error("reason", str(refusal.message))
        else:
            messages.success(request, _("Clearance revoked; the holder has been told."))
            return redirect("training:clearance_list")
    return render(
        request,
        "training/ops/clearance_revoke.html",
        {
            "clearance": clearance,
            "form": form,
            "confirm_field": CONFIRM_FIELD,
            "confirm_value": CONFIRM_VALUE,
        },
        status=400 if form.is_bound else 200,
    )
