"""Deep pages of the officers' lists: ids first, then the page's rows with their counts."""

from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from entrepreneurs.models import Enterprise
from tests.factories import EnterpriseFactory, ProductFactory, subdistrict
from toolkit.pagination import IdsFirstPaginator
from toolkit.thaisort import thai_sorted

URL = reverse("entrepreneurs:enterprise_list")


def test_a_deep_page_lists_its_rows_in_order_with_their_product_counts(officer_client):
    place = subdistrict("520301")
    enterprises = [
        EnterpriseFactory(name_th=f"วิสาหกิจหน้าลึก {n:02d}", subdistrict=place) for n in range(60)
    ]
    for n, enterprise in enumerate(enterprises):
        ProductFactory.create_batch(n % 3, enterprise=enterprise)
    expected = thai_sorted(enterprises, key=lambda e: e.name_th)[50:]
    with CaptureQueriesContext(connection) as queries:
        response = officer_client.get(URL, {"page": 3})
    rows = list(response.context["page_obj"])
    assert [e.pk for e in rows] == [e.pk for e in expected]
    assert [e.product_count for e in rows] == [enterprises.index(e) % 3 for e in expected]
    # The query that steps over the first 50 rows reads ids only: no per-row product count.
    (ids_query,) = [q["sql"] for q in queries.captured_queries if "OFFSET 50" in q["sql"]]
    assert "products_product" not in ids_query


def test_ids_first_pages_match_a_plain_paginators(db):
    for n in range(7):
        EnterpriseFactory(name_th=f"วิสาหกิจ {n}")
    enterprises = Enterprise.objects.order_by("-name_th", "pk")
    plain = [list(page) for page in Paginator(enterprises, 3, orphans=1)]
    ids_first = IdsFirstPaginator(enterprises, 3, orphans=1)
    assert [list(ids_first.page(n)) for n in ids_first.page_range] == plain
    assert [len(page) for page in plain] == [3, 4]
