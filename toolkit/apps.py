from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ToolkitConfig(AppConfig):
    name = "toolkit"
    verbose_name = _("Shared machinery")

    def ready(self):
        from . import checks  # noqa: F401  registers the system checks
