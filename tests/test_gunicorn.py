"""The Procfile's web process, a real gunicorn, does not say which server software it is.

Django's DEBUG makes no difference to the header under test (gunicorn writes it), so the
process runs with the development defaults and needs no production secrets; the page
asked for is the JavaScript catalogue.
"""

import contextlib
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings


def web_command():
    """The command of the Procfile's `web` process."""
    procfile = Path(settings.BASE_DIR, "Procfile").read_text(encoding="utf-8")
    return re.search(r"^web:\s*(.+)$", procfile, re.MULTILINE).group(1)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(port, path, timeout=30, method="GET"):
    """GET path from the server on port once it answers; the response's status and headers."""
    deadline = time.monotonic() + timeout
    while True:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request(method, path)
            response = connection.getresponse()
            response.read()
            return response.status, response.getheaders()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
        finally:
            connection.close()


@contextlib.contextmanager
def web_process(command, folder, log=None):
    """Run the shell command (with .venv's programs first on PATH) on a free port.

    Every request opens a transaction, so the process gets an SQLite file of its own (the
    tests' PostgreSQL database is not one it could use), and gunicorn's control socket goes
    into the folder too, away from any other gunicorn of this user.
    """
    port = free_port()
    env = {name: value for name, value in os.environ.items() if name != "DEBUG"}
    env |= {
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        "DATABASE_URL": f"sqlite:///{folder / 'web.sqlite3'}",
        "XDG_RUNTIME_DIR": str(folder),
    }
    server = subprocess.Popen(
        ["bash", "-c", "exec " + command],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        yield port
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        _out, errors = server.communicate(timeout=30)
        if log is not None:
            log.append(errors.decode(errors="replace"))
    assert b"Traceback" not in errors, errors.decode(errors="replace")


def test_gunicorn_from_the_procfile_sends_no_server_header(tmp_path):
    assert "--config config/gunicorn.py" in web_command()
    with web_process(web_command(), tmp_path) as port:
        status, headers = get(port, "/jsi18n/")
    names = {name.lower() for name, _value in headers}
    assert status == 200, headers
    assert "server" not in names, headers
    assert "x-powered-by" not in names, headers
    # Django's middleware ran: the security headers are there.
    assert "content-security-policy" in names, headers
    assert "permissions-policy" in names, headers
    # No control socket (XDG_RUNTIME_DIR is tmp_path): one per user would be shared by
    # every gunicorn the user starts.
    assert not list(tmp_path.glob("*.ctl"))


def test_gunicorn_without_the_configuration_would_announce_itself(tmp_path):
    """The check above can fail: plain gunicorn sends `Server: gunicorn`."""
    plain = web_command().replace("--config config/gunicorn.py ", "")
    with web_process(plain, tmp_path) as port:
        _status, headers = get(port, "/jsi18n/")
        control_sockets = list(tmp_path.glob("*.ctl"))
    assert ("Server", "gunicorn") in headers
    assert control_sockets  # the check above can fail too


def test_a_head_request_gets_the_headers_and_no_body_nor_a_warning(tmp_path):
    log = []
    with web_process(web_command(), tmp_path, log) as port:
        status, headers = get(port, "/jsi18n/", method="HEAD")
        get_status, get_headers = get(port, "/jsi18n/")
    assert status == get_status == 200
    length = dict(headers).get("Content-Length")
    assert length is not None and length == dict(get_headers).get("Content-Length")
    assert int(length) > 0
    assert "no-body response" not in log[0], log[0]
