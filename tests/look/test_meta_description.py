"""Every public page tells search engines and link previews what it is, in one sentence."""

import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from entrepreneurs.models import VerificationStatus
from products.models import ProductStatus
from tests.factories import EnterpriseFactory, IntakeFactory, ProductFactory

pytestmark = pytest.mark.django_db

META = re.compile(r'<meta name="description" content="([^"]*)">')


def description(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    found = META.findall(response.text)
    assert len(found) == 1, f"{url}: one meta description"
    return html.unescape(found[0]).strip()


@pytest.fixture
def public_urls(db):
    intake = IntakeFactory()
    product = ProductFactory(
        enterprise=EnterpriseFactory(status=VerificationStatus.VERIFIED),
        status=ProductStatus.PUBLISHED,
        published_at=timezone.now(),
        name_th="แจกันลายไก่",
        description="แจกันเคลือบขี้เถ้า ปั้นมือที่เกาะคา",
    )
    return {
        "landing": reverse("home"),
        "showcase": reverse("showcase:index"),
        "showcase product": reverse("showcase:product", args=[product.pk]),
        "programmes": reverse("programmes:programme_list"),
        "programme": intake.programme.get_absolute_url(),
        "intake": intake.get_absolute_url(),
        "login": reverse("account_login"),
        "signup": reverse("account_signup"),
        "privacy": reverse("accounts:privacy_notice"),
    }


def test_every_public_page_has_its_own_meta_description(client, public_urls):
    default = description(client, reverse("entrepreneurs:data_credits"))
    assert default, "the base template's default"
    seen = {}
    for name, url in public_urls.items():
        text = description(client, url)
        assert text and text != default, f"{name} says what it is, not the default"
        assert "\n" not in text
        seen.setdefault(text, name)
    assert len(seen) == len(public_urls), "no two pages share a description"


def test_a_showcase_products_description_names_it_and_starts_its_story(client, public_urls):
    text = description(client, public_urls["showcase product"])
    assert "แจกันลายไก่" in text
    assert "แจกันเคลือบขี้เถ้า" in text


def test_the_description_follows_the_language(client, public_urls):
    thai = description(client, public_urls["landing"])
    client.cookies["django_language"] = "en"
    english = description(client, public_urls["landing"])
    assert english.startswith("Nakhon Ceramic helps")
    assert thai != english
