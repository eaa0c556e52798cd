"""Demo accounts: one per role, with known passwords, printed by the run command."""

import base64
import hashlib

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.utils import encrypt

from .models import Role, User
from .services import welcome_user

DEMO_PASSWORD = "Lampang-2569"

DEMO_USERS = [
    ("officer@demo.nakhon-ceramic.test", "วิภาวรรณ ศรีสุข", Role.OFFICER),
    ("staff@demo.nakhon-ceramic.test", "ประยุทธ คำแสน", Role.CENTRE_STAFF),
    ("faculty@demo.nakhon-ceramic.test", "ผศ.ดร.กมล วงศ์ใหญ่", Role.FACULTY),
    ("student.demo@dome.tu.ac.th", "นภัสสร ใจงาม", Role.STUDENT),
    ("owner@demo.nakhon-ceramic.test", "บุญมี ปั้นดินดี", Role.ENTREPRENEUR),
]


def demo_totp_secret(email: str) -> str:
    """A fixed TOTP secret per demo account, so `manage.py demo_totp` can show codes."""
    digest = hashlib.sha256(f"nakhon-ceramic-demo:{email}".encode()).digest()[:20]
    return base64.b32encode(digest).decode()


def seed(*, stdout, style):
    stdout.write(style.MIGRATE_HEADING(f"Demo accounts (password for all: {DEMO_PASSWORD})"))
    for email, full_name, role in DEMO_USERS:
        user, created = User.objects.get_or_create(
            email=email, defaults={"full_name": full_name, "role": role}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        note = ""
        if user.needs_mfa:
            if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
                Authenticator.objects.create(
                    user=user,
                    type=Authenticator.Type.TOTP,
                    data={"secret": encrypt(demo_totp_secret(email))},
                )
                RecoveryCodes.activate(user)
            note = f"  (two-factor code: .venv/bin/python manage.py demo_totp {email})"
        welcome_user(user=user)
        stdout.write(f"  {user.get_role_display():<24} {email}{note}")
