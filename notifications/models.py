from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .rendering import render_subject, render_summary
from .targets import target_querysets


class OutboundEmailQuerySet(models.QuerySet):
    def unsent(self):
        return self.filter(sent_at__isnull=True)

    def unclaimed(self, *, claimed_before):
        """Mail no worker is sending: never claimed, or claimed before `claimed_before`.

        A claim older than that was abandoned (its worker died between claim and mark),
        so the mail may be claimed again.
        """
        return self.filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=claimed_before))

    def due_for_sweep(self, *, created_before, claimed_before, max_attempts):
        """Unsent, unclaimed mail old enough that its first delivery must have been lost."""
        return (
            self.unsent()
            .unclaimed(claimed_before=claimed_before)
            .filter(created_at__lt=created_before, attempts__lt=max_attempts)
        )


class OutboundEmail(models.Model):
    """One email in the outbox; a worker claims it, sends it, then stamps `sent_at` once."""

    to = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("body"))
    html = models.TextField(_("HTML body"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # Set by the worker that is sending it, committed before it talks to the mail server.
    claimed_at = models.DateTimeField(_("claimed for sending"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    objects = OutboundEmailQuerySet.as_manager()

    class Meta:
        verbose_name = _("outbound email")
        verbose_name_plural = _("outbound emails")
        indexes = [
            # The sweep walks unsent mail by age; sent mail, nearly all rows, stays out of it.
            models.Index(
                fields=["created_at", "id"],
                name="outbox_unsent_idx",
                condition=Q(sent_at__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.to}: {self.subject}"


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(recipient=user)

    def unread(self):
        return self.filter(read_at__isnull=True)

    def for_inbox(self):
        """Newest first, with what rendering each subject line reads, fetched in bulk."""
        return (
            self.select_related("recipient", "content_type")
            .prefetch_related(GenericPrefetch("target", target_querysets()))
            .order_by("-created_at", "-id")
        )


class Notification(models.Model):
    """An item in a person's inbox: what happened (`kind`) to which record (`target`)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.SlugField(_("kind"), max_length=64)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    object_id = models.CharField(max_length=64, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    email = models.OneToOneField(
        OutboundEmail,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notification",
        verbose_name=_("email"),
    )

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox_idx"),
            # The unread badge on every page counts these.
            models.Index(
                fields=["recipient"],
                name="notification_unread_idx",
                condition=Q(read_at__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.kind} → {self.recipient_id}"

    @property
    def is_read(self):
        return self.read_at is not None

    @property
    def subject(self):
        """The subject line in the viewer's current language, rendered now."""
        return render_subject(self)

    @property
    def summary(self):
        """One line of what happened, under the subject in the inbox, rendered now."""
        return render_summary(self)

    @property
    def subject_html(self):
        """The subject line as escaped HTML for a page, Thai names marked (|lang_th)."""
        return render_subject(self, html=True)

    @property
    def summary_html(self):
        """The summary as escaped HTML for a page, Thai names marked (|lang_th)."""
        return render_summary(self, html=True)
