"""Celery tasks: thin wrappers over the services, given ids, safe to run twice."""

from smtplib import SMTPException

from celery import shared_task

from . import services

DELIVERY_OPTIONS = {
    "acks_late": True,
    "autoretry_for": (SMTPException, OSError, ConnectionError),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "max_retries": 5,
}


@shared_task(**DELIVERY_OPTIONS)
def deliver_emails(email_ids):
    """Send a batch over one connection; a retry sends only what is still unsent."""
    return services.deliver_emails(email_ids=email_ids)


@shared_task(**DELIVERY_OPTIONS)
def deliver_email(email_id):
    # Kept for messages queued, one per email, before batches: they may still be waiting.
    return services.deliver_email(email_id=email_id)


@shared_task
def sweep_outbox():
    return services.sweep_outbox()
