"""allauth's pages inside the portal frame, with Bootstrap markup from our element templates."""

import re

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.mfa.models import Authenticator
from django.urls import reverse

from tests.conftest import enable_totp, totp_code
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def log_in(client, user):
    return client.post(
        reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD}
    )


def reauthenticate(client):
    """Two-factor settings ask for the password again, however recent the log-in."""
    response = client.post(reverse("account_reauthenticate"), {"password": DEFAULT_PASSWORD})
    assert response.status_code == 302


def assert_in_portal_frame(html):
    assert "nc-navbar" in html
    assert "nc-auth-card" in html
    assert "/static/vendor/bootstrap/css/bootstrap.trimmed.min.css" in html


def test_login_page_renders_bootstrap_fields_with_labels(client):
    response = client.get(reverse("account_login"))
    assert response.status_code == 200
    html = response.text
    assert_in_portal_frame(html)
    assert re.search(r'<input type="email" name="login"[^>]*class="[^"]*form-control', html)
    assert re.search(r'<input type="password" name="password"[^>]*class="[^"]*form-control', html)
    assert re.search(r"<label\s+for=\"id_login\"", html)
    assert re.search(r"<label\s+for=\"id_password\"", html)
    assert "form-check-input" in html  # "remember me"
    assert re.search(r'<button type="submit" class="btn btn-primary', html)


def test_signup_page_renders_bootstrap_fields(client):
    response = client.get(reverse("account_signup"))
    assert response.status_code == 200
    assert_in_portal_frame(response.text)
    assert "form-control" in response.text


def test_failed_login_shows_the_error_as_an_alert(client, owner):
    response = client.post(
        reverse("account_login"), {"login": owner.email, "password": "not-the-password"}
    )
    assert response.status_code == 200
    alert = re.search(
        r'<div class="[^"]*alert-danger[^"]*" role="alert">(.*?)</div>', response.text, re.S
    )
    assert alert and "<li>" in alert.group(1)


def test_field_error_is_tied_to_its_input(client):
    response = client.post(reverse("account_login"), {"login": "", "password": ""})
    html = response.text
    login_input = re.search(r'<input type="email" name="login"[^>]*>', html).group(0)
    assert "is-invalid" in login_input
    assert 'aria-invalid="true"' in login_input
    described = re.search(r'aria-describedby="([^"]*)"', login_input).group(1).split()
    for element_id in described:
        assert f'id="{element_id}"' in html
    assert any(
        re.search(rf'id="{element_id}" class="invalid-feedback"', html) for element_id in described
    )


def test_password_reset_page_renders(client):
    response = client.get(reverse("account_reset_password"))
    assert response.status_code == 200
    assert_in_portal_frame(response.text)
    assert re.search(r'<input type="email" name="email"[^>]*form-control', response.text)


def test_verification_sent_page_renders(client):
    response = client.get(reverse("account_email_verification_sent"))
    assert response.status_code == 200
    assert_in_portal_frame(response.text)


def test_confirm_email_page_renders_a_bootstrap_button(client):
    user = UserFactory(verified=False)
    address = EmailAddress.objects.create(user=user, email=user.email, primary=True)
    key = EmailConfirmationHMAC(address).key
    response = client.get(reverse("account_confirm_email", args=[key]))
    assert response.status_code == 200
    assert_in_portal_frame(response.text)
    assert re.search(r'<button type="submit" class="btn btn-primary', response.text)


def test_reauthentication_page_renders(client, owner):
    log_in(client, owner)
    response = client.get(reverse("account_reauthenticate"))
    assert response.status_code == 200
    assert_in_portal_frame(response.text)
    assert re.search(r'<input type="password" name="password"[^>]*form-control', response.text)


def test_totp_activation_shows_qr_code_and_a_copyable_secret(client, owner):
    log_in(client, owner)
    reauthenticate(client)
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    html = response.text
    assert_in_portal_frame(html)
    assert re.search(r'<img src="data:image/svg\+xml[^"]*" alt="[A-Z2-7]+" class="nc-qr">', html)
    secret = re.search(r'<input[^>]*id="authenticator_secret"[^>]*>', html, re.S).group(0)
    assert "readonly" in secret and "disabled" not in secret
    assert 'aria-describedby="authenticator_secret_helptext"' in secret
    assert 'id="authenticator_secret_helptext"' in html
    assert re.search(r'<input type="text" name="code"[^>]*form-control', html)


def test_two_factor_code_page_renders(client, owner):
    enable_totp(owner)
    log_in(client, owner)
    response = client.get(reverse("mfa_authenticate"))
    assert response.status_code == 200
    assert_in_portal_frame(response.text)
    assert re.search(r'<input type="text" name="code"[^>]*form-control', response.text)


def test_recovery_codes_page_lists_codes_in_a_readonly_textarea(client, owner):
    enable_totp(owner)
    log_in(client, owner)
    client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    reauthenticate(client)
    response = client.post(reverse("mfa_generate_recovery_codes"))
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=owner, type=Authenticator.Type.RECOVERY_CODES).exists()
    response = client.get(reverse("mfa_view_recovery_codes"))
    assert response.status_code == 200
    assert_in_portal_frame(response.text)
    assert re.search(r'<textarea class="form-control nc-code"[^>]*readonly', response.text, re.S)


def test_two_factor_overview_renders_panels_and_buttons(client, owner):
    log_in(client, owner)
    response = client.get(reverse("mfa_index"))
    assert response.status_code == 200
    assert 'class="card mb-3"' in response.text
    assert f'href="{reverse("mfa_activate_totp")}"' in response.text
