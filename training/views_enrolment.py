"""Enrolment pages: enrol in a run (or join its waitlist), cancel, my courses; and for those
who manage a run, its roster and enrolling a pasted list of people at once."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Lower
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from toolkit.confirm import ask_to_confirm, is_confirmed
from toolkit.decorators import signed_in_required

from .exceptions import LabError
from .forms_enrolment import EnrolManyForm
from .models import (
    COURSE_PLACES,
    CourseEnrolment,
    CourseEnrolmentStatus,
    CourseRun,
    CourseSession,
    RunStatus,
)
from .services import courses

E = CourseEnrolmentStatus
PAGE_SIZE = 20
ROSTER_PAGE_SIZE = 100
STANDING = (E.ENROLLED, E.WAITLISTED, E.COMPLETED, E.NOT_COMPLETED)


def _run(pk, user):
    """The run; a run of an unpublished course only for those who manage it."""
    run = get_object_or_404(CourseRun.objects.select_related("course"), pk=pk)
    if not run.course.is_published and not courses.may_manage(user, run):
        raise Http404
    return run


def _managed_run(pk, user):
    run = get_object_or_404(CourseRun.objects.select_related("course"), pk=pk)
    if not courses.may_manage(user, run):
        raise PermissionDenied
    return run


def _standing(run, person):
    return (
        COURSE_PLACES.with_position(
            CourseEnrolment.objects.filter(run=run, person=person, status__in=STANDING)
        )
        .order_by("-pk")
        .first()
    )


# --- Enrol oneself ----------------------------------------------------------------------


@signed_in_required
def run_enrol(request, pk):
    run = _run(pk, request.user)
    error = None
    if request.method == "POST":
        try:
            enrolment = courses.enrol(run=run, person=request.user)
        except LabError as refused:
            error = refused.message
        else:
            if enrolment.status == E.ENROLLED:
                messages.success(request, _("You are enrolled. We look forward to seeing you."))
            else:
                messages.info(
                    request,
                    _(
                        "The run is full so you are on its waitlist: number %(n)d in line. "
                        "We will tell you when a place is yours."
                    )
                    % {"n": courses.waitlist_position(enrolment)},
                )
            return redirect("training:my_courses")
    standing = _standing(run, request.user)
    refusal = None if standing else courses.enrolment_refusal(run, request.user)
    context = {
        "run": run,
        "course": run.course,
        "sessions": run.sessions.select_related("room"),
        "places_left": COURSE_PLACES.free(run),
        "standing": standing,
        "refusal": refusal,
        "error": error,
    }
    return render(request, "training/enrolment/enrol.html", context, status=400 if error else 200)


@signed_in_required
def enrolment_cancel(request, pk):
    enrolment = get_object_or_404(
        CourseEnrolment.objects.select_related("run__course", "person"), pk=pk
    )
    mine = enrolment.person_id == request.user.pk
    if not mine and not courses.may_manage(request.user, enrolment.run):
        raise Http404
    back = (
        reverse("training:my_courses")
        if mine
        else reverse("training:run_roster", args=[enrolment.run_id])
    )
    if enrolment.status not in (E.ENROLLED, E.WAITLISTED):
        messages.error(request, _("This enrolment can no longer be cancelled."))
        return redirect(back)
    if not is_confirmed(request):
        run = enrolment.run
        if mine:
            question = _("Cancel your enrolment in %(course)s?") % {"course": run.course.title}
        else:
            question = _("Cancel the enrolment of %(person)s in %(course)s?") % {
                "person": enrolment.person.full_name or enrolment.person.email,
                "course": run.course.title,
            }
        details = [f"{run.course.title} · {run.name}"]
        if enrolment.status == E.ENROLLED:
            details.append(_("The place goes to the next person on the waitlist."))
        else:
            details.append(_("You leave the waitlist and lose your turn in line."))
        return ask_to_confirm(
            request,
            question=question,
            details=details,
            confirm_label=_("Yes, cancel the enrolment"),
            cancel_url=back,
        )
    try:
        courses.cancel(enrolment=enrolment, by=request.user)
    except LabError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("The enrolment is cancelled."))
    return redirect(back)


# --- My courses -------------------------------------------------------------------------


@signed_in_required
def my_courses(request):
    now = timezone.now()
    sessions = CourseSession.objects.filter(run=OuterRef("run")).order_by("starts_at")
    enrolments = (
        COURSE_PLACES.with_position(
            CourseEnrolment.objects.filter(person=request.user).exclude(status=E.CANCELLED)
        )
        .select_related("run__course", "certificate")
        .annotate(
            first_session=Subquery(sessions.values("starts_at")[:1]),
            last_session=Subquery(sessions.order_by("-ends_at").values("ends_at")[:1]),
            next_session=Subquery(sessions.filter(starts_at__gte=now).values("starts_at")[:1]),
        )
        .order_by("-enrolled_at", "-pk")
    )
    page = Paginator(enrolments, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "training/enrolment/my_courses.html", {"page": page})


# --- Managing a run ---------------------------------------------------------------------


@signed_in_required
def run_roster(request, pk):
    run = _managed_run(pk, request.user)
    people = (
        CourseEnrolment.objects.filter(run=run).exclude(status=E.CANCELLED).select_related("person")
    )
    holding = people.exclude(status=E.WAITLISTED).order_by(*COURSE_PLACES.order)
    waiting = COURSE_PLACES.with_position(COURSE_PLACES.in_line(people))
    page = Paginator(holding, ROSTER_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "run": run,
        "course": run.course,
        "page": page,
        "waiting": waiting,
        "places_left": COURSE_PLACES.free(run),
        "taken": COURSE_PLACES.taken(run),
    }
    return render(request, "training/enrolment/roster.html", context)


def preview_enrol_many(run, emails, malformed=()):
    """Who a list of addresses would enrol, waitlist or leave out, as things stand now."""
    found = {
        u.email_lower: u
        for u in User.objects.annotate(email_lower=Lower("email")).filter(
            email_lower__in=emails, is_active=True
        )
    }
    standing = dict(
        CourseEnrolment.objects.filter(
            run=run, person__in=found.values(), status__in=STANDING
        ).values_list("person_id", "status")
    )
    labels = dict(E.choices)
    preview = {
        "enrol": [],
        "waitlist": [],
        "unknown": list(malformed),
        "wrong_role": [],
        "already": [],
    }
    eligible = []
    for email in emails:
        person = found.get(email)
        if person is None:
            preview["unknown"].append(email)
        elif person.pk in standing:
            preview["already"].append((person, labels[standing[person.pk]]))
        elif person.role not in run.course.audience:
            preview["wrong_role"].append(person)
        else:
            eligible.append(person)
    free = COURSE_PLACES.free(run)
    in_line = COURSE_PLACES.waitlist(run).count()
    preview["enrol"] = eligible[:free]
    preview["waitlist"] = [
        (person, in_line + i) for i, person in enumerate(eligible[free:], start=1)
    ]
    preview["eligible"] = eligible
    preview["free"] = free
    return preview


@signed_in_required
def run_enrol_many(request, pk):
    run = _managed_run(pk, request.user)
    form = EnrolManyForm(request.POST or None)
    context = {"run": run, "course": run.course, "form": form}
    if request.method != "POST" or not form.is_valid():
        status = 400 if request.method == "POST" else 200
        return render(request, "training/enrolment/enrol_many.html", context, status=status)
    if run.status in (RunStatus.CLOSED, RunStatus.CANCELLED):
        form.add_error(None, _("This run is not taking enrolments."))
        return render(request, "training/enrolment/enrol_many.html", context, status=400)
    preview = preview_enrol_many(run, form.cleaned_data["emails"], form.malformed)
    if request.POST.get("step") != "confirm":
        context["preview"] = preview
        context["emails_text"] = ", ".join(form.cleaned_data["emails"])
        return render(request, "training/enrolment/enrol_many.html", context)
    enrolled, waitlisted, refused = courses.enrol_many(
        run=run, people=preview["eligible"], by=request.user
    )
    context["result"] = {
        "enrolled": enrolled,
        "waitlisted": [(e.person, courses.waitlist_position(e)) for e in waitlisted],
        "refused": refused,
        "left_out": preview,
    }
    messages.success(
        request,
        _("%(enrolled)d enrolled and %(waitlisted)d on the waitlist.")
        % {"enrolled": len(enrolled), "waitlisted": len(waitlisted)},
    )
    return render(request, "training/enrolment/enrol_many.html", context)
