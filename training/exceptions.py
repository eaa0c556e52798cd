"""Why the lab said no: each refusal carries its reason code and a message for the person."""

from django.utils.translation import gettext_lazy as _


class LabError(Exception):
    """A rule of the lab said no; `message` is shown to the person."""

    message = _("This cannot be done.")

    def __init__(self, message=None):
        if message is not None:
            self.message = message
        super().__init__(str(self.message))


class NotAllowed(LabError):
    message = _("Your account is not allowed to do this.")


class TransitionRefused(LabError):
    message = _("This booking is no longer in a state that allows this.")


class CancelTooLate(LabError):
    message = _("It is too late to cancel this booking yourself; please contact the centre staff.")


class BookingRefused(LabError):
    """One booking cannot be had; `code` says why (see `services.bookings.Reason`)."""

    def __init__(self, code, message):
        self.code = code
        super().__init__(message)
