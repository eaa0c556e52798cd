"""A certificate as a PDF: HTML in the holder's language, printed by WeasyPrint.

Thai is set in Sarabun (static/vendor/sarabun) and broken into lines by Pango, which knows
where Thai words end (`lang="th"`); ReportLab and fpdf2 would break only at spaces. The QR
code is segno's SVG drawn as vector paths, and it opens the public verify page.

WeasyPrint needs Pango from the system, so it is imported only here, only when a PDF is
built: the web process never needs it, only the worker that builds certificates does.
"""

import atexit
import threading
from pathlib import Path

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from toolkit.thaidates import format_date

FONT_DIR = Path(settings.BASE_DIR) / "static" / "vendor" / "sarabun"


def verify_url(code):
    """The absolute address of the public verify page of a certificate code."""
    return settings.SITE_URL + reverse("training:certificate_verify", args=[code])


def qr_code(code):
    """The segno QR code of the verify address (error correction M: survives a crease)."""
    return segno.make_qr(verify_url(code), error="m")


def qr_svg(code):
    """The QR code as inline SVG without a fixed size: the stylesheet sizes it."""
    return qr_code(code).svg_inline(
        border=4, omitsize=True, svgclass="certificate-qr", lineclass=None
    )


def holder_language(certificate):
    language = getattr(certificate.holder, "language", "") or settings.LANGUAGE_CODE
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def certificate_html(certificate, language=None):
    """The certificate's HTML in `language` (the holder's by default) and that language."""
    language = language or holder_language(certificate)
    with translation.override(language):
        html = render_to_string(
            "certificates/certificate.html",
            {
                "certificate": certificate,
                "language": language,
                "issued_on": format_date(certificate.issued_at),
                "qr_svg": qr_svg(certificate.code),
                "verify_url": verify_url(certificate.code),
            },
        )
    return html, language


def certificate_css():
    return render_to_string("certificates/certificate.css", {"font_dir": FONT_DIR.as_uri()})


# Loading the fonts (unpacking WOFF2) takes most of a certificate's time: a process loads
# them once and prints one certificate at a time (Pango is not safe across threads).
_printing = threading.Lock()
_style = None


def _keep_pillow_strict():
    """Undo what importing WeasyPrint does to the whole process.

    weasyprint.images sets Pillow's global ImageFile.LOAD_TRUNCATED_IMAGES = True when it
    is imported; left so, every later photo upload in the process (products, resources)
    would accept a truncated file that products.images refuses. Certificates embed no
    raster images, so they need none of it.
    """
    from PIL import ImageFile

    ImageFile.LOAD_TRUNCATED_IMAGES = False


def _stylesheet():
    """(font configuration, stylesheet), made once per process; call under _printing."""
    global _style
    if _style is None:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        _keep_pillow_strict()

        # @font-face rules are honoured only through a font configuration given to both
        # the stylesheet and write_pdf.
        fonts = FontConfiguration()
        _style = fonts, CSS(string=certificate_css(), font_config=fonts)
        # Let go of the fonts while the interpreter can still clean up their temporary files.
        atexit.register(_forget_style)
    return _style


def _forget_style():
    global _style
    _style = None


def render_pdf(certificate, language=None):
    """The certificate printed as PDF bytes."""
    from weasyprint import HTML

    _keep_pillow_strict()
    html, _language = certificate_html(certificate, language)
    with _printing:
        fonts, stylesheet = _stylesheet()
        document = HTML(string=html, base_url=str(settings.BASE_DIR))
        return document.write_pdf(stylesheets=[stylesheet], font_config=fonts)
