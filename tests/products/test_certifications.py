"""Certifications: the form, private documents and who may download them, expiry notices."""

import io
import threading
from datetime import date, timedelta

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image

from accounts.models import Role
from entrepreneurs.models import Member, MemberRole
from notifications.models import Notification
from products.exceptions import DocumentRejected, NotAllowed, ProductError
from products.forms import CertificationForm
from products.models import Certification, Standard
from products.services import catalogue
from products.tasks import notify_expiring_certifications
from tests.confirming import CONFIRMED, assert_asks_first
from tests.conftest import sign_in
from tests.factories import (
    CertificationFactory,
    EnterpriseFactory,
    ProductFactory,
    UserFactory,
)
from toolkit.models import AuditEntry

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def storage(settings, tmp_path, monkeypatch):
    """Public media and the private documents both under tmp_path, apart from each other."""
    settings.MEDIA_ROOT = tmp_path / "media"
    private = FileSystemStorage(location=tmp_path / "private", base_url=None)
    monkeypatch.setattr(Certification._meta.get_field("document"), "storage", private)
    return tmp_path


@pytest.fixture
def enterprise(owner):
    return EnterpriseFactory(owner=owner)


@pytest.fixture
def member(enterprise):
    user = UserFactory(role=Role.ENTREPRENEUR, language="en", full_name="Malee Member")
    Member.objects.create(
        enterprise=enterprise, user=user, full_name=user.full_name, role=MemberRole.MEMBER
    )
    return user


@pytest.fixture
def product(enterprise):
    return ProductFactory(
        enterprise=enterprise, name_th="ชามตราไก่เกาะคา", name_en="Ko Kha rooster bowl"
    )


@pytest.fixture
def standard():
    """Thai community product standard for pottery, as the reference data seeds it."""
    return Standard.objects.get(reference="มผช. 14/2558")


def pdf(name="certificate.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def scan(name="scan.png"):
    out = io.BytesIO()
    Image.new("RGB", (300, 400), "white").save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def certification_data(chosen, **overrides):
    data = {
        "standard": chosen.pk,
        "number": "มผช. 14/2558-0042",
        "issued_on": "15/01/2568",
        "expires_on": "14/01/2571",
    }
    data.update(overrides)
    return data


def english(user):
    user.language = "en"
    user.save(update_fields=["language"])
    return user


# --- The form ----------------------------------------------------------------------------


def test_certification_form_takes_be_dates(standard):
    form = CertificationForm(certification_data(standard))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["issued_on"] == date(2025, 1, 15)
    assert form.cleaned_data["expires_on"] == date(2028, 1, 14)


def test_certification_form_allows_no_expiry(standard):
    form = CertificationForm(certification_data(standard, expires_on=""))
    assert form.is_valid(), form.errors


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("expires_on", {"expires_on": "14/01/2567"}),
        ("issued_on", {"issued_on": "31/02/2568"}),
        ("issued_on", {"issued_on": ""}),
        ("number", {"number": ""}),
        ("standard", {"standard": ""}),
    ],
)
def test_certification_form_refuses_bad_input(standard, field, overrides):
    form = CertificationForm(certification_data(standard, **overrides))
    assert not form.is_valid()
    assert field in form.errors


def test_certification_form_refuses_an_issue_date_in_the_future(standard):
    tomorrow = (timezone.localdate() + timedelta(days=1)).strftime("%d/%m/%Y")
    form = CertificationForm(certification_data(standard, issued_on=tomorrow, expires_on=""))
    assert "issued_on" in form.errors


def test_certification_form_does_not_offer_a_retired_standard(standard):
    standard.is_active = False
    standard.save()
    form = CertificationForm(certification_data(standard))
    assert "standard" in form.errors


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (SimpleUploadedFile("fake.pdf", b"MZ\x90\x00 not a pdf", "application/pdf"), "as a PDF"),
        (SimpleUploadedFile("scan.png", b"\x89PNG\r\n\x1a\n broken", "image/png"), "as a PDF"),
        (
            SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "application/pdf"),
            "10 MB",
        ),
    ],
)
def test_certification_form_checks_the_document_by_content(standard, document, message):
    with translation.override("en"):
        form = CertificationForm(certification_data(standard), {"document": document})
        assert not form.is_valid()
        assert message in " ".join(form.errors["document"])


# --- Adding and removing -----------------------------------------------------------------


