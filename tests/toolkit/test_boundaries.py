"""toolkit holds machinery that belongs to no app: it imports none of ours."""

import ast
from pathlib import Path

from django.apps import apps
from django.conf import settings

TOOLKIT = Path(settings.BASE_DIR) / "toolkit"


def our_apps():
    # Ours are the apps whose package sits at the top of the checkout (the virtualenv,
    # which may sit inside it too, holds Django's and the libraries' apps).
    base = Path(settings.BASE_DIR)
    return {
        config.name.split(".")[0]
        for config in apps.get_app_configs()
        if (base / config.name.split(".")[0]).is_dir() and config.name != "toolkit"
    }


def imported_packages(path):
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0]


def test_toolkit_imports_no_app_of_ours():
    ours = our_apps()
    assert {"accounts", "programmes"} <= ours
    found = {
        (str(path.relative_to(TOOLKIT)), package)
        for path in TOOLKIT.rglob("*.py")
        for package in imported_packages(path)
        if package in ours
    }
    assert found == set()
