"""toolkit holds machinery no app owns: any app may import it, and it imports no app."""

import ast
from pathlib import Path

from django.conf import settings

OUR_APPS = {
    "accounts",
    "entrepreneurs",
    "notifications",
    "products",
    "programmes",
    "reports",
    "training",
}


def test_toolkit_imports_no_app_of_ours():
    found = []
    for path in (Path(settings.BASE_DIR) / "toolkit").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            found += [(path.name, name) for name in names if name.split(".")[0] in OUR_APPS]
    assert found == []


def test_products_does_not_reach_into_the_enterprise_import():
    for path in (Path(settings.BASE_DIR) / "products").rglob("*.py"):
        assert "entrepreneurs.importing" not in path.read_text(), path
        assert "entrepreneurs.views_import" not in path.read_text(), path
