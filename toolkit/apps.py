from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class ToolkitConfig(AppConfig):
    default = True
    name = "toolkit"
    verbose_name = _("Shared machinery")

    def ready(self):
        from django.db.backends.signals import connection_created

        from .thaisort import register_sqlite_collation

        # Every SQLite connection learns the Thai collation PostgreSQL has from ICU.
        connection_created.connect(register_sqlite_collation)

        # allauth announces a new authenticator only by a signal; see toolkit.twofactor.
        from allauth.mfa.signals import authenticator_added

        from . import checks  # noqa: F401  registers the system checks
        from .twofactor import record_totp_activation

        authenticator_added.connect(record_totp_activation, dispatch_uid="toolkit_totp_activated")


class TwoFactorAdminConfig(admin_apps.AdminConfig):
    """Django's admin app, on a site that demands a session that passed two-factor sign-in."""

    default = False
    default_site = "toolkit.twofactor.TwoFactorAdminSite"
