"""The fixed cast of every test: officer, centre staff, faculty, student, owner, outsider."""

import pytest
from celery._state import _set_task_join_will_block
from django.core.cache import cache

from accounts.models import Role
from config.celery import app as celery_app
from tests.factories import UserFactory
from toolkit.pagination import derived_cache

# Transactional tests keep geography and restore the rest of the reference data.
pytest_plugins = ["tests.reference_data"]


@pytest.fixture(autouse=True)
def _files_in_tmp(settings, tmp_path):
    """Uploaded photos and private documents of a test land in its own folder."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    storages = dict(settings.STORAGES)
    storages["private"] = {
        **storages["private"],
        "OPTIONS": {**storages["private"]["OPTIONS"], "location": str(tmp_path / "private")},
    }
    settings.STORAGES = storages


DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences"}


def uses_database(item):
    return item.get_closest_marker("django_db") is not None or bool(
        DB_FIXTURES & set(getattr(item, "fixturenames", ()))
    )


@pytest.fixture(autouse=True)
def _fast_and_eager(request, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # allauth's rate limits count in the cache; each test starts with none used. The
    # cache is a database table (settings), which only tests with the database reach.
    if uses_database(request.node):
        request.getfixturevalue("db")  # set the database up first (a transactional test's too)
        cache.clear()
        derived_cache().clear()
    # Tasks queued on commit run in-process; worker tests turn this off.
    celery_app.conf.task_always_eager = True
    # An eager task runs under Celery's process-wide "no joining results" flag
    # (denied_join_result saves and restores it); eager tasks in several threads at once
    # (the concurrency tests) can restore it out of order and leave it set, so a later
    # test's result.get() would raise "Never call result.get() within a task".
    _set_task_join_will_block(False)
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager = True


@pytest.fixture
def officer(db):
    return UserFactory(role=Role.OFFICER, email="officer@diprom.example", full_name="วิภา ศรีสุข")


@pytest.fixture
def centre_staff(db):
    return UserFactory(role=Role.CENTRE_STAFF, email="staff@kokha.example", full_name="ประยุทธ คำดี")


@pytest.fixture
def faculty(db):
    return UserFactory(role=Role.FACULTY, email="faculty@tu.ac.th", full_name="อาจารย์ กมล วงศ์ดี")


@pytest.fixture
def student(db):
    return UserFactory(role=Role.STUDENT, email="student@dome.tu.ac.th", full_name="นภา ใจงาม")


@pytest.fixture
def owner(db):
    """An entrepreneur who owns the enterprise under test."""
    return UserFactory(role=Role.ENTREPRENEUR, email="owner@example.com", full_name="บุญมี ปั้นดี")


@pytest.fixture
def outsider(db):
    """Another entrepreneur, who must not see the owner's private data."""
    return UserFactory(role=Role.ENTREPRENEUR, email="outsider@example.com", full_name="สมศรี นอกวง")


TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_code(secret=TOTP_SECRET, offset=0):
    """The code an authenticator app would show now (offset in 30-second steps)."""
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + offset))


def enable_totp(user, secret=TOTP_SECRET):
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import encrypt

    Authenticator.objects.get_or_create(
        user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": encrypt(secret)}}
    )
    return user


@pytest.fixture
def officer_2fa(officer):
    """The officer with two-factor sign-in set up, as staff pages require."""
    return enable_totp(officer)


@pytest.fixture
def staff_2fa(centre_staff):
    return enable_totp(centre_staff)


def sign_in(client, user):
    """Log `user` in as allauth's login would: an account with TOTP passed two-factor.

    force_login alone opens a session that passed only the password step, which staff
    pages refuse; allauth's MFA stage records the code in the session, and so does this.
    """
    from allauth.mfa.base.internal.flows import post_authentication
    from allauth.mfa.models import Authenticator
    from django.test import RequestFactory

    client.force_login(user)
    totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if totp is not None:
        request = RequestFactory().get("/")
        request.user = user
        request.session = client.session
        post_authentication(request, totp)
        request.session.save()
    return client


@pytest.fixture
def officer_client(client, officer_2fa):
    return sign_in(client, officer_2fa)
