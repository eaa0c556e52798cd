"""The address chooser tells a screen reader which list it reloaded and how long it is.

Each list fragment carries, out of band, the text of the form's status region
(role="status", aria-live="polite"); lists emptied because the place above them was
cleared say nothing, so they do not talk over the list that matters.
"""

import re

import pytest
from django.urls import reverse

KO_KHA_DISTRICT = "5203"
LAMPANG_LUANG = "520301"
TWO_POSTAL_CODES = "100203"


def announcement(response):
    """The status region's new text, or None when the fragment sends none."""
    found = re.search(
        r'<div id="address-status"[^>]*hx-swap-oob="innerHTML">(.*?)</div>', response.text, re.S
    )
    return found and found.group(1).strip()


@pytest.mark.parametrize(
    ("url_name", "params", "thai", "english"),
    [
        ("districts", {"province": "52"}, "รายการอำเภอปรับปรุงแล้ว 13 รายการ", "13 districts"),
        (
            "subdistricts",
            {"district": KO_KHA_DISTRICT},
            "รายการตำบลปรับปรุงแล้ว 9 รายการ",
            "9 subdistricts",
        ),
        (
            "postal_codes",
            {"subdistrict": TWO_POSTAL_CODES},
            "รายการรหัสไปรษณีย์ปรับปรุงแล้ว 2 รายการ",
            "2 postal codes",
        ),
        (
            "postal_codes",
            {"subdistrict": LAMPANG_LUANG},
            "รายการรหัสไปรษณีย์ปรับปรุงแล้ว 1 รายการ",
            "1 postal code",
        ),
    ],
    ids=["districts", "subdistricts", "postal-codes", "one-postal-code"],
)
def test_a_reloaded_list_is_announced_with_its_length(client, db, url_name, params, thai, english):
    url = reverse(f"entrepreneurs:{url_name}")
    assert announcement(client.get(url, params)) == thai
    client.cookies["django_language"] = "en"
    assert announcement(client.get(url, params)).endswith(english)


@pytest.mark.parametrize(
    ("url_name", "param"),
    [("districts", "province"), ("subdistricts", "district"), ("postal_codes", "subdistrict")],
)
def test_a_list_emptied_by_clearing_the_place_above_says_nothing(client, db, url_name, param):
    response = client.get(reverse(f"entrepreneurs:{url_name}"), {param: ""})
    assert response.status_code == 200
    assert "address-status" not in response.text


def test_the_enterprise_form_has_the_status_region_the_lists_update(client, owner):
    client.force_login(owner)
    response = client.get(reverse("entrepreneurs:enterprise_create"))
    region = re.search(r'<div id="address-status"[^>]*>', response.text).group(0)
    assert 'role="status"' in region and 'aria-live="polite"' in region
    assert "hx-swap-oob" not in region
