"""What the lab's and the courses' views share."""

from django.core.exceptions import PermissionDenied

from .exceptions import LabError, NotAllowed


def form_error(form, error):
    """A service's refusal as an error on the form, never a 500."""
    if isinstance(error, NotAllowed):
        raise PermissionDenied(error.message) from error
    if isinstance(error, LabError):
        form.add_error(None, error.message)
    else:
        form.add_error(None, error)
