"""Uploaded photos: verified, re-encoded and thumbnailed with Pillow before they are kept.

Re-encoding drops EXIF and other metadata (GPS positions of a workshop included) and
whatever else a crafted file could carry; the pixel limit stops decompression bombs.
"""

import io

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 7,000 x 5,700 photo; more is a bomb or needlessly big
MAX_SIDE = 2400  # kept photos are scaled down to this
THUMB_SIDE = 480
# A showcase card shows its photo at most ~340 CSS pixels wide, cropped to 4:3: WebP files
# of these widths serve 1x and 2x screens (srcset), a fraction of the JPEG thumbnail.
CARD_WIDTHS = (320, 640)
CARD_QUALITY = 78
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "MPO"}


def _open_verified(upload):
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("This photo is larger than %(mb)s MB. Send a smaller one.")
            % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)},
            code="image_too_large",
        )
    data = upload.read()
    upload.seek(0)
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ACCEPTED_FORMATS:
                raise ValidationError(_("Send a photo as JPEG, PNG or WebP."), code="image_format")
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError(
                    _("This photo has too many pixels (%(w)s × %(h)s). Send a smaller one.")
                    % {"w": probe.width, "h": probe.height},
                    code="image_too_many_pixels",
                )
            probe.verify()
        image = Image.open(io.BytesIO(data))
        image.load()
    except ValidationError:
        raise
    except Image.DecompressionBombError as exc:
        raise ValidationError(
            _("This photo has too many pixels. Send a smaller one."),
            code="image_too_many_pixels",
        ) from exc
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
    ) as exc:
        raise ValidationError(
            _("This file is not a photo we can read, or it is damaged."), code="image_invalid"
        ) from exc
    return image


def _encode(image, max_side):
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "L"):
        background = Image.new("RGB", image.size, (255, 255, 255))
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.split()[3])
        image = background
    elif image.mode == "L":
        image = image.convert("RGB")
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # No exif= and no icc_profile=: the saved file carries pixels only.
    image.save(out, format="JPEG", quality=85, optimize=True, progressive=True)
    return ContentFile(out.getvalue(), name="photo.jpg"), image.size


def process_photo(upload, *, with_thumbnail=True):
    """Verify an uploaded photo and return (photo, thumbnail or None) as JPEG ContentFiles.

    Raises ValidationError with a message for the person when the file is not a usable photo.
    """
    image = _open_verified(upload)
    photo, _size = _encode(image, MAX_SIDE)
    thumbnail = _encode(image, THUMB_SIDE)[0] if with_thumbnail else None
    return photo, thumbnail


def card_images(photo):
    """WebP versions of a kept photo cropped to a card's 4:3: {width: ContentFile}.

    `photo` is a file holding a photo process_photo made (already verified and re-encoded).
    """
    photo.seek(0)
    with Image.open(photo) as source:
        source = source.convert("RGB")
        cards = {}
        for width in CARD_WIDTHS:
            card = ImageOps.fit(source, (width, width * 3 // 4), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            card.save(out, format="WEBP", quality=CARD_QUALITY, method=6)
            cards[width] = ContentFile(out.getvalue(), name=f"card-{width}.webp")
    photo.seek(0)
    return cards


def validate_photo(upload):
    """Form-field validator: the same checks, without keeping the result."""
    if upload:
        _open_verified(upload)
