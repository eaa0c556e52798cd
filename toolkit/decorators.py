from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .twofactor import account_has_two_factor, session_passed_two_factor, two_factor_step


def role_required(*roles):
    """Let only signed-in people of `roles` in; officers and centre staff also need 2FA.

    Anonymous visitors go to the login page, people of other roles get 403. An officer
    or centre-staff account without two-factor sign-in is sent to set it up; one with it
    whose session passed only the password step is sent to give a code first. With no
    `roles`, every signed-in person may enter, on the same two-factor terms.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if roles and user.role not in roles:
                raise PermissionDenied
            if user.needs_mfa:
                if not account_has_two_factor(user):
                    messages.warning(
                        request,
                        _("Set up two-factor sign-in before you use the staff pages."),
                    )
                    return redirect("mfa_activate_totp")
                if not session_passed_two_factor(request):
                    return two_factor_step(request)
            return view(request, *args, **kwargs)

        # Lets a test find every page behind this check (tests/accounts/test_two_factor.py).
        wrapper.required_roles = roles
        return wrapper

    return decorator


# Pages of any signed-in person about their own things (profile, inbox): an officer's
# inbox speaks of applications and enterprises, so staff still need a 2FA session.
signed_in_required = role_required()


def permission_required(perm, *roles):
    """role_required(*roles), then the permission `perm` (an app's rules) or 403.

    For pages whose rule needs more than a role, e.g. centre staff who may run the lab.
    """

    def decorator(view):
        @role_required(*roles)
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.has_perm(perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