def test_owner_adds_a_certification_with_a_private_document(
    client, product, owner, standard, storage
):
    client.force_login(owner)
    url = reverse("products:certification_add", args=[product.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {**certification_data(standard), "document": pdf("ใบรับรอง.exe")})
    assert response.status_code == 302
    certification = product.certifications.get()
    assert certification.issued_on == date(2025, 1, 15)
    assert certification.created_by == owner
    # Named for what it is, kept away from the public media folder.
    assert certification.document.name.endswith(".pdf")
    assert (storage / "private" / certification.document.name).read_bytes() == PDF
    assert not (storage / "media").exists() or not any((storage / "media").rglob("*.pdf"))
    assert AuditEntry.objects.filter(action="certification.added").exists()


def test_a_scanned_image_is_accepted_as_a_document(product, owner, standard):
    certification = catalogue.add_certification(
        product=product,
        by=owner,
        data={"standard": standard, "number": "1", "issued_on": date(2025, 1, 1)},
        document=scan(),
    )
    assert certification.document.name.endswith(".png")


def test_a_bad_document_is_refused_on_the_form_and_nothing_saved(client, product, owner, standard):
    client.force_login(english(owner))
    fake = SimpleUploadedFile("cert.pdf", b"hello, I am text", "application/pdf")
    response = client.post(
        reverse("products:certification_add", args=[product.pk]),
        {**certification_data(standard), "document": fake},
    )
    assert response.status_code == 200
    assert "as a PDF or a photo" in " ".join(response.context["form"].errors["document"])
    assert not Certification.objects.exists()


def test_service_checks_the_document_too(product, owner, standard):
    with pytest.raises(DocumentRejected):
        catalogue.add_certification(
            product=product,
            by=owner,
            data={"standard": standard, "number": "1", "issued_on": date(2025, 1, 1)},
            document=SimpleUploadedFile("x.pdf", b"GIF89a", "application/pdf"),
        )
    assert not Certification.objects.exists()


def test_service_refuses_a_retired_standard_and_an_outsider(product, owner, outsider, standard):
    data = {"standard": standard, "number": "1", "issued_on": date(2025, 1, 1)}
    with pytest.raises(NotAllowed):
        catalogue.add_certification(product=product, by=outsider, data=data)
    standard.is_active = False
    standard.save()
    with pytest.raises(ProductError):
        catalogue.add_certification(product=product, by=owner, data=data)


def test_member_and_officer_add_certifications(client, officer_client, product, member, standard):
    url = reverse("products:certification_add", args=[product.pk])
    client.force_login(member)
    assert client.post(url, certification_data(standard, number="A-1")).status_code == 302
    assert officer_client.post(url, certification_data(standard, number="A-2")).status_code == 302
    assert product.certifications.count() == 2


@pytest.mark.parametrize(("person", "status"), [("outsider", 404), ("faculty", 403)])
def test_others_may_not_add_certifications(client, request, product, standard, person, status):
    client.force_login(request.getfixturevalue(person))
    url = reverse("products:certification_add", args=[product.pk])
    assert client.get(url).status_code == status
    assert client.post(url, certification_data(standard)).status_code == status
    assert not Certification.objects.exists()


def test_certification_add_sends_anonymous_to_login(client, product):
    response = client.get(reverse("products:certification_add", args=[product.pk]))
    assert response["Location"].startswith(reverse("account_login"))


def test_owner_removes_a_certification_and_its_document(
    client, product, owner, standard, storage, django_capture_on_commit_callbacks
):
    certification = catalogue.add_certification(
        product=product,
        by=owner,
        data={"standard": standard, "number": "1", "issued_on": date(2025, 1, 1)},
        document=pdf(),
    )
    path = storage / "private" / certification.document.name
    assert path.exists()
    client.force_login(owner)
    url = reverse("products:certification_delete", args=[product.pk, certification.pk])
    assert f'href="{url}"' in client.get(product.get_absolute_url()).text
    assert_asks_first(client.get(url))
    # A one-tap POST without the answer only asks.
    assert_asks_first(client.post(url))
    assert Certification.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, CONFIRMED).status_code == 302
    assert not Certification.objects.exists()
    assert not path.exists()
    assert AuditEntry.objects.filter(action="certification.removed").exists()


@pytest.mark.parametrize(("person", "status"), [("outsider", 404), ("faculty", 403)])
def test_others_may_not_remove_a_certification(client, request, product, person, status):
    certification = CertificationFactory(product=product)
    client.force_login(request.getfixturevalue(person))
    url = reverse("products:certification_delete", args=[product.pk, certification.pk])
    assert client.get(url).status_code == status
    assert client.post(url, CONFIRMED).status_code == status
    assert Certification.objects.exists()


# --- Downloading the document ------------------------------------------------------------


@pytest.fixture
def with_document(product, owner, standard):
    return catalogue.add_certification(
        product=product,
        by=owner,
        data={"standard": standard, "number": "0042", "issued_on": date(2025, 1, 1)},
        document=pdf(),
    )


def document_url(certification):
    return reverse(
        "products:certification_document", args=[certification.product_id, certification.pk]
    )


@pytest.mark.parametrize("person", ["owner", "member", "officer_2fa"])
def test_the_enterprise_and_officers_download_the_document(client, request, with_document, person):
    sign_in(client, request.getfixturevalue(person))
    response = client.get(document_url(with_document))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("person", ["outsider", "student", "faculty", "staff_2fa"])
def test_the_document_is_404_for_everyone_else(client, request, with_document, person):
    sign_in(client, request.getfixturevalue(person))
    assert client.get(document_url(with_document)).status_code == 404


def test_an_officer_session_that_passed_only_the_password_gets_no_document(
    client, with_document, officer_2fa
):
    client.force_login(officer_2fa)
    response = client.get(document_url(with_document))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))
    assert not hasattr(response, "streaming_content")


