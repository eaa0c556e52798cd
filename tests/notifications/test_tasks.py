from smtplib import SMTPException

import pytest

from config.celery import app as celery_app
from notifications import tasks
from notifications.models import OutboundEmail


def test_tasks_have_the_names_beat_and_routes_use():
    assert tasks.deliver_email.name == "notifications.tasks.deliver_email"
    assert tasks.deliver_emails.name == "notifications.tasks.deliver_emails"
    assert tasks.sweep_outbox.name == "notifications.tasks.sweep_outbox"
    assert "notifications.tasks.sweep_outbox" in {
        entry["task"] for entry in celery_app.conf.beat_schedule.values()
    }


def test_notification_tasks_go_to_the_notifications_queue():
    for name in (
        "notifications.tasks.deliver_email",
        "notifications.tasks.deliver_emails",
        "notifications.tasks.sweep_outbox",
    ):
        route = celery_app.amqp.router.route({}, name)
        assert route["queue"].name == "notifications"


@pytest.mark.parametrize("task", [tasks.deliver_email, tasks.deliver_emails])
def test_delivery_retries_transient_failures_late_acked(task):
    assert task.acks_late is True
    assert SMTPException in task.autoretry_for
    assert OSError in task.autoretry_for
    assert task.max_retries == 5
    assert task.retry_backoff is True
    assert task.retry_backoff_max == 600


def test_deliver_email_task_sends_by_id(db, mailoutbox):
    email = OutboundEmail.objects.create(to="a@example.com", subject="Hello", body="Hi")

    tasks.deliver_email.delay(email.pk)
    tasks.deliver_email.delay(email.pk)

    assert len(mailoutbox) == 1


def test_sweep_outbox_task_returns_how_many_it_queued(db, settings):
    settings.OUTBOX_SWEEP_AFTER_SECONDS = 3600
    OutboundEmail.objects.create(to="a@example.com", subject="Hello", body="Hi")

    assert tasks.sweep_outbox.delay().get() == 0
