from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("Training")

    def ready(self):
        from notifications.targets import fetch_targets_with

        from .models import Booking

        # Booking notices name the resource in their subject line.
        fetch_targets_with(lambda: Booking.objects.select_related("resource"))
