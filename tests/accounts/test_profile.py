import pytest
from django.urls import reverse

from accounts.models import Role, User
from tests.conftest import sign_in


def test_profile_requires_login(client, db):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_profile_saves_name_phone_and_language(client, owner):
    client.force_login(owner)
    response = client.post(
        reverse("accounts:profile"),
        {"full_name": "บุญมี ปั้นดินเก่ง", "phone": "+66 81 234 5678", "language": "en"},
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert (owner.full_name, owner.phone, owner.language) == (
        "บุญมี ปั้นดินเก่ง",
        "+66 81 234 5678",
        "en",
    )
    assert response.cookies["django_language"].value == "en"
    page = client.get(reverse("accounts:profile"))
    assert "My profile" in page.text
    # The confirmation is said in the language just chosen, like the page around it.
    assert "Your profile has been saved." in page.text


def test_profile_refuses_bad_phone_and_keeps_the_old_one(client, owner):
    owner.phone = "081 111 2222"
    owner.save()
    client.force_login(owner)
    response = client.post(
        reverse("accounts:profile"),
        {"full_name": "บุญมี", "phone": "not a number", "language": "th"},
    )
    assert response.status_code == 200
    assert "หมายเลขโทรศัพท์" in response.text
    owner.refresh_from_db()
    assert owner.phone == "081 111 2222"


def test_profile_refuses_an_empty_name(client, owner):
    client.force_login(owner)
    response = client.post(
        reverse("accounts:profile"), {"full_name": "", "phone": "", "language": "th"}
    )
    assert response.status_code == 200
    owner.refresh_from_db()
    assert owner.full_name


def test_profile_cannot_change_role(client, owner):
    client.force_login(owner)
    client.post(
        reverse("accounts:profile"),
        {"full_name": "x", "phone": "", "language": "th", "role": Role.OFFICER},
    )
    owner.refresh_from_db()
    assert owner.role == Role.ENTREPRENEUR


def test_default_language_is_thai(client, db):
    response = client.get(reverse("home"))
    assert '<html lang="th"' in response.text


def test_language_switcher_remembers_choice_for_visitors(client, db):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"
    assert '<html lang="en"' in client.get(reverse("home")).text
    client.post(reverse("set_language"), {"language": "th", "next": "/"})
    assert '<html lang="th"' in client.get(reverse("home")).text


def test_language_switcher_saves_the_choice_to_the_profile(client, owner):
    client.force_login(owner)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    owner.refresh_from_db()
    assert owner.language == "en"
    # Another browser, no cookie: the profile decides.
    other = type(client)()
    other.force_login(owner)
    assert '<html lang="en"' in other.get(reverse("home")).text


def test_language_switcher_ignores_unknown_languages(client, owner):
    client.force_login(owner)
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    owner.refresh_from_db()
    assert owner.language == "th"


def test_language_switcher_rejects_get(client, db):
    assert client.get(reverse("set_language")).status_code == 405


def test_privacy_notice_page_is_public_and_bilingual(client, db):
    response = client.get(reverse("accounts:privacy_notice"))
    assert response.status_code == 200
    assert "ประกาศความเป็นส่วนตัว" in response.text
    client.cookies["django_language"] = "en"
    assert "Privacy notice (version 1.0)" in client.get(reverse("accounts:privacy_notice")).text


@pytest.mark.parametrize(
    ("person", "text"),
    [
        ("officer_2fa", "staff/invitations"),
        ("owner", "me/profile"),
        ("student", "me/profile"),
        ("faculty", "me/profile"),
        ("staff_2fa", "me/profile"),
    ],
)
def test_each_role_has_its_own_home(client, request, person, text):
    user = request.getfixturevalue(person)
    sign_in(client, user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert text in response.text
    assert user.full_name in response.text


def test_user_email_is_unique_whatever_the_case(owner):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(email="x@example.com", full_name="x", role=Role.ENTREPRENEUR)
        User.objects.filter(email="x@example.com").update(email=owner.email.upper())


def test_an_english_browser_still_gets_thai_until_it_switches(client, db):
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="th"' in response.text
    assert response["Content-Language"] == "th"


@pytest.mark.parametrize(
    "phone", ["9999-12-31", "0001-01-01", "2026-13-45", "0812", "+0 81 234 5678"]
)
def test_profile_refuses_a_date_or_a_short_code_for_a_phone(client, owner, phone):
    client.force_login(owner)
    response = client.post(
        reverse("accounts:profile"), {"full_name": "บุญมี", "phone": phone, "language": "th"}
    )
    assert response.status_code == 200
    assert "หมายเลขโทรศัพท์" in response.text
    owner.refresh_from_db()
    assert owner.phone != phone


def test_a_name_too_long_is_refused_in_the_page_language(client, owner):
    # Django's own Thai catalogue leaves this message out (accounts/django_strings.py).
    client.force_login(owner)
    response = client.post(
        reverse("accounts:profile"), {"full_name": "ก" * 10000, "phone": "", "language": "th"}
    )
    assert response.status_code == 200
    assert "(ตอนนี้มี 10000)" in response.text
    assert "Ensure this value" not in response.text
