"""The audit log: who did what to which record."""

from .models import AuditEntry


def record_audit(*, actor, action, target, **data):
    """Write one audit row: who did what to which record."""
    return AuditEntry.objects.create(
        actor=actor,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        data=data,
    )
