"""Mail backends for the delivery tests: each records what the mail server saw."""

import threading
import time
from smtplib import SMTPRecipientsRefused

from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection

from notifications.models import OutboundEmail


class SlowBackend(LocmemBackend):
    """A mail server that takes its time, so two deliveries overlap while it talks."""

    seconds = 0.5

    def send_messages(self, messages):
        time.sleep(self.seconds)
        return super().send_messages(messages)


class WitnessBackend(LocmemBackend):
    """While "sending", notes how many atomic blocks this connection is in and whether
    another connection can lock every outbox row (NOWAIT: an error if a lock is held)."""

    seen = []
    check_locks = False

    def send_messages(self, messages):
        WitnessBackend.seen.append(
            {
                "atomic_blocks": len(connection.atomic_blocks),
                "lockable": _lockable_elsewhere() if self.check_locks else None,
            }
        )
        return super().send_messages(messages)


def _lockable_elsewhere():
    from django.db import DatabaseError, connections, transaction

    result = {}

    def lock():
        try:
            with transaction.atomic():
                list(OutboundEmail.objects.select_for_update(nowait=True).values_list("pk"))
            result["lockable"] = True
        except DatabaseError as error:
            result["lockable"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=lock)
    thread.start()
    thread.join(timeout=30)
    return result.get("lockable")


class CountingBackend(LocmemBackend):
    """Counts the connections opened to the "mail server"; refuses addresses in `refuse`,
    fails with `failure` on the `fail_at`-th message (1-based), after counting it."""

    opened = 0
    refuse = ()
    failure = None
    fail_at = None
    offered = 0

    def open(self):
        CountingBackend.opened += 1
        return True

    def send_messages(self, messages):
        for message in messages:
            CountingBackend.offered += 1
            if CountingBackend.offered == self.fail_at:
                raise self.failure
            refused = [to for to in message.to if to in self.refuse]
            if refused:
                raise SMTPRecipientsRefused(dict.fromkeys(refused, (550, b"No such user")))
        return super().send_messages(messages)

    @classmethod
    def reset(cls):
        cls.opened = cls.offered = 0
        cls.refuse = ()
        cls.failure = cls.fail_at = None
