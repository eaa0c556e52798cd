"""The person's booking pages: book a slot or a weekly series, their bookings and watches."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, Count, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from toolkit.confirm import ask_to_confirm, is_confirmed
from toolkit.decorators import signed_in_required
from toolkit.thaidates import format_datetime

from .exceptions import BookingRefused, LabError
from .forms_bookings import BookingForm
from .models import Booking, BookingStatus, Resource, SlotWatch, SlotWatchStatus
from .services import bookings as booking_services
from .services import waiting
from .views_calendar import lab_required

PAGE_SIZE = 20
S = BookingStatus
CANCELLABLE = (S.REQUESTED, S.HELD, S.APPROVED)


def _resource(pk):
    return get_object_or_404(
        Resource.objects.select_related("required_clearance").prefetch_related("opening_hours"),
        pk=pk,
    )


def _booking_for(user, pk):
    """The booking if `user` owns it or runs the lab; 404 for anyone else."""
    booking = get_object_or_404(
        Booking.objects.select_related(
            "resource", "resource__required_clearance", "product", "owner"
        ),
        pk=pk,
    )
    if booking.owner_id != user.pk and not user.has_perm("training.run_lab"):
        raise Http404
    return booking


def may_cancel(booking, user, now):
    """The owner until the cut-off (a held slot at any time); centre staff while it is live."""
    if booking.status not in CANCELLABLE:
        return False
    if user.has_perm("training.run_lab"):
        return True
    if booking.owner_id != user.pk:
        return False
    return booking.status == S.HELD or now <= booking_services.cancel_cutoff(booking)


def _booked_message(bookings):
    first = bookings[0]
    if first.status == S.REQUESTED:
        return _("Your request is sent; the centre staff will approve or decline it.")
    return _("Your booking is confirmed.")


# --- Booking ----------------------------------------------------------------------------


@lab_required
def book(request, pk):
    resource = _resource(pk)
    if request.method != "POST":
        form = BookingForm(
            initial=BookingForm.initial_from(request.GET), resource=resource, user=request.user
        )
        return _book_page(request, resource, form)
    form = BookingForm(request.POST, resource=resource, user=request.user)
    if not form.is_valid():
        return _book_page(request, resource, form)
    data = form.cleaned_data
    if data["weeks"] > 1:
        return _series(request, resource, form)
    try:
        booking = booking_services.book(
            resource=resource,
            by=request.user,
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            **form.service_kwargs(),
        )
    except LabError as refused:
        form.add_error(None, refused.message)
        may_watch = getattr(refused, "code", None) in waiting.TAKEN
        return _book_page(request, resource, form, may_watch=may_watch)
    messages.success(request, _booked_message([booking]))
    return redirect(booking)


def _book_page(request, resource, form, *, may_watch=False, status=200):
    context = {"resource": resource, "form": form, "may_watch": may_watch}
    return render(request, "training/bookings/book.html", context, status=status)


def _series(request, resource, form):
    """First the check of every occurrence; then, confirmed, the free ones booked or none."""
    data = form.cleaned_data
    occurrences = booking_services.check_series(
        resource=resource,
        by=request.user,
        starts_at=data["starts_at"],
        ends_at=data["ends_at"],
        weeks=data["weeks"],
    )
    error = None
    if request.POST.get("step") == "confirm":
        chosen = set(request.POST.getlist("occurrence"))
        picked = [
            (o.starts_at, o.ends_at) for o in occurrences if o.starts_at.isoformat() in chosen
        ]
        try:
            if len(picked) != len(chosen):
                raise BookingRefused(
                    "changed", _("The series has changed since you checked it; look again.")
                )
            booked = booking_services.book_series(
                resource=resource, by=request.user, occurrences=picked, **form.service_kwargs()
            )
        except LabError as refused:
            error = refused.message
            # Checked again: what is free now, after the refusal.
            occurrences = booking_services.check_series(
                resource=resource,
                by=request.user,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                weeks=data["weeks"],
            )
        else:
            messages.success(request, _booked_message(booked))
            return redirect("training:my_bookings")
    context = {
        "resource": resource,
        "form": form,
        "occurrences": occurrences,
        "free": [o for o in occurrences if o.free],
        "error": error,
    }
    return render(request, "training/bookings/series_preview.html", context)


@lab_required
@require_POST
def watch(request, pk):
    """Ask to be told when a taken slot frees."""
    resource = _resource(pk)
    form = BookingForm(request.POST, resource=resource, user=request.user)
    if not form.is_valid():
        return _book_page(request, resource, form)
    data = form.cleaned_data
    try:
        waiting.watch(
            resource=resource,
            by=request.user,
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            **form.service_kwargs(),
        )
    except LabError as refused:
        form.add_error(None, refused.message)
        return _book_page(request, resource, form)
    messages.success(
        request,
        _(
            "We will tell you when this time frees; if you are first in line it is held for you"
            " for a few hours."
        ),
    )
    return redirect("training:my_bookings")


@signed_in_required
@require_POST
def watch_withdraw(request, pk):
    slot_watch = get_object_or_404(SlotWatch, pk=pk, person=request.user)
    try:
        waiting.withdraw(slot_watch=slot_watch, by=request.user)
    except LabError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("You no longer wait for this time."))
    return redirect("training:my_bookings")


# --- Their bookings ---------------------------------------------------------------------


def _watches_with_position(user):
    """The person's open watches; each waiting one with its place in line (one query)."""
    ahead = (
        SlotWatch.objects.filter(
            resource=OuterRef("resource"),
            status=SlotWatchStatus.WAITING,
            starts_at__lt=OuterRef("ends_at"),
            ends_at__gt=OuterRef("starts_at"),
        )
        .filter(
            Q(created_at__lt=OuterRef("created_at"))
            | Q(created_at=OuterRef("created_at"), pk__lte=OuterRef("pk"))
        )
        .order_by()
        .values("resource")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return list(
        SlotWatch.objects.filter(
            person=user, status__in=[SlotWatchStatus.WAITING, SlotWatchStatus.OFFERED]
        )
        .select_related("resource", "booking")
        .annotate(place=Coalesce(Subquery(ahead), Value(0)))
        .order_by("starts_at", "pk")
    )


@signed_in_required
def my_bookings(request):
    now = timezone.now()
    bookings = (
        Booking.objects.filter(owner=request.user)
        .select_related("resource", "product")
        .annotate(past=Case(When(ends_at__lt=now, then=Value(1)), default=Value(0)))
        .order_by(
            "past",
            Case(When(ends_at__gte=now, then=F("starts_at"))).asc(nulls_last=True),
            "-starts_at",
            "-pk",
        )
    )
    page = Paginator(bookings, PAGE_SIZE).get_page(request.GET.get("page"))
    for booking in page:
        booking.can_cancel = may_cancel(booking, request.user, now)
    context = {"page": page, "watches": _watches_with_position(request.user), "now": now}
    return render(request, "training/bookings/my_bookings.html", context)


@signed_in_required
def booking_detail(request, pk):
    booking = _booking_for(request.user, pk)
    now = timezone.now()
    context = {
        "booking": booking,
        "can_cancel": may_cancel(booking, request.user, now),
        "cancel_cutoff": booking_services.cancel_cutoff(booking),
        "can_confirm": booking.status == S.HELD and booking.owner_id == request.user.pk,
        "is_owner": booking.owner_id == request.user.pk,
    }
    return render(request, "training/bookings/detail.html", context)


@signed_in_required
def booking_cancel(request, pk):
    booking = _booking_for(request.user, pk)
    if not is_confirmed(request):
        return ask_to_confirm(
            request,
            question=_("Cancel this booking?"),
            details=[
                f"{booking.resource.name} · {format_datetime(booking.starts_at)}",
                _("The time is offered to the next person waiting for it."),
            ],
            confirm_label=_("Cancel the booking"),
            cancel_url=booking.get_absolute_url(),
        )
    try:
        booking_services.cancel(booking=booking, by=request.user)
    except LabError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("The booking is cancelled."))
    return redirect(booking)


@signed_in_required
@require_POST
def hold_confirm(request, pk):
    booking = _booking_for(request.user, pk)
    try:
        booking = waiting.confirm_hold(booking=booking, by=request.user)
    except LabError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _booked_message([booking]))
    return redirect(reverse("training:booking_detail", args=[booking.pk]))
