from allauth.account.adapter import DefaultAccountAdapter
from django.utils import translation

from notifications.services import queue_email

from . import services


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
        if request is not None:
            from django.contrib.sites.shortcuts import get_current_site

            ctx["current_site"] = get_current_site(request)
        ctx.update(context)
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
