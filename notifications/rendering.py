"""Turn a notification kind into text: templates/notifications/<kind>/{subject,body}.txt.

Text templates render with autoescaping off (an email is not HTML); the inbox escapes the
subject when it puts it into a page. A subject is rendered again at display time in the
viewer's language, so subject.txt may use only `recipient`, `obj`, `url` and `site_url`;
extra context passed to `notify()` reaches the email only. The same holds for the
optional summary.txt: the one line under the subject in the inbox that says what happened.
For a page, both render again with autoescaping on (html=True): names in them pass through
|lang_th, which marks Thai names on an English page and leaves the plain text alone.
"""

import logging

from django.conf import settings
from django.template import Context, TemplateDoesNotExist, engines
from django.utils import translation
from django.utils.safestring import mark_safe

logger = logging.getLogger(__name__)

SUBJECT_MAX_LENGTH = 255


def template_name(kind, part):
    return f"notifications/{kind}/{part}"


def absolute_url(url):
    """A link that works from a mail client: SITE_URL in front of a site-relative path."""
    if url and url.startswith("/") and not url.startswith("//"):
        return settings.SITE_URL + url
    return url


def _engine():
    return engines["django"].engine


def _render(name, context, *, autoescape):
    template = _engine().get_template(name)
    return template.render(Context(context, autoescape=autoescape))


def one_line(text):
    """Mail headers take one line; templates are free to wrap."""
    return " ".join(text.split())[:SUBJECT_MAX_LENGTH]


def base_context(*, recipient, obj, url):
    return {
        "recipient": recipient,
        "obj": obj,
        "url": absolute_url(url),
        "site_url": settings.SITE_URL,
    }


def render_email(kind, *, recipient, obj=None, url="", context=None, language=None):
    """Subject, text body and HTML body ("" when the kind has no body.html) of one email."""
    ctx = base_context(recipient=recipient, obj=obj, url=url)
    ctx.update(context or {})
    with translation.override(language or recipient.language or settings.LANGUAGE_CODE):
        subject = one_line(_render(template_name(kind, "subject.txt"), ctx, autoescape=False))
        body = _render(template_name(kind, "body.txt"), ctx, autoescape=False).strip() + "\n"
        try:
            html = _render(template_name(kind, "body.html"), ctx, autoescape=True)
        except TemplateDoesNotExist:
            html = ""
    return subject, body, html


def check_kind(kind):
    """Fail in the caller's transaction, not later in an inbox, when a kind has no subject."""
    _engine().get_template(template_name(kind, "subject.txt"))


def render_subject(notification, *, html=False):
    """A notification's subject line in the current (the viewer's) language.

    With html=True, escaped HTML for a page (not cut to a mail header's length, which
    could cut a tag in two).
    """
    ctx = base_context(
        recipient=notification.recipient, obj=notification.target, url=notification.url
    )
    try:
        text = _render(template_name(notification.kind, "subject.txt"), ctx, autoescape=html)
        return mark_safe(" ".join(text.split())) if html else one_line(text)
    except TemplateDoesNotExist:
        # A kind retired after its notifications were sent: show something, not a 500.
        logger.warning("No subject template for notification kind %r", notification.kind)
        return notification.kind.replace("_", " ").replace("-", " ")


def render_summary(notification, *, html=False):
    """The inbox's one line of what happened, in the viewer's language ("" if the kind has none).

    With html=True, escaped HTML for a page.
    """
    ctx = base_context(
        recipient=notification.recipient, obj=notification.target, url=notification.url
    )
    try:
        text = _render(template_name(notification.kind, "summary.txt"), ctx, autoescape=html)
    except TemplateDoesNotExist:
        return ""
    text = " ".join(text.split())
    return mark_safe(text) if html else text
