"""toolkit.capacity on its own: places, the first-come waitlist, promotion, the row lock.

The mechanism is tried with a declaration of its own over an existing model pair (an
intake and its applications), with other states and a two-field arrival, so what is
tested is the toolkit's, not the programmes' settings of it.
"""

import datetime as dt

import pytest
from django.db import transaction

from programmes.models import Enrolment, Intake
from tests.concurrency import at_once, require_postgresql
from tests.factories import EnterpriseFactory, IntakeFactory
from toolkit.capacity import Places

pytestmark = pytest.mark.django_db

# Seats held by "active" rows; "submitted" ones wait, ordered by submission, then by
# creation for the same submission time, then by primary key.
SEATS = Places(
    holders=Enrolment,
    container="intake",
    holding=frozenset({"active"}),
    waiting="submitted",
    arrival=("submitted_at", "created_at"),
)
NOON = dt.datetime(2026, 12, 1, 5, tzinfo=dt.UTC)


def holder(container, status, *, submitted=0, created=0):
    """A row of `status`, submitted and created `submitted`/`created` minutes after noon."""
    return Enrolment.objects.create(
        intake=container,
        enterprise=EnterpriseFactory(),
        status=status,
        submitted_at=NOON + dt.timedelta(minutes=submitted),
        created_at=NOON + dt.timedelta(minutes=created),
    )


def test_only_holding_states_take_places():
    container = IntakeFactory(capacity=3)
    holder(container, "active")
    holder(container, "active")
    holder(container, "submitted")
    holder(container, "accepted")  # holds nothing under this declaration
    holder(IntakeFactory(), "active")  # another container's

    assert SEATS.taken(container) == 2
    assert SEATS.free(container) == 1
    assert SEATS.has_room(container)
    holder(container, "active")
    assert not SEATS.has_room(container)
    assert SEATS.free(container) == 0


def test_the_waitlist_is_first_come_with_ties_broken_in_order_of_arrival_fields():
    container = IntakeFactory(capacity=0)
    late = holder(container, "submitted", submitted=9)
    tie_created_later = holder(container, "submitted", submitted=5, created=2)
    tie_created_first = holder(container, "submitted", submitted=5, created=1)
    # The same submission and creation: the one saved first comes first.
    exact_tie_1 = holder(container, "submitted", submitted=7, created=7)
    exact_tie_2 = holder(container, "submitted", submitted=7, created=7)
    early = holder(container, "submitted", submitted=1)
    holding = holder(container, "active")

    line = [early, tie_created_first, tie_created_later, exact_tie_1, exact_tie_2, late]
    assert list(SEATS.waitlist(container)) == line
    assert [SEATS.position(h) for h in line] == [1, 2, 3, 4, 5, 6]
    assert SEATS.position(holding) is None
    annotated = SEATS.with_position(Enrolment.objects.filter(intake=container), name="place")
    assert {h.pk: h.place for h in annotated} == {
        **{h.pk: n for n, h in enumerate(line, start=1)},
        holding.pk: None,
    }


def test_next_in_line_leaves_out_the_excluded():
    container = IntakeFactory(capacity=0)
    first, second, third = (holder(container, "submitted", submitted=i) for i in range(3))
    assert list(SEATS.next_in_line(container, 2)) == [first, second]
    assert list(SEATS.next_in_line(container, 2, exclude=[first.pk])) == [second, third]
    assert list(SEATS.next_in_line(container, -1)) == []


def test_counts_for_many_containers_in_one_query(django_assert_num_queries):
    full, roomy = IntakeFactory(capacity=1), IntakeFactory(capacity=4)
    holder(full, "active")
    holder(roomy, "active")
    containers = Intake.objects.filter(pk__in=[full.pk, roomy.pk])

    with django_assert_num_queries(1):
        taken = {c.pk: c.n for c in SEATS.with_taken(containers, name="n")}
    assert taken == {full.pk: 1, roomy.pk: 1}
    with django_assert_num_queries(1):
        assert SEATS.free_places(containers) == {full.pk: 0, roomy.pk: 3}
    assert SEATS.free_places(containers, released={full.pk: 1}) == {full.pk: 1, roomy.pk: 3}


def activate(h):
    h.status = "active"
    h.save()


def test_promote_gives_the_free_places_to_the_first_in_line():
    container = IntakeFactory(capacity=3)
    holder(container, "active")
    third, first, second = (holder(container, "submitted", submitted=m) for m in (3, 1, 2))

    with transaction.atomic():
        locked = SEATS.lock(container.pk)
        promoted = SEATS.promote(locked, accept=activate)

    assert promoted == [first, second]
    statuses = dict(Enrolment.objects.filter(intake=container).values_list("pk", "status"))
    assert [statuses[h.pk] for h in (first, second, third)] == ["active", "active", "submitted"]
    assert SEATS.position(Enrolment.objects.get(pk=third.pk)) == 1


def test_promote_with_no_free_place_moves_nobody():
    container = IntakeFactory(capacity=1)
    holder(container, "active")
    waiting = holder(container, "submitted")
    with transaction.atomic():
        assert SEATS.promote(SEATS.lock(container.pk), accept=activate) == []
    assert SEATS.position(waiting) == 1


def test_promote_refuses_an_accept_that_gives_no_place():
    container = IntakeFactory(capacity=1)
    holder(container, "submitted")
    with pytest.raises(ValueError), transaction.atomic():
        SEATS.promote(SEATS.lock(container.pk), accept=lambda h: None)


def test_frees_and_holds():
    container = IntakeFactory()
    active, waiting = holder(container, "active"), holder(container, "submitted")
    assert SEATS.holds(active) and not SEATS.holds(waiting)
    assert SEATS.frees(active, "withdrawn")
    assert not SEATS.frees(active, "active")
    assert not SEATS.frees(waiting, "withdrawn")


def test_lock_reads_the_row_again():
    container = IntakeFactory(capacity=2)
    Intake.objects.filter(pk=container.pk).update(capacity=7)
    with transaction.atomic():
        assert SEATS.lock(container.pk, select_related=["programme"]).capacity == 7


@pytest.mark.django_db(transaction=True)
def test_the_lock_lets_only_capacity_many_in_at_once():
    """Ten at once for three places, each in its own connection (PostgreSQL)."""
    require_postgresql()
    container = IntakeFactory(capacity=3)
    waiting = [holder(container, "submitted", submitted=i) for i in range(10)]

    def take(h):
        with transaction.atomic():
            locked = SEATS.lock(container.pk)
            if not SEATS.has_room(locked):
                return False
            activate(h)
            return True

    results = at_once([lambda h=h: take(h) for h in waiting])

    assert sorted(results) == [False] * 7 + [True] * 3
    assert SEATS.taken(container) == 3
