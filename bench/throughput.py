"""Requests per second of the public pages through gunicorn, against the home page's (issue 12).

    .venv/bin/python bench/throughput.py [--duration 10] [--connections 10,50] [DATABASE_URL]

Starts the Procfile's web process (gunicorn with config/gunicorn.py, 2 workers) as in
production: DEBUG off, static files collected into a temporary folder and served by
WhiteNoise, with SECURE_SSL_REDIRECT off (wrk speaks plain HTTP), against the database
given (default DATABASE_URL; CACHE_URL is passed on when set). Then for each public page
(the landing page first, the showcase's first page, a filter, a search and a deep page,
the programme list and a showcase product) and each number of connections, wrk (Debian's
`wrk`; `apt-get install -y wrk`) loads the page for --duration seconds with one thread, so
the load tool takes as little of the machine as it can. The table gives requests per
second, latency (median, 99th percentile), errors, and the page's rate as a fraction of
the landing page's at the same connections (target >= 0.5). A page that does not answer
200 before the load is listed with its status and not loaded. gunicorn is stopped at the
end, also on an error or Ctrl-C.
"""

import argparse
import contextlib
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import unquote, urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
FRACTION_TARGET = 0.5
WORKERS = 2


def web_command():
    """The command of the Procfile's `web` process."""
    procfile = (ROOT / "Procfile").read_text(encoding="utf-8")
    return re.search(r"^web:\s*(.+)$", procfile, re.MULTILINE).group(1)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(port, path, timeout=60):
    """(status, Location, body length) of one GET, once the server answers."""
    deadline = time.monotonic() + timeout
    while True:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read()
            return response.status, response.getheader("Location", ""), len(body)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)
        finally:
            connection.close()


def production_env(database_url, folder, port):
    env = {name: value for name, value in os.environ.items() if name not in ("DEBUG",)}
    env |= {
        "DEBUG": "0",
        "SECRET_KEY": env.get("SECRET_KEY") or "bench-throughput-" + "x" * 40,
        # The same development key the generator hashed the tax IDs with.
        "IDENTIFIER_HASH_KEYS": env.get("IDENTIFIER_HASH_KEYS")
        or "dev-only-insecure-key-never-use-in-production",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": database_url,
        "STATIC_ROOT": str(folder / "static"),
        "PORT": str(port),
        "WEB_CONCURRENCY": str(WORKERS),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        "XDG_RUNTIME_DIR": str(folder),
        "LOG_LEVEL": "WARNING",
    }
    return env


@contextlib.contextmanager
def gunicorn(env, folder):
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    log = (folder / "gunicorn.log").open("wb")
    server = subprocess.Popen(
        ["bash", "-c", "exec " + web_command()],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,  # the access log
        stderr=log,
        start_new_session=True,
    )
    try:
        yield server
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()
        errors = (folder / "gunicorn.log").read_text(errors="replace")
        if "Traceback" in errors:
            print("gunicorn logged errors:\n" + errors[-3000:], file=sys.stderr)


