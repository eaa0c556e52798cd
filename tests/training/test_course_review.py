"""Course behaviour found wrong in review, each pinned by a test."""

from datetime import UTC, date, datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest

from tests.factories import UserFactory
from tests.training.factories_certificates import attend, open_run
from training.models import Certificate, Clearance
from training.services import courses

pytestmark = pytest.mark.django_db


def test_a_clearance_granted_just_after_local_midnight_counts_from_the_local_day(officer_2fa):
    """00:30 in Lampang is still the day before in UTC; validity runs from the Thai date."""
    run = open_run()
    student = UserFactory(role="student")
    attend(run, [student], by=officer_2fa)
    now = datetime(2026, 12, 8, 0, 30, tzinfo=ZoneInfo("Asia/Bangkok")).astimezone(UTC)
    with mock.patch("training.tasks.build_certificates.delay"):
        courses.close_run(run=run, by=officer_2fa, now=now)
    certificate = Certificate.objects.get(holder=student)
    clearance = Clearance.objects.get(certificate=certificate)
    assert clearance.valid_until == date(2026, 12, 8) + timedelta(days=365)
