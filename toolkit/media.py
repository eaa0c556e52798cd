"""Public uploads served by the portal itself, for one machine with no web server in front.

MEDIA_ROOT holds only public files under random names: product, upgrade and lab photos,
re-encoded by Pillow. Private documents live in PRIVATE_MEDIA_ROOT and have views that
check permissions; nothing here can reach them. WhiteNoise cannot serve these files (it
indexes its folders when the process starts), so this view does, when SERVE_MEDIA is on.
Behind nginx the server may serve MEDIA_ROOT itself (deploy/nginx/nakhon-ceramic.conf).
"""

import mimetypes
from pathlib import Path

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponseNotModified
from django.utils._os import safe_join
from django.utils.http import http_date
from django.views.decorators.http import require_safe
from django.views.static import was_modified_since

# Only images are uploaded: anything else under MEDIA_ROOT is not the portal's to serve
# (a script served from the portal's own origin would pass its Content-Security-Policy).
IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif"}
# Names are random and a file is never rewritten under its name.
CACHE_SECONDS = 24 * 60 * 60


@require_safe
@transaction.non_atomic_requests
def public_media(request, path):
    """A file under MEDIA_ROOT: 404 for anything outside it, a folder or a non-image."""
    root = Path(settings.MEDIA_ROOT).resolve()
    try:
        full = Path(safe_join(root, path)).resolve()
    except (SuspiciousFileOperation, ValueError) as error:
        raise Http404 from error
    content_type, encoding = mimetypes.guess_type(full.name)
    if not full.is_relative_to(root) or content_type not in IMAGE_TYPES or encoding:
        raise Http404
    try:
        stat = full.stat()
        if not full.is_file():
            raise Http404
        if not was_modified_since(request.META.get("HTTP_IF_MODIFIED_SINCE"), stat.st_mtime):
            return HttpResponseNotModified()
        response = FileResponse(full.open("rb"), content_type=content_type)
    except OSError as error:
        raise Http404 from error
    response["Last-Modified"] = http_date(stat.st_mtime)
    response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    return response
