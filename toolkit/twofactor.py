"""Whether this session, not only the account, passed two-factor sign-in.

An account having a TOTP device proves nothing about the session in hand: a session
opened with the password alone (Django's own login form, an old session) belongs to
the same account. allauth keeps a record of every authentication step in the session;
a step of method "mfa" is what its two-factor stage (at login) and its two-factor
reauthentication leave behind.

Activating TOTP counts as passing two-factor sign-in in that session: the person has
just typed a valid code from the new device, and asking for a second code would make
them wait for the next 30-second window (allauth refuses a code used once). It gives a
password holder nothing they could not already do: an account without a device can be
given one by whoever knows its password, which is why staff pages refuse such accounts
until a device is set up.
"""

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _

# Set on request.user for each request (see TwoFactorSessionMiddleware); predicates that
# only receive a user read it. A user loaded outside a request (a task, a command) has
# no session, and there the account-level condition is all that can be asked.
SESSION_ATTRIBUTE = "two_factor_session"


def account_has_two_factor(user):
    """True when the account has a device; asked once per request for a request's user."""
    if not user.is_authenticated:
        return False
    if not hasattr(user, SESSION_ATTRIBUTE):  # not a request's user: it may change
        return is_mfa_enabled(user)
    if not hasattr(user, "_account_has_two_factor"):
        user._account_has_two_factor = is_mfa_enabled(user)
    return user._account_has_two_factor


def session_passed_two_factor(request):
    """True when this session completed a two-factor step for the signed-in user."""
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


def two_factor_step(request, next_url=None):
    """Where to send a session that has not passed two-factor sign-in: the code prompt."""
    if next_url is None:
        next_url = request.get_full_path() if request.method in ("GET", "HEAD") else "/"
    url = f"{reverse('mfa_reauthenticate')}?{urlencode({'next': next_url})}"
    messages.info(request, _("Enter the code from your authenticator app to open staff pages."))
    if getattr(request, "htmx", False):
        from django_htmx.http import HttpResponseClientRedirect

        return HttpResponseClientRedirect(url)
    return HttpResponseRedirect(url)


class TwoFactorSessionMiddleware:
    """Tell the permission predicates whether the signed-in user's session passed 2FA."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            setattr(request.user, SESSION_ATTRIBUTE, session_passed_two_factor(request))
        return self.get_response(request)


def record_totp_activation(sender, request, user, authenticator, **kwargs):
    """Count activating TOTP as passing two-factor sign-in in this session (see above)."""
    if request is None or authenticator.type != Authenticator.Type.TOTP:
        return
    # allauth's own recorder, so the record looks exactly like one its MFA stage leaves.
    from allauth.account.internal.flows.login import record_authentication

    record_authentication(
        request, user, "mfa", id=authenticator.pk, type=authenticator.type, activated=True
    )


class TwoFactorAdminSite(admin.AdminSite):
    """Django's admin, entered only through the portal's sign-in and with a 2FA session.

    The admin's own login form checks a password and nothing else, without allauth's
    rate limits; it is never shown. Its URL sends people to allauth's login, or to the
    two-factor step when they are signed in already.
    """

    def has_permission(self, request):
        return (
            super().has_permission(request)
            and is_mfa_enabled(request.user)
            and session_passed_two_factor(request)
        )

    def login(self, request, extra_context=None):
        next_url = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            next_url = reverse("admin:index", current_app=self.name)
        user = request.user
        if not user.is_authenticated:
            return HttpResponseRedirect(
                f"{reverse('account_login')}?{urlencode({'next': next_url})}"
            )
        if not (user.is_active and user.is_staff):
            raise PermissionDenied
        if not is_mfa_enabled(user):
            return HttpResponseRedirect(reverse("mfa_activate_totp"))
        if not session_passed_two_factor(request):
            return two_factor_step(request, next_url)
        return HttpResponseRedirect(next_url)
