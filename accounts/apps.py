from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from . import checks  # noqa: F401  registers the system checks
        from .sites import sync_site_after_migrate

        # Not a workflow: keeps the Sites record equal to SITE_URL on every migrate
        # (scripts/run and deploys run it), with no database access at import time.
        post_migrate.connect(
            sync_site_after_migrate, sender=self, dispatch_uid="accounts.sync_site"
        )
