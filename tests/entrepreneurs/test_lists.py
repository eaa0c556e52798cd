"""The officers' enterprise list: who may see it, search, filters, sort, pages, queries."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from entrepreneurs.models import EnterpriseKind, VerificationStatus
from tests.conftest import sign_in
from tests.factories import (
    EnterpriseFactory,
    ProductFactory,
    UpgradeRecordFactory,
    UserFactory,
    subdistrict,
)
from toolkit.pagination import derived_cache
from toolkit.thaisort import thai_sorted

URL = reverse("entrepreneurs:enterprise_list")
MUEANG_LAMPANG = "520101"
CHIANG_MAI = "500101"


def names(response):
    return [enterprise.name_th for enterprise in response.context["page_obj"]]


def make(name_th, name_en="", place="520301", **kwargs):
    return EnterpriseFactory(
        name_th=name_th, name_en=name_en, subdistrict=subdistrict(place), **kwargs
    )


@pytest.fixture
def registry(db):
    """Three enterprises in three districts of two provinces."""
    return {
        "kokha": make(
            "วิสาหกิจชุมชนเครื่องปั้นดินเผาบ้านเกาะคา",
            "Ko Kha Pottery Community Enterprise",
            kind=EnterpriseKind.COMMUNITY_ENTERPRISE,
            status=VerificationStatus.VERIFIED,
        ),
        "rooster": make(
            "บริษัท ชามไก่ลำปาง จำกัด",
            "Lampang Rooster Bowl Co.",
            place=MUEANG_LAMPANG,
            kind=EnterpriseKind.SME,
        ),
        "celadon": make(
            "กลุ่มศิลาดลเชียงใหม่",
            "Chiang Mai Celadon Group",
            place=CHIANG_MAI,
            kind=EnterpriseKind.OTOP_GROUP,
            status=VerificationStatus.INACTIVE,
        ),
    }


# --- Who may see it ---------------------------------------------------------------------


def test_enterprise_list_sends_anonymous_to_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("person", ["owner", "outsider", "student", "faculty", "staff_2fa"])
def test_enterprise_list_is_forbidden_to_other_roles(client, request, person):
    sign_in(client, request.getfixturevalue(person))
    assert client.get(URL).status_code == 403


def test_enterprise_list_requires_two_factor_for_officers(client, officer):
    sign_in(client, officer)
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_enterprise_list_shows_every_enterprise_to_an_officer(officer_client, registry):
    ProductFactory.create_batch(2, enterprise=registry["kokha"])
    response = officer_client.get(URL)
    assert response.status_code == 200
    assert len(names(response)) == 3
    html = response.content.decode()
    assert registry["kokha"].get_absolute_url() in html
    assert "Ko Kha Pottery Community Enterprise" in html
    row = next(e for e in response.context["page_obj"] if e.pk == registry["kokha"].pk)
    assert row.product_count == 2
    assert "เกาะคา" in html  # the district's name
    assert "ลำปาง" in html  # the province's name


def test_enterprise_list_speaks_english(officer_client, officer_2fa, registry):
    officer_2fa.language = "en"
    officer_2fa.save()
    html = officer_client.get(URL).content.decode()
    assert "Enterprises" in html
    assert "Ko Kha" in html  # the district's English name
    assert "Verified" in html


# --- Search ------------------------------------------------------------------------------


def test_search_finds_thai_text_in_the_middle_of_a_word(officer_client, registry):
    response = officer_client.get(URL, {"q": "เกาะคา"})
    assert names(response) == ["วิสาหกิจชุมชนเครื่องปั้นดินเผาบ้านเกาะคา"]


def test_search_ignores_case_in_english(officer_client, registry):
    response = officer_client.get(URL, {"q": "rooster"})
    assert names(response) == ["บริษัท ชามไก่ลำปาง จำกัด"]
    response = officer_client.get(URL, {"q": "  CELADON "})
    assert names(response) == ["กลุ่มศิลาดลเชียงใหม่"]


def test_search_with_no_match_says_so(officer_client, registry):
    response = officer_client.get(URL, {"q": "ไม่มีชื่อนี้"})
    assert names(response) == []
    assert response.status_code == 200


def test_search_too_long_is_an_error_on_the_form_not_a_500(officer_client, registry):
    response = officer_client.get(URL, {"q": "ก" * 101})
    assert response.status_code == 200
    assert response.context["filter"].form.errors["q"]


# --- Filters -----------------------------------------------------------------------------


def test_filter_by_province_and_district(officer_client, registry):
    assert sorted(names(officer_client.get(URL, {"province": "52"}))) == sorted(
        [registry["kokha"].name_th, registry["rooster"].name_th]
    )
    response = officer_client.get(URL, {"province": "52", "district": "5203"})
    assert names(response) == [registry["kokha"].name_th]


def test_district_choices_are_the_chosen_provinces(officer_client, registry):
    form = officer_client.get(URL, {"province": "52"}).context["filter"].form
    codes = {district.code for district in form.fields["district"].queryset}
    assert "5203" in codes
    assert all(code.startswith("52") for code in codes)
    form = officer_client.get(URL).context["filter"].form
    assert not form.fields["district"].queryset.exists()


def test_a_district_alone_implies_its_province(officer_client, registry):
    response = officer_client.get(URL, {"district": "5201"})
    assert names(response) == [registry["rooster"].name_th]
    assert response.context["filter"].form["province"].value() == "52"


def test_a_district_outside_the_province_is_dropped(officer_client, registry):
    response = officer_client.get(URL, {"province": "50", "district": "5203"})
    assert names(response) == [registry["celadon"].name_th]
    assert not response.context["filter"].form.errors


def test_an_unknown_province_is_an_error_on_the_form(officer_client, registry):
    response = officer_client.get(URL, {"province": "99"})
    assert response.status_code == 200
    assert response.context["filter"].form.errors["province"]


def test_province_change_with_htmx_returns_only_the_district_field(officer_client, registry):
    response = officer_client.get(
        URL, {"province": "52"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="district-field"
    )
    html = response.content.decode()
    assert 'id="district-field"' in html
    assert "เกาะคา" in html
    assert "<table" not in html


def test_filter_by_kind_and_verification(officer_client, registry):
    assert names(officer_client.get(URL, {"kind": EnterpriseKind.SME})) == [
        registry["rooster"].name_th
    ]
    assert names(officer_client.get(URL, {"status": VerificationStatus.INACTIVE})) == [
        registry["celadon"].name_th
    ]


def test_filter_by_upgrades(officer_client, registry):
    upgraded = ProductFactory(enterprise=registry["rooster"])
    UpgradeRecordFactory(product=upgraded)
    ProductFactory(enterprise=registry["kokha"])  # a product, but no upgrade
    assert names(officer_client.get(URL, {"upgrades": "yes"})) == [registry["rooster"].name_th]
    assert sorted(names(officer_client.get(URL, {"upgrades": "no"}))) == sorted(
        [registry["kokha"].name_th, registry["celadon"].name_th]
    )


# --- Sort and pages ----------------------------------------------------------------------


def test_sort_by_name_both_ways(officer_client, registry):
    ascending = names(officer_client.get(URL))
    assert ascending == thai_sorted(ascending)
    assert names(officer_client.get(URL, {"sort": "-name"})) == list(reversed(ascending))


def test_sort_by_created_date_and_district(officer_client, registry):
    registry["celadon"].created_at = timezone.now() - dt.timedelta(days=30)
    registry["celadon"].save()
    assert names(officer_client.get(URL, {"sort": "created"}))[0] == registry["celadon"].name_th
    assert names(officer_client.get(URL, {"sort": "-created"}))[-1] == registry["celadon"].name_th
    by_district = names(officer_client.get(URL, {"sort": "district"}))
    # เกาะคา < เมืองเชียงใหม่ < เมืองลำปาง in Thai dictionary order
    assert by_district[0] == registry["kokha"].name_th


def test_an_unknown_sort_falls_back_to_name(officer_client, registry):
    response = officer_client.get(URL, {"sort": "tax_id_hash"})
    assert response.status_code == 200
    assert names(response) == thai_sorted(names(response))


def test_sort_header_reverses_the_current_sort_and_keeps_the_search(officer_client, registry):
    html = officer_client.get(URL, {"q": "ลำปาง", "sort": "name", "page": "1"}).content.decode()
    assert 'aria-sort="ascending"' in html
    assert "?q=%E0%B8%A5%E0%B8%B3%E0%B8%9B%E0%B8%B2%E0%B8%87&amp;sort=-name" in html


def test_ties_are_broken_by_primary_key(officer_client, db):
    twins = [make("วิสาหกิจชุมชนชื่อซ้ำ") for _ in range(30)]
    first = list(officer_client.get(URL).context["page_obj"])
    second = list(officer_client.get(URL, {"page": 2}).context["page_obj"])
    assert [e.pk for e in first + second] == [e.pk for e in twins]


def test_pages_of_25_and_a_page_past_the_end_shows_the_last(officer_client, db):
    for n in range(27):
        make(f"วิสาหกิจ {n:02d}")
    first = officer_client.get(URL)
    assert len(first.context["page_obj"]) == 25
    assert 'rel="next"' in first.content.decode()
    past = officer_client.get(URL, {"page": 99})
    assert past.context["page_obj"].number == 2
    assert names(past) == ["วิสาหกิจ 25", "วิสาหกิจ 26"]


@pytest.mark.parametrize("page", ["abc", "-1", "0", "1.5", ""])
def test_a_bad_page_number_is_not_an_error(officer_client, registry, page):
    response = officer_client.get(URL, {"page": page})
    assert response.status_code == 200


def test_pages_keep_the_filters(officer_client, db):
    for n in range(26):
        make(f"วิสาหกิจเกาะคา {n:02d}")
    html = officer_client.get(URL, {"q": "เกาะคา", "kind": "community_enterprise"}).content
    assert "kind=community_enterprise&amp;page=2" in html.decode()


# --- Queries -----------------------------------------------------------------------------


def fill(count):
    """Enterprises with products and upgrades, so every column and annotation has work."""
    creator = UserFactory()
    for n in range(count):
        enterprise = make(f"วิสาหกิจ {n:03d}", f"Enterprise {n:03d}", created_by=creator)
        product = ProductFactory(enterprise=enterprise)
        if n % 2:
            UpgradeRecordFactory(product=product)


# The page's ids are read before its rows, both they and the count from the cache once warm
# (toolkit.pagination.CachedPagesPaginator).
QUERY_LIMIT = 14
# A count and a page of ids not in the cache yet are read and stored: with the cache in a table
# (as in the tests) its reads and writes are queries too, a fixed number per request.
CACHE_MISS = 19


@pytest.mark.parametrize("query", [{}, {"q": "วิสาหกิจ", "province": "52", "upgrades": "yes"}])
def test_query_count_does_not_grow_with_rows(officer_client, django_assert_max_num_queries, query):
    fill(5)
    with django_assert_max_num_queries(QUERY_LIMIT + CACHE_MISS):
        response = officer_client.get(URL, query)
    assert 0 < len(response.context["page_obj"]) <= 5
    fill(55)
    derived_cache().clear()  # the factories wrote behind the services' back: count afresh
    with django_assert_max_num_queries(QUERY_LIMIT + CACHE_MISS):
        response = officer_client.get(URL, query)
    with django_assert_max_num_queries(QUERY_LIMIT):
        response = officer_client.get(URL, query)
    assert len(response.context["page_obj"]) == 25
