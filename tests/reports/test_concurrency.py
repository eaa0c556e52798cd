"""Identical report requests at the same moment make one job, on PostgreSQL."""

import pytest

from reports import services
from reports.filters import ReportFilters
from reports.models import ReportJob
from tests.concurrency import at_once, require_postgresql
from tests.conftest import enable_totp
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_simultaneous_identical_requests_share_one_job(monkeypatch):
    require_postgresql()
    monkeypatch.setattr(services, "enqueue", lambda job_id: True)  # no worker here
    officers = []
    for n in range(8):
        officer = UserFactory(role="officer", email=f"officer{n}@diprom.example")
        enable_totp(officer)
        officers.append(officer)

    def ask(officer):
        def call():
            job, created = services.request_report(
                report="enrolments", fmt="xlsx", filters=ReportFilters(province="52"), by=officer
            )
            return job.pk, created

        return call

    results = at_once([ask(officer) for officer in officers])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len({job_id for job_id, _created in results}) == 1
    assert sum(created for _job_id, created in results) == 1
    job = ReportJob.objects.get()
    # Everyone who asked is told when it is ready.
    assert set(job.subscribers.values_list("pk", flat=True)) == {o.pk for o in officers}
