import pytest
from django.urls import reverse

from notifications.services import notify, queue_email
from tests.factories import UserFactory


@pytest.fixture
def admin_client_user(client, db):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


@pytest.mark.parametrize("model", ["outboundemail", "notification"])
def test_admin_lists_the_outbox_read_only(admin_client_user, owner, model):
    notify(owner, "welcome", url="/")
    queue_email(to="someone@example.com", subject="Hello", body="Hi")

    changelist = admin_client_user.get(reverse(f"admin:notifications_{model}_changelist"))
    add = admin_client_user.get(reverse(f"admin:notifications_{model}_add"))

    assert changelist.status_code == 200
    assert add.status_code == 403
