"""A programme's dashboard for officers: applications, places, districts and upgrades.

Every figure is one aggregate query, so the page costs the same for ten applications as
for ten thousand.
"""

from django.db.models import Count
from django.shortcuts import get_object_or_404, render
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import Role
from entrepreneurs.models import Enterprise
from products.models import UpgradeArea
from toolkit.charts import chart
from toolkit.decorators import role_required
from toolkit.thaisort import thai_sort_key

from .models import PLACE_HOLDING, Enrolment, EnrolmentStatus, Programme
from .selectors import counted_upgrades


def applications_by_state(programme):
    counts = dict(
        Enrolment.objects.filter(intake__programme=programme)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    return [(label, counts.get(value, 0)) for value, label in EnrolmentStatus.choices]


def enterprises_by_district(programme):
    """Enterprises holding a place (accepted, active, completed), counted once per district."""
    rows = (
        Enterprise.objects.filter(
            enrolments__intake__programme=programme, enrolments__status__in=PLACE_HOLDING
        )
        .order_by()
        .values("district_id", "district__name_th", "district__name_en")
        .annotate(n=Count("pk", distinct=True))
    )
    english = translation.get_language() == "en"
    named = [
        ((row["district__name_en"] if english else "") or row["district__name_th"], row["n"])
        for row in rows
    ]
    return sorted(named, key=lambda pair: (-pair[1], thai_sort_key(pair[0])))


def upgrades_by_area(programme):
    """(area, products upgraded, target) for each area; a product counts once per area."""
    counts = dict(
        counted_upgrades(programme)
        .order_by()
        .values_list("area")
        .annotate(n=Count("product", distinct=True))
    )
    return [
        (label, counts.get(value, 0), getattr(programme, f"target_{value}"))
        for value, label in UpgradeArea.choices
    ]


def percent(part, whole):
    return round(part * 100 / whole) if whole else None


@role_required(Role.OFFICER)
def dashboard(request, programme_pk):
    programme = get_object_or_404(Programme.objects.visible_to(request.user), pk=programme_pk)
    states = applications_by_state(programme)
    intakes = list(programme.intakes.with_places_taken().order_by("opens_at", "pk"))
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
