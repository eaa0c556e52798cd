"""The portal's URLs, and two more that measure what any page costs before its own work.

bench/pages.py serves the portal through this URLconf. `/bench/floor/nothing/` answers an
empty 200 once the middleware has run and the person is loaded (session, user, two-factor
state, language): the least any request costs. `/bench/floor/empty-page/` renders
base.html with nothing in it: the role's navigation, the unread count and the footer that
every page carries. A page's "other ms" above these is its own Python and template work.
"""

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path

from config.urls import handler500  # noqa: F401
from config.urls import urlpatterns as portal_urlpatterns


def nothing(request):
    request.user.is_authenticated  # noqa: B018 - load the person, as every page does
    return HttpResponse(b"")


def empty_page(request):
    return render(request, "base.html")


urlpatterns = [
    path("bench/floor/nothing/", nothing, name="bench_floor_nothing"),
    path("bench/floor/empty-page/", empty_page, name="bench_floor_empty_page"),
    *portal_urlpatterns,
]
