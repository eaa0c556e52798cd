from urllib.parse import urlsplit, urlunsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.contrib import messages
from django.utils import translation
from django.utils.encoding import force_str
from django.utils.translation import gettext

from notifications.rendering import absolute_url
from notifications.services import queue_email

from . import services
from .sites import portal_site

# The links allauth puts into its mails' context, built on the request's host.
MAIL_LINKS = ("activate_url", "password_reset_url", "signup_url")


def client_ip(request):
    return request.META.get("REMOTE_ADDR") if request is not None else None


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        """allauth's mails (verification, password reset) go through the outbox too.

        So a broker or mail-server outage delays a verification link and never loses it,
        and sign-up does not fail because the mail server is slow.
        """
        from allauth.core import context as allauth_context

        request = allauth_context.request
        ctx = {"request": request, "email": email}
        ctx.update(context)
        # Every mail names the portal in the reader's language and links to SITE_URL,
        # whatever host name the request that caused it came in on.
        ctx["current_site"] = portal_site()
        ctx["site_url"] = absolute_url("/")
        for key in MAIL_LINKS:
            if ctx.get(key):
                ctx[key] = on_site_url(ctx[key])
        message = self.render_mail(template_prefix, email, ctx)
        html = next(
            (
                content
                for content, mimetype in getattr(message, "alternatives", [])
                if mimetype == "text/html"
            ),
            "",
        )
        queue_email(to=email, subject=message.subject, body=message.body, html=html)

    def format_email_subject(self, subject):
        """Prefix the portal's name in the reader's language: "[นครเซรามิก] …"."""
        return f"[{portal_site().name}] {force_str(subject)}"

    def save_user(self, request, user, form, commit=True):
        data = form.cleaned_data
        user.full_name = data["full_name"]
        user.role = data["role"]
        user.phone = data.get("phone", "")
        user.language = translation.get_language() or "th"
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            services.record_privacy_consent(
                user=user, notice=data["privacy_notice"], ip_address=client_ip(request)
            )
        return user

    def confirm_email(self, request, email_address):
        confirmed = super().confirm_email(request, email_address)
        if confirmed and email_address.primary:
            services.welcome_user(user=email_address.user)
        return confirmed

    def get_email_verification_redirect_url(self, email_address):
        """Where a confirmation lands when allauth has not signed the person in.

        allauth signs in on confirmation only in the browser that signed up, within
        ACCOUNT_LOGIN_TIMEOUT (a link alone must never open an account); a link opened on
        another device, or later, lands on the login page with a word on what to do.
        """
        if email_address.verified and not self.request.user.is_authenticated:
            self.add_message(
                self.request,
                messages.INFO,
                message=gettext("Please sign in with your email address and password to continue."),
            )
        return super().get_email_verification_redirect_url(email_address)


def on_site_url(url):
    """The same link on SITE_URL: its path, query and fragment behind SITE_URL."""
    parts = urlsplit(url)
    return absolute_url(urlunsplit(("", "", parts.path or "/", parts.query, parts.fragment)))
