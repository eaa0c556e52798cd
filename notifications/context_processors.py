from django.utils.functional import SimpleLazyObject

from .models import Notification


def unread_count(request):
    """The unread badge: counted once, and only on pages whose template shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": SimpleLazyObject(
            lambda: Notification.objects.for_user(user).unread().count()
        )
    }
