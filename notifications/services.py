"""The outbox: notifications and emails are rows first, delivered after commit.

A service records its change and calls `notify()` in one transaction; delivery is queued
with `transaction.on_commit`, so a rolled-back change sends nothing. When the broker is
down at that moment the row waits and `sweep_outbox()` (beat, every two minutes) queues
it again, so an outage delays mail and loses none.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import DatabaseError, transaction
from django.db.models import F, Q
from django.utils import timezone
from kombu.exceptions import ChannelError, KombuError
from kombu.exceptions import ConnectionError as AMQPConnectionError

from . import rendering
from .exceptions import NotRecipient
from .models import Notification, OutboundEmail

logger = logging.getLogger(__name__)

SWEEP_CHUNK_SIZE = 500
# What publishing raises when the broker is away: OperationalError (Redis, wrapped by
# kombu), ChannelError or OSError (filesystem transport), amqp's ConnectionError.
BROKER_ERRORS = (KombuError, ChannelError, AMQPConnectionError, OSError)


@transaction.atomic
def receives_email(user) -> bool:
    """Whether notify() emails this person: an active account with an address."""
    return bool(user.email and user.is_active)


def notify(recipient, kind, obj=None, *, url="", context=None, email=True) -> Notification:
    """Put an item in a person's inbox and, unless `email=False`, queue it as an email too."""
    outbound = None
    if email and receives_email(recipient):
        subject, body, html = rendering.render_email(
            kind, recipient=recipient, obj=obj, url=url, context=context
        )
        outbound = OutboundEmail.objects.create(
            to=recipient.email, subject=subject, body=body, html=html
        )
        _deliver_on_commit(outbound.pk)
    else:
        rendering.check_kind(kind)
    notification = Notification(recipient=recipient, kind=kind, url=url, email=outbound)
    if obj is not None:
        notification.target = obj
    notification.save()
    return notification


@transaction.atomic
def queue_email(*, to, subject, body, html="") -> OutboundEmail:
    """Queue an email to an address that need not belong to a user (invitations, allauth)."""
    outbound = OutboundEmail.objects.create(
        to=to, subject=rendering.one_line(subject), body=body, html=html
    )
    _deliver_on_commit(outbound.pk)
    return outbound


def _deliver_on_commit(email_id):
    def enqueue_after_commit():
        enqueue_delivery(email_id)

    # robust: whatever goes wrong after commit is logged; the user's change is saved already.
    transaction.on_commit(enqueue_after_commit, robust=True)


def enqueue_delivery(email_id) -> bool:
    """Hand one email to the broker; False, and the row left for the sweep, if it is down."""
    from .tasks import deliver_email  # tasks import this module

    try:
        deliver_email.delay(email_id)
    except BROKER_ERRORS as exc:
        logger.warning("Broker unavailable, email %s left for the outbox sweep: %s", email_id, exc)
        return False
    return True


def deliver_email(*, email_id) -> bool:
    """Send one queued email unless it is sent or being sent; True when this call sent it.

    Claim, send, mark (healthchecks' process_one_flip): the claim is a compare-and-swap
    UPDATE committed before the mail server is contacted, so no transaction or row lock
    is held for the seconds SMTP may take, and of two workers given the same id only one
    sends. A worker that dies between claim and mark leaves a claim that expires after
    OUTBOX_CLAIM_TIMEOUT_SECONDS; the sweep then queues the mail again.
    """
    claimed_at = timezone.now()
    # durable: a caller's transaction would hold the claim (and its row lock) uncommitted
    # through the send; refuse to run inside one.
    with transaction.atomic(durable=True):
        claimed = (
            OutboundEmail.objects.unsent()
            .unclaimed(claimed_before=claimed_at - _claim_timeout())
            .filter(pk=email_id)
            # Counted at the claim: a mail whose sending kills its worker each time still
            # reaches OUTBOX_MAX_ATTEMPTS, and the sweep stops queueing it.
            .update(claimed_at=claimed_at, attempts=F("attempts") + 1)
        )
    if not claimed:
        return False
    outbound = OutboundEmail.objects.get(pk=email_id)
    try:
        _send(outbound)
    except Exception as exc:
        # Release the claim so the task's retry can claim the mail again at once; the
        # failure is recorded, then re-raised for the retry policy.
        try:
            OutboundEmail.objects.filter(pk=email_id, claimed_at=claimed_at).update(
                claimed_at=None, last_error=f"{type(exc).__name__}: {exc}"[:2000]
            )
        except DatabaseError:
            logger.exception("Could not record the failed delivery of email %s", email_id)
        raise
    OutboundEmail.objects.filter(pk=email_id, sent_at__isnull=True).update(
        sent_at=timezone.now(), claimed_at=None, last_error=""
    )
    return True


def _claim_timeout():
    return timedelta(seconds=settings.OUTBOX_CLAIM_TIMEOUT_SECONDS)


def _send(outbound):
    message = EmailMultiAlternatives(
        subject=outbound.subject,
        body=outbound.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[outbound.to],
        headers={"Auto-Submitted": "auto-generated"},
    )
    if outbound.html:
        message.attach_alternative(outbound.html, "text/html")
    message.send()


def sweep_outbox() -> int:
    """Queue again every email whose delivery seems lost; returns how many were queued.

    Lost: never sent and no worker holds a live claim on it (a claim older than
    OUTBOX_CLAIM_TIMEOUT_SECONDS belongs to a worker that died while sending).
    """
    now = timezone.now()
    due = OutboundEmail.objects.due_for_sweep(
        created_before=now - timedelta(seconds=settings.OUTBOX_SWEEP_AFTER_SECONDS),
        claimed_before=now - _claim_timeout(),
        max_attempts=settings.OUTBOX_MAX_ATTEMPTS,
    ).order_by("created_at", "id")
    queued = 0
    after = None
    # Keyset pages of ids: no cursor stays open while deliveries (eager in tests) write,
    # and a backlog of any size is walked in bounded memory.
    while True:
        page = due
        if after is not None:
            page = page.filter(Q(created_at__gt=after[0]) | Q(created_at=after[0], id__gt=after[1]))
        rows = list(page.values_list("created_at", "id")[:SWEEP_CHUNK_SIZE])
        for _created_at, email_id in rows:
            if not enqueue_delivery(email_id):
                # Still down: the next sweep tries again.
                return queued
            queued += 1
        if len(rows) < SWEEP_CHUNK_SIZE:
            return queued
        after = rows[-1]


@transaction.atomic
def mark_read(*, notification, by) -> Notification:
    """Mark one of a person's own notifications read (a second call changes nothing)."""
    if notification.recipient_id != by.pk:
        raise NotRecipient()
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
    return notification


def mark_all_read(*, user) -> int:
    """Mark everything in a person's inbox read in one UPDATE; returns how many changed."""
    return Notification.objects.for_user(user).unread().update(read_at=timezone.now())
