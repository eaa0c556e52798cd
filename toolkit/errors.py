"""The portal's answer to an unexpected error: 503 when SQLite stayed locked, else 500.

On one machine (SQLite) a write waits up to the database's timeout (20 s) for the one
write lock. A backup, a bulk import or a long report held past that makes a save fail
with "database is locked": nothing is half-saved (the request's transaction is rolled
back), and trying again in a moment works. That is a busy portal, not a broken one, so
the person is told so with 503 and Retry-After instead of the 500 page.
"""

import sys

from django.http import HttpResponse
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token
from django.views.defaults import server_error as django_server_error

from .db.reads import write_refused

RETRY_AFTER_SECONDS = 10


@requires_csrf_token
def server_error(request, template_name="500.html"):
    if write_refused(sys.exc_info()[1]):
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return django_server_error(request, template_name)
