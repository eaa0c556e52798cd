"""A programme's dashboard for officers: applications, places, districts and upgrades.

Every figure is one aggregate query (programmes.selectors, which the programme summary
report reads too), cached until the data changes (figures()).
"""

import hashlib

from django.conf import settings
from django.shortcuts import get_object_or_404, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Role
from entrepreneurs.models import REGISTRY_DATA
from toolkit.charts import chart
from toolkit.decorators import role_required
from toolkit.pagination import derived_cache, generation

from .models import PROGRAMME_DATA, Programme
from .selectors import (
    applications_by_state,
    enterprises_by_district,
    intakes_with_places,
    percent,
    upgrades_by_area,
)


def figures(programme):
    """The dashboard's aggregates, cached until an application, intake or product changes.

    Each grows with the programme (a national programme's districts and upgrades took
    30 ms of a 47 ms page); DASHBOARD_CACHE_SECONDS bounds what a change made outside the
    services leaves behind, and the page says when the figures were taken. Labels are
    translated, so each language has its own entry.
    """
    text = ":".join(
        [
            str(programme.pk),
            translation.get_language(),
            generation(PROGRAMME_DATA),
            generation(REGISTRY_DATA),
        ]
    )
    key = "programme-dashboard:" + hashlib.sha256(text.encode()).hexdigest()
    cached = derived_cache().get(key)
    if cached is None:
        cached = {
            "states": applications_by_state(programme),
            "intakes": intakes_with_places(programme),
            "districts": enterprises_by_district(programme),
            "upgrades": upgrades_by_area(programme),
            "as_of": timezone.now(),
        }
        derived_cache().set(key, cached, settings.DASHBOARD_CACHE_SECONDS)
    return cached


# The districts the dashboard names; the rest are one row (a national programme reaches
# 800 districts: a chart of them all says nothing, and its size grew with the programme).
# The programme summary report lists every district.
TOP_DISTRICTS = 15


def top_districts(districts):
    """The TOP_DISTRICTS districts with the most enterprises, then the others as one row."""
    if len(districts) <= TOP_DISTRICTS:
        return districts
    rest = districts[TOP_DISTRICTS:]
    other = ngettext("%(count)s other district", "%(count)s other districts", len(rest)) % {
        "count": len(rest)
    }
    return [*districts[:TOP_DISTRICTS], (other, sum(n for _name, n in rest))]


@role_required(Role.OFFICER)
def dashboard(request, programme_pk):
    programme = get_object_or_404(Programme.objects.visible_to(request.user), pk=programme_pk)
    cached = figures(programme)
    states, intakes, districts = cached["states"], cached["intakes"], cached["districts"]
    areas = [
        (label, done, target, percent(done, target)) for label, done, target in cached["upgrades"]
    ]
    enrolled = sum(n for _district, n in districts)
    districts = top_districts(districts)
    charts = {
        "states": chart(
            [label for label, _n in states],
            (_("Applications"), [n for _label, n in states]),
            horizontal=True,
        ),
        "places": chart(
            [intake.name for intake in intakes],
            (_("Places taken"), [intake.places_taken_count for intake in intakes]),
            (_("Places"), [intake.capacity for intake in intakes]),
        ),
        "districts": chart(
            [name for name, _n in districts],
            (_("Enterprises"), [n for _name, n in districts]),
            horizontal=True,
        ),
        "upgrades": chart(
            [label for label, *_rest in areas],
            (_("Products upgraded"), [done for _label, done, *_rest in areas]),
            (_("Target"), [target for _label, _done, target, _pct in areas]),
        ),
    }
    return render(
        request,
        "programmes/dashboard_programme.html",
        {
            "programme": programme,
            "states": states,
            "total_applications": sum(n for _label, n in states),
            "intakes": intakes,
            "districts": districts,
            "enrolled": enrolled,
            "enrolled_percent": percent(enrolled, programme.target_enterprises),
            "areas": areas,
            "charts": charts,
            "figures_as_of": cached["as_of"],
        },
    )
