from smtplib import SMTPException

import pytest
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone, translation
from kombu.exceptions import ChannelError, OperationalError

from notifications import services, tasks
from notifications.exceptions import NotRecipient
from notifications.models import Notification, OutboundEmail
from notifications.services import (
    deliver_email,
    mark_all_read,
    mark_read,
    notify,
    queue_email,
    sweep_outbox,
)
from tests.factories import UserFactory


def _age(email, seconds):
    OutboundEmail.objects.filter(pk=email.pk).update(
        created_at=timezone.now() - timezone.timedelta(seconds=seconds)
    )


def test_notify_writes_notification_and_email_in_callers_transaction(
    owner, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks() as callbacks:
        notification = notify(owner, "welcome", url="/")

    assert notification.recipient == owner
    assert notification.kind == "welcome"
    assert notification.read_at is None
    assert notification.email.to == owner.email
    assert notification.email.sent_at is None
    assert len(callbacks) == 1
    assert mailoutbox == []


def test_notify_is_rolled_back_with_the_callers_transaction(
    owner, django_capture_on_commit_callbacks, mailoutbox
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify(owner, "welcome", url="/")
        raise RuntimeError("the change being reported failed")

    assert not Notification.objects.exists()
    assert not OutboundEmail.objects.exists()
    assert callbacks == []
    assert mailoutbox == []


def test_notify_queues_delivery_only_on_commit(
    owner, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(owner, "welcome", url="/")
        assert mailoutbox == []

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [owner.email]
    assert mailoutbox[0].subject == notification.email.subject
    notification.email.refresh_from_db()
    assert notification.email.sent_at is not None
    assert notification.email.attempts == 1


@pytest.mark.parametrize("language", ["th", "en"])
def test_welcome_email_is_in_the_recipients_language(
    language, db, django_capture_on_commit_callbacks, mailoutbox
):
    recipient = UserFactory(language=language)
    other = "en" if language == "th" else "th"

    with translation.override(other), django_capture_on_commit_callbacks(execute=True):
        notify(recipient, "welcome", url="/")

    with translation.override(language):
        expected = render_to_string("notifications/welcome/subject.txt").strip()
    assert mailoutbox[0].subject == expected


def test_notify_renders_in_recipients_language_not_the_callers(
    probe_kind, owner, student, django_capture_on_commit_callbacks
):
    owner.language = "th"
    student.language = "en"

    with translation.override("en"):
        to_owner = notify(owner, probe_kind, student)
    with translation.override("th"):
        to_student = notify(student, probe_kind, owner)

    assert to_owner.email.subject == f"[th] {student.full_name}"
    assert to_student.email.subject == f"[en] {owner.full_name}"


def test_welcome_body_greets_recipient_and_links_absolutely(owner, settings):
    settings.SITE_URL = "https://ceramic.example"

    notification = notify(owner, "welcome", url="/me/profile/")

    assert owner.full_name in notification.email.body
    assert "https://ceramic.example/me/profile/" in notification.email.body
    assert notification.url == "/me/profile/"


def test_notify_passes_extra_context_to_the_email(probe_kind, owner):
    notification = notify(owner, probe_kind, url="/x/", context={"extra": "kiln 3"})

    assert "extra=kiln 3" in notification.email.body


def test_text_email_is_not_html_escaped_but_html_alternative_is(
    probe_kind, owner, django_capture_on_commit_callbacks, mailoutbox
):
    target = UserFactory(full_name="Tea & <Cups>")

    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(owner, probe_kind, target)

    assert notification.email.subject.endswith("Tea & <Cups>")
    assert "Tea &amp; &lt;Cups&gt;" in notification.email.html
    assert mailoutbox[0].alternatives[0].content == "<p>Tea &amp; &lt;Cups&gt;</p>"
    assert mailoutbox[0].alternatives[0].mimetype == "text/html"


def test_notify_without_email_writes_only_the_notification(
    owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        notification = notify(owner, "welcome", email=False)

    assert notification.email is None
    assert not OutboundEmail.objects.exists()
    assert callbacks == []


def test_notify_of_unknown_kind_fails_in_the_callers_transaction(owner):
    with pytest.raises(TemplateDoesNotExist):
        notify(owner, "no_such_kind")
    with pytest.raises(TemplateDoesNotExist):
        notify(owner, "no_such_kind", email=False)

    assert not Notification.objects.exists()


def test_notification_keeps_its_target(owner, student):
    notification = notify(owner, "welcome", student, email=False)

    notification = Notification.objects.get(pk=notification.pk)
    assert notification.target == student


def test_inbox_subject_is_rendered_in_the_viewers_language(probe_kind, owner, student):
    owner.language = "th"
    notification = notify(owner, probe_kind, student)

    with translation.override("en"):
        assert notification.subject == f"[en] {student.full_name}"
    with translation.override("th"):
        assert notification.subject == f"[th] {student.full_name}"


def test_queue_email_delivers_on_commit(db, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        email = queue_email(
            to="new.person@example.com", subject="You are\n invited", body="Come in."
        )
        assert mailoutbox == []

    assert email.subject == "You are invited"
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["new.person@example.com"]
    assert mailoutbox[0].subject == "You are invited"


def test_deliver_email_twice_sends_once(db, mailoutbox):
    email = OutboundEmail.objects.create(to="a@example.com", subject="Hello", body="Hi")

    assert deliver_email(email_id=email.pk) is True
    assert deliver_email(email_id=email.pk) is False

    assert len(mailoutbox) == 1
    email.refresh_from_db()
    assert email.attempts == 1


def test_deliver_email_of_a_missing_row_does_nothing(db, mailoutbox):
    assert deliver_email(email_id=123456) is False
    assert mailoutbox == []


def test_failed_send_records_attempt_and_error_and_keeps_email_unsent(db, mailoutbox, monkeypatch):
    email = OutboundEmail.objects.create(to="a@example.com", subject="Hello", body="Hi")

    def refuse(self, fail_silently=False):
        raise SMTPException("451 try again later")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    with pytest.raises(SMTPException):
        deliver_email(email_id=email.pk)

    email.refresh_from_db()
    assert email.sent_at is None
    assert email.attempts == 1
    assert "451 try again later" in email.last_error


def test_sweep_requeues_only_old_unsent_emails_under_the_attempt_limit(db, settings, mailoutbox):
    settings.OUTBOX_SWEEP_AFTER_SECONDS = 60
    settings.OUTBOX_MAX_ATTEMPTS = 3
    lost = OutboundEmail.objects.create(to="lost@example.com", subject="s", body="b")
    _age(lost, 120)
    retried = OutboundEmail.objects.create(to="retried@example.com", subject="s", body="b")
    OutboundEmail.objects.filter(pk=retried.pk).update(attempts=2)
    _age(retried, 120)
    given_up = OutboundEmail.objects.create(to="given.up@example.com", subject="s", body="b")
    OutboundEmail.objects.filter(pk=given_up.pk).update(attempts=3)
    _age(given_up, 120)
    sent = OutboundEmail.objects.create(
        to="sent@example.com", subject="s", body="b", sent_at=timezone.now()
    )
    _age(sent, 120)
    OutboundEmail.objects.create(to="fresh@example.com", subject="s", body="b")

    assert sweep_outbox() == 2

    assert sorted(m.to[0] for m in mailoutbox) == ["lost@example.com", "retried@example.com"]


def test_sweep_walks_the_backlog_in_chunks(db, settings, monkeypatch):
    settings.OUTBOX_SWEEP_AFTER_SECONDS = 0
    monkeypatch.setattr(services, "SWEEP_CHUNK_SIZE", 2)
    queued = []
    monkeypatch.setattr(
        services, "enqueue_delivery", lambda email_ids: queued.extend(email_ids) or len(email_ids)
    )
    emails = [
        OutboundEmail.objects.create(to=f"p{i}@example.com", subject="s", body="b")
        for i in range(5)
    ]
    # Same timestamp for several rows: the id breaks the tie, nothing is skipped or repeated.
    OutboundEmail.objects.update(created_at=timezone.now() - timezone.timedelta(seconds=5))

    assert sweep_outbox() == 5
    assert queued == [e.pk for e in emails]


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused."),
        ChannelError("Cannot add file to directory"),
        OSError("No space left on device"),
    ],
)
def test_broker_down_at_enqueue_raises_nothing_and_leaves_email_unsent(
    error, owner, django_capture_on_commit_callbacks, mailoutbox, monkeypatch, caplog
):
    def broker_down(*args, **kwargs):
        raise error

    monkeypatch.setattr(tasks.deliver_emails, "delay", broker_down)

    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(owner, "welcome", url="/")

    email = OutboundEmail.objects.get(pk=notification.email_id)
    assert email.sent_at is None
    assert email.attempts == 0
    assert mailoutbox == []
    assert "left for the outbox sweep" in caplog.text


def test_sweep_stops_while_the_broker_is_down(db, settings, monkeypatch):
    settings.OUTBOX_SWEEP_AFTER_SECONDS = 0

    def broker_down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(tasks.deliver_emails, "delay", broker_down)
    email = OutboundEmail.objects.create(to="a@example.com", subject="s", body="b")
    _age(email, 5)

    assert sweep_outbox() == 0


def test_mark_read_marks_the_recipients_notification(owner):
    notification = notify(owner, "welcome", email=False)

    mark_read(notification=notification, by=owner)

    notification.refresh_from_db()
    assert notification.read_at is not None


def test_mark_read_twice_keeps_the_first_time(owner):
    notification = notify(owner, "welcome", email=False)
    mark_read(notification=notification, by=owner)
    first = Notification.objects.get(pk=notification.pk).read_at

    mark_read(notification=Notification.objects.get(pk=notification.pk), by=owner)

    assert Notification.objects.get(pk=notification.pk).read_at == first


def test_mark_read_by_someone_else_is_refused(owner, outsider):
    notification = notify(owner, "welcome", email=False)

    with pytest.raises(NotRecipient):
        mark_read(notification=notification, by=outsider)

    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_read_marks_only_the_users_unread(owner, outsider, django_assert_num_queries):
    mine = [notify(owner, "welcome", email=False) for _ in range(3)]
    theirs = notify(outsider, "welcome", email=False)

    with django_assert_num_queries(1):
        assert mark_all_read(user=owner) == 3

    assert not Notification.objects.for_user(owner).unread().exists()
    assert Notification.objects.filter(pk__in=[n.pk for n in mine], read_at=None).count() == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_a_transactions_emails_are_queued_in_batches_after_its_commit(
    db, settings, django_capture_on_commit_callbacks, monkeypatch
):
    settings.OUTBOX_BATCH_SIZE = 2
    published = []
    monkeypatch.setattr(tasks.deliver_emails, "delay", published.append)
    people = [UserFactory(email=f"p{i}@example.com") for i in range(5)]

    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            ids = [notify(person, "welcome", url="/").email_id for person in people]
        assert published == []

    assert published == [ids[0:2], ids[2:4], ids[4:]]


def test_emails_queued_after_a_rolled_back_savepoint_are_still_delivered(
    db, django_capture_on_commit_callbacks, mailoutbox
):
    kept, dropped, later = (UserFactory(email=f"{n}@example.com") for n in ("k", "d", "l"))

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        # The first email of the transaction is queued inside a savepoint that is rolled
        # back: its on_commit callback goes with it, and the next email needs a new one.
        with pytest.raises(RuntimeError), transaction.atomic():
            notify(dropped, "welcome", url="/")
            raise RuntimeError
        notify(kept, "welcome", url="/")
        with pytest.raises(RuntimeError), transaction.atomic():
            notify(dropped, "welcome", url="/")
            raise RuntimeError
        notify(later, "welcome", url="/")

    assert sorted(m.to[0] for m in mailoutbox) == ["k@example.com", "l@example.com"]
    assert OutboundEmail.objects.filter(sent_at__isnull=True).count() == 0


def test_a_second_transaction_queues_its_own_emails(
    db, django_capture_on_commit_callbacks, mailoutbox
):
    first, second = UserFactory(email="first@example.com"), UserFactory(email="second@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        notify(first, "welcome", url="/")
    with django_capture_on_commit_callbacks(execute=True):
        notify(second, "welcome", url="/")

    assert [m.to[0] for m in mailoutbox] == ["first@example.com", "second@example.com"]


def test_a_broker_that_fails_midway_leaves_the_rest_to_the_sweep(db, settings, monkeypatch):
    settings.OUTBOX_SWEEP_AFTER_SECONDS = 0
    settings.OUTBOX_BATCH_SIZE = 2
    published = []

    def publish(email_ids):
        if published:
            raise OperationalError("connection refused")
        published.append(email_ids)

    monkeypatch.setattr(tasks.deliver_emails, "delay", publish)
    for i in range(5):
        _age(OutboundEmail.objects.create(to=f"p{i}@example.com", subject="s", body="b"), 5)

    assert sweep_outbox() == 2
    assert len(published) == 1


def test_an_email_is_queued_by_its_own_commit_callback_not_by_an_earlier_one(
    db, django_capture_on_commit_callbacks, mailoutbox
):
    earlier, later = (
        UserFactory(email="earlier@example.com"),
        UserFactory(email="later@example.com"),
    )
    # Its callback waits for the test's transaction, whose commit never comes.
    notify(earlier, "welcome", url="/")

    with django_capture_on_commit_callbacks(execute=True):
        notify(later, "welcome", url="/")

    assert [m.to[0] for m in mailoutbox] == ["later@example.com"]
