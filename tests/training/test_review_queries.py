"""Query counts of the lab's staff pages of resources, blackouts, clearance kinds,
maintenance and usage: the same for many rows as for few."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import sign_in
from tests.factories import (
    BookingFactory,
    ClearanceKindFactory,
    EnterpriseFactory,
    ProductFactory,
    ResourceFactory,
    UserFactory,
    at,
)
from training.models import Blackout, BookingStatus, MaintenanceRecord, UsageLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, staff_2fa):
    return sign_in(client, staff_2fa)


def add_rows(resource, n, staff):
    already = UsageLog.objects.count()  # each booking on a day of its own
    for i in range(n):
        kind = ClearanceKindFactory(code=f"kind-{resource.pk}-{i}-{n}")
        ResourceFactory(required_clearance=kind)
        Blackout.objects.create(
            resource=resource if i % 2 else None,
            starts_at=at(3 + i, 9),
            ends_at=at(3 + i, 10),
            reason="holiday",
            created_by=staff,
        )
        MaintenanceRecord.objects.create(
            resource=resource, performed_on=timezone.localdate(), work="x", recorded_by=staff
        )
        booking = BookingFactory(
            resource=resource,
            owner=UserFactory(role="student"),
            starts_at=at(-3 - already - i, 9),
            status=BookingStatus.COMPLETED,
        )
        log = UsageLog.objects.create(booking=booking, recorded_by=staff, summary="ok")
        log.products_fired.add(ProductFactory(enterprise=EnterpriseFactory()))


@pytest.mark.parametrize(
    "name",
    [
        "resource_list",
        "blackout_list",
        "clearance_kind_list",
        "maintenance_list",
        "staff_resource_detail",
    ],
)
def test_staff_resource_pages_take_the_same_queries_for_many_rows(
    staff_client, staff_2fa, django_assert_max_num_queries, name
):
    resource = ResourceFactory()
    args = [resource.pk] if name in ("maintenance_list", "staff_resource_detail") else []
    add_rows(resource, 2, staff_2fa)
    with django_assert_max_num_queries(25) as few:
        assert staff_client.get(reverse(f"training:{name}", args=args)).status_code == 200
    add_rows(resource, 12, staff_2fa)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert staff_client.get(reverse(f"training:{name}", args=args)).status_code == 200
