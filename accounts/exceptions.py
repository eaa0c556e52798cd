from django.utils.translation import gettext_lazy as _


class AccountError(Exception):
    """A rule of the accounts app said no; `message` is shown to the person."""

    message = _("This cannot be done.")

    def __init__(self, message=None):
        if message is not None:
            self.message = message
        super().__init__(str(self.message))


class NotAllowed(AccountError):
    message = _("Your account is not allowed to do this.")


class InvitationInvalid(AccountError):
    message = _("This invitation link is not valid. Check that you copied the whole link.")


class InvitationExpired(AccountError):
    message = _("This invitation has expired. Ask the officer who invited you for a new one.")


class InvitationUsed(AccountError):
    message = _("This invitation has already been used. Log in with the account it created.")


class InvitationRevoked(AccountError):
    message = _("This invitation was withdrawn by the officer. Ask for a new one if needed.")


class EmailTaken(AccountError):
    message = _("An account with this email address already exists.")


class NoPrivacyNotice(AccountError):
    message = _("No privacy notice has been published yet; sign-up is closed until one is.")
