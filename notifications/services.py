"""The outbox: notifications and emails are rows first, delivered after commit.

A service records its change and calls `notify()` in one transaction; delivery is queued
with `transaction.on_commit`, so a rolled-back change sends nothing. When the broker is
down at that moment the row waits and `sweep_outbox()` (beat, every two minutes) queues
it again, so an outage delays mail and loses none.

A burst (a notice to every applicant) is queued as few broker messages: the emails of one
transaction go out after its commit in batches of OUTBOX_BATCH_SIZE ids, and a worker sends
a batch over one connection to the mail server, claiming and marking each email alone.
"""

import logging
from datetime import timedelta
from functools import partial
from smtplib import SMTPDataError, SMTPRecipientsRefused, SMTPSenderRefused

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
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
# The mail server refused this one message and is still talking: the rest of a batch goes on.
REFUSED_ERRORS = (SMTPRecipientsRefused, SMTPSenderRefused, SMTPDataError)


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
    """Queue the email's delivery after commit, with the others of the same transaction.

    The ids wait in a list on the connection. Each email has its own on_commit callback
    (so a rolled-back savepoint drops its own), but the first callback to run hands every
    id from its own onwards to the broker, in batches: a transaction that notifies 10,000
    people publishes 200 messages, not 10,000, and the later callbacks find theirs sent.
    """
    connection = transaction.get_connection()
    pending = getattr(connection, "outbox_pending", None)
    if pending is None or not connection.run_on_commit:
        # A new transaction: whatever an earlier one left here was rolled back.
        pending = connection.outbox_pending = _PendingDeliveries()
    position = len(pending.email_ids)
    pending.email_ids.append(email_id)
    # robust: whatever goes wrong after commit is logged; the change is saved already.
    transaction.on_commit(partial(pending.enqueue_from, position, connection), robust=True)


class _PendingDeliveries:
    def __init__(self):
        self.email_ids = []
        self.enqueued_up_to = 0

    def enqueue_from(self, position, connection):
        if position < self.enqueued_up_to:
            return
        email_ids = self.email_ids[position:]
        self.enqueued_up_to = len(self.email_ids)
        if getattr(connection, "outbox_pending", None) is self:
            connection.outbox_pending = None
        # An id whose savepoint was rolled back names no row; its delivery does nothing.
        enqueue_delivery(email_ids)


def enqueue_delivery(email_ids) -> int:
    """Hand emails to the broker in batches; how many it took (the rest wait for the sweep)."""
    from .tasks import deliver_emails  # tasks import this module

    size = settings.OUTBOX_BATCH_SIZE
    email_ids = list(email_ids)
    for start in range(0, len(email_ids), size):
        batch = email_ids[start : start + size]
        try:
            deliver_emails.delay(batch)
        except BROKER_ERRORS as exc:
            logger.warning(
                "Broker unavailable, %d emails left for the outbox sweep (from %s): %s",
                len(email_ids) - start,
                batch[0],
                exc,
            )
            return start
    return len(email_ids)


def deliver_email(*, email_id) -> bool:
    """Send one queued email unless it is sent or being sent; True when this call sent it."""
    return deliver_emails(email_ids=[email_id]) == 1


def deliver_emails(*, email_ids) -> int:
    """Send those of the emails not sent or being sent, over one connection; how many it sent.

    Each email is claimed, sent, then marked (healthchecks' process_one_flip): the claim is
    a compare-and-swap UPDATE committed before the mail server is given the email, so no
    transaction or row lock is held while SMTP talks, and of two workers given the same id
    only one sends. A worker that dies mid-batch leaves one claimed email, which the sweep
    queues again after OUTBOX_CLAIM_TIMEOUT_SECONDS; the rest goes out when the broker
    gives the batch (acked late) to another worker, or else when the sweep finds it. An
    email the server refuses is left for the retry and the batch goes on; any other failure
    stops the batch. Either way the first error is raised once the claims are released,
    for the task's retry policy.
    """
    # Rows never change once queued: read them all at once, claim them one by one.
    candidates = list(
        OutboundEmail.objects.unsent()
        .unclaimed(claimed_before=timezone.now() - _claim_timeout())
        .filter(pk__in=list(email_ids))
        .order_by("pk")
    )
    sent = 0
    refused = None
    mail_connection = None
    try:
        for outbound in candidates:
            claimed_at = _claim(outbound.pk)
            if claimed_at is None:
                continue
            try:
                if mail_connection is None:
                    mail_connection = get_connection()
                    mail_connection.open()
                _send(outbound, mail_connection)
            except Exception as exc:
                # Release the claim so a retry can claim the mail again at once.
                _release(outbound.pk, claimed_at, exc)
                if not isinstance(exc, REFUSED_ERRORS):
                    raise
                refused = refused or exc
                continue
            OutboundEmail.objects.filter(pk=outbound.pk, sent_at__isnull=True).update(
                sent_at=timezone.now(), claimed_at=None, last_error=""
            )
            sent += 1
    finally:
        if mail_connection is not None:
            try:
                mail_connection.close()
            except Exception:  # noqa: BLE001 - the mails are marked; a failed QUIT changes nothing
                logger.warning("Could not close the mail connection", exc_info=True)
    if refused is not None:
        raise refused
    return sent


def _claim(email_id):
    """Claim one unsent, unclaimed email; the claim's time, or None if another has it."""
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
    return claimed_at if claimed else None


def _release(email_id, claimed_at, exc):
    try:
        OutboundEmail.objects.filter(pk=email_id, claimed_at=claimed_at).update(
            claimed_at=None, last_error=f"{type(exc).__name__}: {exc}"[:2000]
        )
    except DatabaseError:
        logger.exception("Could not record the failed delivery of email %s", email_id)


def _claim_timeout():
    return timedelta(seconds=settings.OUTBOX_CLAIM_TIMEOUT_SECONDS)


def _send(outbound, mail_connection):
    message = EmailMultiAlternatives(
        subject=outbound.subject,
        body=outbound.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[outbound.to],
        headers={"Auto-Submitted": "auto-generated"},
        connection=mail_connection,
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
        handed = enqueue_delivery([email_id for _created_at, email_id in rows])
        queued += handed
        if handed < len(rows):
            # The broker is down: the next sweep tries again.
            return queued
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
