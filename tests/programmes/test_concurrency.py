"""Officers deciding at the same moment never overfill an intake (PostgreSQL).

Each thread has its own database connection, so the intake's row lock is what keeps
the count right; SQLite serialises every writer and would prove nothing.
"""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Role
from entrepreneurs.models import VerificationStatus
from programmes import services
from programmes.exceptions import IntakeFull
from programmes.models import Enrolment, EnrolmentStatus
from tests.concurrency import at_once, require_postgresql
from tests.conftest import enable_totp
from tests.factories import EnterpriseFactory, IntakeFactory, ProductFactory, UserFactory

S = EnrolmentStatus
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def officer(officer):
    """With a device: programme services let officers act only with two-factor sign-in."""
    return enable_totp(officer)


@pytest.fixture(autouse=True)
def _postgresql_only():
    require_postgresql()


def applications(intake, n, status):
    start = timezone.now() - dt.timedelta(hours=1)
    enrolments = []
    for i in range(n):
        user = UserFactory(role=Role.ENTREPRENEUR)
        enterprise = EnterpriseFactory(owner=user, status=VerificationStatus.VERIFIED)
        enrolment = Enrolment.objects.create(
            intake=intake,
            enterprise=enterprise,
            status=status,
            created_by=user,
            submitted_at=start + dt.timedelta(minutes=i),
        )
        enrolment.products.set([ProductFactory(enterprise=enterprise)])
        enrolments.append(enrolment)
    return enrolments


def test_simultaneous_accepts_fill_the_last_places_exactly(officer):
    intake = IntakeFactory(capacity=3)
    enrolments = applications(intake, 10, S.SUBMITTED)

    results = at_once(
        [
            lambda e=e: services.decide_enrolment(enrolment=e, by=officer, decision=S.ACCEPTED)
            for e in enrolments
        ]
    )

    accepted = [r for r in results if isinstance(r, Enrolment)]
    refused = [r for r in results if isinstance(r, IntakeFull)]
    assert (len(accepted), len(refused)) == (3, 7), results
    assert services.places_taken(intake) == 3
    assert intake.enrolments.filter(status=S.ACCEPTED).count() == 3
    assert intake.enrolments.filter(status=S.SUBMITTED).count() == 7


def test_simultaneous_withdrawals_promote_the_waitlist_in_order():
    intake = IntakeFactory(capacity=2)
    holding = applications(intake, 2, S.ACCEPTED)
    first, second, third = applications(intake, 3, S.WAITLISTED)

    results = at_once(
        [lambda e=e: services.withdraw_application(enrolment=e, by=e.created_by) for e in holding]
    )

    assert all(isinstance(r, Enrolment) for r in results), results
    assert services.places_taken(intake) == 2
    statuses = {e.pk: e.status for e in Enrolment.objects.filter(intake=intake)}
    assert [statuses[e.pk] for e in (first, second, third)] == [
        S.ACCEPTED,
        S.ACCEPTED,
        S.WAITLISTED,
    ]
    assert services.waitlist_position(Enrolment.objects.get(pk=third.pk)) == 1
