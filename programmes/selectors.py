"""Reads that join programmes with the registry: applications with their place in line,
the upgrade work that counts toward a programme, and the programme's figures.

The figures (applications by state, places per intake, enterprises by district, upgrades
by area, sales uplift) are what both the programme dashboard and the programme summary
report show; each is one aggregate query, read through `using` so a report worker reads
them from its snapshot.
"""

from django.db.models import Count, Exists, OuterRef
from django.utils import timezone, translation

from entrepreneurs.models import Enterprise
from products.models import UpgradeArea, UpgradeRecord
from toolkit.thaisort import thai_sort_key

from .models import PLACE_HOLDING, PLACES, Enrolment, EnrolmentStatus, Intake


def with_waitlist_position(enrolments):
    """Annotate `waitlist_place`: 1 for the next in line, None unless waitlisted; one query."""
    return PLACES.with_position(enrolments, name="waitlist_place")


def applications_of(user):
    """Every application of the enterprises a person belongs to, newest first."""
    enterprises = Enterprise.objects.belonging_to(user).values("pk")
    return with_waitlist_position(
        Enrolment.objects.filter(enterprise__in=enterprises)
        .select_related("intake__programme", "enterprise")
        .prefetch_related("products")
        .order_by("-created_at", "-pk")
    )


def upgrades_counted(enrolment):
    """The upgrade records of an enrolment's products started since its intake opened."""
    opened = timezone.localdate(enrolment.intake.opens_at)
    return UpgradeRecord.objects.filter(
        product__in=enrolment.products.all(), started_on__gte=opened
    ).select_related("product")


def counted_upgrades(programme, *, using="default"):
    """Upgrade records that count toward a programme.

    Those of products enrolled (accepted, active or completed) in one of its intakes and
    started on or after that intake opened; a record counts once even when its product
    was enrolled in several intakes.
    """
    enrolled = Enrolment.objects.using(using).filter(
        intake__programme=programme,
        status__in=PLACE_HOLDING,
        products=OuterRef("product_id"),
        intake__opens_at__date__lte=OuterRef("started_on"),
    )
    return UpgradeRecord.objects.using(using).filter(Exists(enrolled))


def percent(part, whole):
    """`part` as a whole per cent of `whole`, or None when there is no whole (no target)."""
    return round(part * 100 / whole) if whole else None


def applications_by_state(programme, *, using="default"):
    """(state label, applications) for every state, in the states' order; one query."""
    counts = dict(
        Enrolment.objects.using(using)
        .filter(intake__programme=programme)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    return [(label, counts.get(value, 0)) for value, label in EnrolmentStatus.choices]


def intakes_with_places(programme, *, using="default"):
    """The programme's intakes in order, each with `places_taken_count`; one query."""
    intakes = Intake.objects.using(using).filter(programme=programme)
    return list(intakes.with_places_taken().order_by("opens_at", "pk"))


def enterprises_by_district(programme, *, using="default"):
    """Enterprises holding a place (accepted, active, completed), counted once per district."""
    # The holding enterprises' ids first (a semi-join): no join row per enrolment to count
    # DISTINCT over (issue 12, plan of "officer: programme dashboard").
    holding = Enrolment.objects.using(using).filter(
        intake__programme=programme, status__in=PLACE_HOLDING
    )
    rows = (
        Enterprise.objects.using(using)
        .filter(pk__in=holding.values("enterprise_id"))
        .order_by()
        .values("district_id", "district__name_th", "district__name_en")
        .annotate(n=Count("pk"))
    )
    english = translation.get_language() == "en"
    named = [
        ((row["district__name_en"] if english else "") or row["district__name_th"], row["n"])
        for row in rows
    ]
    return sorted(named, key=lambda pair: (-pair[1], thai_sort_key(pair[0])))


def upgrades_by_area(programme, *, using="default"):
    """(area, products upgraded, target) for each area; a product counts once per area."""
    counts = dict(
        counted_upgrades(programme, using=using)
        .order_by()
        .values_list("area")
        .annotate(n=Count("product", distinct=True))
    )
    return [
        (label, counts.get(value, 0), getattr(programme, f"target_{value}"))
        for value, label in UpgradeArea.choices
    ]


def sales_uplift(programme, *, using="default"):
    """The programme's monthly-sales uplift in per cent (one decimal), or None if unknown.

    Over its counted upgrade records whose monthly sales are known before and after, as
    UpgradeRecord.uplift_summary reckons it for the officer home: the change from the sum
    of sales before to the sum after, so a large seller weighs more than a small one.
    """
    summary = counted_upgrades(programme, using=using).uplift_summary()
    if not summary["with_sales"]:
        return {"records": 0, "before": None, "after": None, "uplift": None}
    return {
        "records": summary["with_sales"],
        "before": summary["sales_before"],
        "after": summary["sales_after"],
        "uplift": summary["sales_uplift"],
    }
