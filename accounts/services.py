"""Every change to accounts goes through one of these functions."""

import hashlib
import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from notifications.services import notify, queue_email
from toolkit.audit import record_audit

from .exceptions import (
    EmailTaken,
    InvitationExpired,
    InvitationInvalid,
    InvitationRevoked,
    InvitationUsed,
    NotAllowed,
)
from .models import Invitation, PrivacyConsent, PrivacyNotice, Role, User


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def record_privacy_consent(*, user: User, notice: PrivacyNotice, ip_address=None) -> PrivacyConsent:
    """Record that `user` accepted this version of the privacy notice (once per version)."""
    consent, _created = PrivacyConsent.objects.get_or_create(
        user=user, notice=notice, defaults={"ip_address": ip_address}
    )
    return consent


@transaction.atomic
def update_profile(*, user: User, full_name: str, phone: str, language: str) -> User:
    """Change the name, phone and language a person gave."""
    user.full_name = full_name
    user.phone = phone
    user.language = language
    user.save(update_fields=["full_name", "phone", "language"])
    return user


@transaction.atomic
def set_language(*, user: User, language: str) -> None:
    """Remember the language a signed-in person chose with the switcher."""
    User.objects.filter(pk=user.pk).update(language=language)
    user.language = language


@transaction.atomic
def create_officer(*, email: str, full_name: str, password: str) -> User:
    """Create a DIPROM officer account with a verified address (administrators only)."""
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise EmailTaken()
    user = User.objects.create_user(
        email=email, password=password, full_name=full_name, role=Role.OFFICER
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


@transaction.atomic
def invite_user(*, email: str, full_name: str, role: str, language: str, by: User):
    """Invite faculty or centre staff by email; returns the invitation and its one-time token."""
    if not by.has_perm("accounts.invite_user"):
        raise NotAllowed()
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise EmailTaken()
    # A new invitation replaces any earlier one still pending for the same address.
    now = timezone.now()
    Invitation.objects.pending().filter(email__iexact=email).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        email=email,
        full_name=full_name,
        role=role,
        language=language,
        token_hash=hash_token(token),
        invited_by=by,
        expires_at=now + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    url = settings.SITE_URL + reverse("accounts:invitation_accept", args=[token])
    with translation.override(language):
        context = {"invitation": invitation, "url": url, "inviter": by}
        subject = render_to_string("accounts/email/invitation_subject.txt", context)
        body = render_to_string("accounts/email/invitation_message.txt", context)
    queue_email(to=email, subject=" ".join(subject.split()), body=body)
    record_audit(actor=by, action="invitation.sent", target=invitation, role=role, email=email)
    return invitation, token


def find_invitation(token: str, *, lock=False) -> Invitation:
    """The pending invitation behind a token, or the reason it cannot be used.

    With `lock`, the row is locked before it is judged (call inside a transaction), so a
    revocation or a second click committed meanwhile is seen.
    """
    invitations = Invitation.objects.select_for_update() if lock else Invitation.objects
    invitation = invitations.filter(token_hash=hash_token(token or "")).first()
    if invitation is None:
        raise InvitationInvalid()
    if invitation.accepted_at:
        raise InvitationUsed()
    if invitation.revoked_at:
        raise InvitationRevoked()
    if invitation.is_expired:
        raise InvitationExpired()
    return invitation


@transaction.atomic
def accept_invitation(
    *,
    token: str,
    full_name: str,
    password: str,
    phone: str,
    language: str,
    notice: PrivacyNotice,
    ip_address=None,
) -> User:
    """Create the invited person's account; the link proved the address, so it is verified."""
    # Locked, so the same link clicked twice creates one account, and a link withdrawn
    # at the same moment is refused.
    invitation = find_invitation(token, lock=True)
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise EmailTaken()
    user = User.objects.create_user(
        email=invitation.email,
        password=password,
        full_name=full_name,
        phone=phone,
        language=language,
        role=invitation.role,
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    invitation.accepted_at = timezone.now()
    invitation.accepted_user = user
    invitation.save(update_fields=["accepted_at", "accepted_user"])
    record_privacy_consent(user=user, notice=notice, ip_address=ip_address)
    record_audit(actor=user, action="invitation.accepted", target=invitation)
    notify(
        invitation.invited_by,
        "invitation_accepted",
        invitation,
        url=reverse("accounts:invitation_list"),
    )
    return user


@transaction.atomic
def revoke_invitation(*, invitation: Invitation, by: User) -> Invitation:
    """Withdraw a pending invitation so its link no longer works."""
    if not by.has_perm("accounts.invite_user"):
        raise NotAllowed()
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at:
        raise InvitationUsed()
    if not invitation.revoked_at:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        record_audit(actor=by, action="invitation.revoked", target=invitation)
    return invitation


def welcome_user(*, user: User) -> None:
    """Greet a person once, when their address is first confirmed."""
    if not user.notifications.filter(kind="welcome").exists():
        notify(user, "welcome", url=reverse("home"))
