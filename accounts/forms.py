from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from .models import INVITED_ROLES, SELF_SIGNUP_ROLES, PrivacyNotice, Role, User, phone_validator


def email_domain_allowed(email: str, domains) -> bool:
    """True when the address is in one of `domains` or a subdomain of one."""
    domain = email.rsplit("@", 1)[-1].lower()
    return any(domain == d.lower() or domain.endswith("." + d.lower()) for d in domains)


class PrivacyAcceptanceMixin(forms.Form):
    """Shows the current privacy notice's version and requires it to be accepted."""

    accept_privacy = forms.BooleanField(
        label=_("I have read the privacy notice and accept it."),
        error_messages={"required": _("You must accept the privacy notice to create an account.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.privacy_notice = PrivacyNotice.objects.current()

    def clean(self):
        cleaned = super().clean()
        if self.privacy_notice is None:
            raise forms.ValidationError(
                _("No privacy notice has been published yet; sign-up is closed until one is.")
            )
        cleaned["privacy_notice"] = self.privacy_notice
        return cleaned


class SignupForm(PrivacyAcceptanceMixin):
    """Fields allauth's sign-up form gains: who the person is and the PDPA acceptance."""

    full_name = forms.CharField(label=_("Full name"), max_length=200)
    role = forms.ChoiceField(
        label=_("I am"),
        choices=[(r.value, r.label) for r in SELF_SIGNUP_ROLES],
        initial=Role.ENTREPRENEUR,
        widget=forms.RadioSelect,
        help_text=_("Students sign up with their university email address."),
    )
    phone = forms.CharField(
        label=_("Phone"), max_length=20, required=False, validators=[phone_validator]
    )

    field_order = [
        "full_name",
        "role",
        "email",
        "phone",
        "password1",
        "password2",
        "accept_privacy",
    ]

    def clean(self):
        cleaned = super().clean()
        email = cleaned.get("email") or ""
        domains = settings.UNIVERSITY_EMAIL_DOMAINS
        if (
            cleaned.get("role") == Role.STUDENT
            and email
            and not email_domain_allowed(email, domains)
        ):
            self.add_error(
                "email",
                _("Students must sign up with a university email address ending in %(domains)s.")
                % {"domains": ", ".join("@" + d for d in domains)},
            )
        return cleaned

    def signup(self, request, user):
        """Profile fields and consent are saved by the account adapter's save_user."""


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "phone", "language"]


class InvitationForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(label=_("Role"), choices=[(r.value, r.label) for r in INVITED_ROLES])
    language = forms.ChoiceField(
        label=_("Language of the invitation"), choices=settings.LANGUAGES, initial="th"
    )

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account with this email address already exists."))
        return email


class AcceptInvitationForm(PrivacyAcceptanceMixin):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    phone = forms.CharField(
        label=_("Phone"), max_length=20, required=False, validators=[phone_validator]
    )
    language = forms.ChoiceField(label=_("Preferred language"), choices=settings.LANGUAGES)
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password (again)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    field_order = ["full_name", "phone", "language", "password1", "password2", "accept_privacy"]

    def __init__(self, *args, invitation, **kwargs):
        self.invitation = invitation
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords do not match."))
        elif p1:
            probe = User(email=self.invitation.email, full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(p1, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned
