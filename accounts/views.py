from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language as django_set_language

from toolkit.confirm import ask_to_confirm, is_confirmed
from toolkit.decorators import role_required, signed_in_required

from . import services
from .adapter import client_ip
from .exceptions import AccountError
from .forms import AcceptInvitationForm, InvitationForm, ProfileForm
from .models import Invitation, PrivacyNotice, Role


@require_POST
def set_language(request):
    """Switch language; a signed-in person's choice is kept in their profile too."""
    response = django_set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        services.set_language(user=request.user, language=language)
    return response


@signed_in_required
def profile(request):
    user = request.user
    form = ProfileForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        services.update_profile(
            user=user,
            full_name=form.cleaned_data["full_name"],
            phone=form.cleaned_data["phone"],
            language=form.cleaned_data["language"],
        )
        response = redirect("accounts:profile")
        # The same cookie as the language switcher's (Django's set_language) sets.
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            user.language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
        # Said in the language just chosen: the next page is shown in it.
        with translation.override(user.language):
            messages.success(request, _("Your profile has been saved."))
        return response
    consents = user.privacy_consents.select_related("notice")
    return render(request, "accounts/profile.html", {"form": form, "consents": consents})


def privacy_notice(request):
    notice = PrivacyNotice.objects.current()
    return render(request, "accounts/privacy_notice.html", {"notice": notice})


@role_required(Role.OFFICER)
def invitation_list(request):
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _token = services.invite_user(
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                role=form.cleaned_data["role"],
                language=form.cleaned_data["language"],
                by=request.user,
            )
        except AccountError as error:
            form.add_error("email", error.message)
        else:
            messages.success(
                request,
                _("An invitation was sent to %(email)s.") % {"email": invitation.email},
            )
            return redirect("accounts:invitation_list")
    invitations = Invitation.objects.select_related("invited_by", "accepted_user")
    page = Paginator(invitations, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/invitation_list.html",
        {"form": form, "page": page, "valid_days": settings.INVITATION_VALID_DAYS},
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.OFFICER)
def invitation_revoke(request, pk):
    invitation = get_object_or_404(Invitation, pk=pk)
    if not is_confirmed(request):
        return ask_to_confirm(
            request,
            question=_("Withdraw the invitation to %(email)s?") % {"email": invitation.email},
            details=_("Its link stops working. To invite the person again, send a new invitation."),
            confirm_label=_("Withdraw the invitation"),
            cancel_url=reverse("accounts:invitation_list"),
        )
    try:
        services.revoke_invitation(invitation=invitation, by=request.user)
    except AccountError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email}
        )
    return redirect("accounts:invitation_list")


def invitation_accept(request, token):
    """The one-time link from an invitation email: set a name and password, then sign in."""
    if request.user.is_authenticated:
        messages.info(request, _("Log out first to accept an invitation for another account."))
        return redirect("home")
    try:
        invitation = services.find_invitation(token)
    except AccountError as error:
        return render(
            request, "accounts/invitation_invalid.html", {"reason": error.message}, status=410
        )
    form = AcceptInvitationForm(
        request.POST or None,
        invitation=invitation,
        initial={"full_name": invitation.full_name, "language": invitation.language},
    )
    if request.method == "POST" and form.is_valid():
        try:
            user = services.accept_invitation(
                token=token,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
                phone=form.cleaned_data["phone"],
                language=form.cleaned_data["language"],
                notice=form.cleaned_data["privacy_notice"],
                ip_address=client_ip(request),
            )
        except AccountError as error:
            form.add_error(None, error.message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome! Your account is ready."))
            if user.needs_mfa:
                messages.info(request, _("Set up two-factor sign-in now: staff pages need it."))
                return redirect("mfa_activate_totp")
            return redirect("home")
    return render(
        request, "accounts/invitation_accept.html", {"form": form, "invitation": invitation}
    )
