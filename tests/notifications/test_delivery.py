"""deliver_email claims a mail, commits, sends outside any transaction, then marks it sent.

So a slow mail relay never holds a database connection's transaction or a row lock, two
workers given the same id send it once, and a claim left by a worker that died is
delivered again by the sweep once it has expired.
"""

import os
from smtplib import SMTPException, SMTPRecipientsRefused, SMTPServerDisconnected

import pytest
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from notifications.models import OutboundEmail
from notifications.services import deliver_email, deliver_emails, sweep_outbox
from tests.concurrency import at_once
from tests.notifications.backends import CountingBackend, SlowBackend, WitnessBackend

ON_POSTGRESQL = connection.vendor == "postgresql"
IN_CI = bool(os.environ.get("CI"))
# Threads with their own connections: SQLite serialises every writer and would prove
# nothing. Skipped (before any database is set up) on SQLite, and a failure in CI.
needs_postgresql = pytest.mark.skipif(
    not ON_POSTGRESQL and not IN_CI, reason="Concurrent workers need PostgreSQL."
)
# Committed rows the threads can see; only the outbox's tables are emptied afterwards, so
# the reference data of the rest of the suite is neither truncated nor reloaded.
committed_outbox = pytest.mark.django_db(transaction=True, available_apps=["notifications"])


@pytest.fixture
def postgresql():
    if not ON_POSTGRESQL:
        pytest.fail("CI must run the delivery concurrency tests on PostgreSQL.")


@pytest.fixture
def witness(settings):
    settings.EMAIL_BACKEND = "tests.notifications.backends.WitnessBackend"
    WitnessBackend.seen = []
    yield WitnessBackend.seen
    WitnessBackend.check_locks = False


def queued(**fields):
    return OutboundEmail.objects.create(
        to=fields.pop("to", "potter@example.com"), subject="Kiln day", body="Hi", **fields
    )


def aged(email, seconds):
    OutboundEmail.objects.filter(pk=email.pk).update(
        created_at=timezone.now() - timezone.timedelta(seconds=seconds)
    )
    return email


def test_no_transaction_is_open_while_the_mail_server_talks(db, witness):
    email = queued()
    # The test's own transaction wraps everything; deliver_email must add none to it.
    around_the_call = len(connection.atomic_blocks)

    assert deliver_email(email_id=email.pk) is True

    assert [seen["atomic_blocks"] for seen in witness] == [around_the_call]
    email.refresh_from_db()
    assert email.sent_at is not None
    assert email.claimed_at is None
    assert email.attempts == 1


@needs_postgresql
@committed_outbox
def test_another_connection_can_lock_the_row_while_the_mail_is_sent(postgresql, witness):
    WitnessBackend.check_locks = True
    email = queued()

    assert deliver_email(email_id=email.pk) is True

    assert [seen["lockable"] for seen in witness] == [True]


@needs_postgresql
@committed_outbox
def test_two_workers_delivering_the_same_email_send_it_once(postgresql, settings):
    settings.EMAIL_BACKEND = "tests.notifications.backends.SlowBackend"
    email = queued()

    results = at_once([lambda: deliver_email(email_id=email.pk)] * 2)

    assert sorted(results, key=repr) == [False, True]
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert email.attempts == 1
    assert email.sent_at is not None


@needs_postgresql
@committed_outbox
def test_many_workers_sweeping_a_backlog_send_each_email_once(postgresql, settings):
    settings.EMAIL_BACKEND = "tests.notifications.backends.SlowBackend"
    settings.OUTBOX_SWEEP_AFTER_SECONDS = 0
    emails = [aged(queued(to=f"p{i}@example.com"), 5) for i in range(3)]

    # Each "worker" delivers every id, as duplicated broker messages would make it.
    def worker():
        return [deliver_email(email_id=e.pk) for e in emails]

    results = at_once([worker] * 3)

    assert sum(sum(sent) for sent in results) == 3
    assert sorted(m.to[0] for m in mail.outbox) == [
        "p0@example.com",
        "p1@example.com",
        "p2@example.com",
    ]
    assert OutboundEmail.objects.filter(sent_at__isnull=True).count() == 0


