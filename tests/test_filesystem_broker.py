"""The embedded broker (kombu's filesystem transport) never shows a half-written message."""

import json
import os

import kombu

from config import filesystem_broker


def test_filesystem_urls_use_the_transport_that_writes_whole_messages():
    with kombu.Connection("filesystem://") as connection:
        assert isinstance(connection.transport, filesystem_broker.Transport)


def test_a_message_appears_under_a_consumable_name_only_once_written_whole(tmp_path, monkeypatch):
    folder = tmp_path / "queue"
    folder.mkdir()
    options = {
        "data_folder_in": str(folder),
        "data_folder_out": str(folder),
        "control_folder": str(tmp_path / "control"),
        "store_processed": False,
    }
    at_rename = []
    rename = os.replace

    def watched_replace(source, destination):
        consumable = sorted(p.name for p in folder.iterdir() if p.name.endswith(".msg"))
        with open(source, "rb") as partial:
            at_rename.append((consumable, json.loads(partial.read()), destination))
        return rename(source, destination)

    monkeypatch.setattr(os, "replace", watched_replace)
    with kombu.Connection("filesystem://", transport_options=options) as connection:
        queue = connection.SimpleQueue("probe")
        queue.put({"notice": "ประกาศ"})
        message = queue.get(timeout=5)
        message.ack()
        queue.close()

    assert message.payload == {"notice": "ประกาศ"}
    [(consumable, written, destination)] = at_rename
    # Nothing a consumer takes was there while the message was written, and what was
    # renamed into place was the whole message.
    assert consumable == []
    assert written["body"]
    assert destination.endswith(".probe.msg")
    # Taken by the consumer; no partial file left behind.
    assert list(folder.iterdir()) == []
