"""The address chooser: htmx option fragments, the form's checks, and the data credit."""

import pytest
from django.urls import reverse
from django.utils import translation

from entrepreneurs.forms import REFRESH_ADDRESS, EnterpriseForm
from tests.factories import EnterpriseFactory

KO_KHA_DISTRICT = "5203"
LAMPANG_LUANG = "520301"  # a subdistrict of Ko Kha, postal code 52130
# A Bangkok subdistrict served by two post offices.
TWO_POSTAL_CODES = "100203"


@pytest.fixture(autouse=True)
def _english():
    """Form messages are asserted in English; requests still choose their own language."""
    with translation.override("en"):
        yield


def address(**overrides):
    data = {
        "kind": "community_enterprise",
        "name_th": "วิสาหกิจชุมชนบ้านทุ่งเกวียน",
        "address_line": "99 หมู่ 5",
        "province": "52",
        "district": KO_KHA_DISTRICT,
        "subdistrict": LAMPANG_LUANG,
        "postal_code": "52130",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- Fragments ---------------------------------------------------------------------------


def test_districts_lists_a_provinces_districts_for_anyone(client, db):
    response = client.get(reverse("entrepreneurs:districts"), {"province": "52"})
    assert response.status_code == 200
    assert '<option value="5203">เกาะคา</option>' in response.text
    assert 'value="5001"' not in response.text  # Chiang Mai's Mueang district
    assert response.text.count("<option") == 13 + 1  # Lampang's districts and the prompt


def test_districts_follow_the_readers_language(client, db):
    client.cookies["django_language"] = "en"
    response = client.get(reverse("entrepreneurs:districts"), {"province": "52"})
    assert '<option value="5203">Ko Kha</option>' in response.text


def test_districts_tell_the_next_list_to_reload_and_may_be_cached(client, db):
    response = client.get(reverse("entrepreneurs:districts"), {"province": "52"})
    assert response["HX-Trigger-After-Swap"] == '{"districts-loaded": {}}'
    assert "public" in response["Cache-Control"]
    assert "max-age=86400" in response["Cache-Control"]


@pytest.mark.parametrize("province", ["", "99", "5'--"])
def test_districts_of_no_or_an_unknown_province_is_only_the_prompt(client, db, province):
    response = client.get(reverse("entrepreneurs:districts"), {"province": province})
    assert response.status_code == 200
    assert response.text.count("<option") == 1
    assert '<option value="">' in response.text


def test_subdistricts_lists_a_districts_subdistricts(client, db):
    response = client.get(reverse("entrepreneurs:subdistricts"), {"district": KO_KHA_DISTRICT})
    assert f'<option value="{LAMPANG_LUANG}">ลำปางหลวง</option>' in response.text
    assert response["HX-Trigger-After-Swap"] == '{"subdistricts-loaded": {}}'


def test_postal_codes_preselect_a_subdistricts_only_code(client, db):
    response = client.get(reverse("entrepreneurs:postal_codes"), {"subdistrict": LAMPANG_LUANG})
    assert '<option value="52130" selected>52130</option>' in response.text


def test_postal_codes_offer_each_code_of_a_subdistrict_with_several(client, db):
    response = client.get(reverse("entrepreneurs:postal_codes"), {"subdistrict": TWO_POSTAL_CODES})
    assert '<option value="10300">10300</option>' in response.text
    assert '<option value="10303">10303</option>' in response.text
    assert "selected" not in response.text


def test_fragments_take_one_select(client, db, django_assert_max_num_queries):
    # Besides the SELECT, only the request's savepoint (ATOMIC_REQUESTS) and its release.
    with django_assert_max_num_queries(3) as queries:
        client.get(reverse("entrepreneurs:subdistricts"), {"district": KO_KHA_DISTRICT})
    selects = [q for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    assert len(selects) == 1


def test_fragments_refuse_post(client, db):
    assert client.post(reverse("entrepreneurs:districts"), {"province": "52"}).status_code == 405


# --- The form ------------------------------------------------------------------------------


def test_a_consistent_address_is_accepted(db):
    form = EnterpriseForm(address())
    assert form.is_valid(), form.errors
    assert form.cleaned_data["subdistrict"].code == LAMPANG_LUANG


def test_a_district_of_another_province_is_refused(db):
    form = EnterpriseForm(address(province="50"))  # Chiang Mai
    assert not form.is_valid()
    assert form.errors["district"] == [
        "This district is not in the province you chose. Choose the district again."
    ]


def test_a_subdistrict_of_another_district_is_refused(db):
    form = EnterpriseForm(address(subdistrict="520101"))  # in Mueang Lampang
    assert not form.is_valid()
    assert "This subdistrict is not in the district you chose" in form.errors["subdistrict"][0]


def test_a_postal_code_of_another_subdistrict_is_refused(db):
    form = EnterpriseForm(address(postal_code="50000"))
    assert not form.is_valid()
    assert form.errors["postal_code"] == [
        "50000 is not a postal code of Lampang Luang; it has 52130."
    ]


def test_the_only_postal_code_is_filled_in_when_none_is_chosen(db):
    form = EnterpriseForm(address(postal_code=""))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["postal_code"] == "52130"


def test_one_of_several_postal_codes_must_be_chosen(db):
    form = EnterpriseForm(
        address(province="10", district="1002", subdistrict=TWO_POSTAL_CODES, postal_code="")
    )
    assert not form.is_valid()
    assert form.errors["postal_code"] == ["Choose the postal code."]


def test_lists_hold_only_the_children_of_the_chosen_parent(db):
    form = EnterpriseForm(address())
    district_codes = {d.pk for d in form.fields["district"].queryset}
    assert KO_KHA_DISTRICT in district_codes
    assert all(code.startswith("52") for code in district_codes)
    assert all(s.pk.startswith("5203") for s in form.fields["subdistrict"].queryset)


def test_an_empty_form_asks_for_the_province_first(db):
    form = EnterpriseForm()
    assert not form.fields["district"].queryset.exists()
    assert "Choose the province first" in str(form["district"])


def test_select_lists_load_the_next_list_with_htmx(db):
    html = str(EnterpriseForm()["province"])
    assert f'hx-get="{reverse("entrepreneurs:districts")}"' in html
    assert 'hx-target="#id_district"' in html
    district = str(EnterpriseForm()["district"])
    assert 'hx-trigger="change, districts-loaded from:body"' in district


def test_an_existing_enterprise_shows_its_saved_lists(db):
    enterprise = EnterpriseFactory()
    form = EnterpriseForm(instance=enterprise)
    html = str(form["subdistrict"])
    assert f'<option value="{LAMPANG_LUANG}" selected>' in html
    assert '<option value="52130" selected>' in str(form["postal_code"])


def test_without_javascript_the_refresh_button_shows_the_next_list(client, owner):
    client.force_login(owner)
    response = client.post(
        reverse("entrepreneurs:enterprise_create"),
        {"name_th": "ร้านปั้นดี", "province": "52", REFRESH_ADDRESS: "1"},
    )
    assert response.status_code == 200
    assert '<option value="5203">เกาะคา</option>' in response.text
    # Re-drawn to continue, not judged: no errors yet, nothing saved.
    assert "is-invalid" not in response.text
    assert 'value="ร้านปั้นดี"' in response.text


# --- The data credit ---------------------------------------------------------------------


def test_data_credits_page_is_public_and_credits_geothai(client, db):
    client.cookies["django_language"] = "en"
    response = client.get(reverse("entrepreneurs:data_credits"))
    assert response.status_code == 200
    assert "GeoThai/data by Pongsakorn Thipayanate, CC BY 4.0" in response.text
    assert "https://creativecommons.org/licenses/by/4.0/" in response.text
    assert "https://github.com/GeoThai/data" in response.text
    assert reverse("entrepreneurs:data_credits") == "/enterprises/data-credits/"
