"""A commercialised upgrade's price after may become the product's price, in one click."""

from decimal import Decimal

import pytest
from django.urls import reverse

from products.exceptions import NotAllowed, PriceNotOffered
from products.models import UpgradeStage
from products.services import catalogue, upgrades
from tests.factories import EnterpriseFactory, ProductFactory, UpgradeRecordFactory
from toolkit.models import AuditEntry


@pytest.fixture
def product(owner):
    return ProductFactory(enterprise=EnterpriseFactory(owner=owner), unit_price=Decimal("120"))


def record(product, **fields):
    fields.setdefault("stage", UpgradeStage.COMMERCIALISED)
    fields.setdefault("price_before", Decimal("120"))
    fields.setdefault("price_after", Decimal("180"))
    return UpgradeRecordFactory(product=product, **fields)


def set_price_url(upgrade):
    return reverse("products:upgrade_set_price", args=[upgrade.pk])


def product_page(client, product):
    return client.get(reverse("products:product_detail", args=[product.pk])).text


# --- When the offer appears -----------------------------------------------------------------


def test_the_offer_appears_for_a_commercialised_upgrade_with_another_price(client, owner, product):
    upgrade = record(product)
    client.force_login(owner)
    html = product_page(client, product)
    assert f'action="{set_price_url(upgrade)}"' in html
    offer = html.split(f'action="{set_price_url(upgrade)}"')[1].split("</form>")[0]
    assert "ตั้งราคาเป็น 180.00 บาท" in offer
    assert "120.00" in offer  # the price it has now


@pytest.mark.parametrize(
    "fields",
    [
        {"stage": UpgradeStage.TESTING},  # not on the market yet
        {"price_after": None},  # no price after recorded
        {"price_after": Decimal("120.00")},  # the product has that price already
    ],
)
def test_no_offer_otherwise(client, owner, product, fields):
    upgrade = record(product, **fields)
    client.force_login(owner)
    assert set_price_url(upgrade) not in product_page(client, product)
    with pytest.raises(PriceNotOffered):
        upgrades.set_price_from_upgrade(record=upgrade, by=owner)
    response = client.post(set_price_url(upgrade), follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    product.refresh_from_db()
    assert product.unit_price == Decimal("120")
    assert product.price_set_by is None


def test_saving_a_commercialised_upgrade_points_at_the_offer(officer_client, product):
    from tests.products.test_upgrades import form_data

    response = officer_client.post(
        reverse("products:upgrade_create", args=[product.pk]),
        form_data(stage=UpgradeStage.COMMERCIALISED, price_after="180"),
        follow=True,
    )
    levels = [(m.level_tag, str(m)) for m in response.context["messages"]]
    assert [level for level, _text in levels] == ["success", "info"]
    assert "180" in levels[1][1]
    upgrade = product.upgrades.get()
    assert f'action="{set_price_url(upgrade)}"' in response.text


# --- Taking the price ---------------------------------------------------------------------------


def test_one_click_sets_the_price_audits_it_and_the_page_names_the_upgrade(client, owner, product):
    upgrade = record(product, summary="ชามลายไก่รุ่นใหม่สำหรับร้านกาแฟ")
    client.force_login(owner)
    response = client.post(set_price_url(upgrade))
    assert response.status_code == 302
    assert response["Location"].endswith("#upgrades")
    product.refresh_from_db()
    assert product.unit_price == Decimal("180")
    assert product.price_set_by == upgrade
    entry = AuditEntry.objects.get(action="product.price_set_from_upgrade")
    assert entry.actor == owner
    assert entry.target_id == str(product.pk)
    assert entry.data == {"upgrade": upgrade.pk, "previous": "120.00", "price": "180.00"}
    html = product_page(client, product)
    assert 'id="price-set-by"' in html
    assert f'href="#upgrade-{upgrade.pk}">ชามลายไก่รุ่นใหม่สำหรับร้านกาแฟ</a>' in html
    assert f'id="upgrade-{upgrade.pk}"' in html
    # The offer is taken: it is not made again.
    assert set_price_url(upgrade) not in html


def test_an_officer_may_take_the_price(officer_client, officer_2fa, product):
    upgrade = record(product)
    assert officer_client.post(set_price_url(upgrade)).status_code == 302
    product.refresh_from_db()
    assert product.price_set_by == upgrade


def test_a_price_typed_by_hand_no_longer_names_the_upgrade(owner, product):
    upgrade = record(product)
    upgrades.set_price_from_upgrade(record=upgrade, by=owner)
    product.refresh_from_db()
    data = {f: getattr(product, f) for f in catalogue.PRODUCT_FIELDS}
    catalogue.update_product(product=product, by=owner, data={**data, "unit_price": Decimal("99")})
    product.refresh_from_db()
    assert product.unit_price == Decimal("99")
    assert product.price_set_by is None


# --- Who may ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("person", "status"), [("outsider", 404), ("faculty", 403)])
def test_others_may_not_take_the_price(client, request, product, person, status):
    upgrade = record(product)
    user = request.getfixturevalue(person)
    client.force_login(user)
    if person == "faculty":  # sees the product, is offered nothing
        assert set_price_url(upgrade) not in product_page(client, product)
    assert client.post(set_price_url(upgrade)).status_code == status
    with pytest.raises(NotAllowed):
        upgrades.set_price_from_upgrade(record=upgrade, by=user)
    product.refresh_from_db()
    assert product.unit_price == Decimal("120")
    assert not AuditEntry.objects.filter(action="product.price_set_from_upgrade").exists()


def test_an_officer_without_two_factor_may_not(client, officer, product):
    upgrade = record(product)
    with pytest.raises(NotAllowed):
        upgrades.set_price_from_upgrade(record=upgrade, by=officer)


def test_setting_the_price_needs_post(client, owner, product):
    upgrade = record(product)
    client.force_login(owner)
    assert client.get(set_price_url(upgrade)).status_code == 405


def test_anonymous_is_sent_to_log_in(client, product):
    upgrade = record(product)
    response = client.post(set_price_url(upgrade))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_plain_record_offers_no_price_message(officer_client, product):
    from tests.products.test_upgrades import form_data

    response = officer_client.post(
        reverse("products:upgrade_create", args=[product.pk]),
        form_data(stage=UpgradeStage.TESTING, price_after="180"),
        follow=True,
    )
    assert [m.level_tag for m in response.context["messages"]] == ["success"]


def test_the_product_page_asks_nothing_more_per_upgrade(
    client, owner, product, django_assert_max_num_queries
):
    record(product)
    client.force_login(owner)
    with django_assert_max_num_queries(40) as few:
        product_page(client, product)
    for _ in range(6):
        record(product)
    with django_assert_max_num_queries(len(few.captured_queries)):
        product_page(client, product)
