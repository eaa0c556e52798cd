from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ToolkitConfig(AppConfig):
    name = "toolkit"
    verbose_name = _("Shared machinery")

    def ready(self):
        from django.db.backends.signals import connection_created

        from .thaisort import register_sqlite_collation

        # Every SQLite connection learns the Thai collation PostgreSQL has from ICU.
        connection_created.connect(register_sqlite_collation)

        from . import checks  # noqa: F401  registers the system checks
