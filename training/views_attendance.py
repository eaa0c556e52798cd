"""Attendance: the instructor's sheet of a session (one tap per person), a person's own
attendance, and the instructor's teaching page."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from toolkit.decorators import signed_in_required

from .exceptions import LabError
from .models import ATTENDED, AttendanceMark, CourseEnrolment, CourseSession, RunStatus
from .selectors_attendance import (
    my_runs,
    sheet_rows,
    sheets_to_fill,
    todays_sessions,
    with_marking_counts,
)
from .services import courses
from .services.courses import percent_attended

SHEET_PAGE_SIZE = 50
RUNS_PAGE_SIZE = 20
# Sheets to fill shown on the teaching page; the oldest first.
SHEETS_SHOWN = 50
# The buttons of a row, in the order a phone shows them, with their Bootstrap colour.
MARK_BUTTONS = (
    (AttendanceMark.PRESENT, "success"),
    (AttendanceMark.LATE, "warning"),
    (AttendanceMark.ABSENT, "danger"),
    (AttendanceMark.EXCUSED, "secondary"),
)
READ_ONLY_RUNS = (RunStatus.CLOSED, RunStatus.CANCELLED)


def _session_for(user, pk):
    """The session if `user` may take its attendance; 404 for anyone else."""
    session = get_object_or_404(
        with_marking_counts(CourseSession.objects.select_related("run__course", "room")), pk=pk
    )
    if not courses.may_take_attendance(user, session.run):
        raise Http404
    return session


def _buttons(mark):
    return [
        {"value": value, "label": value.label, "colour": colour, "pressed": mark == value}
        for value, colour in MARK_BUTTONS
    ]


def _row_context(session, enrolment, page=None):
    """What a row of the sheet needs, on the sheet or alone in an htmx answer."""
    enrolment.buttons = _buttons(enrolment.mark)
    return {
        "session": session,
        "enrolment": enrolment,
        "read_only": session.run.status in READ_ONLY_RUNS,
        "page_number": page,
    }


@signed_in_required
def attendance_sheet(request, pk):
    session = _session_for(request.user, pk)
    page = Paginator(sheet_rows(session), SHEET_PAGE_SIZE).get_page(request.GET.get("page"))
    # A tap on a later page comes back to that page when the browser runs no script.
    page_number = page.number if page.has_other_pages() else None
    for enrolment in page:
        enrolment.buttons = _buttons(enrolment.mark)
    siblings = list(
        CourseSession.objects.filter(run=session.run_id).order_by("starts_at", "pk").only("pk")
    )
    index = next(i for i, s in enumerate(siblings) if s.pk == session.pk)
    return render(
        request,
        "training/attendance/sheet.html",
        {
            "session": session,
            "run": session.run,
            "page_obj": page,
            "page_number": page_number,
            "read_only": session.run.status in READ_ONLY_RUNS,
            "number": index + 1,
            "session_total": len(siblings),
            "previous_session": siblings[index - 1] if index else None,
            "next_session": siblings[index + 1] if index + 1 < len(siblings) else None,
        },
    )


@require_POST
@signed_in_required
def attendance_mark(request, pk, enrolment_pk):
    session = _session_for(request.user, pk)
    enrolment = get_object_or_404(
        CourseEnrolment.objects.select_related("person"), pk=enrolment_pk, run=session.run_id
    )
    page_number = request.POST.get("page") or None
    error = None
    try:
        attendance = courses.mark_attendance(
            session=session, enrolment=enrolment, mark=request.POST.get("mark", ""), by=request.user
        )
    except LabError as exc:
        error = exc.message
        enrolment.mark = (
            enrolment.attendance.filter(session=session).values_list("mark", flat=True).first()
        )
    else:
        enrolment.mark = attendance.mark
    if not request.htmx:
        if error:
            messages.error(request, error)
        url = reverse("training:attendance_sheet", args=[session.pk])
        if page_number and page_number.isdigit():
            url += f"?page={page_number}"
        return redirect(f"{url}#attendance-row-{enrolment.pk}")
    # The counts changed with this mark: fetch them again for the out-of-band swap.
    counted = with_marking_counts(CourseSession.objects.filter(pk=session.pk)).get()
    session.people, session.marked, session.unmarked = (
        counted.people,
        counted.marked,
        counted.unmarked,
    )
    context = _row_context(session, enrolment, page_number)
    context["error"] = error
    return render(request, "training/attendance/_mark_response.html", context)


@signed_in_required
def my_attendance(request, pk):
    enrolment = get_object_or_404(
        CourseEnrolment.objects.select_related("run__course"), pk=pk, person=request.user
    )
    marks = dict(enrolment.attendance.values_list("session_id", "mark"))
    sessions = list(enrolment.run.sessions.select_related("room").order_by("starts_at", "pk"))
    labels = dict(AttendanceMark.choices)
    for session in sessions:
        session.mark = marks.get(session.pk)
        session.mark_label = labels.get(session.mark)
    attended = sum(1 for s in sessions if s.mark in ATTENDED)
    share = percent_attended(attended, len(sessions))
    required = enrolment.run.course.attendance_required
    return render(
        request,
        "training/attendance/my_attendance.html",
        {
            "enrolment": enrolment,
            "run": enrolment.run,
            "sessions": sessions,
            "attended": attended,
            "share": share,
            "required": required,
            "on_track": share >= required,
        },
    )


@signed_in_required
def teaching(request):
    user = request.user
    page = Paginator(my_runs(user), RUNS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "training/attendance/teaching.html",
        {
            "page_obj": page,
            "todays_sessions": list(todays_sessions(user)),
            "sheets_to_fill": list(sheets_to_fill(user)[:SHEETS_SHOWN]),
            "sheets_shown": SHEETS_SHOWN,
        },
    )
