"""A local SMTP server that accepts every message and records it, for tests and bench/.

    python tests/smtp_sink.py --port 2525 --record FILE [--delay SECONDS]

Speaks just enough SMTP for smtplib and Django's SMTP backend (EHLO/HELO, MAIL, RCPT, DATA,
RSET, NOOP, QUIT; no TLS, no AUTH). Each accepted message is appended to FILE as one line
of JSON, flushed before the server answers "250": the time it was accepted, its
recipients, Message-ID and Subject. With --delay the server waits that long before it
accepts each message (a slower mail server). It runs until it is terminated.
"""

import argparse
import asyncio
import contextlib
import json
import socket
import subprocess
import sys
import time
from email.parser import BytesHeaderParser
from email.policy import default as default_policy


class Recorder:
    def __init__(self, path):
        self.file = open(path, "a", encoding="utf-8")  # noqa: SIM115 - open while serving

    def record(self, recipients, data):
        headers = BytesHeaderParser(policy=default_policy).parsebytes(data)
        line = {
            "at": time.time(),
            "to": recipients,
            "message_id": str(headers.get("Message-ID", "")),
            "subject": str(headers.get("Subject", "")),
        }
        self.file.write(json.dumps(line, ensure_ascii=False) + "\n")
        self.file.flush()


async def session(reader, writer, recorder, delay):
    def reply(line):
        writer.write(line.encode("ascii") + b"\r\n")

    reply("220 sink ESMTP")
    recipients = []
    try:
        while True:
            raw = await reader.readline()
            if not raw:
                break
            command = raw.decode("utf-8", "replace").strip()
            verb = command[:4].upper()
            if verb == "EHLO":
                reply("250-sink")
                reply("250-8BITMIME")
                reply("250 SMTPUTF8")
            elif verb == "HELO":
                reply("250 sink")
            elif verb == "MAIL":
                recipients = []
                reply("250 OK")
            elif verb == "RCPT":
                address = command.partition(":")[2].strip()
                recipients.append(address.split()[0].strip("<>") if address else "")
                reply("250 OK")
            elif verb == "DATA":
                reply("354 End data with <CR><LF>.<CR><LF>")
                await writer.drain()
                lines = []
                while True:
                    line = await reader.readline()
                    if not line or line in (b".\r\n", b".\n"):
                        break
                    lines.append(line[1:] if line.startswith(b"..") else line)
                if delay:
                    await asyncio.sleep(delay)
                recorder.record(recipients, b"".join(lines))
                recipients = []
                reply("250 OK queued")
            elif verb == "RSET":
                recipients = []
                reply("250 OK")
            elif verb == "NOOP":
                reply("250 OK")
            elif verb == "QUIT":
                reply("221 Bye")
                await writer.drain()
                break
            else:
                reply("502 Command not implemented")
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


async def serve(port, recorder, delay):
    server = await asyncio.start_server(
        lambda r, w: session(r, w, recorder, delay), "127.0.0.1", port
    )
    print(f"SMTP sink listening on 127.0.0.1:{port}", flush=True)
    async with server:
        await server.serve_forever()


def read_records(path):
    """The messages the sink has accepted so far, oldest first."""
    try:
        text = open(path, encoding="utf-8").read()  # noqa: SIM115, PTH123
    except FileNotFoundError:
        return []
    # A line still being written has no newline yet; it is read next time.
    return [json.loads(line) for line in text.splitlines(keepends=True) if line.endswith("\n")]


@contextlib.contextmanager
def running_sink(record_path, *, delay=0.0, timeout=20):
    """Run the sink in a process of its own on a free port; yields the port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, __file__, "--port", str(port), "--record", str(record_path)]
        + (["--delay", str(delay)] if delay else []),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            if process.poll() is not None:
                raise RuntimeError("The SMTP sink exited at start")
            time.sleep(0.05)
        else:
            raise RuntimeError("The SMTP sink did not start")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--record", required=True)
    parser.add_argument("--delay", type=float, default=0.0)
    args = parser.parse_args()
    asyncio.run(serve(args.port, Recorder(args.record), args.delay))


if __name__ == "__main__":
    main()
