"""The officers' review queue: filter applications, read one beside the list, decide.

A decision made from the side panel with htmx returns the panel and, out of band, what
the decision changed on the queue the officer is looking at (see queue_updates), so the
officer never leaves it and nothing on it goes stale; without htmx it redirects back to it.
"""

from urllib.parse import urlsplit

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role
from entrepreneurs.filters import DISTRICT_FIELD_ID
from products.models import Product
from toolkit.decorators import role_required
from toolkit.pagination import IdsFirstPaginator
from toolkit.redirects import next_path
from toolkit.thaisort import thai_order

from .exceptions import EnrolmentError
from .filters import ReviewFilter
from .forms_review import BulkDecisionForm, DecisionForm, decisions_for
from .models import Enrolment, EnrolmentAnswer, EnrolmentEvent, EnrolmentStatus, Intake
from .selectors import with_waitlist_position
from .services import (
    decide_enrolment,
    decide_many,
    decision_order,
    likely_promotions,
    likely_refusals,
    preview_notices,
)

PAGE_SIZE = 25


def applications(user):
    """Applications an officer reviews: submitted ones, with their place in the waitlist."""
    return with_waitlist_position(
        Enrolment.objects.visible_to(user)
        .exclude(status=EnrolmentStatus.DRAFT)
        .select_related("enterprise__district", "enterprise__province", "intake__programme")
    )


def review_rows(user):
    """The queue's rows, with the product names each row lists."""
    return applications(user).prefetch_related(
        Prefetch("products", queryset=Product.objects.order_by(thai_order("name_th")))
    )


def panel_enrolments(user):
    """One application with everything the side panel shows."""
    return applications(user).prefetch_related(
        Prefetch(
            "products",
            queryset=Product.objects.with_cover()
            .select_related("category")
            .order_by(thai_order("name_th")),
        ),
        Prefetch(
            "answers",
            queryset=EnrolmentAnswer.objects.select_related("question").order_by(
                "question__position", "question__pk"
            ),
        ),
        Prefetch("events", queryset=EnrolmentEvent.objects.select_related("by")),
        "enterprise__subdistrict",
    )


def queue_url(request):
    """Where to go back to: the queue with the officer's filters, from `next` if it is safe."""
    return next_path(request, reverse("programmes:review_queue"))


def intakes_shown(filterset):
    """The intakes whose places the header counts: the one filtered, else the open ones."""
    intakes = Intake.objects.select_related("programme").with_places_taken()
    chosen = filterset.chosen_intake()
    if chosen is not None:
        return intakes.filter(pk=chosen.pk)
    return intakes.open().order_by("closes_at", "pk")


def queue_filter(request, query):
    return ReviewFilter(query, queryset=review_rows(request.user), request=request)


def queue_page(filterset, query):
    # Ids first: a deep page steps over ids, not over rows joined to their enterprises.
    return IdsFirstPaginator(filterset.qs, PAGE_SIZE).get_page(query.get("page"))


def shown_queue(request):
    """The filters and page of the queue a panel was opened from, read from its `next` URL."""
    return QueryDict(urlsplit(queue_url(request)).query)


def from_queue_page(request):
    """Whether an htmx request comes from the queue itself, not from the panel's own page."""
    current = request.htmx.current_url
    return not current or urlsplit(current).path == reverse("programmes:review_queue")


def shown_row_ids(request, query):
    """The applications listed on that page of the queue."""
    filterset = queue_filter(request, query)
    pks = filterset.qs.values_list("pk", flat=True)
    return set(Paginator(pks, PAGE_SIZE).get_page(query.get("page")).object_list)


def queue_updates(request, enrolment, *, shown_ids, query):
    """What a decision on `enrolment` changed on the queue page the officer has open.

    The rows of its intake on that page (its own state; a waitlisted application a freed
    place promoted; everyone's number in line), the places its intake has taken, and the
    number of applications the filters match. Only what that page shows is sent: htmx
    would report an out-of-band fragment that finds no target as an error.
    """
    filterset = queue_filter(request, query)
    rows = (
        review_rows(request.user)
        .filter(Q(pk=enrolment.pk) | Q(pk__in=shown_ids, intake_id=enrolment.intake_id))
        .order_by("pk")
    )
    return {
        "rows": rows,
        "intake_places": intakes_shown(filterset).filter(pk=enrolment.intake_id).first(),
        "matching": filterset.qs.count(),
    }


