import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.exceptions import EmailTaken, InvitationRevoked
from accounts.models import Invitation, PrivacyConsent, PrivacyNotice, Role, User
from notifications.models import Notification, OutboundEmail
from tests.confirming import CONFIRMED, assert_asks_first
from tests.conftest import sign_in
from toolkit.models import AuditEntry

INVITE = {
    "full_name": "อาจารย์ สุดา แก้วมณี",
    "email": "suda@tu.ac.th",
    "role": Role.FACULTY,
    "language": "th",
}


def accept_data(**overrides):
    data = {
        "full_name": "อาจารย์ สุดา แก้วมณี",
        "phone": "054 123 456",
        "language": "en",
        "password1": "Glaze-Celadon-77",
        "password2": "Glaze-Celadon-77",
        "accept_privacy": "on",
    }
    data.update(overrides)
    return data


@pytest.fixture
def invitation(officer_2fa):
    return services.invite_user(
        email="staff.new@kokha.example",
        full_name="ประเสริฐ เตาเผา",
        role=Role.CENTRE_STAFF,
        language="th",
        by=officer_2fa,
    )


@pytest.mark.parametrize("days", [7, 14])
def test_invitation_list_says_how_long_a_link_lasts_as_configured(officer_client, settings, days):
    settings.INVITATION_VALID_DAYS = days
    page = officer_client.get(reverse("accounts:invitation_list")).content.decode()
    assert f"หมดอายุใน {days} วัน" in page


