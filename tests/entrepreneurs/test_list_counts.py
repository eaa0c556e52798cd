"""The officers' registry lists count once, show when, and count afresh after a change."""

from django.urls import reverse
from django.utils import translation

from entrepreneurs.models import VerificationStatus
from products.services import catalogue
from tests.factories import EnterpriseFactory, ProductFactory, category


def listed(client, name, **params):
    with translation.override("en"):
        response = client.get(reverse(name), params)
    assert response.status_code == 200
    return response


def test_product_count_is_cached_with_its_time_and_a_service_counts_afresh(
    officer_client, officer_2fa, owner, django_capture_on_commit_callbacks
):
    enterprise = EnterpriseFactory(owner=owner, status=VerificationStatus.VERIFIED)
    ProductFactory(enterprise=enterprise)
    first = listed(officer_client, "products:product_list")
    assert first.context["page_obj"].paginator.count == 1
    assert b"data-counted-at" in first.content
    # Written behind the services' back: the cached count does not see it ...
    ProductFactory(enterprise=enterprise)
    assert listed(officer_client, "products:product_list").context["page_obj"].paginator.count == 1
    # ... a product registered through the service is counted once it commits.
    with django_capture_on_commit_callbacks(execute=True):
        catalogue.create_product(
            enterprise=enterprise, by=owner, data={"name_th": "ชามใหม่", "category": category()}
        )
    page = listed(officer_client, "products:product_list").context["page_obj"]
    assert page.paginator.count == 3
    assert len(page.object_list) == 3


def test_enterprise_filter_counts_are_cached_per_filter(
    officer_client, django_capture_on_commit_callbacks
):
    EnterpriseFactory(status=VerificationStatus.VERIFIED)
    EnterpriseFactory(status=VerificationStatus.UNVERIFIED)
    name = "entrepreneurs:enterprise_list"
    verified = listed(officer_client, name, status="verified").context["page_obj"]
    everyone = listed(officer_client, name).context["page_obj"]
    assert (verified.paginator.count, everyone.paginator.count) == (1, 2)
