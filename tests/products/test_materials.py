"""The material library: who keeps it, how a test is judged, who reads it, which products use it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse

from products.exceptions import NotAllowed
from products.models import Material, MaterialKind, MaterialTest
from products.services import materials
from tests.conftest import sign_in
from tests.factories import (
    EnterpriseFactory,
    MaterialFactory,
    MaterialTestFactory,
    ProductFactory,
)
from toolkit.models import AuditEntry


@pytest.fixture
def staff_client(client, staff_2fa):
    sign_in(client, staff_2fa)
    return client


@pytest.fixture
def product(owner):
    return ProductFactory(enterprise=EnterpriseFactory(owner=owner))


@pytest.fixture
def kaolin(db):
    return MaterialFactory(code="CB-LPK", name="ดินขาวลำปาง", kind=MaterialKind.CLAY_BODY)


def result_form(**overrides):
    data = {
        "tested_on": "01/06/2569",
        "method": "ISO 6486-1",
        "firing_temperature": "1230",
        "shrinkage": "11.5",
        "water_absorption": "0.8",
        "firing_range_min": "1200",
        "firing_range_max": "1250",
        "lead_release": "0.150",
        "lead_limit": "2.0",
        "cadmium_release": "0.010",
        "cadmium_limit": "0.5",
        "notes": "",
    }
    data.update(overrides)
    return data


def add_test_url(material):
    return reverse("products:material_test_add", args=[material.pk])


# --- The material records ----------------------------------------------------------------


def test_centre_staff_add_a_material(staff_client, staff_2fa):
    response = staff_client.post(
        reverse("products:material_create"),
        {
            "kind": "glaze",
            "code": " gl-celadon ",
            "name": "เคลือบศิลาดล",
            "supplier": "",
            "description": "",
        },
    )
    material = Material.objects.get()
    assert response.status_code == 302
    assert response["Location"] == material.get_absolute_url()
    assert material.code == "GL-CELADON"
    assert material.created_by == staff_2fa
    assert AuditEntry.objects.filter(actor=staff_2fa, action="material.created").exists()


def test_a_duplicate_code_is_refused_on_the_form(staff_client, kaolin):
    response = staff_client.post(
        reverse("products:material_create"),
        {"kind": "clay_body", "code": "cb-lpk", "name": "อีกชื่อ", "supplier": "", "description": ""},
    )
    assert response.status_code == 200
    assert "code" in response.context["form"].errors
    assert Material.objects.count() == 1


def test_officer_edits_a_material_and_the_change_is_audited(officer_client, officer_2fa, kaolin):
    response = officer_client.post(
        reverse("products:material_update", args=[kaolin.pk]),
        {"kind": "clay_body", "code": "CB-LPK", "name": "ดินขาวลำปาง แจ้ห่ม", "supplier": "แจ้ห่ม"},
    )
    assert response.status_code == 302
    kaolin.refresh_from_db()
    assert kaolin.name == "ดินขาวลำปาง แจ้ห่ม"
    entry = AuditEntry.objects.get(action="material.updated")
    assert entry.actor == officer_2fa
    assert set(entry.data["changed"]) == {"name", "supplier"}


@pytest.mark.parametrize("person", ["owner", "student", "faculty"])
def test_others_may_not_add_or_edit_materials(client, request, person, kaolin):
    sign_in(client, request.getfixturevalue(person))
    assert client.get(reverse("products:material_create")).status_code == 403
    assert client.get(reverse("products:material_update", args=[kaolin.pk])).status_code == 403
    assert client.get(add_test_url(kaolin)).status_code == 403


def test_centre_staff_need_two_factor_to_keep_the_library(client, centre_staff):
    sign_in(client, centre_staff)
    response = client.get(reverse("products:material_create"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_the_service_refuses_people_who_are_not_librarians(faculty, centre_staff):
    data = {"kind": "glaze", "code": "GL-1", "name": "เคลือบ"}
    with pytest.raises(NotAllowed):
        materials.create_material(by=faculty, data=data)
    # Centre staff without two-factor sign-in may not act either.
    with pytest.raises(NotAllowed):
        materials.create_material(by=centre_staff, data=data)


# --- Tests and their verdict --------------------------------------------------------------


def test_centre_staff_record_a_test_that_passes(staff_client, staff_2fa, kaolin):
    response = staff_client.post(add_test_url(kaolin), result_form())
    assert response.status_code == 302
    test = MaterialTest.objects.get()
    assert test.tested_on == dt.date(2026, 6, 1)
    assert test.lead_limit == Decimal("2.000")
    assert test.passed is True
    assert test.recorded_by == staff_2fa
    entry = AuditEntry.objects.get(action="material_test.recorded")
    assert entry.data == {"material": "CB-LPK", "passed": True}


def test_a_release_over_its_limit_fails(staff_2fa, kaolin):
    data = {
        "tested_on": dt.date(2026, 6, 1),
        "lead_release": Decimal("0.1"),
        "lead_limit": Decimal("2"),
        "cadmium_release": Decimal("0.6"),
        "cadmium_limit": Decimal("0.5"),
    }
    test = materials.record_material_test(material=kaolin, by=staff_2fa, data=data)
    assert test.passed is False


def test_no_release_measured_gives_no_verdict(staff_2fa, kaolin):
    test = materials.record_material_test(
        material=kaolin, by=staff_2fa, data={"tested_on": dt.date(2026, 6, 1)}
    )
    assert test.passed is None


def test_the_stored_verdict_does_not_change_when_limits_change(staff_2fa, kaolin, staff_client):
    data = {"tested_on": dt.date(2025, 6, 1), "lead_release": Decimal("1.5")}
    before = materials.record_material_test(
        material=kaolin, by=staff_2fa, data={**data, "lead_limit": Decimal("2.0")}
    )
    # The standard is tightened: the same release measured later fails.
    after = materials.record_material_test(
        material=kaolin,
        by=staff_2fa,
        data={**data, "tested_on": dt.date(2026, 6, 1), "lead_limit": Decimal("1.0")},
    )
    before.refresh_from_db()
    assert before.passed is True
    assert before.lead_limit == Decimal("2.000")
    assert after.passed is False
    page = staff_client.get(kaolin.get_absolute_url()).text
    assert "1.500 / 2.000" in page
    assert "1.500 / 1.000" in page
    # The new test form proposes the limits that applied last.
    form = staff_client.get(add_test_url(kaolin)).context["form"]
    assert form.initial["lead_limit"] == Decimal("1.000")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"firing_range_min": "1260", "firing_range_max": "1200"}, "firing_range_max"),
        ({"lead_limit": ""}, "lead_limit"),
        ({"cadmium_limit": ""}, "cadmium_limit"),
        ({"shrinkage": "-1"}, "shrinkage"),
        ({"water_absorption": "120"}, "water_absorption"),
        ({"lead_release": "-0.1"}, "lead_release"),
        ({"tested_on": "31/02/2569"}, "tested_on"),
    ],
)
def test_bad_test_results_are_refused_on_the_form(staff_client, kaolin, overrides, field):
    response = staff_client.post(add_test_url(kaolin), result_form(**overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not MaterialTest.objects.exists()


def test_the_service_refuses_a_release_without_a_limit_and_a_reversed_range(staff_2fa, kaolin):
    data = {
        "tested_on": dt.date(2026, 6, 1),
        "lead_release": Decimal("0.2"),
        "firing_range_min": 1250,
        "firing_range_max": 1200,
    }
    with pytest.raises(ValidationError) as refused:
        materials.record_material_test(material=kaolin, by=staff_2fa, data=data)
    assert set(refused.value.message_dict) == {"lead_limit", "firing_range_max"}
    assert not MaterialTest.objects.exists()


# --- Reading the library ------------------------------------------------------------------


@pytest.mark.parametrize("person", ["owner", "outsider", "student", "faculty", "staff_2fa"])
def test_everyone_signed_in_reads_the_library(client, request, person, kaolin):
    sign_in(client, request.getfixturevalue(person))
    assert kaolin.code in client.get(reverse("products:material_list")).text
    assert client.get(kaolin.get_absolute_url()).status_code == 200


def test_anonymous_is_sent_to_log_in(client, kaolin):
    for url in (reverse("products:material_list"), kaolin.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_the_list_filters_by_kind_and_searches_code_and_name(staff_client, kaolin):
    MaterialFactory(code="GL-CELADON", name="เคลือบศิลาดล", kind=MaterialKind.GLAZE)
    url = reverse("products:material_list")
    glazes = staff_client.get(url, {"kind": "glaze"}).text
    assert "GL-CELADON" in glazes and "CB-LPK" not in glazes
    by_name = staff_client.get(url, {"q": "ศิลาดล"}).text
    assert "GL-CELADON" in by_name and "CB-LPK" not in by_name
    by_code = staff_client.get(url, {"q": "cb-lp"}).text
    assert "CB-LPK" in by_code and "GL-CELADON" not in by_code


def test_the_list_shows_the_latest_verdict(staff_client, kaolin):
    MaterialTestFactory(material=kaolin, tested_on=dt.date(2025, 1, 1), passed=True)
    MaterialTestFactory(material=kaolin, tested_on=dt.date(2026, 1, 1), passed=False)
    listed = staff_client.get(reverse("products:material_list")).context["page"][0]
    assert listed.latest_passed is False
    assert listed.latest_tested_on == dt.date(2026, 1, 1)
    assert listed.test_count == 2


def test_the_list_query_count_does_not_grow_with_materials(
    staff_client, django_assert_max_num_queries
):
    url = reverse("products:material_list")
    for material in MaterialFactory.create_batch(3):
        MaterialTestFactory(material=material)
    with django_assert_max_num_queries(12) as few:
        staff_client.get(url)
    for material in MaterialFactory.create_batch(30):
        MaterialTestFactory.create_batch(2, material=material, passed=True)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = staff_client.get(url)
    assert len(response.context["page"]) == 25


def test_the_detail_lists_only_products_the_reader_may_see(
    client, owner, outsider, product, kaolin
):
    product.materials.add(kaolin)
    other = ProductFactory(enterprise=EnterpriseFactory(owner=outsider), name_th="แจกันของคนอื่น")
    other.materials.add(kaolin)
    client.force_login(owner)
    page = client.get(kaolin.get_absolute_url()).text
    assert product.name_th in page
    assert "แจกันของคนอื่น" not in page


# --- Which materials a product uses -------------------------------------------------------


def materials_url(product):
    return reverse("products:product_materials", args=[product.pk])


def test_the_owner_chooses_the_materials_of_a_product(client, owner, product, kaolin):
    glaze = MaterialFactory(code="GL-1", kind=MaterialKind.GLAZE)
    client.force_login(owner)
    assert client.get(materials_url(product)).status_code == 200
    response = client.post(materials_url(product), {"materials": [kaolin.pk, glaze.pk]})
    assert response.status_code == 302
    assert set(product.materials.all()) == {kaolin, glaze}
    client.post(materials_url(product), {"materials": [glaze.pk]})
    assert list(product.materials.all()) == [glaze]
    entries = AuditEntry.objects.filter(action="product.materials_changed").order_by("pk")
    assert [e.data for e in entries] == [
        {"added": ["CB-LPK", "GL-1"], "removed": []},
        {"added": [], "removed": ["CB-LPK"]},
    ]


def test_an_officer_chooses_the_materials_too(officer_client, product, kaolin):
    officer_client.post(materials_url(product), {"materials": [kaolin.pk]})
    assert list(product.materials.all()) == [kaolin]


@pytest.mark.parametrize(
    ("person", "status"), [("outsider", 404), ("faculty", 403), ("staff_2fa", 403)]
)
def test_others_may_not_choose_materials(client, request, person, status, product, kaolin):
    sign_in(client, request.getfixturevalue(person))
    assert client.post(materials_url(product), {"materials": [kaolin.pk]}).status_code == status
    assert not product.materials.exists()


def test_the_service_refuses_someone_who_may_not_edit_the_product(faculty, product, kaolin):
    with pytest.raises(NotAllowed):
        materials.link_materials(product=product, by=faculty, materials=[kaolin])


def test_the_product_page_lists_materials_with_their_latest_verdict(client, owner, product, kaolin):
    MaterialTestFactory(material=kaolin, passed=False, tested_on=dt.date(2026, 2, 1))
    product.materials.add(kaolin)
    client.force_login(owner)
    page = client.get(product.get_absolute_url()).text
    assert kaolin.get_absolute_url() in page
    assert "1 ก.พ. 2569" in page
    assert materials_url(product) in page


def test_the_materials_partial_offers_no_choice_to_readers(faculty, product, kaolin):
    product.materials.add(kaolin)
    html = render_to_string("products/_materials_used.html", {"product": product, "user": faculty})
    assert kaolin.code in html
    assert materials_url(product) not in html