@role_required(Role.OFFICER)
def review_queue(request):
    filterset = queue_filter(request, request.GET)
    if request.htmx and request.htmx.target == DISTRICT_FIELD_ID:
        return render(request, "includes/district_filter.html", {"filter": filterset})
    page = queue_page(filterset, request.GET)
    return render(
        request,
        "programmes/review_queue.html",
        {
            "filter": filterset,
            "page_obj": page,
            "intakes": intakes_shown(filterset),
            "bulk_form": BulkDecisionForm(user=request.user, auto_id="bulk_%s"),
            "queue_url": request.get_full_path(),
        },
    )


def render_panel(request, enrolment, *, form=None, error="", done="", updates=None):
    context = {
        "enrolment": enrolment,
        "decisions": decisions_for(enrolment.status),
        "form": form or DecisionForm(),
        "error": error,
        "done": done,
        "queue_url": queue_url(request),
        "updates": updates,
    }
    if request.htmx:
        return render(request, "programmes/review_panel.html", context)
    return render(request, "programmes/review_panel_page.html", context)


@role_required(Role.OFFICER)
def review_panel(request, pk):
    enrolment = get_object_or_404(panel_enrolments(request.user), pk=pk)
    return render_panel(request, enrolment)


@role_required(Role.OFFICER)
@require_POST
def review_decide(request, pk):
    enrolment = get_object_or_404(applications(request.user), pk=pk)
    form = DecisionForm(request.POST)
    error = done = ""
    on_queue = request.htmx and from_queue_page(request)
    if on_queue:
        # Read before deciding: the decision may take a row out of the officer's filter.
        query = shown_queue(request)
        shown_ids = shown_row_ids(request, query)
    if form.is_valid():
        decision = form.cleaned_data["decision"]
        try:
            decide_enrolment(
                enrolment=enrolment,
                by=request.user,
                decision=decision,
                note=form.cleaned_data["note"],
            )
        except EnrolmentError as refusal:
            error = str(refusal.message)
        else:
            done = _("Decision saved: %(status)s. The applicant has been notified.") % {
                "status": EnrolmentStatus(decision).label
            }
            form = None
    else:
        error = _("The decision was not saved. Check the note and try again.")
    if not request.htmx:
        if done:
            messages.success(request, done)
        else:
            messages.error(request, error)
            for message in form.errors.get("note", []):
                messages.error(request, message)
        return redirect(queue_url(request))
    updates = None
    if on_queue:
        updates = queue_updates(request, enrolment, shown_ids=shown_ids, query=query)
    enrolment = get_object_or_404(panel_enrolments(request.user), pk=pk)
    return render_panel(request, enrolment, form=form, error=error, done=done, updates=updates)


def chosen_enrolments(form):
    """The selected applications, oldest submission first."""
    return list(
        form.cleaned_data["enrolments"]
        .select_related("enterprise", "intake__programme")
        .order_by("submitted_at", "created_at", "pk")
    )


def refuse_form(request, form):
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect(queue_url(request))


@role_required(Role.OFFICER)
@require_POST
def review_bulk_preview(request):
    form = BulkDecisionForm(request.POST, user=request.user)
    if not form.is_valid():
        return refuse_form(request, form)
    decision = form.cleaned_data["decision"]
    enrolments = decision_order(chosen_enrolments(form), decision)
    note = form.cleaned_data["note"]
    refusals = likely_refusals(enrolments, decision)
    going = [e for e in enrolments if e.pk not in refusals]
    promoted = likely_promotions(enrolments=going, decision=decision)
    return render(
        request,
        "programmes/review_bulk_preview.html",
        {
            "enrolments": enrolments,
            "decision": decision,
            "decision_label": EnrolmentStatus(decision).label,
            "note": note,
            "notices": preview_notices(enrolments=going, decision=decision, note=note),
            # A place freed goes to the waitlist, and that applicant is told too.
            "promoted": promoted,
            "promotions": preview_notices(enrolments=promoted, decision=EnrolmentStatus.ACCEPTED),
            "refused": [(e, refusals[e.pk]) for e in enrolments if e.pk in refusals],
            "going": going,
            "queue_url": queue_url(request),
        },
    )


@role_required(Role.OFFICER)
@require_POST
def review_bulk_decide(request):
    form = BulkDecisionForm(request.POST, user=request.user)
    if not form.is_valid():
        return refuse_form(request, form)
    done, refused = decide_many(
        enrolments=chosen_enrolments(form),
        by=request.user,
        decision=form.cleaned_data["decision"],
        note=form.cleaned_data["note"],
    )
    summary = _("%(done)d decided, %(refused)d refused.") % {
        "done": len(done),
        "refused": len(refused),
    }
    (messages.warning if refused else messages.success)(request, summary)
    for enrolment, reason in refused:
        messages.warning(
            request,
            _("%(enterprise)s: %(reason)s")
            % {"enterprise": enrolment.enterprise.name, "reason": reason},
        )
    return redirect(queue_url(request))
