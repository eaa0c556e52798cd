"""A NUL character in a query string or a form is refused with a page, never a 500.

PostgreSQL cannot take a NUL in a query, so on CI (PostgreSQL) these requests would fail
deep in a filter if the portal let them through.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from entrepreneurs.models import Enterprise

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        reverse("entrepreneurs:districts") + "?province=5%002",
        reverse("entrepreneurs:subdistricts") + "?district=52%0003",
        reverse("entrepreneurs:postal_codes") + "?subdistrict=%00",
        reverse("showcase:index") + "?district=%00",
    ],
)
def test_nul_in_a_query_string_is_a_bad_request_in_thai(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "อ่านคำขอไม่ได้" in response.text


def test_nul_in_a_posted_place_is_a_bad_request_and_saves_nothing(client, owner):
    client.force_login(owner)
    owner.language = "en"
    owner.save(update_fields=["language"])
    response = client.post(
        reverse("entrepreneurs:enterprise_create"),
        {"name_th": "กลุ่มทดสอบ", "province": "52\x00", "district": "5203"},
    )
    assert response.status_code == 400
    assert "The request could not be read" in response.text
    assert not Enterprise.objects.exists()


def test_a_nul_inside_an_uploaded_file_is_left_to_the_upload_form(officer_client):
    """Files may hold any byte: only typed fields are checked, the import judges its file."""
    content = "ชื่อวิสาหกิจ\x00,ประเภท\n".encode()
    response = officer_client.post(
        reverse("entrepreneurs:import_upload"),
        {"file": SimpleUploadedFile("enterprises.csv", content)},
    )
    assert response.status_code != 400
    assert response.status_code < 500
