"""The fixed cast of every test: officer, centre staff, faculty, student, owner, outsider."""

import pytest

from accounts.models import Role
from config.celery import app as celery_app
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _fast_and_eager(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tasks queued on commit run in-process; worker tests turn this off.
    celery_app.conf.task_always_eager = True
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
