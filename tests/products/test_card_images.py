"""The showcase cards' photos: WebP crops sized for the card, made on upload and by a command."""

import io
import os
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from entrepreneurs.models import VerificationStatus
from products.images import card_images, process_photo
from products.models import ProductImage, ProductStatus
from tests.factories import EnterpriseFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def jpeg(size=(1600, 900)):
    out = io.BytesIO()
    Image.new("RGB", size, (164, 71, 31)).save(out, "JPEG")
    return SimpleUploadedFile("bowl.jpg", out.getvalue(), content_type="image/jpeg")


def published(**kwargs):
    enterprise = EnterpriseFactory(status=VerificationStatus.VERIFIED)
    return ProductFactory(
        enterprise=enterprise, status=ProductStatus.PUBLISHED, published_at=timezone.now(), **kwargs
    )


def photo_without_cards(product):
    """A photo kept the way uploads were kept before the card crops existed."""
    photo, thumbnail = process_photo(jpeg())
    return ProductImage.objects.create(product=product, image=photo, thumbnail=thumbnail)


def test_an_upload_makes_webp_crops_of_the_cards_size(client, owner):
    product = ProductFactory(enterprise=EnterpriseFactory(owner=owner))
    client.force_login(owner)
    url = reverse("products:photo_upload", args=[product.pk])
    assert client.post(url, {"photos": [jpeg()]}).status_code == 302
    photo = product.images.get()
    for field, size in ((photo.card, (320, 240)), (photo.card_2x, (640, 480))):
        with Image.open(field.path) as card:
            assert card.format == "WEBP"
            assert card.size == size
    # A 4:3 crop of a 16:9 photo is far smaller than the photo and its JPEG thumbnail.
    assert photo.card_2x.size < photo.thumbnail.size < photo.image.size


def test_showcase_cards_offer_both_widths_and_load_the_first_screen_at_once(client):
    products = [published(name_th=f"ชาม {n}") for n in range(6)]
    for product in products:
        photo, thumbnail = process_photo(jpeg())
        image = ProductImage(product=product, image=photo, thumbnail=thumbnail)
        image.set_card_images(card_images(photo))
        image.save()
    html = client.get(reverse("showcase:index")).text
    tags = re.findall(r"<img [^>]*>", html)
    assert len(tags) == 6
    for tag in tags:
        card = r"/media/products/cards/\w+\.webp"
        assert re.search(rf'srcset="{card} 320w, {card} 640w"', tag)
        assert 'width="320" height="240"' in tag
    # Four cards fill a laptop's first row: those load at once, the first one first.
    assert 'fetchpriority="high"' in tags[0]
    assert not any('loading="lazy"' in tag for tag in tags[:4])
    assert all('loading="lazy"' in tag for tag in tags[4:])


def test_a_photo_kept_before_the_crops_shows_its_jpeg_thumbnail(client):
    image = photo_without_cards(published())
    html = client.get(reverse("showcase:index")).text
    assert f'src="{image.thumbnail.url}"' in html
    assert "srcset=" not in html


def test_make_card_images_fills_in_old_photos_and_skips_done_ones():
    old = photo_without_cards(published())
    out = io.StringIO()
    call_command("make_card_images", stdout=out)
    old.refresh_from_db()
    assert old.card.name.endswith(".webp") and old.card_2x.name.endswith(".webp")
    assert "for 1 photos" in out.getvalue()
    done = old.card.name
    out = io.StringIO()
    call_command("make_card_images", stdout=out)
    assert "for 0 photos" in out.getvalue()
    old.refresh_from_db()
    assert old.card.name == done


def test_make_card_images_all_remakes_and_deletes_the_old_files():
    image = photo_without_cards(published())
    call_command("make_card_images", stdout=io.StringIO())
    image.refresh_from_db()
    first = image.card.path
    call_command("make_card_images", "--all", stdout=io.StringIO())
    image.refresh_from_db()
    assert image.card.path != first
    assert not os.path.exists(first)
