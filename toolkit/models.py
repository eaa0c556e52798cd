from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """Who did what to which record, for officer and staff decisions."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(max_length=64)
    target_type = models.CharField(max_length=100)
    target_id = models.CharField(max_length=64)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        # The table was created by accounts before the audit log moved here.
        db_table = "accounts_auditentry"
        ordering = ["-created_at"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="accounts_au_target__ed20be_idx")
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target_type}#{self.target_id}"


class KeyChainCheck(models.Model):
    """Which key chain the stored identifier hashes are under, as a check value.

    One row, written by each rotation (toolkit/identifiers.py); the value reveals no key.
    """

    SINGLETON = 1

    value = models.CharField(max_length=64)
    keys = models.PositiveSmallIntegerField()
    rotated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("identifier key check")
        verbose_name_plural = _("identifier key checks")

    def __str__(self):
        return f"{self.keys} keys, rotated {self.rotated_at:%Y-%m-%d %H:%M}"
