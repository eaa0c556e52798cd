from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    name = "programmes"
    verbose_name = _("Programmes")

    def ready(self):
        from notifications.targets import fetch_targets_with

        from .models import EnrolmentEvent

        # The decision notice's summary line names the enterprise and the intake.
        fetch_targets_with(
            lambda: EnrolmentEvent.objects.select_related(
                "enrolment__enterprise", "enrolment__intake"
            )
        )
