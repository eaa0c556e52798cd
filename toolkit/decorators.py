from functools import wraps

from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext as _


def role_required(*roles):
    """Let only signed-in people of `roles` in; officers and centre staff also need 2FA.

    Anonymous visitors go to the login page, people of other roles get 403, and an
    officer or centre-staff account without two-factor sign-in is sent to set it up.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if user.role not in roles:
                raise PermissionDenied
            if user.needs_mfa and not is_mfa_enabled(user):
                messages.warning(
                    request,
                    _("Set up two-factor sign-in before you use the staff pages."),
                )
                return redirect("mfa_activate_totp")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
