"""The programme dashboard: who may see it, its numbers on a small programme, its queries."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from entrepreneurs.models import VerificationStatus
from products.models import UpgradeArea
from programmes.models import Enrolment, EnrolmentStatus
from tests.conftest import sign_in
from tests.factories import (
    EnterpriseFactory,
    IntakeFactory,
    ProductFactory,
    ProgrammeFactory,
    UpgradeRecordFactory,
    subdistrict,
)

S = EnrolmentStatus
MUEANG_LAMPANG = "520101"


def url(programme):
    return reverse("programmes:dashboard", args=[programme.pk])


def apply(intake, status, place="520301", products=1):
    enterprise = EnterpriseFactory(
        subdistrict=subdistrict(place), status=VerificationStatus.VERIFIED
    )
    enrolment = Enrolment.objects.create(
        intake=intake, enterprise=enterprise, status=status, submitted_at=timezone.now()
    )
    enrolment.products.set([ProductFactory(enterprise=enterprise) for _n in range(products)])
    return enrolment


@pytest.fixture
def programme(db):
    return ProgrammeFactory(target_enterprises=4, target_design=5, target_standards=2)


@pytest.fixture
def numbers(programme):
    """Two intakes; five applications; upgrades before, during and outside the programme."""
    first = IntakeFactory(programme=programme, capacity=3, name_en="Cohort A")
    second = IntakeFactory(programme=programme, capacity=2, name_en="Cohort B")
    opened = timezone.localdate(first.opens_at)
    accepted = apply(first, S.ACCEPTED, products=2)
    active = apply(first, S.ACTIVE, place=MUEANG_LAMPANG)
    apply(first, S.SUBMITTED)
    completed = apply(second, S.COMPLETED)
    rejected = apply(second, S.REJECTED)
    one, two = accepted.products.all()
    # Counted: two design records of one product count once; a standards record.
    UpgradeRecordFactory(product=one, area=UpgradeArea.DESIGN, started_on=opened)
    UpgradeRecordFactory(product=one, area=UpgradeArea.DESIGN, started_on=opened + dt.timedelta(1))
    UpgradeRecordFactory(product=two, area=UpgradeArea.DESIGN, started_on=opened)
    UpgradeRecordFactory(
        product=active.products.get(), area=UpgradeArea.STANDARDS, started_on=opened
    )
    UpgradeRecordFactory(
        product=completed.products.get(), area=UpgradeArea.INNOVATION, started_on=opened
    )
    # Not counted: before the intake opened, a rejected application, a product not chosen.
    UpgradeRecordFactory(
        product=one, area=UpgradeArea.USABILITY, started_on=opened - dt.timedelta(1)
    )
    UpgradeRecordFactory(
        product=rejected.products.get(), area=UpgradeArea.DESIGN, started_on=opened
    )
    UpgradeRecordFactory(
        product=ProductFactory(enterprise=accepted.enterprise),
        area=UpgradeArea.DESIGN,
        started_on=opened,
    )
    # Another programme's application does not count.
    apply(IntakeFactory(), S.ACCEPTED)
    return {"first": first, "second": second}


def test_dashboard_works_for_officers(officer_client, programme):
    response = officer_client.get(url(programme))
    assert response.status_code == 200
    page = response.content.decode()
    assert "vendor/chartjs/chart.umd.min.js" in page
    assert 'id="chart-states" type="application/json"' in page


def test_dashboard_sends_anonymous_to_login(client, programme):
    response = client.get(url(programme))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("person", ["owner", "faculty", "student", "staff_2fa"])
def test_dashboard_is_forbidden_to_other_roles(client, request, person, programme):
    sign_in(client, request.getfixturevalue(person))
    assert client.get(url(programme)).status_code == 403


def test_dashboard_requires_two_factor_for_officers(client, officer, programme):
    sign_in(client, officer)
    assert client.get(url(programme))["Location"] == reverse("mfa_activate_totp")


def test_dashboard_404_for_unknown_programme(officer_client, db):
    assert officer_client.get(reverse("programmes:dashboard", args=[99999])).status_code == 404


def test_dashboard_numbers(officer_client, programme, numbers):
    response = officer_client.get(url(programme))
    context = response.context
    with translation.override("en"):
        states = {str(label): n for label, n in context["states"]}
    assert states["Accepted"] == 1
    assert states["Active"] == 1
    assert states["Completed"] == 1
    assert states["Submitted"] == 1
    assert states["Rejected"] == 1
    assert states["Waitlisted"] == 0
    assert context["total_applications"] == 5
    assert [(i.pk, i.places_taken_count, i.capacity) for i in context["intakes"]] == [
        (numbers["first"].pk, 2, 3),
        (numbers["second"].pk, 1, 2),
    ]
    districts = dict(context["districts"])
    assert sorted(districts.values()) == [1, 2]
    assert context["enrolled"] == 3
    assert context["enrolled_percent"] == 75
    with translation.override("en"):
        areas = {str(label): (done, target) for label, done, target, _pct in context["areas"]}
    assert areas == {
        "Design": (2, 5),
        "Standards": (1, 2),
        "Usability": (0, 0),
        "Innovation": (1, 0),
    }
    assert context["charts"]["upgrades"]["datasets"][0]["data"] == [2, 1, 0, 1]
    assert context["charts"]["places"]["datasets"][1]["data"] == [3, 2]


@pytest.mark.parametrize("count", [2, 20])
def test_dashboard_queries_do_not_grow(
    officer_client, programme, count, django_assert_max_num_queries
):
    intake = IntakeFactory(programme=programme, capacity=count)
    for n in range(count):
        enrolment = apply(
            intake, [S.ACCEPTED, S.SUBMITTED][n % 2], place=["520301", MUEANG_LAMPANG][n % 2]
        )
        UpgradeRecordFactory(product=enrolment.products.get(), started_on=timezone.localdate())
    # The first request computes the figures and caches them (the cache is a table here).
    with django_assert_max_num_queries(31):
        assert officer_client.get(url(programme)).status_code == 200
    with django_assert_max_num_queries(10):
        assert officer_client.get(url(programme)).status_code == 200


def test_cached_figures_follow_a_decision(
    officer_client, programme, officer_2fa, django_capture_on_commit_callbacks
):
    """The figures are cached, but a decision made through the service shows at once."""
    from programmes.services import decide_enrolment

    intake = IntakeFactory(programme=programme, capacity=3)
    waiting = apply(intake, S.SUBMITTED)
    apply(intake, S.ACCEPTED)

    def accepted_count():
        response = officer_client.get(url(programme))
        with translation.override(response.wsgi_request.LANGUAGE_CODE):
            return dict(response.context["states"])[str(S.ACCEPTED.label)]

    with translation.override("en"):
        assert accepted_count() == 1
        assert accepted_count() == 1  # from the cache
        with django_capture_on_commit_callbacks(execute=True):
            decide_enrolment(enrolment=waiting, by=officer_2fa, decision=S.ACCEPTED)
        assert accepted_count() == 2


def test_districts_past_the_top_are_one_row(officer_client, programme, monkeypatch):
    from programmes import views_dashboard

    monkeypatch.setattr(views_dashboard, "TOP_DISTRICTS", 1)
    intake = IntakeFactory(programme=programme, capacity=5)
    for place in ("520301", "520301", MUEANG_LAMPANG):
        apply(intake, S.ACCEPTED, place=place)
    response = officer_client.get(url(programme))
    context = response.context
    assert [n for _name, n in context["districts"]] == [2, 1]
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        assert context["districts"][1][0] == ngettext(
            "%(count)s other district", "%(count)s other districts", 1
        ) % {"count": 1}
    assert context["enrolled"] == 3
