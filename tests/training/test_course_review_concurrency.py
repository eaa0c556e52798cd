"""Closing runs at the same moment: certificates issued once, serial numbers unique."""

from unittest import mock

import pytest
from django.db import connection

from tests.concurrency import at_once
from tests.factories import UserFactory
from tests.training.factories_certificates import attend, open_run
from training.models import Certificate, Clearance, CourseEnrolment
from training.services import courses

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _file_database():
    if connection.vendor == "sqlite":
        assert connection.settings_dict["NAME"] != ":memory:"
        assert "mode=memory" not in str(connection.settings_dict["NAME"])


def _close(run, by):
    return lambda: courses.close_run(run=run, by=by)


@pytest.fixture(autouse=True)
def _no_printing():
    """No PDFs here: patched once, around all the threads. Patched in each thread, two
    threads restoring in the wrong order left the other's mock in place for every later
    test of the process (the course journey then waited for a PDF no task printed)."""
    with mock.patch("training.tasks.build_certificates.delay"):
        yield


def test_one_run_closed_twice_at_once_issues_each_certificate_once(officer_2fa):
    run = open_run()
    people = [UserFactory(role="student") for _ in range(3)]
    attend(run, people, by=officer_2fa)

    results = at_once([_close(run, officer_2fa), _close(run, officer_2fa)])

    assert sum(isinstance(r, tuple) for r in results) == 1, results
    assert Certificate.objects.filter(enrolment__run=run).count() == 3
    assert Clearance.objects.filter(holder__in=people).count() == 3


def test_two_runs_closed_at_once_give_unique_serials(officer_2fa):
    runs = [open_run(), open_run()]
    for run in runs:
        attend(run, [UserFactory(role="student") for _ in range(3)], by=officer_2fa)

    results = at_once([_close(run, officer_2fa) for run in runs])

    assert all(isinstance(r, tuple) for r in results), results
    serials = list(Certificate.objects.values_list("fiscal_year", "serial"))
    assert len(serials) == 6
    assert len(set(serials)) == 6
    assert sorted(s for _y, s in serials) == list(range(1, 7))


def test_one_person_enrolling_twice_at_once_is_enrolled_once():
    run = open_run(capacity=5)
    student = UserFactory(role="student")

    results = at_once([lambda: courses.enrol(run=run, person=student)] * 2)

    assert sum(isinstance(r, CourseEnrolment) for r in results) == 1, results
    assert CourseEnrolment.objects.filter(run=run, person=student).count() == 1
