"""The portal's one Celery app; its settings live in config.settings under CELERY_*."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("nakhon_ceramic")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
