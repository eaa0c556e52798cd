"""Celery tasks: thin wrappers over the services, given ids, safe to run twice."""

from smtplib import SMTPException

from celery import shared_task

from . import services


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(SMTPException, OSError, ConnectionError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def deliver_email(self, email_id):
    return services.deliver_email(email_id=email_id)


@shared_task
def sweep_outbox():
    return services.sweep_outbox()
