"""Product photos: verified, re-encoded without metadata, thumbnailed; bad files refused."""

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import ExifTags, Image

from products.exceptions import NotAllowed, PhotoRejected, TooManyPhotos
from products.models import ProductImage
from products.services import catalogue
from tests.confirming import CONFIRMED, assert_asks_first
from tests.conftest import sign_in
from tests.factories import EnterpriseFactory, ProductFactory
from toolkit.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def product(owner):
    owner.language = "en"
    owner.save(update_fields=["language"])
    return ProductFactory(enterprise=EnterpriseFactory(owner=owner))


def jpeg_with_gps(name="kiln.jpg", size=(3200, 2400)):
    """A camera photo that gives away where the workshop is."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "ClayCam"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (18.0, 11.0, 12.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (99.0, 23.0, 40.0)
    out = io.BytesIO()
    Image.new("RGB", size, (164, 71, 31)).save(out, "JPEG", exif=exif)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def png(name="vase.png", size=(800, 600), mode="RGBA"):
    out = io.BytesIO()
    Image.new(mode, size, (47, 93, 98, 200) if mode == "RGBA" else 0).save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def text_as_jpeg(name="notes.jpg"):
    return SimpleUploadedFile(name, b"Not a photo, only some text.\n" * 20, "image/jpeg")


def truncated_jpeg(name="broken.jpg"):
    data = jpeg_with_gps(size=(1200, 900)).read()
    return SimpleUploadedFile(name, data[: len(data) // 2], content_type="image/jpeg")


def too_big(name="huge.jpg"):
    return SimpleUploadedFile(name, b"\xff\xd8\xff" + b"\0" * (10 * 1024 * 1024 + 1), "image/jpeg")


def bomb(name="bomb.png"):
    """A small PNG file that claims 20000 x 20000 pixels."""
    out = io.BytesIO()
    Image.new("1", (20000, 20000)).save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def stored_files(root):
    return [path for path in root.rglob("*") if path.is_file()]


def upload(client, product, *files):
    return client.post(reverse("products:photo_upload", args=[product.pk]), {"photos": list(files)})


# --- Good photos -------------------------------------------------------------------------


def test_a_jpeg_is_kept_without_exif_and_with_a_smaller_thumbnail(client, product, owner, media):
    client.force_login(owner)
    response = upload(client, product, jpeg_with_gps())
    assert response.status_code == 302
    photo = product.images.get()
    with Image.open(photo.image.path) as kept:
        assert kept.format == "JPEG"
        assert not kept.getexif()
        assert "exif" not in kept.info
        assert max(kept.size) == 2400  # scaled down from 3200
    assert b"ClayCam" not in photo.image.read()
    with Image.open(photo.thumbnail.path) as thumbnail:
        assert max(thumbnail.size) < max(photo.width, photo.height)
        assert thumbnail.format == "JPEG"
    assert (photo.width, photo.height) == (2400, 1800)
    assert str(media) in photo.image.path
    assert AuditEntry.objects.filter(action="product.photos_added").exists()


def test_a_png_with_transparency_is_kept_as_jpeg(client, product, owner):
    client.force_login(owner)
    assert upload(client, product, png()).status_code == 302
    photo = product.images.get()
    assert photo.image.name.endswith(".jpg")
    with Image.open(photo.image.path) as kept:
        assert kept.format == "JPEG" and kept.mode == "RGB"


def test_several_photos_in_one_form_keep_their_order(client, product, owner):
    client.force_login(owner)
    response = upload(client, product, png("a.png"), jpeg_with_gps("b.jpg", (400, 300)))
    assert response.status_code == 302
    assert list(product.images.values_list("position", flat=True)) == [1, 2]
    assert (product.images.first().width, product.images.last().width) == (800, 400)


def test_member_and_officer_add_photos(client, officer_client, product):
    from entrepreneurs.models import Member, MemberRole
    from tests.factories import UserFactory

    member = UserFactory()
    Member.objects.create(
        enterprise=product.enterprise, user=member, full_name="x", role=MemberRole.MEMBER
    )
    client.force_login(member)
    assert upload(client, product, png()).status_code == 302
    assert upload(officer_client, product, png()).status_code == 302
    assert product.images.count() == 2


# --- Bad files ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (text_as_jpeg, "not a photo we can read"),
        (truncated_jpeg, "not a photo we can read"),
        (too_big, "larger than 10 MB"),
        (bomb, "too many pixels"),
    ],
)
def test_a_bad_file_is_refused_with_a_message(client, product, owner, media, make, message):
    client.force_login(owner)
    bad = make()
    response = upload(client, product, bad)
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["photos"])
    assert message in errors
    assert bad.name in errors
    assert not ProductImage.objects.exists()
    assert stored_files(media) == []


def test_one_bad_file_refuses_the_whole_batch(client, product, owner, media):
    client.force_login(owner)
    response = upload(client, product, png("good.png"), text_as_jpeg("bad.jpg"), png("ok.png"))
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["photos"])
    assert "bad.jpg" in errors
    assert "good.png" not in errors
    assert not ProductImage.objects.exists()
    assert stored_files(media) == []


def test_service_checks_every_file_before_saving_any(product, owner, media):
    with translation.override("en"), pytest.raises(PhotoRejected) as refused:
        catalogue.add_photos(product=product, by=owner, uploads=[png(), bomb("big.png")])
    assert "big.png" in str(refused.value.message)
    assert "too many pixels" in str(refused.value.message)
    assert stored_files(media) == []


def test_a_form_without_files_asks_for_one(client, product, owner):
    client.force_login(owner)
    response = client.post(reverse("products:photo_upload", args=[product.pk]), {})
    assert response.status_code == 200
    assert "photos" in response.context["form"].errors


def test_a_product_has_at_most_eight_photos(client, product, owner):
    catalogue.add_photos(product=product, by=owner, uploads=[png(f"{i}.png") for i in range(7)])
    client.force_login(owner)
    response = upload(client, product, png("8.png"), png("9.png"))
    assert response.status_code == 200
    assert "at most 8 photos" in " ".join(response.context["form"].errors["photos"])
    assert product.images.count() == 7
    with pytest.raises(TooManyPhotos):
        catalogue.add_photos(product=product, by=owner, uploads=[png("8.png"), png("9.png")])
    catalogue.add_photos(product=product, by=owner, uploads=[png("8.png")])
    assert product.images.count() == 8


# --- Who may add and remove photos -------------------------------------------------------


@pytest.mark.parametrize(("person", "status"), [("outsider", 404), ("faculty", 403)])
def test_others_may_not_add_photos(client, request, product, person, status):
    sign_in(client, request.getfixturevalue(person))
    assert client.get(reverse("products:photo_upload", args=[product.pk])).status_code == status
    assert upload(client, product, png()).status_code == status
    assert not product.images.exists()


def test_photo_upload_sends_anonymous_to_login(client, product):
    response = client.get(reverse("products:photo_upload", args=[product.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_service_refuses_an_outsider(product, outsider):
    with pytest.raises(NotAllowed):
        catalogue.add_photos(product=product, by=outsider, uploads=[png()])


def test_owner_removes_a_photo_and_its_files(
    client, product, owner, media, django_capture_on_commit_callbacks
):
    photo = catalogue.add_photos(product=product, by=owner, uploads=[png()])[0]
    paths = [photo.image.path, photo.thumbnail.path, photo.card.path, photo.card_2x.path]
    client.force_login(owner)
    url = reverse("products:photo_delete", args=[product.pk, photo.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, CONFIRMED)
    assert response.status_code == 302
    assert not product.images.exists()
    assert not any(os.path.exists(path) for path in paths)


def test_removing_a_photo_asks_first(client, product, owner):
    photo = catalogue.add_photos(product=product, by=owner, uploads=[png()])[0]
    url = reverse("products:photo_delete", args=[product.pk, photo.pk])
    client.force_login(owner)
    # The gallery offers a link to the question, not a one-tap form.
    gallery = client.get(reverse("products:photo_upload", args=[product.pk])).text
    assert f'href="{url}"' in gallery
    assert f'action="{url}"' not in gallery
    html = assert_asks_first(client.get(url))
    assert photo.thumbnail.url in html
    # The old page's one-tap POST, without the answer, asks again and removes nothing.
    assert_asks_first(client.post(url))
    assert product.images.count() == 1


def test_photo_delete_refuses_others(client, product, owner, outsider, faculty):
    photo = catalogue.add_photos(product=product, by=owner, uploads=[png()])[0]
    url = reverse("products:photo_delete", args=[product.pk, photo.pk])
    for method in (client.get, client.post):
        client.force_login(outsider)
        assert method(url, CONFIRMED).status_code == 404
        client.force_login(faculty)
        assert method(url, CONFIRMED).status_code == 403
    assert product.images.count() == 1


def test_a_photo_of_another_product_is_404(client, product, owner):
    other = ProductFactory(enterprise=product.enterprise)
    photo = catalogue.add_photos(product=other, by=owner, uploads=[png()])[0]
    client.force_login(owner)
    response = client.post(reverse("products:photo_delete", args=[product.pk, photo.pk]), CONFIRMED)
    assert response.status_code == 404


def test_product_page_shows_the_gallery_with_thumbnails(client, product, owner):
    photos = catalogue.add_photos(product=product, by=owner, uploads=[png("a.png"), png("b.png")])
    client.force_login(owner)
    response = client.get(reverse("products:product_detail", args=[product.pk]))
    for photo in photos:
        assert photo.thumbnail.url in response.text
        assert photo.image.url in response.text
