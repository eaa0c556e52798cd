"""Bootstrap's trimmed stylesheet holds every Bootstrap class the templates use.

scripts/build-assets keeps only the selectors whose classes it finds in the code; a template
that later starts using another Bootstrap class would render unstyled. bootstrap_classes.txt
(written by the same script) lists every class of the full stylesheet.
"""

import re
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders

HERE = Path(__file__).parent
CLASS_ATTRIBUTE = re.compile(r'class="([^"]*)"')


def template_class_names():
    names = set()
    base = Path(settings.BASE_DIR)
    for folder in (base / "templates", *base.glob("*/templates")):
        for template in folder.rglob("*.html"):
            for value in CLASS_ATTRIBUTE.findall(template.read_text(encoding="utf-8")):
                # Template tags inside the value ({% if %}active{% endif %}) are stripped;
                # names built from a variable (btn-{{ colour }}) are covered by the safelist.
                value = re.sub(r"\{[{%].*?[%}]\}", " ", value)
                names |= {name for name in value.split() if re.fullmatch(r"[a-z][a-z0-9-]*", name)}
    return names


def test_every_bootstrap_class_in_a_template_is_in_the_trimmed_stylesheet():
    bootstrap = set((HERE / "bootstrap_classes.txt").read_text(encoding="utf-8").split())
    css = "".join(
        Path(finders.find(path)).read_text(encoding="utf-8")
        for path in (
            "vendor/bootstrap/css/bootstrap.trimmed.min.css",
            "vendor/bootstrap-icons/icons.css",
        )
    )
    kept = set(re.findall(r"\.(-?[_a-zA-Z][_a-zA-Z0-9-]*)", css))
    used = template_class_names() & bootstrap
    assert len(used) > 100
    missing = sorted(used - kept)
    assert not missing, f"run scripts/build-assets: {missing}"