def test_the_document_sends_anonymous_to_login(client, with_document):
    response = client.get(document_url(with_document))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_document_is_404_under_another_product(client, with_document, owner):
    other = ProductFactory(enterprise=with_document.product.enterprise)
    client.force_login(owner)
    url = reverse("products:certification_document", args=[other.pk, with_document.pk])
    assert client.get(url).status_code == 404


def test_product_page_shows_validity_and_links_the_document_only_for_editors(
    client, product, owner, faculty, with_document
):
    today = timezone.localdate()
    CertificationFactory(
        product=product,
        issued_on=today - timedelta(days=400),
        expires_on=today + timedelta(days=10),
    )
    CertificationFactory(
        product=product, issued_on=today - timedelta(days=400), expires_on=today - timedelta(days=1)
    )
    client.force_login(english(owner))
    response = client.get(reverse("products:product_detail", args=[product.pk]))
    assert [c.validity for c in response.context["certifications"]].count("expiring") == 1
    assert {c.validity for c in response.context["certifications"]} == {
        "valid",
        "expiring",
        "expired",
    }
    for label in ("Valid", "Expiring soon", "Expired"):
        assert label in response.text
    assert document_url(with_document) in response.text
    client.force_login(faculty)
    response = client.get(reverse("products:product_detail", args=[product.pk]))
    assert response.status_code == 200
    assert document_url(with_document) not in response.text


# --- Expiry notices ----------------------------------------------------------------------

TODAY = date(2026, 5, 1)


@pytest.fixture
def expiring(product):
    return CertificationFactory(
        product=product, issued_on=date(2023, 6, 1), expires_on=TODAY + timedelta(days=30)
    )


def test_members_with_an_account_are_told_30_days_before_in_their_language(
    expiring, owner, member, outsider, mailoutbox, django_capture_on_commit_callbacks
):
    Member.objects.create(
        enterprise=expiring.product.enterprise, full_name="No account", role=MemberRole.MEMBER
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert catalogue.notify_expiring_certifications(today=TODAY) == 1
    notified = Notification.objects.filter(kind="certification_expiring")
    assert {n.recipient for n in notified} == {owner, member}
    assert all(n.url == expiring.product.get_absolute_url() for n in notified)
    mails = {mail.to[0]: mail for mail in mailoutbox}
    assert set(mails) == {owner.email, member.email}
    # The owner reads Thai (B.E. dates, the Thai name), the member English.
    assert "31 พ.ค. 2569" in mails[owner.email].subject
    assert "ชามตราไก่เกาะคา" in mails[owner.email].body
    assert "31 May 2026" in mails[member.email].subject
    assert "Ko Kha rooster bowl" in mails[member.email].body
    assert expiring.number in mails[member.email].body
    expiring.refresh_from_db()
    assert expiring.expiry_notified_at is not None


def test_expiry_notice_goes_once(expiring, owner):
    assert catalogue.notify_expiring_certifications(today=TODAY) == 1
    assert catalogue.notify_expiring_certifications(today=TODAY + timedelta(days=1)) == 0
    assert Notification.objects.filter(recipient=owner).count() == 1


@pytest.mark.parametrize(
    "expires_on",
    [TODAY + timedelta(days=31), TODAY - timedelta(days=1), None],
)
def test_no_notice_outside_the_30_days(product, owner, expires_on):
    CertificationFactory(product=product, issued_on=date(2020, 1, 1), expires_on=expires_on)
    assert catalogue.notify_expiring_certifications(today=TODAY) == 0
    assert not Notification.objects.exists()


def test_a_certification_expiring_today_is_still_announced(product, owner):
    CertificationFactory(product=product, issued_on=date(2020, 1, 1), expires_on=TODAY)
    assert catalogue.notify_expiring_certifications(today=TODAY) == 1


def test_a_second_run_racing_the_first_notifies_nobody_twice(expiring, owner, member):
    # Both runs listed the certification before either claimed it.
    assert catalogue._announce_expiry(expiring.pk) is True
    assert catalogue._announce_expiry(expiring.pk) is False
    assert Notification.objects.filter(kind="certification_expiring").count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_notify_each_member_once(expiring, owner, member):
    barrier = threading.Barrier(2)
    results = []

    def run():
        try:
            barrier.wait()
            results.append(catalogue.notify_expiring_certifications(today=TODAY))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [0, 1]
    assert Notification.objects.filter(kind="certification_expiring").count() == 2


def test_the_daily_task_runs_the_service(product, owner):
    CertificationFactory(
        product=product,
        issued_on=date(2020, 1, 1),
        expires_on=timezone.localdate() + timedelta(days=5),
    )
    assert notify_expiring_certifications.delay().get() == 1
    assert Notification.objects.filter(recipient=owner, kind="certification_expiring").exists()


def test_the_inbox_shows_the_notice_in_the_readers_language(client, expiring, member):
    catalogue.notify_expiring_certifications(today=TODAY)
    client.force_login(member)
    response = client.get(reverse("notifications:inbox"))
    assert "31 May 2026" in response.text
    assert "Ko Kha rooster bowl" in response.text
