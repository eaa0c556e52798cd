"""The product list: who may see it, search, filters, sort, pages, covers and queries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from entrepreneurs.models import EnterpriseKind
from products.models import ProductImage, ProductStatus, UpgradeArea
from tests.conftest import sign_in
from tests.factories import (
    EnterpriseFactory,
    ProductFactory,
    UpgradeRecordFactory,
    category,
    subdistrict,
)
from toolkit.pagination import derived_cache
from toolkit.thaisort import thai_sorted

URL = reverse("products:product_list")


def names(response):
    return [product.name_th for product in response.context["page_obj"]]


def add_photo(product, position=0):
    # Width and height given, so loading the row never opens the file.
    return ProductImage.objects.create(
        product=product,
        image=f"products/{product.pk}-{position}.jpg",
        thumbnail=f"products/thumbs/{product.pk}-{position}.jpg",
        width=800,
        height=600,
        position=position,
    )


@pytest.fixture
def catalogue(db):
    kokha = EnterpriseFactory(name_th="วิสาหกิจชุมชนเครื่องปั้นดินเผาบ้านเกาะคา")
    mueang = EnterpriseFactory(
        name_th="บริษัท ชามไก่ลำปาง จำกัด",
        kind=EnterpriseKind.SME,
        subdistrict=subdistrict("520101"),
    )
    chiang_mai = EnterpriseFactory(
        name_th="กลุ่มศิลาดลเชียงใหม่",
        kind=EnterpriseKind.OTOP_GROUP,
        subdistrict=subdistrict("500101"),
    )
    return {
        "bowl": ProductFactory(
            enterprise=mueang,
            name_th="ชามตราไก่ลายครามเกาะคา",
            name_en="Rooster Bowl, blue and white",
            category=category("tableware-chicken-bowl"),
            unit_price=Decimal("150.00"),
            otop_stars=5,
            status=ProductStatus.PUBLISHED,
        ),
        "vase": ProductFactory(
            enterprise=kokha,
            name_th="แจกันดินเผาลายช้าง",
            name_en="Elephant terracotta vase",
            category=category("decor-vase"),
            unit_price=Decimal("450.00"),
            otop_stars=3,
        ),
        "plate": ProductFactory(
            enterprise=chiang_mai,
            name_th="จานศิลาดล",
            name_en="Celadon plate",
            category=category("tableware-porcelain"),
            unit_price=None,
            otop_stars=None,
            status=ProductStatus.ARCHIVED,
        ),
    }


# --- Who may see it ---------------------------------------------------------------------


def test_product_list_sends_anonymous_to_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("person", ["owner", "outsider", "student"])
def test_product_list_is_forbidden_to_entrepreneurs_and_students(client, request, person):
    sign_in(client, request.getfixturevalue(person))
    assert client.get(URL).status_code == 403


def test_product_list_requires_two_factor_for_officers(client, officer):
    sign_in(client, officer)
    assert client.get(URL)["Location"] == reverse("mfa_activate_totp")


@pytest.mark.parametrize("person", ["officer_2fa", "faculty", "staff_2fa"])
def test_product_list_shows_every_product_to_staff(client, request, person, catalogue):
    sign_in(client, request.getfixturevalue(person))
    response = client.get(URL)
    assert response.status_code == 200
    assert len(names(response)) == 3
    html = response.content.decode()
    assert catalogue["bowl"].get_absolute_url() in html
    assert "บริษัท ชามไก่ลำปาง จำกัด" in html
    assert "เมืองลำปาง" in html
    assert "150.00" in html


def test_rows_show_the_first_photo_as_thumbnail(officer_client, catalogue):
    add_photo(catalogue["vase"], position=1)
    first = add_photo(catalogue["vase"], position=0)
    html = officer_client.get(URL).content.decode()
    assert first.thumbnail.url in html
    assert f"products/thumbs/{catalogue['vase'].pk}-1.jpg" not in html


def test_product_list_speaks_english(officer_client, officer_2fa, catalogue):
    officer_2fa.language = "en"
    officer_2fa.save()
    html = officer_client.get(URL).content.decode()
    assert "Rooster bowls" in html  # the category's English name
    assert "Mueang Lampang" in html
    assert "Published" in html


# --- Search ------------------------------------------------------------------------------


def test_search_finds_thai_text_in_the_middle_of_a_word(officer_client, catalogue):
    assert names(officer_client.get(URL, {"q": "เกาะคา"})) == ["ชามตราไก่ลายครามเกาะคา"]
    assert names(officer_client.get(URL, {"q": "ดินเผา"})) == ["แจกันดินเผาลายช้าง"]


def test_search_ignores_case_in_english(officer_client, catalogue):
    assert names(officer_client.get(URL, {"q": "rooster"})) == ["ชามตราไก่ลายครามเกาะคา"]
    assert names(officer_client.get(URL, {"q": "CELADON"})) == ["จานศิลาดล"]


# --- Filters -----------------------------------------------------------------------------


def test_filter_by_province_district_and_kind(officer_client, catalogue):
    assert sorted(names(officer_client.get(URL, {"province": "52"}))) == sorted(
        [catalogue["bowl"].name_th, catalogue["vase"].name_th]
    )
    assert names(officer_client.get(URL, {"district": "5203"})) == [catalogue["vase"].name_th]
    assert names(officer_client.get(URL, {"kind": EnterpriseKind.OTOP_GROUP})) == [
        catalogue["plate"].name_th
    ]


def test_province_change_with_htmx_returns_only_the_district_field(officer_client, catalogue):
    page = officer_client.get(URL).content.decode()
    assert f'hx-get="{URL}"' in page
    response = officer_client.get(
        URL, {"province": "50"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="district-field"
    )
    html = response.content.decode()
    assert 'id="district-field"' in html
    assert "เมืองเชียงใหม่" in html
    assert "เกาะคา" not in html
    assert "<table" not in html


def test_choosing_a_category_group_includes_its_types(officer_client, catalogue):
    tableware = category("tableware")
    response = officer_client.get(URL, {"category": tableware.pk})
    assert sorted(names(response)) == sorted(
        [catalogue["bowl"].name_th, catalogue["plate"].name_th]
    )
    vase = category("decor-vase")
    assert names(officer_client.get(URL, {"category": vase.pk})) == [catalogue["vase"].name_th]


def test_category_choices_list_each_group_before_its_types(officer_client, catalogue):
    form = officer_client.get(URL).context["filter"].form
    labels = [label for _value, label in form.fields["category"].choices]
    group = labels.index(category("tableware").name)
    assert labels[group + 1].startswith("— ")


def test_filter_by_status_and_stars(officer_client, catalogue):
    assert names(officer_client.get(URL, {"status": ProductStatus.ARCHIVED})) == [
        catalogue["plate"].name_th
    ]
    assert names(officer_client.get(URL, {"stars": 4})) == [catalogue["bowl"].name_th]
    assert len(names(officer_client.get(URL, {"stars": 3}))) == 2


def test_filter_by_upgrades_and_area(officer_client, catalogue):
    UpgradeRecordFactory(product=catalogue["vase"], area=UpgradeArea.DESIGN)
    UpgradeRecordFactory(product=catalogue["bowl"], area=UpgradeArea.STANDARDS)
    assert sorted(names(officer_client.get(URL, {"upgrades": "yes"}))) == sorted(
        [catalogue["vase"].name_th, catalogue["bowl"].name_th]
    )
    assert names(officer_client.get(URL, {"upgrades": "no"})) == [catalogue["plate"].name_th]
    assert names(officer_client.get(URL, {"area": UpgradeArea.STANDARDS})) == [
        catalogue["bowl"].name_th
    ]


@pytest.mark.parametrize(
    "query", [{"stars": "9"}, {"category": "999999"}, {"status": "sold"}, {"area": "x"}]
)
def test_bad_filter_values_are_errors_on_the_form(officer_client, catalogue, query):
    response = officer_client.get(URL, query)
    assert response.status_code == 200
    assert response.context["filter"].form.errors


# --- Sort and pages ----------------------------------------------------------------------


def test_sort_by_price_puts_products_without_a_price_last(officer_client, catalogue):
    assert names(officer_client.get(URL, {"sort": "price"})) == [
        catalogue["bowl"].name_th,
        catalogue["vase"].name_th,
        catalogue["plate"].name_th,
    ]
    assert names(officer_client.get(URL, {"sort": "-price"})) == [
        catalogue["vase"].name_th,
        catalogue["bowl"].name_th,
        catalogue["plate"].name_th,
    ]


def test_sort_by_stars_puts_unrated_products_last(officer_client, catalogue):
    assert names(officer_client.get(URL, {"sort": "-stars"}))[0] == catalogue["bowl"].name_th
    assert names(officer_client.get(URL, {"sort": "-stars"}))[-1] == catalogue["plate"].name_th
    assert names(officer_client.get(URL, {"sort": "stars"}))[-1] == catalogue["plate"].name_th


def test_sort_by_name_and_created(officer_client, catalogue):
    catalogue["plate"].created_at = timezone.now() - dt.timedelta(days=400)
    catalogue["plate"].save()
    by_name = names(officer_client.get(URL, {"sort": "name"}))
    assert by_name == thai_sorted(by_name)
    assert names(officer_client.get(URL, {"sort": "-name"})) == list(reversed(by_name))
    assert names(officer_client.get(URL, {"sort": "created"}))[0] == catalogue["plate"].name_th
    assert names(officer_client.get(URL, {"sort": "-created"}))[-1] == catalogue["plate"].name_th


def test_a_page_past_the_end_shows_the_last_page(officer_client, db):
    enterprise = EnterpriseFactory()
    for n in range(26):
        ProductFactory(enterprise=enterprise, name_th=f"ชาม {n:02d}")
    assert len(officer_client.get(URL).context["page_obj"]) == 25
    assert names(officer_client.get(URL, {"page": 1000})) == ["ชาม 25"]
    assert officer_client.get(URL, {"page": "สอง"}).status_code == 200


# --- Queries -----------------------------------------------------------------------------


def fill(count):
    """Products with two photos each and some upgrade records, in two enterprises."""
    enterprises = [EnterpriseFactory(), EnterpriseFactory(subdistrict=subdistrict("520101"))]
    for n in range(count):
        product = ProductFactory(enterprise=enterprises[n % 2], otop_stars=1 + n % 5)
        add_photo(product, 0)
        add_photo(product, 1)
        if n % 3 == 0:
            UpgradeRecordFactory(product=product)


# The page's ids are read before its rows, both they and the count from the cache once warm
# (toolkit.pagination.CachedPagesPaginator).
QUERY_LIMIT = 16
# A count and a page of ids not in the cache yet are read and stored: with the cache in a table
# (as in the tests) its reads and writes are queries too, a fixed number per request.
CACHE_MISS = 19


@pytest.mark.parametrize(
    "query",
    [{}, {"q": "ชาม", "province": "52", "category": "tableware", "sort": "-price", "stars": "1"}],
)
def test_query_count_does_not_grow_with_rows(officer_client, django_assert_max_num_queries, query):
    if "category" in query:
        query = {**query, "category": category(query["category"]).pk}
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