def test_a_worker_that_dies_while_sending_leaves_the_mail_to_the_sweep(
    db, settings, mailoutbox, monkeypatch
):
    settings.OUTBOX_SWEEP_AFTER_SECONDS = 0
    settings.OUTBOX_CLAIM_TIMEOUT_SECONDS = 600
    email = aged(queued(), 5)

    def killed(self, fail_silently=False):
        # What a worker killed mid-send looks like from here: nothing after the claim runs.
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr("django.core.mail.EmailMultiAlternatives.send", killed)
        with pytest.raises(KeyboardInterrupt):
            deliver_email(email_id=email.pk)

    email.refresh_from_db()
    assert email.claimed_at is not None
    assert email.sent_at is None
    assert email.attempts == 1
    # While the claim is fresh, its worker may still be talking to the mail server.
    assert sweep_outbox() == 0
    assert deliver_email(email_id=email.pk) is False
    assert mailoutbox == []

    # Once the claim has expired, the sweep queues the mail again and it goes out once.
    settings.OUTBOX_CLAIM_TIMEOUT_SECONDS = 0
    assert sweep_outbox() == 1

    assert [m.to for m in mailoutbox] == [["potter@example.com"]]
    email.refresh_from_db()
    assert email.sent_at is not None
    assert email.claimed_at is None
    assert sweep_outbox() == 0


def test_a_mail_that_kills_every_worker_is_given_up_after_the_last_attempt(
    db, settings, mailoutbox, monkeypatch
):
    settings.OUTBOX_SWEEP_AFTER_SECONDS = 0
    settings.OUTBOX_CLAIM_TIMEOUT_SECONDS = 0
    settings.OUTBOX_MAX_ATTEMPTS = 2
    email = aged(queued(), 5)

    def killed(self, fail_silently=False):
        raise KeyboardInterrupt

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", killed)
    for _ in range(2):
        with pytest.raises(KeyboardInterrupt):
            deliver_email(email_id=email.pk)

    email.refresh_from_db()
    assert email.attempts == 2
    assert sweep_outbox() == 0


def test_a_failed_send_releases_its_claim_for_the_retry(db, mailoutbox, monkeypatch):
    email = queued()

    def refuse(self, fail_silently=False):
        raise SMTPException("451 try again later")

    with monkeypatch.context() as patch:
        patch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
        with pytest.raises(SMTPException):
            deliver_email(email_id=email.pk)

    email.refresh_from_db()
    assert email.claimed_at is None
    assert "451 try again later" in email.last_error
    assert deliver_email(email_id=email.pk) is True
    assert len(mailoutbox) == 1
    email.refresh_from_db()
    assert email.attempts == 2
    assert email.last_error == ""


def test_deliver_email_refuses_to_run_inside_a_callers_transaction(db, mailoutbox):
    email = queued()

    with pytest.raises(RuntimeError), transaction.atomic():
        deliver_email(email_id=email.pk)

    assert mailoutbox == []
    email.refresh_from_db()
    assert email.claimed_at is None


# --- Batches: one task, one connection to the mail server, each email claimed alone ----


@pytest.fixture
def counting(settings):
    settings.EMAIL_BACKEND = "tests.notifications.backends.CountingBackend"
    CountingBackend.reset()
    yield CountingBackend
    CountingBackend.reset()


def test_a_batch_is_sent_over_one_connection_skipping_what_is_sent_or_being_sent(db, counting):
    emails = [queued(to=f"p{i}@example.com") for i in range(5)]
    OutboundEmail.objects.filter(pk=emails[1].pk).update(sent_at=timezone.now())
    # A live claim: another worker is sending it right now.
    OutboundEmail.objects.filter(pk=emails[3].pk).update(claimed_at=timezone.now(), attempts=1)

    assert deliver_emails(email_ids=[e.pk for e in emails] + [123456]) == 3

    assert counting.opened == 1
    assert [m.to for m in mail.outbox] == [
        ["p0@example.com"],
        ["p2@example.com"],
        ["p4@example.com"],
    ]
    assert OutboundEmail.objects.filter(sent_at__isnull=False).count() == 4
    assert OutboundEmail.objects.get(pk=emails[3].pk).sent_at is None
    # Given the same batch again (a redelivered message), it sends nothing.
    assert deliver_emails(email_ids=[e.pk for e in emails]) == 0
    assert len(mail.outbox) == 3


