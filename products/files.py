"""Private documents: content-checked on the way in, served only by permission-checked views.

A certificate's document may be a PDF or a photo or scan of the paper. What the file is
comes from its bytes, never from its name or the browser's content type, and the stored
name carries the extension of what it really is.
"""

import io
import mimetypes
import re

from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from .images import MAX_PIXELS

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
IMAGE_EXTENSIONS = {"JPEG": "jpg", "MPO": "jpg", "PNG": "png", "WEBP": "webp"}


def document_kind(upload):
    """The extension a document really has ("pdf", "jpg", "png", "webp").

    Raises ValidationError with a message for the person when the file is too big, or is
    neither a PDF nor an image Pillow can verify.
    """
    if upload.size > MAX_DOCUMENT_BYTES:
        raise ValidationError(
            _("This document is larger than %(mb)s MB. Send a smaller one.")
            % {"mb": MAX_DOCUMENT_BYTES // (1024 * 1024)},
            code="document_too_large",
        )
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    if data.startswith(b"%PDF-"):
        return "pdf"
    wrong_type = ValidationError(
        _("Send the document as a PDF or a photo (JPEG, PNG or WebP)."), code="document_type"
    )
    try:
        with Image.open(io.BytesIO(data)) as image:
            extension = IMAGE_EXTENSIONS.get(image.format)
            if extension is None:
                raise wrong_type
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError(
                    _("This image has too many pixels. Send a smaller one."),
                    code="document_too_many_pixels",
                )
            image.verify()
        # verify() does not decode every format: a truncated JPEG fails only on load.
        with Image.open(io.BytesIO(data)) as image:
            image.load()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        raise wrong_type from None
    return extension


def validate_document(upload):
    """Form-field validator: the same checks, without keeping the result."""
    if upload:
        document_kind(upload)


def download_name(text, extension):
    """A file name for the browser: letters (Thai too), digits, dots and dashes only."""
    stem = re.sub(r"[^\w.-]+", "-", text, flags=re.UNICODE).strip("-.") or "document"
    return f"{stem}.{extension}"


def serve_private(field, *, name):
    """Stream a private file as a download; the caller has checked who may have it."""
    extension = field.name.rsplit(".", 1)[-1].lower()
    content_type = mimetypes.guess_type(f"x.{extension}")[0] or "application/octet-stream"
    response = FileResponse(
        field.open("rb"),
        as_attachment=True,
        filename=download_name(name, extension),
        content_type=content_type,
    )
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "sandbox"
    return response
