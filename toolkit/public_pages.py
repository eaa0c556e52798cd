"""Whole public pages cached for visitors who are not signed in, until their data changes.

The public pages are the same for every anonymous visitor of a language: the showcase's
first page is the same 24 cards for everyone. Rendering it cost 20-30 ms of Python and
templates around 2 ms of SQL (bench/README.md, issue 12), so a visitor's page is kept in
the cache under its path, query, language, the htmx headers that pick a fragment, and the
current generations of the data it shows (toolkit.pagination): a service that changes
that data starts a new generation once it commits, and no page cached before is read
again. settings.PUBLIC_PAGE_SECONDS bounds what time alone changes (an intake that opens
at nine); 0 turns the cache off.

Only the view's body is cached; the middleware still runs for every request (security
headers, CSP, language, compression). Every page carries a CSRF token (the language
switcher is a form), which must be the visitor's own: while a cached page is rendered the
token is a placeholder (csrf_placeholder, a context processor), and each response gets the
visitor's token in its place. A request that carries state of its own is never cached nor
served from the cache: a signed-in user, a session (a flash message, allauth's state), or a
pending message.
"""

import functools
import hashlib

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.middleware.csrf import get_token

from .pagination import derived_cache, generation

# Stands for the visitor's CSRF token in a cached page; never a valid token itself.
CSRF_PLACEHOLDER = "csrf-token-of-this-visitor-"
# The request headers that choose what a page renders besides its URL and language.
HTMX_HEADERS = ("HX-Request", "HX-Target", "HX-Trigger", "HX-Boosted", "HX-History-Restore-Request")


def csrf_placeholder(request):
    """Context processor: the placeholder token while a page is rendered for the cache."""
    if getattr(request, "_public_page_for_cache", False):
        return {"csrf_token": CSRF_PLACEHOLDER}
    return {}


def _cacheable(request):
    if not settings.PUBLIC_PAGE_SECONDS:
        return False
    if request.method not in ("GET", "HEAD"):
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return False
    if request.user.is_authenticated:
        return False
    return not len(messages.get_messages(request))


def _key(request, depends_on):
    parts = [
        request.path,
        request.META.get("QUERY_STRING", ""),
        request.LANGUAGE_CODE,
        *(request.headers.get(name, "") for name in HTMX_HEADERS),
        *(f"{name}={generation(name)}" for name in depends_on),
    ]
    return "public-page:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _with_token(request, content, headers):
    response = HttpResponse(content.replace(CSRF_PLACEHOLDER.encode(), get_token(request).encode()))
    for name, value in headers:
        response[name] = value
    return response


def cache_public_page(*depends_on):
    """Serve a view's page to anonymous visitors from the cache until `depends_on` changes."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not _cacheable(request):
                return view(request, *args, **kwargs)
            key = _key(request, depends_on)
            cached = derived_cache().get(key)
            if cached is None:
                request._public_page_for_cache = True
                try:
                    response = view(request, *args, **kwargs)
                finally:
                    request._public_page_for_cache = False
                if response.status_code != 200 or response.streaming or response.cookies:
                    # Not a plain page (a redirect, a 404, a file): as it is, with the
                    # visitor's own token wherever the placeholder stands.
                    if not response.streaming:
                        response.content = response.content.replace(
                            CSRF_PLACEHOLDER.encode(), get_token(request).encode()
                        )
                    return response
                # The view's own headers (Content-Type, an htmx trigger); the middleware adds
                # the rest to every response, cached or not.
                headers = [(k, v) for k, v in response.items() if k.lower() != "content-length"]
                cached = (response.content, headers)
                derived_cache().set(key, cached, settings.PUBLIC_PAGE_SECONDS)
            return _with_token(request, *cached)

        return wrapper

    return decorator
