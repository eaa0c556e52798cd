"""deploy/nginx/nakhon-ceramic.conf, run by Debian's nginx with test paths and ports.

nginx serves as the test's own user (no master process), with a self-signed certificate,
in front of a stand-in for gunicorn that records what it was sent. Without nginx the
tests are skipped, except in CI, where .ci/run installs it.
"""

import contextlib
import datetime
import http.client
import http.server
import os
import re
import shutil
import signal
import ssl
import subprocess
import threading
import time
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings

from products.images import MAX_UPLOAD_BYTES
from products.services.catalogue import MAX_PHOTOS
from tests.test_gunicorn import free_port

CONF = Path(settings.BASE_DIR, "deploy", "nginx", "nakhon-ceramic.conf")


@pytest.fixture(scope="module")
def nginx():
    found = shutil.which("nginx") or next(
        (path for path in ("/usr/sbin/nginx",) if os.access(path, os.X_OK)), None
    )
    if not found:
        if os.environ.get("CI"):
            pytest.fail("nginx is missing: .ci/run installs Debian's nginx")
        pytest.skip("needs Debian's nginx (apt-get install nginx)")
    return found


def self_signed(folder):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "portal.example.go.th")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .sign(key, hashes.SHA256())
    )
    (folder / "fullchain.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (folder / "privkey.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def render(folder, *, http_port, https_port, upstream_port):
    """The repository's file with this test's folder, ports and certificate."""
    site = CONF.read_text()
    replacements = [
        ("/etc/letsencrypt/live/portal.example.go.th", str(folder)),
        ("/srv/nakhon-ceramic/var", str(folder / "var")),
        ("/var/www/html", str(folder / "www")),
        ("listen [::]:80;", ""),
        ("listen [::]:443 ssl http2;", ""),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream_port};"),
    ]
    for old, new in replacements:
        assert old in site, old
        site = site.replace(old, new)
    (folder / "site.conf").write_text(site)
    temp = folder / "temp"
    (folder / "nginx.conf").write_text(
        f"""daemon off;
master_process off;
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {folder}/site.conf;
}}
"""
    )
    temp.mkdir()
    self_signed(folder)
    return folder / "nginx.conf"


class StandIn(http.server.BaseHTTPRequestHandler):
    """gunicorn's place: answers 200 and keeps the headers of what it was sent."""

    seen = []

    def do_GET(self):
        self.seen.append((self.path, dict(self.headers)))
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"portal")

    def log_message(self, *args):
        pass


def nginx_command(nginx, conf):
    return [nginx, "-p", str(conf.parent), "-c", str(conf), "-e", str(conf.parent / "error.log")]


def test_the_configuration_passes_nginx_t(nginx, tmp_path):
    conf = render(tmp_path, http_port=free_port(), https_port=free_port(), upstream_port=8000)
    result = subprocess.run(
        [*nginx_command(nginx, conf), "-t"], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_nginx_redirects_to_https_proxies_with_the_scheme_and_serves_only_photos(nginx, tmp_path):
    upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    http_port, https_port = free_port(), free_port()
    conf = render(
        tmp_path,
        http_port=http_port,
        https_port=https_port,
        upstream_port=upstream.server_address[1],
    )
    media = tmp_path / "var" / "media" / "products"
    media.mkdir(parents=True)
    (media / "cup.jpg").write_bytes(b"\xff\xd8\xff\xe0 a photo")
    (media / "page.html").write_text("<script>alert(1)</script>")
    (tmp_path / "var" / "secrets.env").write_text("SECRET_KEY=x")
    server = subprocess.Popen(
        nginx_command(nginx, conf), stderr=subprocess.PIPE, start_new_session=True
    )
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE

    def get(path, *, secure=True):
        deadline = time.monotonic() + 10
        while True:
            if secure:
                connection = http.client.HTTPSConnection(
                    "127.0.0.1", https_port, context=context, timeout=5
                )
            else:
                connection = http.client.HTTPConnection("127.0.0.1", http_port, timeout=5)
            try:
                connection.request("GET", path, headers={"Host": "portal.example.go.th"})
                response = connection.getresponse()
                return response.status, dict(response.getheaders()), response.read()
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.1)
            finally:
                connection.close()

    try:
        status, headers, _body = get("/showcase/?q=1", secure=False)
        assert status == 301
        assert headers["Location"] == "https://portal.example.go.th/showcase/?q=1"

        status, _headers, body = get("/showcase/")
        assert (status, body) == (200, b"portal")
        path, sent = StandIn.seen[-1]
        assert path == "/showcase/"
        assert sent["X-Forwarded-Proto"] == "https"
        assert sent["Host"] == "portal.example.go.th"

        status, headers, body = get("/media/products/cup.jpg")
        assert (status, body) == (200, b"\xff\xd8\xff\xe0 a photo")
        assert headers["Content-Type"] == "image/jpeg"
        assert headers["X-Content-Type-Options"] == "nosniff"
        for path in ("/media/products/page.html", "/media/products/"):
            status, _headers, _body = get(path)
            assert status == 404, (path, status)
        # nginx resolves the dots before it picks a location: these go to the portal (whose
        # media view refuses them too), never to a file.
        for path in ("/media/../secrets.env", "/media/%2e%2e/secrets.env"):
            status, _headers, body = get(path)
            assert b"SECRET_KEY" not in body, (path, status)
        # The photos and the refusals came from nginx alone.
        assert [seen for seen, _headers in StandIn.seen if seen.startswith("/media/p")] == []
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.communicate(timeout=10)
        upstream.shutdown()


def test_nginx_lets_every_upload_the_portal_accepts_through():
    size = re.search(r"^\s*client_max_body_size (\d+)m;", CONF.read_text(), re.MULTILINE)
    assert size, "client_max_body_size is not set in megabytes"
    assert int(size[1]) * 1024 * 1024 > MAX_PHOTOS * MAX_UPLOAD_BYTES
