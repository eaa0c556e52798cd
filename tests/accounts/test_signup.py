import re

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse

from accounts.models import PrivacyConsent, PrivacyNotice, Role, User
from notifications.models import Notification


def signup_data(**overrides):
    data = {
        "full_name": "บุญมี ปั้นดินดี",
        "role": Role.ENTREPRENEUR,
        "email": "boonmee@example.com",
        "phone": "081 234 5678",
        "password1": "Kaolin-Lampang-52",
        "password2": "Kaolin-Lampang-52",
        "accept_privacy": "on",
    }
    data.update(overrides)
    return data


def confirmation_link(message):
    return re.search(r"https?://\S+/accounts/confirm-email/\S+", message.body).group(0)


@pytest.mark.django_db
def test_signup_page_shows_the_current_privacy_notice(client):
    notice = PrivacyNotice.objects.current()
    response = client.get(reverse("account_signup"))
    assert response.status_code == 200
    assert notice.version in response.text
    assert notice.body_th.splitlines()[0] in response.text
    # Django's password rules, which its own Thai catalogue leaves in English.
    assert "รหัสผ่านต้องไม่เป็นตัวเลขทั้งหมด" in response.text


@pytest.mark.django_db
def test_entrepreneur_signup_records_profile_consent_and_sends_verification(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_signup"), signup_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="boonmee@example.com")
    assert (user.full_name, user.role, user.phone, user.language) == (
        "บุญมี ปั้นดินดี",
        Role.ENTREPRENEUR,
        "081 234 5678",
        "th",
    )
    consent = PrivacyConsent.objects.get(user=user)
    assert consent.notice == PrivacyNotice.objects.current()
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["boonmee@example.com"]
    assert "/accounts/confirm-email/" in mailoutbox[0].body


@pytest.mark.django_db
def test_signup_in_english_keeps_english_as_preferred_language(client):
    client.cookies["django_language"] = "en"
    client.post(reverse("account_signup"), signup_data())
    assert User.objects.get(email="boonmee@example.com").language == "en"


@pytest.mark.django_db
def test_signup_refuses_without_privacy_acceptance(client):
    data = signup_data()
    del data["accept_privacy"]
    response = client.post(reverse("account_signup"), data)
    assert response.status_code == 200
    assert "ต้องยอมรับประกาศความเป็นส่วนตัว" in response.text
    assert not User.objects.filter(email="boonmee@example.com").exists()


@pytest.mark.django_db
def test_student_signup_refuses_a_non_university_address(client):
    response = client.post(
        reverse("account_signup"), signup_data(role=Role.STUDENT, email="napa@gmail.com")
    )
    assert response.status_code == 200
    assert "นักศึกษาต้องสมัครด้วยอีเมลของมหาวิทยาลัย" in response.text
    assert "@tu.ac.th" in response.text
    assert not User.objects.filter(email="napa@gmail.com").exists()


@pytest.mark.django_db
def test_student_signup_message_is_in_english_under_english(client):
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("account_signup"), signup_data(role=Role.STUDENT, email="napa@gmail.com")
    )
    assert "Students must sign up with a university email address" in response.text


@pytest.mark.django_db
@pytest.mark.parametrize("email", ["napa.j@dome.tu.ac.th", "napa@lampang.tu.ac.th"])
def test_student_signup_accepts_university_domains_and_subdomains(client, email):
    response = client.post(reverse("account_signup"), signup_data(role=Role.STUDENT, email=email))
    assert response.status_code == 302
    assert User.objects.get(email=email).role == Role.STUDENT


@pytest.mark.django_db
def test_student_domains_come_from_settings(client, settings):
    settings.UNIVERSITY_EMAIL_DOMAINS = ["cmu.ac.th"]
    response = client.post(
        reverse("account_signup"), signup_data(role=Role.STUDENT, email="a@dome.tu.ac.th")
    )
    assert response.status_code == 200
    assert "@cmu.ac.th" in response.text


