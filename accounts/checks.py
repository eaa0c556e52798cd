"""System checks of the accounts."""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.db import DatabaseError


@register(Tags.database)
def no_demo_accounts_without_debug(app_configs, databases=None, **kwargs):
    """With DEBUG off the demo accounts must not exist: their password is published (migrate)."""
    if settings.DEBUG or not databases or "default" not in databases:
        return []
    from .demo import DEMO_USERS
    from .models import User

    try:
        found = list(
            User.objects.filter(email__in=[email for email, _name, _role in DEMO_USERS])
            .order_by("email")
            .values_list("email", flat=True)
        )
    except DatabaseError:  # before the first migrate
        return []
    if not found:
        return []
    return [
        Error(
            "The database holds demo accounts, whose password is published in README.md: "
            + ", ".join(found),
            hint=(
                "Give production a database of its own (another VAR_DIR or DATABASE_URL); "
                "the demo's database belongs to scripts/run."
            ),
            id="accounts.E001",
        )
    ]
