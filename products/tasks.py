"""Celery tasks: thin wrappers over the services, safe to run twice."""

from celery import shared_task

from .services import catalogue


@shared_task
def notify_expiring_certifications():
    return catalogue.notify_expiring_certifications()
