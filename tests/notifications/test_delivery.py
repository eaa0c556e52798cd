"""deliver_email claims a mail, commits, sends outside any transaction, then marks it sent.

So a slow mail relay never holds a database connection's transaction or a row lock, two
workers given the same id send it once, and a claim left by a worker that died is
delivered again by the sweep once it has expired.
"""

import os
from smtplib import SMTPException

import pytest
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from notifications.models import OutboundEmail
from notifications.services import deliver_email, sweep_outbox
from tests.concurrency import at_once
from tests.notifications.backends import WitnessBackend

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
