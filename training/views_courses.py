"""Course pages: the public list and details of courses and runs, and the managers' pages
for courses, runs and sessions (officers with two-factor sign-in, and faculty)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Role
from toolkit.confirm import ask_to_confirm, is_confirmed
from toolkit.decorators import permission_required
from toolkit.thaidates import format_datetime

from .exceptions import LabError, NotAllowed
from .forms_courses import CourseForm, RunForm, SessionForm, clearance_formset
from .models import Course, CourseClearance, CourseRun, CourseSession, RunStatus
from .services import course_admin
from .services.courses import may_manage
from .views_common import form_error

PAGE_SIZE = 20
# Runs a visitor may still see on a course's page.
SHOWN_RUN_STATES = (RunStatus.PLANNED, RunStatus.OPEN)


# Officers whose session passed two-factor sign-in, and faculty.
course_manager_required = permission_required("training.manage_courses", Role.OFFICER, Role.FACULTY)


def _with_places_left(runs):
    for run in runs:
        run.places_left = max(run.capacity - run.places_taken_count, 0)
    return runs


def _grants():
    return Prefetch(
        "course_clearances",
        queryset=CourseClearance.objects.select_related("kind").order_by("kind__name_th"),
    )


def _sessions():
    return Prefetch("sessions", queryset=CourseSession.objects.select_related("room"))


# --- Public pages ---------------------------------------------------------------------


def course_list(request):
    courses = Course.objects.published().prefetch_related(
        _grants(),
        Prefetch(
            "runs",
            queryset=CourseRun.objects.upcoming().with_places_taken().order_by("enrol_closes_at"),
            to_attr="open_runs",
        ),
    )
    page = Paginator(courses, PAGE_SIZE).get_page(request.GET.get("page"))
    for course in page:
        _with_places_left(course.open_runs)
    return render(request, "training/courses/course_list.html", {"page_obj": page})


def _visible_course(request, pk):
    course = get_object_or_404(Course.objects.prefetch_related(_grants(), "instructors"), pk=pk)
    if not course.is_published and not may_manage(request.user):
        raise PermissionDenied  # unpublished: only its managers see it
    return course


def course_detail(request, pk):
    course = _visible_course(request, pk)
    runs = (
        course.runs.filter(status__in=SHOWN_RUN_STATES)
        .with_places_taken()
        .prefetch_related(_sessions())
    )
    context = {
        "course": course,
        "runs": _with_places_left(list(runs)),
        "can_manage": may_manage(request.user),
    }
    return render(request, "training/courses/course_detail.html", context)


def run_detail(request, pk):
    run = get_object_or_404(
        CourseRun.objects.select_related("course")
        .with_places_taken()
        .prefetch_related(_sessions(), "instructors"),
        pk=pk,
    )
    if not run.course.is_published and not may_manage(request.user, run):
        raise PermissionDenied
    _with_places_left([run])
    context = {
        "run": run,
        "course": run.course,
        "open_now": run.is_open_for_enrolment(),
        "can_manage": may_manage(request.user, run),
    }
    return render(request, "training/courses/run_detail.html", context)


# --- Managing -------------------------------------------------------------------------


@course_manager_required
def course_manage_list(request):
    courses = Course.objects.annotate(run_count=Count("runs")).order_by("-created_at", "-pk")
    page = Paginator(courses, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "training/courses/manage_list.html", {"page_obj": page})


def _course_form(request, course):
    form = CourseForm(request.POST or None, instance=course)
    grants = clearance_formset(request.POST or None, instance=course)
    if request.method == "POST" and form.is_valid() and grants.is_valid():
        try:
            saved = course_admin.save_course(
                course=form.save(commit=False),
                by=request.user,
                audience=form.cleaned_data["audience"],
                instructors=form.cleaned_data["instructors"],
                clearances=grants.kept(),
                removed_clearances=grants.removed(),
            )
        except (LabError, ValidationError) as error:
            form_error(form, error)
        else:
            messages.success(request, _("The course is saved."))
            return redirect("training:course_edit", saved.pk)
    context = {
        "form": form,
        "grants": grants,
        "course": Course.objects.get(pk=course.pk) if course.pk else None,
    }
    if course.pk:
        context["runs"] = _with_places_left(
            list(
                course.runs.with_places_taken().annotate(
                    session_count=Count("sessions", distinct=True)
                )
            )
        )
    return render(request, "training/courses/course_form.html", context)


@course_manager_required
def course_create(request):
    return _course_form(request, Course())


@course_manager_required
def course_edit(request, pk):
    return _course_form(request, get_object_or_404(Course, pk=pk))


def _run_form(request, run):
    form = RunForm(request.POST or None, instance=run)
    if request.method == "POST" and form.is_valid():
        try:
            saved = course_admin.save_run(
                run=form.save(commit=False),
                by=request.user,
                instructors=form.cleaned_data["instructors"],
            )
        except (LabError, ValidationError) as error:
            form_error(form, error)
        else:
            messages.success(request, _("The run is saved."))
            return redirect("training:run_edit", saved.pk)
    sessions = run.sessions.select_related("room", "booking") if run.pk else []
    context = {
        "form": form,
        "run": run if run.pk else None,
        "course": run.course,
        "sessions": sessions,
    }
    return render(request, "training/courses/run_form.html", context)


@course_manager_required
def run_create(request, pk):
    course = get_object_or_404(Course, pk=pk)
    return _run_form(request, CourseRun(course=course))


@course_manager_required
def run_edit(request, pk):
    return _run_form(request, get_object_or_404(CourseRun.objects.select_related("course"), pk=pk))


def _session_form(request, run, session=None):
    form = SessionForm(request.POST or None, session=session)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {
            "by": request.user,
            "title": data["title"],
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
            "room": data["room"],
            "place": data["place"],
        }
        try:
            if session is None:
                course_admin.add_session(run=run, **fields)
            else:
                course_admin.edit_session(session=session, **fields)
        except (LabError, ValidationError) as error:
            form_error(form, error)
        else:
            messages.success(request, _("The session is saved."))
            return redirect("training:run_edit", run.pk)
    context = {"form": form, "run": run, "course": run.course, "session": session}
    return render(request, "training/courses/session_form.html", context)


@course_manager_required
def session_create(request, pk):
    run = get_object_or_404(CourseRun.objects.select_related("course"), pk=pk)
    return _session_form(request, run)


@course_manager_required
def session_edit(request, pk):
    session = get_object_or_404(
        CourseSession.objects.select_related("run__course", "room", "booking"), pk=pk
    )
    return _session_form(request, session.run, session)


@course_manager_required
def session_delete(request, pk):
    session = get_object_or_404(CourseSession.objects.select_related("run__course", "room"), pk=pk)
    run = session.run
    if not is_confirmed(request):
        details = [format_datetime(session.starts_at)]
        if session.room_id:
            details.append(_("Its booking of %(room)s is cancelled.") % {"room": session.room.name})
        return ask_to_confirm(
            request,
            question=_("Delete this session of %(run)s?") % {"run": run},
            confirm_label=_("Delete the session"),
            cancel_url=reverse("training:run_edit", args=[run.pk]),
            details=details,
        )
    try:
        course_admin.delete_session(session=session, by=request.user)
    except NotAllowed as error:
        raise PermissionDenied(error.message) from error
    messages.success(request, _("The session is deleted."))
    return redirect("training:run_edit", run.pk)
