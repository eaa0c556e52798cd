"""Calendar feeds: the page with one's secret feed address, the feeds, and their resets.

The .ics addresses need no sign-in (a calendar app fetches them): the token is the key,
and a wrong or reset one answers 404.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_safe

from accounts.models import Role
from toolkit.confirm import ask_to_confirm, is_confirmed
from toolkit.db.reads import writes_on_get
from toolkit.decorators import role_required, signed_in_required

from .exceptions import LabError
from .models import Resource
from .services import feeds

CALENDAR_TYPE = "text/calendar; charset=utf-8"


def _ics(request, content, filename):
    response = HttpResponse(content, content_type=CALENDAR_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    # A secret address: keep it out of shared caches and search engines.
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _webcal(url):
    return "webcal://" + url.split("://", 1)[1]


@writes_on_get  # makes the person's feed on first use
@require_GET
@signed_in_required
def my_feed(request):
    feed = feeds.personal_feed(user=request.user)
    url = request.build_absolute_uri(reverse("training:personal_feed", args=[feed.token]))
    return render(
        request,
        "training/feeds/my_feed.html",
        {"feed": feed, "feed_url": url, "webcal_url": _webcal(url)},
    )


@require_http_methods(["GET", "POST"])
@signed_in_required
def my_feed_reset(request):
    if not is_confirmed(request):
        return ask_to_confirm(
            request,
            question=_("Make a new address for your calendar feed?"),
            details=_(
                "The present address stops working at once: calendars that subscribe to it"
                " no longer receive your bookings until you add the new address to them."
            ),
            confirm_label=_("Make a new address"),
            cancel_url=reverse("training:my_feed"),
        )
    feeds.reset_personal_feed(user=request.user)
    messages.success(
        request, _("Your calendar feed has a new address; the old one no longer works.")
    )
    return redirect("training:my_feed")


@require_safe
def personal_feed(request, token):
    feed = feeds.feed_for_token(token)
    if feed is None:
        raise Http404()
    return _ics(request, feeds.personal_calendar(feed), "lab-bookings.ics")


@require_safe
def resource_feed(request, pk, token):
    resource = feeds.resource_for_token(pk, token)
    if resource is None:
        raise Http404()
    return _ics(request, feeds.resource_calendar(resource), f"lab-resource-{resource.pk}.ics")


@require_http_methods(["GET", "POST"])
@role_required(Role.CENTRE_STAFF)
def resource_feed_reset(request, pk):
    if not request.user.has_perm("training.run_lab"):
        raise PermissionDenied
    resource = get_object_or_404(Resource, pk=pk)
    if is_confirmed(request):
        try:
            feeds.reset_resource_feed(resource=resource, by=request.user)
        except LabError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("The feed of %(resource)s has a new address; the old one no longer works.")
                % {"resource": resource.name},
            )
        return redirect("training:resource_feed_reset", pk=resource.pk)
    feed_url = webcal_url = ""
    if resource.feed_token:
        feed_url = request.build_absolute_uri(
            reverse("training:resource_feed", args=[resource.pk, resource.feed_token])
        )
        webcal_url = _webcal(feed_url)
    return render(
        request,
        "training/feeds/resource_feed.html",
        {"resource": resource, "feed_url": feed_url, "webcal_url": webcal_url},
    )
