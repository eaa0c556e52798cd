"""kombu's filesystem transport, with each message written whole before a worker sees it.

kombu (5.7) creates a message file under its final name and then writes it, so a worker
polling the folder can take the file while it is still empty or half written and die on
"Unrecoverable error: JSONDecodeError". Here the message is written under a name the
consumer ignores, flushed, then renamed into place (atomic within one folder).

config.celery registers this class under the `filesystem` alias, so `filesystem://`
(the embedded default) uses it in every process that loads the Celery app.
"""

import contextlib
import os
import uuid

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps

# kombu reads a queue's messages from files named "<time>_<uuid>.<queue>.msg"; a name
# starting with a dot has "<anything>.part" after its first dot and is never taken.
PARTIAL_PREFIX = ".part-"


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        final = os.path.join(
            self.data_folder_out,
            f"{int(round(filesystem.monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg",
        )
        partial = os.path.join(self.data_folder_out, f"{PARTIAL_PREFIX}{uuid.uuid4().hex}.part")
        try:
            with open(partial, "wb") as file:
                file.write(str_to_bytes(dumps(payload)))
                file.flush()
                os.fsync(file.fileno())
            os.replace(partial, final)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(partial)
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel
    # kombu's own class keeps the exchange state; share it so both classes agree.
    global_state = filesystem.Transport.global_state
