from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class ToolkitConfig(AppConfig):
    default = True
    name = "toolkit"
    verbose_name = _("Shared machinery")

    def ready(self):
        # allauth announces a new authenticator only by a signal; see toolkit.twofactor.
        from allauth.mfa.signals import authenticator_added

        from .twofactor import record_totp_activation

        authenticator_added.connect(record_totp_activation, dispatch_uid="toolkit_totp_activated")


class TwoFactorAdminConfig(admin_apps.AdminConfig):
    """Django's admin app, on a site that demands a session that passed two-factor sign-in."""

    default = False
    default_site = "toolkit.twofactor.TwoFactorAdminSite"
