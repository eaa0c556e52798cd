"""Whole public pages cached for anonymous visitors (toolkit.public_pages)."""

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from entrepreneurs.models import VerificationStatus
from products.models import ProductStatus
from products.services import catalogue
from tests.conftest import sign_in
from tests.factories import EnterpriseFactory, ProductFactory
from tests.products.test_showcase import add_photo, published
from toolkit.public_pages import CSRF_PLACEHOLDER

SHOWCASE = "/showcase/"


def token_of(response):
    return re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', response.content)[1].decode()


@pytest.fixture
def showcase(db):
    product = published(name_th="แจกันไก่ขาว")
    add_photo(product)
    return product


def test_second_visit_is_served_from_the_cache(client, showcase, django_assert_max_num_queries):
    first = client.get(reverse("showcase:index"))
    assert first.status_code == 200
    # The page's queries are gone: what is left reads the data's generation and the page
    # from the cache (a database table in the tests), inside ATOMIC_REQUESTS' savepoint.
    with django_assert_max_num_queries(4):
        second = Client().get(reverse("showcase:index"))
    assert second.status_code == 200
    assert "แจกันไก่ขาว" in second.content.decode()
    assert CSRF_PLACEHOLDER.encode() not in second.content


def test_each_visitor_gets_a_token_of_their_own_that_works(showcase):
    anna, ben = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    pages = [anna.get(reverse("showcase:index")), ben.get(reverse("showcase:index"))]
    tokens = [token_of(page) for page in pages]
    assert CSRF_PLACEHOLDER not in tokens[0] + tokens[1]
    # Each token belongs to its visitor's cookie: the language switch is accepted ...
    for client, token in ((anna, tokens[0]), (ben, tokens[1])):
        response = client.post(
            reverse("set_language"),
            {"language": "en", "next": SHOWCASE, "csrfmiddlewaretoken": token},
        )
        assert response.status_code == 302
    # ... and another visitor's token is not.
    carl = Client(enforce_csrf_checks=True)
    carl.get(reverse("showcase:index"))
    refused = carl.post(
        reverse("set_language"),
        {"language": "en", "next": SHOWCASE, "csrfmiddlewaretoken": "x" * 64},
    )
    assert refused.status_code == 403


def test_publishing_through_a_service_shows_at_once(
    client, showcase, owner, django_capture_on_commit_callbacks
):
    enterprise = EnterpriseFactory(owner=owner, status=VerificationStatus.VERIFIED)
    draft = ProductFactory(enterprise=enterprise, status=ProductStatus.DRAFT, name_th="โถน้ำเคลือบ")
    add_photo(draft)
    assert "โถน้ำเคลือบ" not in client.get(SHOWCASE).content.decode()
    # Written behind the services' back, it waits for the cache to expire ...
    published(name_th="จานลายคราม")
    assert "จานลายคราม" not in client.get(SHOWCASE).content.decode()
    # ... while a change through a service is seen by the next request.
    with django_capture_on_commit_callbacks(execute=True):
        catalogue.publish_product(product=draft, by=owner)
    page = client.get(SHOWCASE).content.decode()
    assert "โถน้ำเคลือบ" in page and "จานลายคราม" in page


def test_product_page_follows_its_photos(
    client, showcase, owner, django_capture_on_commit_callbacks
):
    url = reverse("showcase:product", args=[showcase.pk])
    before = client.get(url).content.decode()
    assert before.count("<img") >= 1
    with django_capture_on_commit_callbacks(execute=True):
        catalogue.remove_photo(photo=add_photo(showcase), by=_owner_of(showcase, owner))
    with django_capture_on_commit_callbacks(execute=True):
        catalogue.add_photos(product=showcase, by=_owner_of(showcase, owner), uploads=[_upload()])
    assert client.get(url).content.decode().count("<img") > before.count("<img")


def _owner_of(product, owner):
    from entrepreneurs.models import Member, MemberRole

    Member.objects.get_or_create(
        enterprise=product.enterprise, user=owner, defaults={"role": MemberRole.PRESIDENT}
    )
    return owner


def _upload():
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (80, 60), (10, 120, 200)).save(out, format="PNG")
    return SimpleUploadedFile("new.png", out.getvalue(), content_type="image/png")


def test_languages_are_cached_apart(client, showcase, settings):
    thai = client.get(SHOWCASE).content.decode()
    visitor = Client()
    visitor.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = visitor.get(SHOWCASE).content.decode()
    assert '<html lang="th">' in thai
    assert '<html lang="en">' in english


def test_signed_in_people_never_get_the_visitors_page(client, showcase, owner):
    Client().get(SHOWCASE)  # cached for visitors
    sign_in(client, owner)
    page = client.get(SHOWCASE).content.decode()
    assert reverse("account_logout") in page
    assert "Log in" not in page and "เข้าสู่ระบบ" not in page.split("<main", 1)[0]


def test_a_visitors_message_is_shown_to_them_only(client, showcase, owner):
    Client().get(SHOWCASE)  # cached for visitors
    sign_in(client, owner)
    client.post(reverse("account_logout"))  # leaves "You have signed out." for this visitor
    mine = client.get(SHOWCASE)
    assert mine.context is not None  # rendered for this visitor, not from the cache
    (message,) = [str(m) for m in mine.context["messages"]]
    assert message in mine.content.decode()
    assert message not in Client().get(SHOWCASE).content.decode()


def test_turned_off_with_zero_seconds(client, showcase, settings, django_assert_max_num_queries):
    settings.PUBLIC_PAGE_SECONDS = 0
    client.get(SHOWCASE)
    response = Client().get(SHOWCASE)
    assert response.context is not None  # rendered, not served from the cache


def test_visitors_making_many_pages_never_cull_a_rate_limit(showcase):
    """Any visitor can make new pages (a new search each time); they live in a cache of their
    own, so a flood of them never culls allauth's rate-limit counters from the default one
    (whose table keeps 300 entries and drops a third, first keys first, when it passes)."""
    key = "allauth:rl:login:ip:203.0.113.9"  # sorts before every page key
    cache.set(key, [1, 2, 3], 300)
    visitor = Client()
    for n in range(320):
        assert visitor.get(SHOWCASE, {"q": f"แจกัน {n}"}).status_code == 200
    assert cache.get(key) == [1, 2, 3]
