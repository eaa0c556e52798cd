from django.core.exceptions import PermissionDenied


class NotRecipient(PermissionDenied):
    """Only the person a notification was sent to may act on it."""
