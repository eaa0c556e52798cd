import pytest
from django.urls import reverse

from notifications.services import notify, queue_email
from tests.conftest import enable_totp, sign_in
from tests.factories import UserFactory


@pytest.fixture
def admin_client_user(client, db):
    user = UserFactory(is_staff=True, is_superuser=True)
    sign_in(client, enable_totp(user))  # the admin asks for two-factor sign-in
    return client


@pytest.mark.parametrize("model", ["outboundemail", "notification"])
def test_admin_lists_the_outbox_read_only(admin_client_user, owner, model):
    notify(owner, "welcome", url="/")
    queue_email(to="someone@example.com", subject="Hello", body="Hi")

    changelist = admin_client_user.get(reverse(f"admin:notifications_{model}_changelist"))
    add = admin_client_user.get(reverse(f"admin:notifications_{model}_add"))

    assert changelist.status_code == 200
    assert add.status_code == 403
