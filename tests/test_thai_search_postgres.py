"""Thai search on PostgreSQL: trigrams need a UTF-8 ctype, and the GIN indexes serve it.

Thai writes no spaces between words, so search is a substring match (LIKE '%...%') that
pg_trgm indexes. Under a "C" ctype show_trgm('เกาะคา') is empty and the index finds
nothing, which SQLite can never show: these tests run on PostgreSQL only. Elsewhere they
are skipped, except in CI (CI set), where a database that is not PostgreSQL fails them.
"""

import os

import pytest
from django.db import connection
from django.urls import reverse

from entrepreneurs.models import Enterprise
from products.models import Product
from tests.factories import EnterpriseFactory, ProductFactory

ON_POSTGRESQL = connection.vendor == "postgresql"
IN_CI = bool(os.environ.get("CI"))

pytestmark = pytest.mark.skipif(
    not ON_POSTGRESQL and not IN_CI,
    reason="Thai trigram search needs PostgreSQL: set DATABASE_URL to run these tests.",
)


@pytest.fixture(autouse=True)
def _postgresql_in_ci():
    if not ON_POSTGRESQL:
        pytest.fail("CI must run the Thai search tests on PostgreSQL; DATABASE_URL is not.")


def sql(query, *params):
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchone()[0]


@pytest.fixture
def enterprises(db):
    def make(name_th, name_en):
        return EnterpriseFactory(name_th=name_th, name_en=name_en)

    return [
        make("วิสาหกิจชุมชนเครื่องปั้นดินเผาบ้านเกาะคา", "Ban Ko Kha Pottery"),
        make("กลุ่มเซรามิกเกาะคาใต้", ""),
        make("Lampang Rooster Bowl Co.", "Lampang Rooster Bowl Co."),
        # Near misses: the first syllable alone, the second alone, the two apart.
        make("วิสาหกิจชุมชนบ้านเกาะ", ""),
        make("คาเฟ่เซรามิกลำปาง", ""),
        make("เกาะ คา ดินเผา", ""),
    ]


def test_database_ctype_gives_thai_trigrams(db):
    ctype = sql("SELECT datctype FROM pg_database WHERE datname = current_database()")
    trigrams = sql("SELECT show_trgm(%s)", "เกาะคา")
    assert trigrams, f"show_trgm('เกาะคา') is empty under ctype {ctype}: use a UTF-8 locale"


@pytest.mark.parametrize(
    ("model", "index"),
    [(Enterprise, "enterprise_search_trgm"), (Product, "product_search_trgm")],
)
def test_search_can_use_the_trigram_index(db, model, index):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = model.objects.search("เกาะคา").order_by().explain()
    assert index in plan, plan


def test_list_page_finds_thai_in_the_middle_of_a_word(officer_client, enterprises):
    response = officer_client.get(reverse("entrepreneurs:enterprise_list"), {"q": "เกาะคา"})
    found = {enterprise.name_th for enterprise in response.context["page_obj"]}
    assert found == {"วิสาหกิจชุมชนเครื่องปั้นดินเผาบ้านเกาะคา", "กลุ่มเซรามิกเกาะคาใต้"}


def test_list_page_search_ignores_case_in_english(officer_client, enterprises):
    response = officer_client.get(reverse("entrepreneurs:enterprise_list"), {"q": "rooster"})
    assert [e.name_th for e in response.context["page_obj"]] == ["Lampang Rooster Bowl Co."]


def test_product_list_finds_thai_in_the_middle_of_a_word(officer_client, enterprises):
    ProductFactory(enterprise=enterprises[0], name_th="ชามตราไก่เกาะคา", name_en="Ko Kha bowl")
    ProductFactory(enterprise=enterprises[0], name_th="แจกันเกาะ", name_en="Island vase")
    ProductFactory(enterprise=enterprises[0], name_th="ถ้วยดินเผา", name_en="Rooster CUP")
    url = reverse("products:product_list")
    response = officer_client.get(url, {"q": "เกาะคา"})
    assert [p.name_th for p in response.context["page_obj"]] == ["ชามตราไก่เกาะคา"]
    response = officer_client.get(url, {"q": "rooster cup"})
    assert [p.name_th for p in response.context["page_obj"]] == ["ถ้วยดินเผา"]
