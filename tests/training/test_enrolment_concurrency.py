"""People enrolling, and cancelling, at the same moment: places are never overfilled and the
waitlist keeps a strict first-come order.

Each call runs in a thread with its own database connection (tests.concurrency.at_once),
all released together. On PostgreSQL the run's row lock (COURSE_PLACES.lock, SELECT … FOR
UPDATE) keeps the count; on SQLite (a file database in tests, see config/settings.py) the
IMMEDIATE transaction holds the one write lock from its first statement. Both are run.
"""

import pytest
from django.db import connection

from tests.concurrency import at_once
from tests.factories import UserFactory
from training.models import COURSE_PLACES, CourseEnrolment, CourseEnrolmentStatus
from training.services import courses

from .factories_enrol import make_run

E = CourseEnrolmentStatus
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _file_database():
    """Threads need a database every connection sees: PostgreSQL or an SQLite file."""
    if connection.vendor == "sqlite":
        assert connection.settings_dict["NAME"] != ":memory:"
        assert "mode=memory" not in str(connection.settings_dict["NAME"])


def students(n):
    return [UserFactory(role="student") for _ in range(n)]


def line(run):
    """The run's standing enrolments in arrival order."""
    return list(
        COURSE_PLACES.with_position(CourseEnrolment.objects.filter(run=run))
        .exclude(status=E.CANCELLED)
        .order_by(*COURSE_PLACES.order)
    )


def test_ten_people_at_once_for_three_places():
    run = make_run(capacity=3)
    people = students(10)

    results = at_once([lambda p=p: courses.enrol(run=run, person=p) for p in people])

    assert all(isinstance(r, CourseEnrolment) for r in results), results
    arrivals = line(run)
    assert [e.status for e in arrivals] == [E.ENROLLED] * 3 + [E.WAITLISTED] * 7
    assert [e.waitlist_place for e in arrivals[3:]] == list(range(1, 8))
    assert [courses.waitlist_position(e) for e in arrivals[3:]] == list(range(1, 8))
    assert COURSE_PLACES.taken(run) == 3
    # What each person was told matches what they got.
    told = {r.pk: r.status for r in results}
    assert all(told[e.pk] == e.status for e in arrivals)


def test_simultaneous_cancels_promote_exactly_as_many_as_freed():
    run = make_run(capacity=3)
    people = students(7)
    for person in people:
        courses.enrol(run=run, person=person)
    holding = [e for e in line(run) if e.status == E.ENROLLED]
    waiting = [e.pk for e in line(run) if e.status == E.WAITLISTED]
    assert (len(holding), len(waiting)) == (3, 4)

    results = at_once(
        [lambda e=e: courses.cancel(enrolment=e, by=e.person) for e in holding[:2]]
        + [
            lambda: courses.cancel(
                enrolment=CourseEnrolment.objects.get(pk=waiting[3]), by=people[6]
            )
        ]
    )

    assert all(isinstance(r, CourseEnrolment) for r in results), results
    arrivals = line(run)
    assert COURSE_PLACES.taken(run) == 3
    assert [e.pk for e in arrivals if e.status == E.ENROLLED] == [holding[2].pk, *waiting[:2]]
    still_waiting = [e for e in arrivals if e.status == E.WAITLISTED]
    assert [(e.pk, e.waitlist_place) for e in still_waiting] == [(waiting[2], 1)]