def test_invitation_list_sends_anonymous_to_login(client, db):
    response = client.get(reverse("accounts:invitation_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("person", ["owner", "student", "faculty", "staff_2fa"])
def test_invitation_list_is_forbidden_to_other_roles(client, request, person):
    sign_in(client, request.getfixturevalue(person))
    assert client.get(reverse("accounts:invitation_list")).status_code == 403


def test_invitation_list_requires_two_factor_for_officers(client, officer):
    sign_in(client, officer)
    response = client.get(reverse("accounts:invitation_list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_officer_invites_faculty_and_the_email_carries_a_one_time_link(
    officer_client, officer_2fa, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(reverse("accounts:invitation_list"), INVITE)
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="suda@tu.ac.th")
    assert invitation.role == Role.FACULTY
    assert invitation.invited_by == officer_2fa
    assert len(mailoutbox) == 1
    link = re.search(r"/invitation/(\S+)/", mailoutbox[0].body)
    assert link
    # Only a hash of the token is stored.
    assert link.group(1) not in invitation.token_hash
    assert AuditEntry.objects.filter(
        action="invitation.sent", target_id=str(invitation.pk)
    ).exists()
    page = officer_client.get(reverse("accounts:invitation_list"))
    assert "suda@tu.ac.th" in page.text


def test_inviting_an_existing_account_is_refused_with_a_message(officer_client, owner):
    response = officer_client.post(
        reverse("accounts:invitation_list"), {**INVITE, "email": owner.email}
    )
    assert response.status_code == 200
    assert "มีบัญชีที่ใช้อีเมลนี้อยู่แล้ว" in response.text
    assert not Invitation.objects.exists()


def test_invitation_form_refuses_a_self_signup_role(officer_client):
    response = officer_client.post(
        reverse("accounts:invitation_list"), {**INVITE, "role": Role.OFFICER}
    )
    assert response.status_code == 200
    assert not Invitation.objects.exists()


def test_accepting_creates_a_verified_account_with_the_invited_role(
    client, invitation, officer_2fa, django_capture_on_commit_callbacks, mailoutbox
):
    _invitation, token = invitation
    url = reverse("accounts:invitation_accept", args=[token])
    page = client.get(url)
    assert page.status_code == 200
    assert "ประเสริฐ เตาเผา" in page.text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, accept_data(full_name="ประเสริฐ เตาเผาดี"))
    # Centre staff go straight to two-factor set-up.
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    user = User.objects.get(email="staff.new@kokha.example")
    assert (user.role, user.full_name, user.language) == (
        Role.CENTRE_STAFF,
        "ประเสริฐ เตาเผาดี",
        "en",
    )
    assert EmailAddress.objects.get(user=user).verified
    assert PrivacyConsent.objects.filter(user=user, notice=PrivacyNotice.objects.current()).exists()
    assert int(client.session["_auth_user_id"]) == user.pk
    note = Notification.objects.get(recipient=officer_2fa, kind="invitation_accepted")
    assert note.email.to == officer_2fa.email
    assert any(m.to == [officer_2fa.email] for m in mailoutbox)


def test_a_used_invitation_link_says_so(client, invitation):
    _invitation, token = invitation
    url = reverse("accounts:invitation_accept", args=[token])
    client.post(url, accept_data())
    client.logout()
    response = client.get(url)
    assert response.status_code == 410
    assert "คำเชิญนี้ถูกใช้ไปแล้ว" in response.text
    response = client.post(url, accept_data(full_name="Someone else"))
    assert response.status_code == 410
    assert User.objects.filter(email="staff.new@kokha.example").count() == 1


def test_an_expired_invitation_link_says_so(client, invitation):
    obj, token = invitation
    Invitation.objects.filter(pk=obj.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.get(reverse("accounts:invitation_accept", args=[token]))
    assert response.status_code == 410
    assert "คำเชิญนี้หมดอายุแล้ว" in response.text


def test_an_expired_invitation_message_is_in_english_under_english(client, invitation):
    obj, token = invitation
    Invitation.objects.filter(pk=obj.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    client.cookies["django_language"] = "en"
    response = client.get(reverse("accounts:invitation_accept", args=[token]))
    assert "This invitation has expired" in response.text


def test_an_unknown_invitation_token_says_so(client, db):
    response = client.get(reverse("accounts:invitation_accept", args=["not-a-real-token"]))
    assert response.status_code == 410
    assert "ลิงก์คำเชิญนี้ไม่ถูกต้อง" in response.text


def test_a_withdrawn_invitation_no_longer_works(officer_client, client, invitation):
    obj, token = invitation
    response = officer_client.post(reverse("accounts:invitation_revoke", args=[obj.pk]), CONFIRMED)
    assert response.status_code == 302
    obj.refresh_from_db()
    assert obj.revoked_at is not None
    officer_client.logout()
    response = client.get(reverse("accounts:invitation_accept", args=[token]))
    assert response.status_code == 410


def test_withdrawing_an_invitation_asks_first(officer_client, invitation):
    obj, _token = invitation
    url = reverse("accounts:invitation_revoke", args=[obj.pk])
    listing = officer_client.get(reverse("accounts:invitation_list")).text
    assert f'href="{url}"' in listing
    assert f'action="{url}"' not in listing
    assert obj.email in assert_asks_first(officer_client.get(url))
    assert_asks_first(officer_client.post(url))
    obj.refresh_from_db()
    assert obj.revoked_at is None


def test_withdrawing_an_invitation_is_for_officers(client, owner, invitation):
    obj, _token = invitation
    client.force_login(owner)
    url = reverse("accounts:invitation_revoke", args=[obj.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, CONFIRMED).status_code == 403
    obj.refresh_from_db()
    assert obj.revoked_at is None


def test_accept_with_mismatched_passwords_saves_nothing(client, invitation):
    _obj, token = invitation
    response = client.post(
        reverse("accounts:invitation_accept", args=[token]),
        accept_data(password2="something-else-99"),
    )
    assert response.status_code == 200
    assert "รหัสผ่านทั้งสองช่องไม่ตรงกัน" in response.text
    assert not User.objects.filter(email="staff.new@kokha.example").exists()


def test_accept_without_privacy_acceptance_saves_nothing(client, invitation):
    _obj, token = invitation
    data = accept_data()
    del data["accept_privacy"]
    response = client.post(reverse("accounts:invitation_accept", args=[token]), data)
    assert response.status_code == 200
    assert not User.objects.filter(email="staff.new@kokha.example").exists()


def test_a_new_invitation_replaces_a_pending_one(officer_2fa, invitation):
    first, first_token = invitation
    second, _ = services.invite_user(
        email=first.email, full_name=first.full_name, role=first.role, language="en", by=officer_2fa
    )
    with pytest.raises(InvitationRevoked):
        services.find_invitation(first_token)
    assert Invitation.objects.pending().get() == second


def test_invite_user_refuses_an_existing_account(officer_2fa, owner):
    with pytest.raises(EmailTaken):
        services.invite_user(
            email=owner.email.upper(),
            full_name="x",
            role=Role.FACULTY,
            language="th",
            by=officer_2fa,
        )
    assert not OutboundEmail.objects.exists()


def test_invitation_email_is_in_the_chosen_language(officer_2fa):
    services.invite_user(
        email="guest@tu.ac.th", full_name="Guest", role=Role.FACULTY, language="en", by=officer_2fa
    )
    email = OutboundEmail.objects.get(to="guest@tu.ac.th")
    assert email.subject == "You are invited to Nakhon Ceramic"


@pytest.mark.parametrize("person", ["officer", "owner", "staff_2fa"])
def test_invite_user_refuses_people_without_the_permission(request, person):
    from accounts.exceptions import NotAllowed

    with pytest.raises(NotAllowed):
        services.invite_user(
            email="x@tu.ac.th",
            full_name="x",
            role=Role.FACULTY,
            language="th",
            by=request.getfixturevalue(person),
        )
    assert not Invitation.objects.exists()
