"""Printing HTML as PDF with WeasyPrint, Thai set in Sarabun (static/vendor/sarabun).

Thai is broken into lines by Pango, which knows where Thai words end (`lang="th"` on the
document); ReportLab and fpdf2 would break only at spaces. Certificates and the programme
summary report print through `print_pdf`.

WeasyPrint needs Pango from the system, so it is imported only here, only when a PDF is
printed: the web process never needs it, only the workers that print do.
"""

import atexit
import threading
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

FONT_DIR = Path(settings.BASE_DIR) / "static" / "vendor" / "sarabun"

# Loading the fonts (unpacking WOFF2) takes most of a short document's time: a process
# loads them once and prints one document at a time (Pango is not safe across threads).
_printing = threading.Lock()
_fonts = None
_stylesheets = {}


def keep_pillow_strict():
    """Undo what importing WeasyPrint does to the whole process.

    weasyprint.images sets Pillow's global ImageFile.LOAD_TRUNCATED_IMAGES = True when it
    is imported; left so, every later photo upload in the process (products, resources)
    would accept a truncated file that products.images refuses. The documents printed
    here embed no raster images, so they need none of it.
    """
    from PIL import ImageFile

    ImageFile.LOAD_TRUNCATED_IMAGES = False


def sarabun_css():
    """The @font-face rules of Sarabun's Thai and Latin halves, as CSS text."""
    return render_to_string("toolkit/pdf/sarabun.css", {"font_dir": FONT_DIR.as_uri()})


def _font_config():
    """(font configuration, Sarabun stylesheet), made once per process; call under _printing."""
    global _fonts
    if _fonts is None:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        keep_pillow_strict()
        # @font-face rules are honoured only through a font configuration given to both
        # the stylesheet and write_pdf.
        fonts = FontConfiguration()
        _fonts = fonts, CSS(string=sarabun_css(), font_config=fonts)
        # Let go of the fonts while the interpreter can still clean up their temporary files.
        atexit.register(_forget_fonts)
    return _fonts


def _forget_fonts():
    global _fonts
    _fonts = None
    _stylesheets.clear()


def _stylesheet(template, fonts):
    """The document's own stylesheet (a template name), parsed once per process."""
    if template not in _stylesheets:
        from weasyprint import CSS

        _stylesheets[template] = CSS(string=render_to_string(template), font_config=fonts)
    return _stylesheets[template]


def print_pdf(html, *, stylesheet, target=None):
    """Print `html` with the stylesheet template `stylesheet` and Sarabun.

    Returns the PDF bytes, or writes them to the binary file `target` and returns None.
    """
    from weasyprint import HTML

    keep_pillow_strict()
    with _printing:
        fonts, sarabun = _font_config()
        document = HTML(string=html, base_url=str(settings.BASE_DIR))
        return document.write_pdf(
            target=target, stylesheets=[sarabun, _stylesheet(stylesheet, fonts)], font_config=fonts
        )
