"""A certificate as a PDF: HTML in the holder's language, printed by WeasyPrint.

toolkit.pdf prints it, with Thai set in Sarabun and broken into lines where Thai words
end. The QR code is segno's SVG drawn as vector paths, and it opens the public verify page.
"""

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from toolkit.pdf import print_pdf
from toolkit.thaidates import format_date


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


def render_pdf(certificate, language=None):
    """The certificate printed as PDF bytes."""
    html, _language = certificate_html(certificate, language)
    return print_pdf(html, stylesheet="certificates/certificate.css")
