"""Celery tasks of the lab: thin wrappers over the services, safe to run twice.

Beat runs them (config.settings.CELERY_BEAT_SCHEDULE) on the default queue; each service
re-reads and locks what it changes, so two workers running one task at once do no harm.
"""

from celery import shared_task
from django.db import DatabaseError

from .services import bookings, clearances, reminders, waiting


@shared_task(acks_late=True)
def mark_no_shows():
    return bookings.mark_no_shows()


@shared_task(acks_late=True)
def expire_requests():
    return bookings.expire_requests()


@shared_task(acks_late=True)
def lapse_holds():
    return waiting.lapse_holds()


@shared_task(acks_late=True)
def remind_tomorrow():
    return reminders.remind_tomorrow()


@shared_task(acks_late=True)
def remind_lapsing_clearances():
    return clearances.remind_lapsing()


@shared_task(acks_late=True)
def remind_sessions_tomorrow():
    from .services import course_reminders

    return course_reminders.remind_sessions_tomorrow()


@shared_task(
    acks_late=True,
    autoretry_for=(OSError, DatabaseError),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=6,
)
def build_certificates(run_id):
    """Print the missing PDFs of a closed run and tell their holders (queued by close_run)."""
    from .services import certificates

    return certificates.build_pdfs(run_id)
