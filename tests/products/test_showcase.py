"""The public showcase: what anyone may see of published products, and what they never see."""

import io

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from entrepreneurs.models import Member, MemberRole, VerificationStatus
from products.images import process_photo
from products.models import ProductImage, ProductStatus, UpgradeArea
from tests.factories import (
    CertificationFactory,
    EnterpriseFactory,
    ProductFactory,
    UpgradeRecordFactory,
    UserFactory,
    category,
    subdistrict,
)

MUEANG_LAMPANG = "520105"  # พระบาท, อำเภอเมืองลำปาง


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def published(**kwargs):
    if "enterprise" not in kwargs:
        kwargs["enterprise"] = EnterpriseFactory(status=VerificationStatus.VERIFIED)
    kwargs.setdefault("published_at", timezone.now())
    return ProductFactory(status=ProductStatus.PUBLISHED, **kwargs)


def add_photo(product, colour=(176, 84, 46)):
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, format="PNG")
    photo, thumbnail = process_photo(ContentFile(out.getvalue(), name="p.png"))
    return ProductImage.objects.create(product=product, image=photo, thumbnail=thumbnail)


def index(client, **params):
    return client.get(reverse("showcase:index"), params)


def page(client, product):
    return client.get(reverse("showcase:product", args=[product.pk]))


# --- Who sees what -----------------------------------------------------------------------


def test_index_shows_published_products_to_anonymous(client, db):
    product = published(name_th="ชามตราไก่ลายโบราณ")
    image = add_photo(product)
    response = index(client)
    assert response.status_code == 200
    assert "ชามตราไก่ลายโบราณ" in response.text
    assert image.thumbnail.url in response.text
    assert product.enterprise.name_th in response.text
    assert "เกาะคา" in response.text  # the district
    assert reverse("showcase:product", args=[product.pk]) in response.text


def test_index_hides_drafts_archived_and_inactive_enterprises(client, db):
    published(name_th="ชามที่เผยแพร่แล้ว")
    ProductFactory(name_th="ชามฉบับร่าง", status=ProductStatus.DRAFT)
    ProductFactory(name_th="ชามที่เลิกขาย", status=ProductStatus.ARCHIVED)
    closed = EnterpriseFactory(status=VerificationStatus.INACTIVE)
    published(name_th="ชามของกลุ่มที่ปิดแล้ว", enterprise=closed)
    html = index(client).text
    assert "ชามที่เผยแพร่แล้ว" in html
    for hidden in ["ชามฉบับร่าง", "ชามที่เลิกขาย", "ชามของกลุ่มที่ปิดแล้ว"]:
        assert hidden not in html


def test_unverified_enterprises_published_products_wait_for_verification(client, db):
    product = published(enterprise=EnterpriseFactory(status=VerificationStatus.UNVERIFIED))
    assert page(client, product).status_code == 404
    assert product.name_th not in index(client).text


@pytest.mark.parametrize("status", [ProductStatus.DRAFT, ProductStatus.ARCHIVED])
def test_product_page_is_404_unless_published(client, db, status):
    product = ProductFactory(status=status)
    assert page(client, product).status_code == 404


def test_product_page_is_404_for_inactive_enterprise(client, db):
    product = published(enterprise=EnterpriseFactory(status=VerificationStatus.INACTIVE))
    assert page(client, product).status_code == 404


def test_product_page_is_404_even_for_its_owner_while_draft(client, owner):
    product = ProductFactory(
        enterprise=EnterpriseFactory(status=VerificationStatus.VERIFIED, owner=owner),
        status=ProductStatus.DRAFT,
    )
    client.force_login(owner)
    assert page(client, product).status_code == 404


def test_product_page_shows_photos_spec_certifications_and_place(client, db):
    product = published(
        name_th="ชุดน้ำชาเซลาดอน",
        description="เคลือบเซลาดอนขี้เถ้าไม้",
        glaze="เซลาดอน",
        lead_free_glaze=True,
        glaze_temperature=1260,
        orton_cone="06",
        height_mm=120,
        capacity_ml=600,
        food_safe=True,
        otop_stars=4,
        otop_year=2022,
    )
    first, second = add_photo(product), add_photo(product, colour=(150, 190, 164))
    CertificationFactory(product=product, number="52-0233/2566")
    response = page(client, product)
    assert response.status_code == 200
    html = response.text
    for text in ["ชุดน้ำชาเซลาดอน", "เคลือบเซลาดอนขี้เถ้าไม้", "1260", "06", "120", "600"]:
        assert text in html
    assert first.image.url in html and second.image.url in html
    assert "52-0233/2566" in html
    assert "2565" in html  # the OTOP round year in B.E.
    assert "ลำปาง" in html  # the province


