"""gunicorn's configuration for the web process: `gunicorn -c config/gunicorn.py config.wsgi`.

The Procfile passes the bind address, the number of workers and the access log on the
command line; this file holds what the command line cannot say.

No `Server` header: gunicorn writes "Server: gunicorn" on every response and has no setting
to leave it out (benoitc/gunicorn#825), which tells a scanner which exploits to try. The
master reads this file before it forks the workers, so each worker inherits the change.
tests/test_gunicorn.py starts a real gunicorn with this file and checks the headers.

No control socket: gunicorn 24+ opens one at ~/.gunicorn/gunicorn.ctl, the same path for
every gunicorn its user starts, so a second portal (or a second web process) on the host
would take over the first one's. Nothing here uses it.
"""

from gunicorn.http import wsgi

_default_headers = wsgi.Response.default_headers


def _default_headers_without_server(response):
    return [line for line in _default_headers(response) if not line.startswith("Server:")]


wsgi.Response.default_headers = _default_headers_without_server

control_socket_disable = True
