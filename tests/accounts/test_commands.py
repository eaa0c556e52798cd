import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core.management import CommandError, call_command
from django.core.management.base import SystemCheckError

from accounts.demo import DEMO_USERS
from accounts.models import Role, User


@pytest.mark.django_db
def test_create_officer_makes_a_verified_officer():
    call_command("create_officer", "chief@diprom.example", "วิภา ศรีสุข", password="Str0ng-Kiln-Pass")
    user = User.objects.get(email="chief@diprom.example")
    assert user.role == Role.OFFICER
    assert user.check_password("Str0ng-Kiln-Pass")
    assert EmailAddress.objects.get(user=user).verified


@pytest.mark.django_db
def test_create_officer_refuses_duplicates_and_weak_passwords(officer):
    with pytest.raises(CommandError):
        call_command("create_officer", officer.email, "x", password="Str0ng-Kiln-Pass")
    with pytest.raises(CommandError):
        call_command("create_officer", "new@diprom.example", "x", password="123")
    with pytest.raises(CommandError):
        call_command("create_officer", "not-an-email", "x", password="Str0ng-Kiln-Pass")
    assert not User.objects.filter(email="new@diprom.example").exists()


@pytest.mark.django_db
def test_seed_demo_creates_one_account_per_role_and_is_idempotent(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    assert User.objects.count() == len(DEMO_USERS)
    assert {u.role for u in User.objects.all()} == set(Role.values)
    officer = User.objects.get(role=Role.OFFICER)
    assert Authenticator.objects.filter(user=officer, type="totp").count() == 1
    assert "Lampang-2569" in capsys.readouterr().out


@pytest.mark.django_db
def test_demo_totp_prints_a_code_that_logs_the_demo_officer_in(client, settings, capsys):
    from allauth.mfa.totp.internal.auth import TOTP

    settings.DEBUG = True
    call_command("seed_demo")
    capsys.readouterr()
    email = DEMO_USERS[0][0]
    call_command("demo_totp", email)
    code = capsys.readouterr().out.strip()
    totp = TOTP(Authenticator.objects.get(user__email=email, type="totp"))
    assert totp.validate_code(code)


@pytest.mark.django_db
def test_seed_demo_refuses_without_debug_and_creates_nothing(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert not User.objects.exists()


@pytest.mark.django_db
def test_demo_totp_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("demo_totp", DEMO_USERS[0][0])


@pytest.mark.django_db
def test_migrate_refuses_a_database_with_the_demo_accounts_when_debug_is_off(settings):
    call_command("check", "--database", "default")
    User.objects.create_user(email=DEMO_USERS[0][0], password="Lampang-2569")
    settings.DEBUG = False
    with pytest.raises(SystemCheckError, match="accounts.E001"):
        call_command("migrate", "--check", "--database", "default", skip_checks=False)
    # The demo itself (scripts/run, DEBUG on) keeps working.
    settings.DEBUG = True
    call_command("check", "--database", "default")