def test_product_page_shows_no_personal_data(client, owner, officer, faculty, tmp_path):
    maker = EnterpriseFactory(
        status=VerificationStatus.VERIFIED,
        owner=owner,
        phone="054 999 888",
        line_id="secret.line.id",
        address_line="99/9 หมู่ 9 ซอยลับ",
        tax_id_display="3-xxxx-xxxxx-45-6",
    )
    Member.objects.create(
        enterprise=maker, full_name="สมหญิง เก็บความลับ", role=MemberRole.MEMBER, phone="081 000 1111"
    )
    creator = UserFactory(email="creator.secret@example.com")
    product = published(enterprise=maker, created_by=creator)
    certification = CertificationFactory(product=product)
    certification.document.name = "certifications/secret-document.pdf"
    certification.save()
    UpgradeRecordFactory(product=product, recorded_by=officer, expert=faculty)

    html = page(client, product).text

    for private in [
        "054 999 888",
        "secret.line.id",
        "99/9 หมู่ 9",
        "3-xxxx-xxxxx-45-6",
        "สมหญิง เก็บความลับ",
        "081 000 1111",
        owner.full_name,
        owner.email,
        creator.email,
        officer.email,
        faculty.email,
        "secret-document",
    ]:
        assert private not in html, private
    assert product.name_th in html


def test_index_shows_no_personal_data(client, owner):
    maker = EnterpriseFactory(
        status=VerificationStatus.VERIFIED,
        owner=owner,
        phone="054 999 888",
        address_line="99/9 หมู่ 9 ซอยลับ",
    )
    published(enterprise=maker, created_by=owner)
    html = index(client).text
    for private in ["054 999 888", "99/9 หมู่ 9", owner.full_name, owner.email]:
        assert private not in html, private


# --- Filters -----------------------------------------------------------------------------


def test_filter_by_group_includes_its_types(client, db):
    published(name_th="ชามตราไก่กรองกลุ่ม", category=category("tableware-chicken-bowl"))
    published(name_th="จานสโตนแวร์กรองกลุ่ม", category=category("tableware-stoneware"))
    published(name_th="แจกันกรองกลุ่ม", category=category("decor-vase"))
    html = index(client, category="tableware").text
    assert "ชามตราไก่กรองกลุ่ม" in html and "จานสโตนแวร์กรองกลุ่ม" in html
    assert "แจกันกรองกลุ่ม" not in html


def test_filter_by_type(client, db):
    published(name_th="ชามตราไก่กรองชนิด", category=category("tableware-chicken-bowl"))
    published(name_th="จานสโตนแวร์กรองชนิด", category=category("tableware-stoneware"))
    html = index(client, category="tableware-chicken-bowl").text
    assert "ชามตราไก่กรองชนิด" in html
    assert "จานสโตนแวร์กรองชนิด" not in html


def test_filter_by_district(client, db):
    city = EnterpriseFactory(
        status=VerificationStatus.VERIFIED, subdistrict=subdistrict(MUEANG_LAMPANG)
    )
    published(name_th="แก้วมัคในเมือง", enterprise=city)
    published(name_th="ชามที่เกาะคา")
    html = index(client, district="5201").text
    assert "แก้วมัคในเมือง" in html
    assert "ชามที่เกาะคา" not in html


def test_district_choices_are_only_districts_with_published_products(client, db):
    published()  # Ko Kha
    city = EnterpriseFactory(
        status=VerificationStatus.VERIFIED, subdistrict=subdistrict(MUEANG_LAMPANG)
    )
    ProductFactory(enterprise=city, status=ProductStatus.DRAFT)
    choices = index(client).context["filter"].form.fields["district"].choices
    assert [code for code, _label in choices if code] == ["5203"]


def test_bad_filter_values_get_a_message_not_an_error(client, db):
    published(name_th="ชามยังแสดงอยู่")
    response = index(client, category="no-such-category", district="9999", page="x")
    assert response.status_code == 200
    assert response.text.count("invalid-feedback") == 2
    assert "ชามยังแสดงอยู่" in response.text


def test_search_by_name(client, db):
    published(name_th="แจกันดินขาวลำปาง", name_en="Kaolin vase")
    published(name_th="ชามตราไก่ค้นหา", name_en="Rooster bowl")
    html = index(client, q="ดินขาว").text
    assert "แจกันดินขาวลำปาง" in html
    assert "ชามตราไก่ค้นหา" not in html


