from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class EnterpriseError(Exception):
    """A rule of the registry said no; `message` is shown to the person, `field` names
    the form field it belongs to (None for the whole form)."""

    message = _("This cannot be done.")
    field = None

    def __init__(self, message=None, *, field=None):
        if message is not None:
            self.message = message
        if field is not None:
            self.field = field
        super().__init__(str(self.message))


class NotAllowed(EnterpriseError):
    message = _("Your account is not allowed to do this.")


class AlreadyRegistered(EnterpriseError):
    """A registration code or tax ID that another enterprise already has."""

    def __init__(self, existing, *, field):
        self.existing = existing
        super().__init__(
            gettext("Already registered as %(name)s.") % {"name": existing.name}, field=field
        )


class AddressMismatch(EnterpriseError):
    field = "postal_code"
    message = _("The postal code does not belong to the subdistrict chosen.")


class UnknownAccount(EnterpriseError):
    field = "user_email"
    message = _(
        "No entrepreneur account uses this email address. Ask the person to sign up "
        "first, or add them without an email address."
    )


class AlreadyMember(EnterpriseError):
    field = "user_email"
    message = _("This account is already a member of the enterprise.")


class LastAccountHolder(EnterpriseError):
    message = _(
        "You are the only member with a portal account: add another member with an "
        "account before you remove yourself."
    )


class StatusChangeRefused(EnterpriseError):
    field = "status"


class NoteRequired(EnterpriseError):
    field = "note"
    message = _("Write a note saying why the enterprise is made inactive.")
