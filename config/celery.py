"""The portal's one Celery app; its settings live in config.settings under CELERY_*."""

import os

from celery import Celery
from kombu.transport import TRANSPORT_ALIASES

# `filesystem://` (the embedded broker) writes each message whole before workers see it.
TRANSPORT_ALIASES["filesystem"] = "config.filesystem_broker:Transport"

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("nakhon_ceramic")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