def public_pages(database_url):
    """(label, path) of each page; the product is the showcase's newest."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.urls import reverse

    from products.models import Product

    product = Product.objects.on_showcase().order_by("-pk").values_list("pk", flat=True).first()
    showcase = reverse("showcase:index")
    return [
        ("home (landing)", reverse("home")),
        ("showcase", showcase),
        ("showcase, tableware", showcase + "?" + urlencode({"category": "tableware"})),
        ("showcase, search ชาม", showcase + "?" + urlencode({"q": "ชาม"})),
        ("showcase, page 500", showcase + "?page=500"),
        ("programmes", reverse("programmes:programme_list")),
        ("showcase product", reverse("showcase:product", args=[product or 0])),
    ]


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def milliseconds(text):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * UNITS[unit]


def load(port, path, connections, duration):
    """Run wrk once: requests/s, median and p99 latency (ms), errors."""
    command = [
        "wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "30s", "--latency",
        f"http://127.0.0.1:{port}{path}",
    ]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.MULTILINE))
    errors = 0
    for found in re.findall(r"Non-2xx or 3xx responses: (\d+)", output):
        errors += int(found)
    socket_errors = re.search(r"Socket errors: (.+)", output)
    if socket_errors:
        errors += sum(int(n) for n in re.findall(r"\d+", socket_errors.group(1)))
    return {
        "rate": rate,
        "p50": milliseconds(latency["50"]) if "50" in latency else None,
        "p99": milliseconds(latency["99"]) if "99" in latency else None,
        "errors": errors,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("database", nargs="?", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--duration", type=int, default=15, help="seconds of load per row")
    parser.add_argument("--connections", default="10,50")
    args = parser.parse_args(argv)
    if not args.database:
        parser.error("give a database URL (or set DATABASE_URL)")
    if shutil.which("wrk") is None:
        parser.error("wrk is missing: apt-get install -y wrk")
    connection_counts = [int(n) for n in args.connections.split(",")]

    started = time.monotonic()
    pages = public_pages(args.database)
    from run import machine  # after public_pages: importing run sets Django up

    folder = Path(tempfile.mkdtemp(prefix="nc-throughput-"))
    port = free_port()
    results = {}
    try:
        with gunicorn(production_env(args.database, folder, port), folder):
            for label, path in pages:
                try:
                    status, location, size = fetch(port, path)
                except OSError as error:
                    status, location, size = f"no answer ({error})", "", 0
                if status != 200:
                    results[label] = {"status": status, "location": location}
                    continue
                for _ in range(3):  # warm each worker's caches
                    fetch(port, path)
                results[label] = {"size": size}
                for count in connection_counts:
                    try:
                        results[label][count] = load(port, path, count, args.duration)
                    except (subprocess.CalledProcessError, AttributeError) as error:
                        # wrk failed or printed no rate: show it as no throughput.
                        print(f"  wrk on {path}: {error}", file=sys.stderr)
                        results[label][count] = {
                            "rate": 0.0,
                            "p50": None,
                            "p99": None,
                            "errors": "wrk failed",
                        }
                print(f"  loaded {label}", file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    print(f"- machine: {machine()}")
    print(
        f"- gunicorn (Procfile's web command, {WORKERS} workers, DEBUG off) against "
        f"{args.database.rsplit('/', 1)[-1]}; wrk, 1 thread, {args.duration} s per row, "
        f"on the same machine; run took {time.monotonic() - started:.0f} s"
    )
    print()
    header = "| page | KiB |"
    rule = "|---|--:|"
    for count in connection_counts:
        header += f" req/s @{count} | p50 ms | p99 ms | errors | × home @{count} |"
        rule += "--:|--:|--:|--:|--:|"
    print(header)
    print(rule)
    home = results.get(pages[0][0], {})
    missed = []
    for label, path in pages:
        result = results[label]
        if "size" not in result:
            where = f" → {result['location']}" if result["location"] else ""
            print(f"| {label} `{unquote(path)}` | answered {result['status']}{where} |")
            missed.append(label)
            continue
        row = f"| {label} `{unquote(path)}` | {result['size'] / 1024:.0f} |"
        for count in connection_counts:
            r = result[count]
            base = home.get(count) if isinstance(home, dict) else None
            fraction = r["rate"] / base["rate"] if base and base["rate"] else None
            shown = "–" if fraction is None else f"{fraction:.2f}"
            if fraction is not None and fraction < FRACTION_TARGET:
                shown = f"**{fraction:.3f}** ✗"
                if label not in missed:
                    missed.append(label)
            p50 = "–" if r["p50"] is None else f"{r['p50']:.0f}"
            p99 = "–" if r["p99"] is None else f"{r['p99']:.0f}"
            row += f" {r['rate']:.1f} | {p50} | {p99} | {r['errors']} | {shown} |"
        print(row)
    print()
    print(
        f"- under {FRACTION_TARGET} of the home page's rate ({len(missed)}): "
        + (", ".join(missed) or "none")
    )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
