"""Celery tasks of the reports: thin wrappers over reports.services, by id.

Routed to the `reports` queue (config.settings.CELERY_TASK_ROUTES), so a national report
never delays an email. Acknowledged late: a worker that dies mid-report leaves the
message to be delivered again, and services.run_report starts the file anew.
"""

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError

from . import services


@shared_task(bind=True, acks_late=True, max_retries=8)
def build_report(self, job_id):
    try:
        outcome = services.run_report(job_id=job_id, token=self.request.id)
    except (DatabaseError, OSError) as error:
        # Back off 30 s, 60 s, 120 s … at most 10 minutes; the claim goes stale meanwhile.
        delay = min(600, settings.REPORT_STALL_SECONDS * 2**self.request.retries)
        raise self.retry(exc=error, countdown=delay) from error
    if outcome == services.BUSY:
        # This message's earlier run may still be alive: look again once its claim is stale.
        raise self.retry(countdown=settings.REPORT_STALL_SECONDS)
    return outcome


@shared_task(acks_late=True)
def sweep_reports():
    return services.sweep_reports()


@shared_task(acks_late=True)
def delete_expired_reports():
    return services.delete_expired_reports()
