"""Pages go out gzipped to browsers that accept it; streamed downloads go out as they are."""

import gzip

import pytest
from django.http import FileResponse, HttpResponse
from django.test import RequestFactory

from toolkit.compression import PageGZipMiddleware

pytestmark = pytest.mark.django_db


def test_a_page_is_gzipped_for_a_browser_that_accepts_it(client):
    plain = client.get("/privacy/")
    packed = client.get("/privacy/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert packed.status_code == 200
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    assert len(packed.content) * 3 < len(plain.content)
    # The same page once unpacked (CSRF tokens are masked anew on each response).
    assert gzip.decompress(packed.content).decode().count("<main") == 1


def test_a_page_is_sent_plain_to_a_client_without_gzip(client):
    response = client.get("/privacy/")
    assert not response.has_header("Content-Encoding")
    assert b"<main" in response.content


def run(response, accept="gzip"):
    request = RequestFactory().get("/", HTTP_ACCEPT_ENCODING=accept)
    return PageGZipMiddleware(lambda request: response)(request)


def test_a_streamed_download_is_left_alone(tmp_path):
    path = tmp_path / "report.xlsx"
    path.write_bytes(b"PK" + b"x" * 5000)
    response = run(FileResponse(path.open("rb"), as_attachment=True))
    assert not response.has_header("Content-Encoding")
    assert b"".join(response.streaming_content).startswith(b"PK")


def test_an_image_or_archive_is_not_compressed_again():
    response = run(HttpResponse(b"\x89PNG" + b"\0" * 5000, content_type="image/png"))
    assert not response.has_header("Content-Encoding")


def test_json_is_compressed():
    response = run(
        HttpResponse(b'{"rows": [' + b"1, " * 2000 + b"1]}", content_type="application/json")
    )
    assert response["Content-Encoding"] == "gzip"
