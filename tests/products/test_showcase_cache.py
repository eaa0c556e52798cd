"""The showcase's cached count and district choices: fresh after every change a service makes."""

import datetime as dt

import pytest
from django.core.paginator import Paginator
from django.forms import Select
from django.test.html import parse_html
from django.urls import reverse
from django.utils import timezone

from entrepreneurs.models import REGISTRY_DATA, VerificationStatus
from entrepreneurs.services import set_enterprise_status, update_enterprise
from products import views_showcase
from products.models import Product, ProductStatus, UpgradeArea, UpgradeStage
from products.services import catalogue, upgrades
from tests.entrepreneurs.test_enterprises import form_data as enterprise_data
from tests.factories import EnterpriseFactory, ProductFactory, category, subdistrict
from tests.products.test_showcase import MUEANG_LAMPANG, _media, add_photo, published  # noqa: F401
from toolkit.pagination import CachedPagesPaginator
from toolkit.widgets import QuickSelect


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    # These tests read the counts and pages under the whole-page cache
    # (toolkit.public_pages), which tests/toolkit/test_public_pages.py covers.
    settings.PUBLIC_PAGE_SECONDS = 0


def shown_count(client, **params):
    return client.get(reverse("showcase:index"), params).context["page"].paginator.count


def test_count_is_cached_and_publishing_counts_afresh(
    client, owner, django_capture_on_commit_callbacks
):
    enterprise = EnterpriseFactory(owner=owner, status=VerificationStatus.VERIFIED)
    published(enterprise=enterprise)
    assert shown_count(client) == 1
    # Written behind the services' back: the cached count does not see it ...
    published(enterprise=enterprise)
    assert shown_count(client) == 1
    # ... while publishing through the service starts a new count once it commits.
    draft = ProductFactory(enterprise=enterprise, status=ProductStatus.DRAFT)
    add_photo(draft)
    with django_capture_on_commit_callbacks(execute=True):
        catalogue.publish_product(product=draft, by=owner)
    assert shown_count(client) == 3
    with django_capture_on_commit_callbacks(execute=True):
        catalogue.archive_product(product=draft, by=owner)
    assert shown_count(client) == 2


def test_a_rolled_back_change_keeps_the_cached_count(client, owner):
    enterprise = EnterpriseFactory(owner=owner, status=VerificationStatus.VERIFIED)
    product = published(enterprise=enterprise)
    assert shown_count(client) == 1
    published(enterprise=enterprise)
    # No commit (the test's transaction never commits): no new generation.
    catalogue.archive_product(product=product, by=owner)
    assert shown_count(client) == 1


def test_enterprise_leaving_the_showcase_counts_afresh(
    client, officer_2fa, django_capture_on_commit_callbacks
):
    enterprise = EnterpriseFactory(status=VerificationStatus.VERIFIED)
    published(enterprise=enterprise)
    published()
    assert shown_count(client) == 2
    with django_capture_on_commit_callbacks(execute=True):
        set_enterprise_status(
            enterprise=enterprise,
            by=officer_2fa,
            status=VerificationStatus.INACTIVE,
            note="ปิดกิจการ",
        )
    assert shown_count(client) == 1


def test_filtered_counts_are_cached_apart_and_an_upgrade_counts_afresh(
    client, faculty, django_capture_on_commit_callbacks
):
    product = published(category=category("tableware-chicken-bowl"))
    published(category=category("decor-vase"))
    assert shown_count(client) == 2
    assert shown_count(client, category="tableware") == 1
    assert shown_count(client, upgraded="on") == 0
    data = {
        "area": UpgradeArea.DESIGN,
        "stage": UpgradeStage.PLAN,
        "summary": "ลายใหม่",
        "what_changed": "ออกแบบลายใหม่",
        "started_on": dt.date(2026, 4, 1),
    }
    with django_capture_on_commit_callbacks(execute=True):
        upgrades.record_upgrade(product=product, by=faculty, data=data)
    assert shown_count(client, upgraded="on") == 1


def test_district_choices_follow_an_enterprise_moving(
    client, owner, django_capture_on_commit_callbacks
):
    enterprise = EnterpriseFactory(owner=owner, status=VerificationStatus.VERIFIED)
    published(enterprise=enterprise)

    def districts():
        response = client.get(reverse("showcase:index"))
        return [
            code
            for code, _label in response.context["filter"].form.fields["district"].choices
            if code
        ]

    assert districts() == ["5203"]
    city = subdistrict(MUEANG_LAMPANG)
    data = enterprise_data(subdistrict=city.code, postal_code=city.postal_code_list[0])
    data["subdistrict"] = city
    with django_capture_on_commit_callbacks(execute=True):
        update_enterprise(enterprise=enterprise, by=owner, data=data)
    assert districts() == ["5201"]


@pytest.mark.parametrize("value", ["", "b", None, "<&>"])
def test_quick_select_renders_the_html_of_django_select(value):
    choices = [("", "All"), ("a", "Ant & bee"), ("Group", [("b", "<b>"), ("<&>", "ก")])]
    attrs = {"id": "id_x", "class": "form-select", "aria-invalid": "true"}
    quick = QuickSelect(attrs={"class": "form-select"}, choices=choices)
    django = Select(attrs={"class": "form-select"}, choices=choices)
    expected = django.render("x", value, attrs={"id": "id_x", "aria-invalid": "true"})
    assert parse_html(quick.render("x", value, attrs=attrs)) == parse_html(expected)


def shown_ids(client, page):
    return [p.pk for p in client.get(reverse("showcase:index"), {"page": page}).context["page"]]


def test_a_deep_pages_ids_are_cached_until_the_showcase_changes(
    client, owner, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(views_showcase, "PAGE_SIZE", 3)
    monkeypatch.setattr(views_showcase, "DEEP_ROWS", 3)
    enterprise = EnterpriseFactory(owner=owner, status=VerificationStatus.VERIFIED)
    now = timezone.now()
    products = [
        published(enterprise=enterprise, published_at=now - dt.timedelta(hours=n)) for n in range(7)
    ]
    assert shown_ids(client, 1) == [p.pk for p in products[:3]]
    assert shown_ids(client, 2) == [p.pk for p in products[3:6]]
    # Written behind the services' back: the cached ids of page 2 do not see it ...
    published(enterprise=enterprise, published_at=now + dt.timedelta(hours=1))
    assert shown_ids(client, 2) == [p.pk for p in products[3:6]]
    # ... while archiving through the service reads the page afresh once it commits.
    with django_capture_on_commit_callbacks(execute=True):
        catalogue.archive_product(product=products[3], by=owner)
    assert shown_ids(client, 2) == [products[2].pk, products[4].pk, products[5].pk]


def test_cached_pages_match_a_plain_paginators(db):
    enterprise = EnterpriseFactory(status=VerificationStatus.VERIFIED)
    for n in range(8):
        published(enterprise=enterprise, name_th=f"ชาม {n}")
    cards = Product.objects.showcase_cards()
    plain = [[p.pk for p in page] for page in Paginator(cards, 3, orphans=1)]
    cached = CachedPagesPaginator(cards, 3, orphans=1, depends_on=REGISTRY_DATA, deep_rows=3)
    assert [[p.pk for p in cached.page(n)] for n in cached.page_range] == plain
    assert [len(page) for page in plain] == [3, 3, 2]