@pytest.mark.django_db
def test_signup_cannot_choose_a_staff_role(client):
    response = client.post(reverse("account_signup"), signup_data(role=Role.OFFICER))
    assert response.status_code == 200
    assert not User.objects.filter(email="boonmee@example.com").exists()


@pytest.mark.django_db
def test_signup_refuses_a_bad_phone_number(client):
    response = client.post(reverse("account_signup"), signup_data(phone="call me"))
    assert response.status_code == 200
    assert not User.objects.filter(email="boonmee@example.com").exists()


@pytest.mark.django_db
def test_login_is_refused_until_the_email_is_confirmed(client):
    client.post(reverse("account_signup"), signup_data())
    client.logout()
    response = client.post(
        reverse("account_login"),
        {"login": "boonmee@example.com", "password": "Kaolin-Lampang-52"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_confirmation_link_verifies_once_and_welcomes_once(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_signup"), signup_data())
    link = confirmation_link(mailoutbox[0])
    client.logout()
    path = link.split("://", 1)[1].split("/", 1)[1]
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get("/" + path).status_code == 200
        response = client.post("/" + path)
    assert response.status_code == 302
    user = User.objects.get(email="boonmee@example.com")
    assert EmailAddress.objects.get(user=user).verified
    assert Notification.objects.filter(recipient=user, kind="welcome").count() == 1
    # The link works once: a second use says so, in Thai, and changes nothing.
    again = client.get("/" + path)
    assert again.status_code == 200
    assert "ลิงก์ยืนยันอีเมลนี้หมดอายุหรือไม่ถูกต้อง" in again.text
    assert Notification.objects.filter(recipient=user, kind="welcome").count() == 1
    response = client.post(
        reverse("account_login"),
        {"login": "boonmee@example.com", "password": "Kaolin-Lampang-52"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def confirmation_path(message):
    return "/" + confirmation_link(message).split("://", 1)[1].split("/", 1)[1]


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


@pytest.mark.django_db
def test_confirming_in_the_browser_that_signed_up_signs_in(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_signup"), signup_data())
    assert signed_in_user_id(client) is None
    path = confirmation_path(mailoutbox[0])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path, follow=True)

    user = User.objects.get(email="boonmee@example.com")
    assert response.redirect_chain == [(reverse("home"), 302)]
    assert signed_in_user_id(client) == str(user.pk)
    assert "สวัสดี คุณบุญมี ปั้นดินดี" in response.text
    assert "ยืนยันอีเมล boonmee@example.com แล้ว" in response.text
    assert Notification.objects.filter(recipient=user, kind="welcome").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("th", "กรุณาลงชื่อเข้าใช้ด้วยอีเมลและรหัสผ่านของท่านเพื่อใช้งานต่อ"),
        ("en", "Please sign in with your email address and password to continue."),
    ],
)
def test_confirming_in_another_browser_asks_to_sign_in(
    language, message, client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_signup"), signup_data())
    # Opened on another device: a browser with no session of the sign-up.
    other = Client()
    other.cookies["django_language"] = language

    with django_capture_on_commit_callbacks(execute=True):
        response = other.post(confirmation_path(mailoutbox[0]), follow=True)

    assert response.redirect_chain == [(reverse("account_login"), 302)]
    assert signed_in_user_id(other) is None
    assert message in response.text
    assert EmailAddress.objects.get(email="boonmee@example.com").verified
    response = other.post(
        reverse("account_login"),
        {"login": "boonmee@example.com", "password": "Kaolin-Lampang-52"},
    )
    assert response["Location"] == reverse("home")


@pytest.mark.django_db
def test_a_used_link_signs_no_one_in(client, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_signup"), signup_data())
    path = confirmation_path(mailoutbox[0])
    Client().post(path)

    # The sign-up browser opens the link after it was used elsewhere: no sign-in.
    page = client.get(path)
    response = client.post(path)

    assert "ลิงก์ยืนยันอีเมลนี้หมดอายุหรือไม่ถูกต้อง" in page.text
    assert response.status_code == 404
    assert signed_in_user_id(client) is None