def test_upgraded_badge_lists_areas_and_filter_keeps_only_upgraded(client, db):
    upgraded = published(name_th="ชามที่ยกระดับแล้ว")
    UpgradeRecordFactory(product=upgraded, area=UpgradeArea.DESIGN)
    UpgradeRecordFactory(product=upgraded, area=UpgradeArea.STANDARDS)
    published(name_th="ชามที่ยังไม่ยกระดับ")
    response = index(client)
    card = next(p for p in response.context["page"] if p.pk == upgraded.pk)
    assert [str(area) for area in card.upgrade_areas] == [
        str(UpgradeArea.DESIGN.label),
        str(UpgradeArea.STANDARDS.label),
    ]
    assert "การออกแบบ, มาตรฐาน" in response.text
    html = index(client, upgraded="on").text
    assert "ชามที่ยกระดับแล้ว" in html
    assert "ชามที่ยังไม่ยกระดับ" not in html


def test_pagination_keeps_the_filters(client, db):
    for n in range(26):
        published(name_th=f"ชามเรียงหน้า {n:02d}", category=category("tableware-chicken-bowl"))
    first = index(client, category="tableware")
    assert len(first.context["page"]) == 24
    assert "category=tableware&amp;page=2" in first.text
    second = index(client, category="tableware", page=2)
    assert len(second.context["page"]) == 2


# --- Languages ---------------------------------------------------------------------------


def test_thai_shows_thai_names_and_buddhist_era_years(client, db):
    product = published(
        name_th="ชามตราไก่เขียนมือ", name_en="Hand-painted rooster bowl", otop_stars=5, otop_year=2024
    )
    for response in (index(client), page(client, product)):
        assert "ชามตราไก่เขียนมือ" in response.text
        assert "2567" in response.text
        assert 'lang="th"' in response.text


def test_english_shows_english_names_and_gregorian_years(client, db):
    product = published(
        name_th="ชามตราไก่เขียนมือ", name_en="Hand-painted rooster bowl", otop_stars=5, otop_year=2024
    )
    client.cookies["django_language"] = "en"
    for response in (index(client), page(client, product)):
        assert "Hand-painted rooster bowl" in response.text
        assert "OTOP 5 stars, 2024" in response.text
        assert "Ko Kha" in response.text
        assert "2567" not in response.text


# --- Query counts ------------------------------------------------------------------------


def make_showcase(count):
    for n in range(count):
        product = published(otop_stars=4, otop_year=2023)
        add_photo(product)
        if n % 2:
            UpgradeRecordFactory(product=product)
    # One more district, so the district choices are not trivially one row.
    published(
        enterprise=EnterpriseFactory(
            status=VerificationStatus.VERIFIED, subdistrict=subdistrict(MUEANG_LAMPANG)
        )
    )


# All counts include the SAVEPOINT and RELEASE of ATOMIC_REQUESTS. The first request
# also counts and fills the cache (a database table in tests: a set is several queries);
# the next reads the count and the district choices from it (toolkit.pagination).
@pytest.mark.parametrize("count", [3, 30])
def test_index_query_count_does_not_grow(
    client, db, django_assert_max_num_queries, count, settings
):
    settings.PUBLIC_PAGE_SECONDS = 0  # the page's own queries, under the whole-page cache
    make_showcase(count)
    with django_assert_max_num_queries(28):
        response = index(client, category="tableware")
    with django_assert_max_num_queries(10):
        response = index(client, category="tableware")
    assert response.status_code == 200
    assert len(response.context["page"]) == min(count + 1, 24)


@pytest.mark.parametrize("count", [3, 30])
def test_filtered_index_query_count_does_not_grow(
    client, db, django_assert_max_num_queries, count, settings
):
    settings.PUBLIC_PAGE_SECONDS = 0  # the page's own queries, under the whole-page cache
    make_showcase(count)
    with django_assert_max_num_queries(28):
        index(client, district="5203", upgraded="on", q="rooster")
    with django_assert_max_num_queries(10):
        response = index(client, district="5203", upgraded="on", q="rooster")
    assert response.status_code == 200
    assert len(response.context["page"]) == min(count // 2, 24)


def test_owner_is_told_a_published_product_waits_for_verification(client, owner):
    enterprise = EnterpriseFactory(owner=owner, status=VerificationStatus.UNVERIFIED)
    product = published(enterprise=enterprise)
    client.force_login(owner)
    detail = client.get(reverse("products:product_detail", args=[product.pk]))
    assert reverse("showcase:product", args=[product.pk]) not in detail.text
    enterprise.status = VerificationStatus.VERIFIED
    enterprise.save()
    detail = client.get(reverse("products:product_detail", args=[product.pk]))
    assert reverse("showcase:product", args=[product.pk]) in detail.text
