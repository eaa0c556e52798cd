from django.utils.translation import gettext_lazy as _


class EnrolmentError(Exception):
    """A rule of the programme said no; `message` is shown to the person."""

    message = _("This cannot be done.")

    def __init__(self, message=None):
        if message is not None:
            self.message = message
        super().__init__(str(self.message))


class NotAllowed(EnrolmentError):
    message = _("Your account is not allowed to do this.")


class IntakeClosed(EnrolmentError):
    message = _("This intake is not taking applications: its application window is closed.")


class NotEligible(EnrolmentError):
    """Carries every reason the enterprise may not apply."""

    def __init__(self, reasons):
        self.reasons = list(reasons)
        super().__init__(" ".join(str(r) for r in self.reasons))


class AlreadyApplied(EnrolmentError):
    message = _("Your enterprise has already applied to this intake.")


class TransitionRefused(EnrolmentError):
    message = _("An application in this state cannot be changed that way.")


class IntakeFull(EnrolmentError):
    message = _("Every place of this intake is taken. Put the application on the waitlist instead.")


class NoteRequired(EnrolmentError):
    message = _("Write a note that tells the applicant why.")


class IncompleteApplication(EnrolmentError):
    message = _("The application is not complete.")
