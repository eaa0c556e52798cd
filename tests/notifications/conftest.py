import copy

import pytest

PROBE_TEMPLATES = {
    # Says which language was active and what it was given, so tests need no catalogue.
    "notifications/probe/subject.txt": (
        "{% load i18n %}{% get_current_language as lang %}[{{ lang }}] {{ obj }}"
    ),
    "notifications/probe/body.txt": (
        "{% load i18n %}{% get_current_language as lang %}\n"
        "lang={{ lang }} to={{ recipient.full_name }} url={{ url }} extra={{ extra }}\n"
    ),
    "notifications/probe/body.html": "<p>{{ obj }}</p>",
}


@pytest.fixture
def probe_kind(settings):
    """A notification kind "probe" whose templates live in memory for the test."""
    templates = copy.deepcopy(settings.TEMPLATES)
    engine = templates[0]
    engine["APP_DIRS"] = False
    engine["OPTIONS"]["loaders"] = [
        ("django.template.loaders.locmem.Loader", PROBE_TEMPLATES),
        "django.template.loaders.filesystem.Loader",
        "django.template.loaders.app_directories.Loader",
    ]
    settings.TEMPLATES = templates
    return "probe"
