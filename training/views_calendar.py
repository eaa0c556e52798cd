"""The lab's calendars: the resources one may book, a calendar per resource and of all
kilns, the list of a week (the calendar's keyboard and screen-reader alternative), and the
JSON the calendars read."""

import json
import re
from datetime import date, datetime, timedelta

from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.models import Role
from toolkit.decorators import role_required
from toolkit.thaidates import is_thai

from . import calendar
from .models import Resource, Weekday

LAB_ROLES = (Role.STUDENT, Role.FACULTY, Role.ENTREPRENEUR, Role.CENTRE_STAFF)
PAGE_SIZE = 30
lab_required = role_required(*LAB_ROLES)


def _resource_or_404(user, pk):
    try:
        return calendar.visible_resources(user).get(pk=pk)
    except Resource.DoesNotExist:
        raise Http404() from None


def _calendar_config(request, resources, *, view):
    """What lab-calendar.js needs, passed in data- attributes (no inline script)."""
    starts = [h.opens for r in resources for h in r.opening_hours.all()]
    ends = [h.closes for r in resources for h in r.opening_hours.all()]
    step = min((r.slot_minutes for r in resources), default=30)
    return {
        "events_url": reverse("training:calendar_json"),
        "resources": json.dumps(
            [
                {
                    "id": r.pk,
                    "title": r.name,
                    "book": reverse("training:book", args=[r.pk]),
                    "min": r.min_minutes,
                }
                for r in resources
            ]
        ),
        "locale": "th-TH-u-ca-buddhist-nu-latn" if is_thai() else "en-GB",
        "lang": get_language(),
        "view": view,
        "slot": f"{step // 60:02d}:{step % 60:02d}",
        "min_time": f"{min(starts):%H:00}" if starts else "07:00",
        "max_time": (
            f"{min(max(ends).hour + (1 if max(ends).minute else 0), 24):02d}:00"
            if ends
            else "21:00"
        ),
        "texts": json.dumps(
            {
                "today": _("Today"),
                "week": _("Week"),
                "day": _("Day"),
                "prev": _("Previous"),
                "next": _("Next"),
                "notFree": _(
                    "This time is not free. Choose a time in the shaded free hours,"
                    " or use the list view."
                ),
                "loading": _("Loading the calendar…"),
                "failed": _("The calendar could not be loaded. Use the list view instead."),
            }
        ),
    }


@lab_required
def lab_home(request):
    """The resources this person may book, with what each needs of them."""
    resources = calendar.visible_resources(request.user)
    page = Paginator(resources, PAGE_SIZE).get_page(request.GET.get("page"))
    needs = calendar.clearance_needs(page.object_list, request.user)
    rows = [(resource, needs.get(resource.pk, False)) for resource in page.object_list]
    return render(
        request,
        "training/calendar/lab_home.html",
        {
            "rows": rows,
            "page_obj": page,
            "has_kilns": calendar.visible_resources(request.user).kilns().exists(),
        },
    )


def _hours_by_weekday(resource):
    hours = {}
    for period in resource.opening_hours.all():
        hours.setdefault(period.weekday, []).append(period)
    return [(label, hours.get(day, [])) for day, label in Weekday.choices]


@lab_required
def resource_detail(request, pk):
    """A resource's rules and its calendar; the list of a week is the calendar without JS."""
    resource = _resource_or_404(request.user, pk)
    needs = calendar.clearance_needs([resource], request.user)
    return render(
        request,
        "training/calendar/resource_detail.html",
        {
            "resource": resource,
            "hours": _hours_by_weekday(resource),
            "needs_clearance": needs.get(resource.pk, False),
            "cal": _calendar_config(request, [resource], view="single"),
        },
    )


@lab_required
def kilns(request):
    """Every kiln this person may book, side by side."""
    resources = list(calendar.visible_resources(request.user).kilns())
    return render(
        request,
        "training/calendar/kilns.html",
        {
            "resources": resources,
            "cal": _calendar_config(request, resources, view="resources") if resources else None,
        },
    )


def _chosen_week(value):
    """The Monday of ?week=YYYY-MM-DD, or of today for a missing or unreadable date."""
    try:
        day = date.fromisoformat((value or "").strip())
    except ValueError:
        day = timezone.localdate()
    if not 1900 < day.year < 2200:
        # The weeks around it, and local midnights near year 1 or 9999, do not exist.
        day = timezone.localdate()
    return calendar.week_start(day)


@lab_required
def resource_week(request, pk):
    """One week of a resource as a list: free spans to book, taken spans with their reason."""
    resource = _resource_or_404(request.user, pk)
    monday = _chosen_week(request.GET.get("week"))
    return render(
        request,
        "training/calendar/resource_week.html",
        {
            "resource": resource,
            "monday": monday,
            "sunday": monday + timedelta(days=6),
            "days": calendar.week_days(resource, monday, request.user),
            "previous_week": monday - timedelta(days=7),
            "next_week": monday + timedelta(days=7),
            "this_week": calendar.week_start(timezone.localdate()),
        },
    )


# --- JSON ---------------------------------------------------------------------------------

# A "+" of an offset arrives as a space when the query string was not encoded.
_SPACED_OFFSET = re.compile(r" (\d{2}:?\d{2})$")


class BadQuery(ValueError):
    pass


def _moment(value):
    text = _SPACED_OFFSET.sub(r"+\1", (value or "").strip())
    if not text:
        raise BadQuery(_("Give the start and the end of the window as dates and times."))
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BadQuery(_("“%(value)s” is not a date and time.") % {"value": text[:40]}) from None
    if not 1900 < moment.year < 2200:
        raise BadQuery(_("“%(value)s” is out of range.") % {"value": text[:40]})
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _window(params):
    start = _moment(params.get("start"))
    end = _moment(params.get("end"))
    if end <= start:
        raise BadQuery(_("The end of the window must come after its start."))
    if end - start > calendar.MAX_WINDOW:
        raise BadQuery(
            _("Ask for at most %(days)s days at a time.") % {"days": calendar.MAX_WINDOW.days}
        )
    return start, end


def _resource_ids(value):
    parts = [p.strip() for p in (value or "").split(",") if p.strip()]
    if not parts or len(parts) > 50 or not all(p.isdigit() and len(p) < 10 for p in parts):
        raise BadQuery(_("Give the resources as numbers separated by commas."))
    return {int(p) for p in parts}


@lab_required
def calendar_json(request):
    """Events of the asked resources within [start, end), as EventCalendar reads them."""
    try:
        ids = _resource_ids(request.GET.get("resources"))
        start, end = _window(request.GET)
    except BadQuery as error:
        return JsonResponse({"error": str(error)}, status=400)
    resources = list(calendar.visible_resources(request.user).filter(pk__in=ids))
    if len(resources) != len(ids):
        return JsonResponse({"error": _("No such resource.")}, status=404)
    return JsonResponse(calendar.calendar_events(resources, start, end, request.user), safe=False)
