"""A programme's dashboard for officers: applications, places, districts and upgrades.

Every figure is one aggregate query (programmes.selectors, which the programme summary
report reads too), so the page costs the same for ten applications as for ten thousand.
"""

from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from accounts.models import Role
from toolkit.charts import chart
from toolkit.decorators import role_required

from .models import Programme
from .selectors import (
    applications_by_state,
    enterprises_by_district,
    intakes_with_places,
    percent,
    upgrades_by_area,
)


@role_required(Role.OFFICER)
def dashboard(request, programme_pk):
    programme = get_object_or_404(Programme.objects.visible_to(request.user), pk=programme_pk)
    states = applications_by_state(programme)
    intakes = intakes_with_places(programme)
    districts = enterprises_by_district(programme)
    areas = [
        (label, done, target, percent(done, target))
        for label, done, target in upgrades_by_area(programme)
    ]
    enrolled = sum(n for _district, n in districts)
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
        },
    )
