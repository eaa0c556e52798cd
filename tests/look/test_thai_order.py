"""Thai names in Thai dictionary order, on SQLite and PostgreSQL alike.

Code-point order puts every name that starts with เ แ โ ใ ไ after all others (เกาะคา
after ห้างฉัตร). PostgreSQL sorts with ICU's Thai collation; SQLite with the key in
toolkit.thaisort, registered on each connection under the same name.
"""

import json
import re
from importlib.resources import files

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import translation

from entrepreneurs.models import District, Enterprise, Province, Subdistrict
from products.models import Product
from programmes.models import Partner
from tests.factories import EnterpriseFactory, ProductFactory
from toolkit.thaisort import THAI_COLLATION, thai_order, thai_sort_key, thai_sorted

# Words in the order of the Royal Institute dictionary (consonants before vowels, a
# leading vowel read after its consonant, no tone mark before a tone mark, ...).
DICTIONARY_ORDER = [
    "ก",
    "กก",
    "กง",
    "กด",
    "กรม",
    "กลาง",
    "กะ",
    "กัน",
    "กา",
    "ก่า",
    "ก้า",
    "กาก",
    "กำ",
    "กิน",
    "กี่",
    "กึ่ง",
    "กุ้ง",
    "กู",
    "เก",
    "เก่ง",
    "เกาะ",
    "เกาะคา",
    "เกือก",
    "แก",
    "แก้ว",
    "โก",
    "ใกล้",
    "ไก่",
    "ขา",
    "งาว",
    "จันทร์",
    "เจ้าห่ม",
    "แจ้ห่ม",
    "รถ",
    "ฤดู",
    "ลม",
    "สบปราบ",
    "เสริมงาม",
    "ห้างฉัตร",
    "อะ",
    "อำ",
    "เอ",
    "แอ",
    "โอ่ง",
    "ใอ",
    "ไอ",
    "ฮา",
]


def _in_order(words):
    return [word for word in DICTIONARY_ORDER if word in words]


def test_the_sort_key_follows_the_dictionary():
    shuffled = sorted(DICTIONARY_ORDER, key=lambda word: word[::-1])
    assert thai_sorted(shuffled) == DICTIONARY_ORDER


def test_the_sort_key_passes_over_spaces_and_punctuation_and_puts_latin_after_thai():
    assert thai_sorted(["Ko Kha", "กข", "ก-ข", "ก ข", "ก1"]) == ["ก1", "ก ข", "ก-ข", "กข", "Ko Kha"]
    assert thai_sorted(["b", "B", "a", "A"]) == ["a", "A", "b", "B"]


def test_lampang_districts_are_in_dictionary_order(db):
    names = list(District.objects.filter(province_id="52").values_list("name_th", flat=True))
    assert names == thai_sorted(names)
    assert names.index("เกาะคา") < names.index("งาว") < names.index("ห้างฉัตร")
    assert names.index("เมืองลำปาง") < names.index("แม่ทะ") < names.index("ห้างฉัตร")


def test_provinces_and_subdistricts_are_in_dictionary_order(db):
    provinces = list(Province.objects.values_list("name_th", flat=True))
    assert provinces == thai_sorted(provinces)
    assert provinces.index("เชียงใหม่") < provinces.index("ตาก")
    subdistricts = [s.name_th for s in Subdistrict.objects.filter(district_id="5203")]
    assert subdistricts == thai_sorted(subdistricts)


def test_enterprises_products_and_partners_are_in_dictionary_order(db):
    words = ["ห้างฉัตร", "เกาะคา", "ไก่", "กา"]
    for word in words:
        product = ProductFactory(name_th=word, enterprise=EnterpriseFactory(name_th=word))
        Partner.objects.create(name_th=word, kind="university")
    expected = _in_order(words)
    assert [e.name_th for e in Enterprise.objects.all()] == expected
    assert [p.name_th for p in Product.objects.all()] == expected
    assert [p.name_th for p in Partner.objects.all()] == expected
    descending = Product.objects.order_by(thai_order("-name_th"))
    assert [p.name_th for p in descending] == expected[::-1]
    assert product.name_th == "กา"


def test_officer_lists_sort_by_thai_name(officer_client, db):
    for word in ["ห้างฉัตรเซรามิก", "เกาะคาเซรามิก", "ไก่ทองเซรามิก", "กาดเซรามิก"]:
        ProductFactory(name_th=word, enterprise=EnterpriseFactory(name_th=word))
    expected = ["กาดเซรามิก", "เกาะคาเซรามิก", "ไก่ทองเซรามิก", "ห้างฉัตรเซรามิก"]
    for url in (reverse("entrepreneurs:enterprise_list"), reverse("products:product_list")):
        response = officer_client.get(url, {"sort": "name"})
        assert [row.name_th for row in response.context["page_obj"]] == expected
        response = officer_client.get(url, {"sort": "-name"})
        assert [row.name_th for row in response.context["page_obj"]] == expected[::-1]


def province_options(html):
    select = re.search(r'<select name="province".*?</select>', html, re.S).group(0)
    return re.findall(r'<option value="(\d+)"', select)


def test_address_chooser_puts_the_home_province_first(client, owner):
    client.force_login(owner)
    with translation.override("th"):
        html = client.get(reverse("entrepreneurs:enterprise_create")).text
    codes = province_options(html)
    assert codes[0] == "52"
    assert len(codes) == 77
    rest = list(Province.objects.exclude(code="52").values_list("code", flat=True))
    assert codes[1:] == rest


def test_the_home_province_is_a_setting(client, owner, settings):
    settings.HOME_PROVINCE_CODE = "50"
    client.force_login(owner)
    html = client.get(reverse("entrepreneurs:enterprise_create")).text
    assert province_options(html)[0] == "50"


def test_district_options_are_in_dictionary_order(client, db):
    with translation.override("th"):
        html = client.get(reverse("entrepreneurs:districts"), {"province": "52"}).text
    names = re.findall(r'<option value="\d+">([^<]+)</option>', html)
    assert len(names) == 13
    assert names == thai_sorted(names)
    assert names.index("เกาะคา") < names.index("ห้างฉัตร")


# --- PostgreSQL: ICU's order is the key's order, and the lists use their index ---------

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="ICU collation: set DATABASE_URL to run."
)


@on_postgresql
def test_the_sort_key_agrees_with_icu_on_every_place_name(db):
    names = set()
    for table in ("provinces", "districts", "subdistricts"):
        rows = json.loads(files("geothai").joinpath(f"_data/{table}.json").read_text("utf-8"))
        names.update(row[1] for row in rows)
        names.update(row[2] for row in rows)
    names.update(DICTIONARY_ORDER)
    # The old spelling ทํา ties with ทำ at every level; ICU and the key split the tie apart.
    names.discard("ทํา")
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT x FROM unnest(%s::text[]) x ORDER BY x COLLATE "{THAI_COLLATION}"',
            [sorted(names)],
        )
        by_icu = [row[0] for row in cursor.fetchall()]
    assert by_icu == sorted(names, key=thai_sort_key)


@on_postgresql
@pytest.mark.parametrize(
    ("model", "indexes"),
    [
        (Enterprise, ["enterprise_name_th_idx"]),
        # products/0010's covering index has the same collated key first: either serves.
        (Product, ["product_name_th_idx", "product_name_filter_idx"]),
    ],
)
def test_sorting_by_thai_name_can_use_the_collated_index(db, model, indexes):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
    plan = model.objects.order_by(thai_order("name_th"), "pk")[:50].explain()
    assert any(index in plan for index in indexes), plan
