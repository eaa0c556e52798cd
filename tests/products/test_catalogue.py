"""Products: the form, the pages by who may use them, status changes and standards."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image

from accounts.models import Role
from entrepreneurs.models import Member, MemberRole, VerificationStatus
from products.exceptions import CannotPublish, LastPhoto, NotALeafCategory, NotAllowed
from products.forms import ORTON_CONES, ProductForm
from products.models import Category, Product, ProductStatus, Standard
from products.services import catalogue
from tests.confirming import CONFIRMED, assert_asks_first
from tests.conftest import enable_totp, sign_in
from tests.factories import (
    EnterpriseFactory,
    ProductFactory,
    StandardFactory,
    UserFactory,
    category,
)
from toolkit.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def enterprise(owner):
    return EnterpriseFactory(owner=owner)


@pytest.fixture
def member(enterprise):
    user = UserFactory(role=Role.ENTREPRENEUR, full_name="จันทร์ เพ็ญ", language="en")
    Member.objects.create(
        enterprise=enterprise, user=user, full_name=user.full_name, role=MemberRole.MEMBER
    )
    return user


@pytest.fixture
def product(enterprise):
    return ProductFactory(enterprise=enterprise)


def english(user):
    user.language = "en"
    user.save(update_fields=["language"])
    return user


def jpeg_upload(name="bowl.jpg"):
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (164, 71, 31)).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def with_photo(product, by):
    catalogue.add_photos(product=product, by=by, uploads=[jpeg_upload()])
    return product


def product_data(**overrides):
    data = {
        "name_th": "ชามตราไก่ลายคราม",
        "name_en": "Rooster bowl",
        "category": category("tableware-chicken-bowl").pk,
        "hs_code": "",
        "description": "ชามเขียนมือ",
        "unit_price": "250.00",
        "monthly_capacity": "1200",
        "otop_stars": "4",
        "otop_year": "2565",
        "clay_body": "lampang_kaolin",
        "forming_method": "jiggering",
        "glaze": "เคลือบใส",
        "bisque_temperature": "900",
        "glaze_temperature": "1220",
        "orton_cone": "6",
        "atmosphere": "oxidation",
        "kiln_type": "gas_shuttle",
        "length_mm": "150",
        "width_mm": "150",
        "height_mm": "70",
        "capacity_ml": "450",
        "weight_g": "380",
        "water_absorption": "0.5",
        "lead_free_glaze": "on",
        "food_safe": "on",
        "microwave_safe": "on",
    }
    data.update(overrides)
    return data


# --- The form ----------------------------------------------------------------------------


def test_product_form_accepts_a_full_specification():
    form = ProductForm(product_data())
    assert form.is_valid(), form.errors
    data = form.cleaned_data
    assert data["otop_year"] == 2022  # B.E. 2565
    assert data["orton_cone"] == "6"
    assert data["unit_price"] == Decimal("250.00")


def test_orton_cone_list_runs_from_022_to_14_with_leading_zeros():
    assert ORTON_CONES[0] == "022"
    assert "06" in ORTON_CONES and "6" in ORTON_CONES
    assert ORTON_CONES[-1] == "14"
    assert len(ORTON_CONES) == 36


@pytest.mark.parametrize("cone", ["06", "6", "022", "01", "14"])
def test_product_form_keeps_the_cone_as_typed(cone):
    form = ProductForm(product_data(orton_cone=cone))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["orton_cone"] == cone


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("orton_cone", "15"),
        ("orton_cone", "6.5"),
        ("orton_cone", "023"),
        ("orton_cone", "006"),
        ("unit_price", "-1"),
        ("length_mm", "0"),
        ("height_mm", "-5"),
        ("capacity_ml", "0"),
        ("weight_g", "0"),
        ("glaze_temperature", "1700"),
        ("bisque_temperature", "100"),
        ("water_absorption", "101"),
        ("otop_stars", "6"),
        ("otop_stars", "0"),
        ("otop_year", "1990"),
        ("otop_year", "2599"),
        ("hs_code", "69a2"),
        ("hs_code", "691"),
        ("name_th", ""),
        ("category", ""),
    ],
)
def test_product_form_refuses_bad_values(field, value):
    form = ProductForm(product_data(**{field: value}))
    assert not form.is_valid()
    assert field in form.errors


def test_product_form_offers_only_product_types_not_groups():
    group = Category.objects.get(code="tableware")
    form = ProductForm(product_data(category=group.pk))
    assert not form.is_valid()
    assert "category" in form.errors
    assert group not in form.fields["category"].queryset


def test_product_form_needs_stars_and_round_year_together():
    without_year = ProductForm(product_data(otop_year=""))
    without_stars = ProductForm(product_data(otop_stars=""))
    neither = ProductForm(product_data(otop_year="", otop_stars=""))
    assert "otop_year" in without_year.errors
    assert "otop_stars" in without_stars.errors
    assert neither.is_valid(), neither.errors


@pytest.mark.parametrize(("typed", "stored"), [("2565", 2022), ("2022", 2022), ("๒๕๖๕", 2022)])
def test_product_form_takes_a_round_year_in_either_calendar(typed, stored):
    form = ProductForm(product_data(otop_year=typed))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["otop_year"] == stored


def test_product_form_shows_the_round_year_in_be_under_thai(product):
    product.otop_stars, product.otop_year = 4, 2022
    with translation.override("th"):
        assert 'value="2565"' in str(ProductForm(instance=product)["otop_year"])
    with translation.override("en"):
        assert 'value="2022"' in str(ProductForm(instance=product)["otop_year"])


def test_product_form_normalises_the_hs_code():
    form = ProductForm(product_data(hs_code="6912.00"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["hs_code"] == "691200"


# --- Services ----------------------------------------------------------------------------


def valid_data(**overrides):
    form = ProductForm(product_data(**overrides))
    assert form.is_valid(), form.errors
    return form.service_data()


def test_create_product_defaults_the_hs_code_from_its_category(enterprise, owner):
    product = catalogue.create_product(enterprise=enterprise, by=owner, data=valid_data())
    assert product.hs_code == "6912"
    assert product.status == ProductStatus.DRAFT
    assert product.created_by == owner
    assert AuditEntry.objects.filter(action="product.created", target_id=str(product.pk)).exists()


def test_create_product_keeps_a_given_hs_code(enterprise, owner):
    product = catalogue.create_product(
        enterprise=enterprise, by=owner, data=valid_data(hs_code="6913.10")
    )
    assert product.hs_code == "691310"


def test_create_product_refuses_a_group_category(enterprise, owner):
    data = valid_data()
    data["category"] = Category.objects.get(code="tableware")
    with pytest.raises(NotALeafCategory):
        catalogue.create_product(enterprise=enterprise, by=owner, data=data)
    assert not Product.objects.exists()


def test_create_product_refuses_an_outsider(enterprise, outsider):
    with pytest.raises(NotAllowed):
        catalogue.create_product(enterprise=enterprise, by=outsider, data=valid_data())


def test_update_product_audits_the_changed_fields(product, owner):
    data = valid_data(unit_price="300.00", hs_code="")
    catalogue.update_product(product=product, by=owner, data=data)
    product.refresh_from_db()
    assert product.unit_price == Decimal("300.00")
    assert product.hs_code == "6912"
    entry = AuditEntry.objects.get(action="product.updated")
    assert "unit_price" in entry.data["fields"]


def test_faculty_may_not_update_a_product(product, faculty):
    with pytest.raises(NotAllowed):
        catalogue.update_product(product=product, by=faculty, data=valid_data())


def test_publish_needs_a_photo(product, owner):
    with pytest.raises(CannotPublish):
        catalogue.publish_product(product=product, by=owner)
    product.refresh_from_db()
    assert product.status == ProductStatus.DRAFT


def test_publish_a_draft_with_a_photo(product, owner):
    with_photo(product, owner)
    catalogue.publish_product(product=product, by=owner)
    product.refresh_from_db()
    assert product.status == ProductStatus.PUBLISHED
    assert product.published_at is not None
    assert AuditEntry.objects.filter(action="product.published").exists()


def test_publish_refuses_a_product_of_an_inactive_enterprise(product, owner):
    with_photo(product, owner)
    product.enterprise.status = VerificationStatus.INACTIVE
    product.enterprise.save()
    with pytest.raises(CannotPublish):
        catalogue.publish_product(product=product, by=owner)


def test_archived_goes_back_to_draft_before_it_is_published_again(product, owner):
    with_photo(product, owner)
    catalogue.publish_product(product=product, by=owner)
    catalogue.archive_product(product=product, by=owner)
    with pytest.raises(CannotPublish):
        catalogue.publish_product(product=product, by=owner)
    catalogue.unpublish_product(product=product, by=owner)
    catalogue.publish_product(product=product, by=owner)
    product.refresh_from_db()
    assert product.status == ProductStatus.PUBLISHED


def test_published_product_keeps_its_last_photo(product, owner):
    with_photo(product, owner)
    catalogue.publish_product(product=product, by=owner)
    with pytest.raises(LastPhoto):
        catalogue.remove_photo(photo=product.images.get(), by=owner)
    assert product.images.count() == 1


def test_editable_by_covers_members_creators_and_officers(
    product, owner, member, outsider, officer, faculty
):
    registered = ProductFactory(enterprise=EnterpriseFactory(created_by=outsider))
    assert set(Product.objects.editable_by(owner)) == {product}
    assert set(Product.objects.editable_by(member)) == {product}
    assert set(Product.objects.editable_by(outsider)) == {registered}
    assert set(Product.objects.editable_by(officer)) == {product, registered}
    assert not Product.objects.editable_by(faculty).exists()


# --- Pages: create and edit --------------------------------------------------------------


def test_owner_creates_a_product_and_is_sent_to_add_photos(client, enterprise, owner):
    client.force_login(owner)
    url = reverse("products:product_create", args=[enterprise.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, product_data())
    product = Product.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("products:photo_upload", args=[product.pk])
    assert product.enterprise == enterprise
    assert product.otop_year == 2022
    assert product.orton_cone == "6"


def test_member_creates_a_product(client, enterprise, member):
    client.force_login(member)
    response = client.post(reverse("products:product_create", args=[enterprise.pk]), product_data())
    assert response.status_code == 302
    assert Product.objects.filter(enterprise=enterprise).count() == 1


def test_officer_creates_a_product_for_an_enterprise(officer_client, enterprise):
    response = officer_client.post(
        reverse("products:product_create", args=[enterprise.pk]), product_data()
    )
    assert response.status_code == 302
    assert Product.objects.filter(enterprise=enterprise).exists()


@pytest.mark.parametrize("person", ["outsider", "faculty", "student"])
def test_product_create_is_404_for_people_outside_the_enterprise(
    client, request, enterprise, person
):
    sign_in(client, request.getfixturevalue(person))
    url = reverse("products:product_create", args=[enterprise.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, product_data()).status_code == 404
    assert not Product.objects.exists()


def test_product_create_sends_anonymous_to_login(client, enterprise):
    response = client.get(reverse("products:product_create", args=[enterprise.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_product_create_shows_errors_and_saves_nothing(client, enterprise, owner):
    client.force_login(english(owner))
    response = client.post(
        reverse("products:product_create", args=[enterprise.pk]),
        product_data(orton_cone="6.5", unit_price="-3"),
    )
    assert response.status_code == 200
    assert "is not an Orton cone" in response.text
    assert response.context["form"].errors.keys() >= {"orton_cone", "unit_price"}
    assert not Product.objects.exists()


def test_product_update_groups_the_specification_in_fieldsets(client, product, owner):
    client.force_login(english(owner))
    response = client.get(reverse("products:product_update", args=[product.pk]))
    assert response.status_code == 200
    for legend in ["Basics", "Price and capacity", "OTOP", "Ceramic specification", "Safety"]:
        assert f"<legend>{legend}</legend>" in response.text


def test_member_updates_a_product(client, product, member):
    client.force_login(member)
    response = client.post(
        reverse("products:product_update", args=[product.pk]), product_data(unit_price="99.50")
    )
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.unit_price == Decimal("99.50")


def test_officer_updates_any_product(officer_client, product):
    response = officer_client.post(
        reverse("products:product_update", args=[product.pk]), product_data(glaze="เซลาดอน")
    )
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.glaze == "เซลาดอน"


@pytest.mark.parametrize(
    ("person", "status"), [("outsider", 404), ("student", 404), ("faculty", 403)]
)
def test_product_update_is_refused_to_others(client, request, product, person, status):
    sign_in(client, request.getfixturevalue(person))
    url = reverse("products:product_update", args=[product.pk])
    assert client.get(url).status_code == status
    assert client.post(url, product_data(unit_price="1")).status_code == status
    product.refresh_from_db()
    assert product.unit_price == Decimal("120.00")


def test_officer_without_two_factor_is_sent_to_set_it_up(client, officer, product):
    sign_in(client, officer)
    response = client.get(reverse("products:product_detail", args=[product.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


# --- Pages: the product page -------------------------------------------------------------


@pytest.fixture
def specified(product):
    product.otop_stars, product.otop_year = 4, 2022
    product.bisque_temperature, product.glaze_temperature, product.orton_cone = 900, 1220, "6"
    product.length_mm, product.width_mm, product.height_mm = 150, 150, 70
    product.capacity_ml, product.weight_g = 450, 380
    product.unit_price = Decimal("1250.00")
    product.lead_free_glaze = True
    product.save()
    return product


def test_product_page_shows_the_specification_with_units(client, specified, owner):
    client.force_login(english(owner))
    response = client.get(reverse("products:product_detail", args=[specified.pk]))
    text = response.text
    assert response.status_code == 200
    assert "1220 °C" in text
    assert "Cone 6" in text
    assert "150 × 150 × 70 mm" in text
    assert "450 ml" in text
    assert "1,250.00 THB" in text
    assert "6912" in text
    assert "selection round 2022" in text
    assert "Lead-free glaze" in text
    assert reverse("products:product_update", args=[specified.pk]) in text
    assert reverse("products:product_publish", args=[specified.pk]) in text
    assert specified.enterprise.get_absolute_url() in text


def test_product_page_shows_the_round_year_in_be_under_thai(client, specified, owner):
    client.force_login(owner)
    response = client.get(reverse("products:product_detail", args=[specified.pk]))
    assert "2565" in response.text


@pytest.mark.parametrize("person", ["faculty", "staff_2fa"])
def test_faculty_and_centre_staff_see_the_product_read_only(client, request, product, person):
    sign_in(client, request.getfixturevalue(person))
    response = client.get(reverse("products:product_detail", args=[product.pk]))
    assert response.status_code == 200
    assert reverse("products:product_update", args=[product.pk]) not in response.text
    assert reverse("products:product_publish", args=[product.pk]) not in response.text
    # They may not open the enterprise's private page, so it is not linked.
    assert product.enterprise.get_absolute_url() not in response.text


def test_officer_sees_and_may_edit_the_product(officer_client, product):
    response = officer_client.get(reverse("products:product_detail", args=[product.pk]))
    assert response.status_code == 200
    assert reverse("products:product_update", args=[product.pk]) in response.text


@pytest.mark.parametrize("person", ["outsider", "student"])
def test_product_page_is_404_for_outsiders(client, request, product, person):
    sign_in(client, request.getfixturevalue(person))
    assert client.get(reverse("products:product_detail", args=[product.pk])).status_code == 404


def test_product_page_sends_anonymous_to_login(client, product):
    response = client.get(reverse("products:product_detail", args=[product.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# --- Pages: publish, archive, back to draft ----------------------------------------------


def test_publish_without_photo_says_why(client, product, owner):
    client.force_login(english(owner))
    response = client.post(reverse("products:product_publish", args=[product.pk]), follow=True)
    assert "Add at least one photo" in response.text
    product.refresh_from_db()
    assert product.status == ProductStatus.DRAFT


def test_owner_publishes_archives_and_restores(client, product, owner):
    with_photo(product, owner)
    client.force_login(owner)
    for name, status in [
        ("product_publish", ProductStatus.PUBLISHED),
        ("product_archive", ProductStatus.ARCHIVED),
        ("product_unpublish", ProductStatus.DRAFT),
    ]:
        response = client.post(reverse(f"products:{name}", args=[product.pk]), CONFIRMED)
        assert response.status_code == 302
        product.refresh_from_db()
        assert product.status == status


def test_archiving_a_product_asks_first(client, product, owner, outsider):
    client.force_login(owner)
    url = reverse("products:product_archive", args=[product.pk])
    assert f'href="{url}"' in client.get(product.get_absolute_url()).text
    assert_asks_first(client.get(url))
    assert_asks_first(client.post(url))
    product.refresh_from_db()
    assert product.status == ProductStatus.DRAFT
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_officer_publishes_and_it_is_audited(officer_client, officer_2fa, product, owner):
    with_photo(product, owner)
    officer_client.post(reverse("products:product_publish", args=[product.pk]))
    product.refresh_from_db()
    assert product.status == ProductStatus.PUBLISHED
    assert AuditEntry.objects.get(action="product.published").actor == officer_2fa


@pytest.mark.parametrize("name", ["product_publish", "product_unpublish"])
def test_status_changes_reject_get(client, product, owner, name):
    client.force_login(owner)
    assert client.get(reverse(f"products:{name}", args=[product.pk])).status_code == 405


@pytest.mark.parametrize(("person", "status"), [("outsider", 404), ("faculty", 403)])
def test_status_changes_are_refused_to_others(client, request, product, owner, person, status):
    with_photo(product, owner)
    sign_in(client, request.getfixturevalue(person))
    response = client.post(reverse("products:product_publish", args=[product.pk]))
    assert response.status_code == status
    product.refresh_from_db()
    assert product.status == ProductStatus.DRAFT


# --- Standards ---------------------------------------------------------------------------

STANDARD = {
    "kind": "community",
    "reference": "มผช. 1217/2560",
    "name_th": "ภาชนะเซรามิกตกแต่ง",
    "name_en": "Decorative ceramic ware",
}


def test_officer_adds_a_standard(officer_client, officer_2fa):
    response = officer_client.post(reverse("products:standard_create"), STANDARD)
    assert response.status_code == 302
    standard = Standard.objects.get(reference="มผช. 1217/2560")
    entry = AuditEntry.objects.get(action="standard.created")
    assert entry.actor == officer_2fa and entry.target_id == str(standard.pk)


def test_a_duplicate_standard_is_refused_on_the_form(officer_client):
    officer_client.post(reverse("products:standard_create"), STANDARD)
    response = officer_client.post(reverse("products:standard_create"), STANDARD)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert Standard.objects.filter(reference=STANDARD["reference"]).count() == 1


def test_standard_form_refuses_blank_reference(officer_client):
    response = officer_client.post(
        reverse("products:standard_create"), {**STANDARD, "reference": ""}
    )
    assert "reference" in response.context["form"].errors


def test_officer_corrects_a_standard(officer_client):
    standard = StandardFactory()
    response = officer_client.post(
        reverse("products:standard_update", args=[standard.pk]),
        {**STANDARD, "is_active": "on"},
    )
    assert response.status_code == 302
    standard.refresh_from_db()
    assert standard.reference == STANDARD["reference"]
    assert AuditEntry.objects.filter(action="standard.updated").exists()


def test_retired_standard_stays_on_old_certifications_but_is_not_offered(officer_client):
    from products.forms import CertificationForm
    from tests.factories import CertificationFactory

    certification = CertificationFactory()
    standard = certification.standard
    url = reverse("products:standard_retire", args=[standard.pk])
    assert f'href="{url}"' in officer_client.get(reverse("products:standard_list")).text
    assert_asks_first(officer_client.get(url))
    assert_asks_first(officer_client.post(url))
    standard.refresh_from_db()
    assert standard.is_active
    response = officer_client.post(url, CONFIRMED)
    assert response.status_code == 302
    standard.refresh_from_db()
    certification.refresh_from_db()
    assert not standard.is_active
    assert certification.standard == standard
    assert standard not in CertificationForm().fields["standard"].queryset
    assert AuditEntry.objects.filter(action="standard.retired").exists()


def test_standard_list_query_count_does_not_grow(officer_client, django_assert_max_num_queries):
    from tests.factories import CertificationFactory

    for _ in range(3):
        CertificationFactory()
    StandardFactory.create_batch(20)
    with django_assert_max_num_queries(12):
        response = officer_client.get(reverse("products:standard_list"))
    assert response.status_code == 200
    assert len(response.context["standards"]) == Standard.objects.count()


@pytest.mark.parametrize(
    "name", ["standard_list", "standard_create", "standard_update", "standard_retire"]
)
def test_standard_pages_are_for_officers_only(client, owner, faculty, name):
    standard = StandardFactory()
    args = [] if name in ("standard_list", "standard_create") else [standard.pk]
    url = reverse(f"products:{name}", args=args)
    anonymous = client.post(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("account_login"))
    for person in (owner, faculty):
        sign_in(client, person)
        assert client.post(url, CONFIRMED).status_code == 403
    standard.refresh_from_db()
    assert standard.is_active


def test_standards_service_refuses_an_officer_without_two_factor(officer):
    with pytest.raises(NotAllowed):
        catalogue.create_standard(by=officer, data=STANDARD)


# --- Admin -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "model",
    ["category", "standard", "product", "certification", "upgraderecord", "material"],
)
def test_admin_lists_the_registry(client, product, model):
    sign_in(client, enable_totp(UserFactory(is_staff=True, is_superuser=True)))
    assert client.get(reverse(f"admin:products_{model}_changelist")).status_code == 200


def test_admin_shows_a_product_read_only(client, product, owner):
    with_photo(product, owner)
    sign_in(client, enable_totp(UserFactory(is_staff=True, is_superuser=True)))
    response = client.get(reverse("admin:products_product_change", args=[product.pk]))
    assert response.status_code == 200
    assert client.get(reverse("admin:products_product_add")).status_code == 403
