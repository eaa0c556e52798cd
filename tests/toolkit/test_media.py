"""Public uploads served by the portal (toolkit.media): photos only, nothing outside MEDIA_ROOT."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from products.services import catalogue
from tests.factories import EnterpriseFactory, ProductFactory
from tests.products.test_photos import png

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    (tmp_path / "private").mkdir()
    (tmp_path / "private" / "certificate.jpg").write_bytes(b"\xff\xd8 private")
    (tmp_path / "secret.png").write_bytes(b"\x89PNG outside")
    return settings.MEDIA_ROOT


def content(response):
    return b"".join(response.streaming_content)


def test_an_uploaded_photo_is_served_at_its_url(client, owner, media):
    product = ProductFactory(enterprise=EnterpriseFactory(owner=owner))
    [photo] = catalogue.add_photos(product=product, by=owner, uploads=[png()])
    for field in (photo.image, photo.thumbnail, photo.card, photo.card_2x):
        response = client.get(field.url)
        assert response.status_code == 200, field.url
        assert response["Content-Type"] in ("image/jpeg", "image/webp")
        assert response["Cache-Control"] == "public, max-age=86400"
        assert content(response) == (media / field.name).read_bytes()


def test_a_photo_unchanged_since_the_browser_fetched_it_is_not_sent_again(client, media):
    (media / "products").mkdir()
    (media / "products" / "cup.jpg").write_bytes(b"\xff\xd8 cup")
    first = client.get("/media/products/cup.jpg")
    again = client.get("/media/products/cup.jpg", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert again.status_code == 304


@pytest.mark.parametrize(
    "path",
    [
        "/media/../private/certificate.jpg",
        "/media/%2e%2e/private/certificate.jpg",
        "/media/..%2fsecret.png",
        "/media//etc/hostname",
        "/media/products/",
        "/media/products/missing.jpg",
        "/media/products/page.html",
        "/media/products/photo.jpg.gz",
    ],
)
def test_nothing_but_a_photo_under_media_root_is_served(client, media, path):
    (media / "products").mkdir()
    (media / "products" / "page.html").write_text("<script>alert(1)</script>")
    (media / "products" / "photo.jpg.gz").write_bytes(b"\x1f\x8b")
    assert client.get(path).status_code == 404


def test_a_photo_is_served_without_a_database_transaction(client, media):
    """On SQLite a request's transaction takes the write lock; a photo needs none."""
    (media / "cup.jpg").write_bytes(b"\xff\xd8 cup")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/media/cup.jpg")
    assert response.status_code == 200
    assert [query["sql"] for query in queries] == []


def test_a_photo_cannot_be_posted(client, media):
    (media / "cup.jpg").write_bytes(b"\xff\xd8 cup")
    assert client.post("/media/cup.jpg").status_code == 405
