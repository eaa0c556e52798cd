import pytest
from django.urls import reverse

from tests.conftest import totp_code
from tests.factories import DEFAULT_PASSWORD


def log_in(client, user):
    return client.post(
        reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD}
    )


def test_officer_with_two_factor_must_give_a_code_to_log_in(client, officer_2fa):
    response = log_in(client, officer_2fa)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session


def test_a_wrong_two_factor_code_is_refused_with_a_thai_message(client, officer_2fa):
    log_in(client, officer_2fa)
    wrong = "000000" if totp_code() != "000000" else "111111"
    response = client.post(reverse("mfa_authenticate"), {"code": wrong})
    assert response.status_code == 200
    assert "รหัสไม่ถูกต้อง กรุณาตรวจดูรหัสแล้วลองอีกครั้ง" in response.text
    assert "_auth_user_id" not in client.session


def test_the_right_code_signs_in_and_opens_staff_pages(client, officer_2fa):
    log_in(client, officer_2fa)
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == officer_2fa.pk
    assert client.get(reverse("accounts:invitation_list")).status_code == 200


def test_officer_without_two_factor_sees_the_set_up_prompt_at_home(client, officer):
    client.force_login(officer)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert reverse("mfa_activate_totp") in response.text


@pytest.mark.parametrize("person", ["owner", "student"])
def test_people_without_staff_roles_are_not_pushed_to_two_factor(client, request, person):
    client.force_login(request.getfixturevalue(person))
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert reverse("mfa_activate_totp") not in response.text


def test_repeated_wrong_passwords_are_rate_limited(client, owner):
    for _ in range(5):
        response = client.post(
            reverse("account_login"), {"login": owner.email, "password": "wrong-password"}
        )
        assert response.status_code == 200
    response = client.post(
        reverse("account_login"), {"login": owner.email, "password": DEFAULT_PASSWORD}
    )
    assert "ท่านลงชื่อเข้าใช้ไม่สำเร็จหลายครั้งเกินไป กรุณาลองใหม่ภายหลัง" in response.text
    assert "_auth_user_id" not in client.session


def test_password_reset_mails_a_link_through_the_outbox(
    client, owner, mailoutbox, django_capture_on_commit_callbacks
):
    from notifications.models import OutboundEmail

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": owner.email})
    assert response.status_code == 302
    assert OutboundEmail.objects.get(to=owner.email).sent_at is not None
    assert "/accounts/password/reset/key/" in mailoutbox[0].body
