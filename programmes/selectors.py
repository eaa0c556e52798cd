"""Reads that join programmes with the registry: applications with their place in line,
and the upgrade work that counts toward a programme."""

from django.db.models import Exists, OuterRef
from django.utils import timezone

from entrepreneurs.models import Enterprise
from products.models import UpgradeRecord

from .models import PLACE_HOLDING, PLACES, Enrolment


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


def counted_upgrades(programme):
    """Upgrade records that count toward a programme.

    Those of products enrolled (accepted, active or completed) in one of its intakes and
    started on or after that intake opened; a record counts once even when its product
    was enrolled in several intakes.
    """
    enrolled = Enrolment.objects.filter(
        intake__programme=programme,
        status__in=PLACE_HOLDING,
        products=OuterRef("product_id"),
        intake__opens_at__date__lte=OuterRef("started_on"),
    )
    return UpgradeRecord.objects.filter(Exists(enrolled))