def test_a_batch_with_nothing_to_send_opens_no_connection(db, counting):
    email = queued(sent_at=timezone.now())

    assert deliver_emails(email_ids=[email.pk]) == 0

    assert counting.opened == 0


def test_a_worker_that_dies_mid_batch_leaves_only_the_email_in_flight_claimed(db, counting):
    emails = [queued(to=f"p{i}@example.com") for i in range(5)]
    counting.failure, counting.fail_at = KeyboardInterrupt(), 3

    with pytest.raises(KeyboardInterrupt):
        deliver_emails(email_ids=[e.pk for e in emails])

    states = {
        e.to: (e.sent_at is not None, e.claimed_at is not None, e.attempts)
        for e in OutboundEmail.objects.order_by("pk")
    }
    assert states == {
        "p0@example.com": (True, False, 1),
        "p1@example.com": (True, False, 1),
        "p2@example.com": (False, True, 1),  # in flight: left to the sweep
        "p3@example.com": (False, False, 0),
        "p4@example.com": (False, False, 0),
    }
    # The broker gives the batch to another worker: it sends the rest, once.
    counting.failure = counting.fail_at = None
    assert deliver_emails(email_ids=[e.pk for e in emails]) == 2
    assert [m.to[0] for m in mail.outbox] == [
        "p0@example.com",
        "p1@example.com",
        "p3@example.com",
        "p4@example.com",
    ]


def test_a_refused_recipient_does_not_hold_back_the_rest_of_the_batch(db, counting):
    emails = [queued(to=f"p{i}@example.com") for i in range(3)]
    counting.refuse = ("p1@example.com",)

    with pytest.raises(SMTPRecipientsRefused):
        deliver_emails(email_ids=[e.pk for e in emails])

    assert [m.to[0] for m in mail.outbox] == ["p0@example.com", "p2@example.com"]
    refused = OutboundEmail.objects.get(to="p1@example.com")
    assert refused.sent_at is None
    assert refused.claimed_at is None
    assert "No such user" in refused.last_error
    # The task's retry sends only what is still unsent.
    counting.refuse = ()
    assert deliver_emails(email_ids=[e.pk for e in emails]) == 1
    assert [m.to[0] for m in mail.outbox][-1] == "p1@example.com"
    refused.refresh_from_db()
    assert refused.attempts == 2
    assert refused.last_error == ""


def test_a_lost_connection_stops_the_batch_and_releases_the_claim(db, counting):
    emails = [queued(to=f"p{i}@example.com") for i in range(3)]
    counting.failure, counting.fail_at = SMTPServerDisconnected("Connection unexpectedly closed"), 2

    with pytest.raises(SMTPServerDisconnected):
        deliver_emails(email_ids=[e.pk for e in emails])

    assert [m.to[0] for m in mail.outbox] == ["p0@example.com"]
    rows = {e.to: e for e in OutboundEmail.objects.all()}
    assert rows["p1@example.com"].claimed_at is None
    assert "Connection unexpectedly closed" in rows["p1@example.com"].last_error
    assert rows["p2@example.com"].attempts == 0
    assert OutboundEmail.objects.filter(claimed_at__isnull=False).count() == 0


@needs_postgresql
@committed_outbox
def test_workers_given_overlapping_batches_send_each_email_once(postgresql, settings, monkeypatch):
    settings.EMAIL_BACKEND = "tests.notifications.backends.SlowBackend"
    monkeypatch.setattr(SlowBackend, "seconds", 0.05)
    ids = [queued(to=f"p{i}@example.com").pk for i in range(8)]

    # Redelivered and swept messages: each worker is given the batch from another end.
    results = at_once(
        [
            lambda: deliver_emails(email_ids=ids),
            lambda: deliver_emails(email_ids=ids[::-1]),
            lambda: deliver_emails(email_ids=ids[3:] + ids[:3]),
        ]
    )

    assert sum(results) == 8
    assert sorted(m.to[0] for m in mail.outbox) == sorted(f"p{i}@example.com" for i in range(8))
    assert set(OutboundEmail.objects.values_list("attempts", flat=True)) == {1}
