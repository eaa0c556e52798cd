"""First load of the public pages, served as in production: bytes on the wire and Lighthouse.

    .venv/bin/python bench/first_load.py [--runs 1] [--skip-lighthouse] [--keep]

Builds a throwaway installation in a temporary folder: an SQLite database with the demo
data (`seed_demo`, which runs only with DEBUG on), `collectstatic` into a STATIC_ROOT of
its own (WhiteNoise's CompressedManifestStaticFilesStorage, as with DEBUG off), then starts
the Procfile's web process (gunicorn with config/gunicorn.py, 2 workers, DEBUG=0,
SECURE_SSL_REDIRECT=0 for plain HTTP on 127.0.0.1). Uploaded photos are served beside it by
bench/first_load_wsgi.py, standing in for the reverse proxy of a real installation.

For each public page it then
- opens the page in a fresh browser context of Debian's Chromium (/usr/bin/chromium,
  driven by Playwright; no browser is downloaded), at a phone's size (360x800) and at a
  laptop's (1280x800), waits until the network is idle and sums what every response put
  on the wire (encoded body and headers, as Chromium counts them): the first load with
  an empty cache, lazy images outside the first screen left unloaded as a browser would;
- runs Lighthouse (npm package `lighthouse`, installed with `npm install --no-save` into
  a cache folder, bench/.node by default, on first use; the npm registry must be
  reachable once) against the same Chromium with its default mobile emulation and
  throttling, and reports the performance and accessibility scores (the median run
  when --runs > 1), with the largest contentful paint and total blocking time.

Prints a markdown table (bench/README.md, "First load", keeps the results). The targets
(issue 12): at most 100 KB for a page without photos, 200 KB for the showcase's first
screen, Lighthouse mobile performance at least 98 and accessibility 100 on every page.
"""

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
# As tests/browser/conftest.py launches it.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
LIGHTHOUSE_VERSION = "12.8.2"  # 13.x needs Node 22; Debian's is 20.
PAGES = [
    ("home", "/"),
    ("showcase", "/showcase/"),
    ("product", None),  # a published product with photos, found after seeding
    ("programmes", "/programmes/"),
    ("login", "/accounts/login/"),
    ("signup", "/accounts/signup/"),
    ("verify", "/verify/"),
    ("privacy", "/privacy/"),
]
WITH_PHOTOS = {"showcase", "product", "home"}
VIEWPORTS = {"phone": {"width": 360, "height": 800}, "laptop": {"width": 1280, "height": 800}}


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def manage(env, *args):
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def prepare(folder, *, seed=True):
    """Migrate and seed a fresh SQLite database, collect static files; the server's env."""
    env = {name: value for name, value in os.environ.items() if name != "DEBUG"}
    env |= {
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "VAR_DIR": str(folder),
        "STATIC_ROOT": str(folder / "static"),
        "MEDIA_ROOT": str(folder / "media"),
        "PRIVATE_MEDIA_ROOT": str(folder / "private"),
        "XDG_RUNTIME_DIR": str(folder),
    }
    env.pop("CACHE_URL", None)
    seed_env = env | {"DEBUG": "1"}
    if seed:
        print("migrating and seeding the demo data…", file=sys.stderr)
        manage(seed_env, "migrate", "--noinput")
        manage(seed_env, "seed_demo")
    production = env | {
        "DEBUG": "0",
        "SECRET_KEY": "bench-first-load-" + "x" * 40,
        "IDENTIFIER_HASH_KEYS": "bench-first-load-identifier-key-" + "y" * 20,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "SITE_URL": "http://127.0.0.1",
    }
    print("collecting static files (compressed, hashed)…", file=sys.stderr)
    manage(production, "collectstatic", "--noinput")
    return production


def product_path(env):
    """The public page of the first showcase card's product that has photos."""
    code = (
        "from products.models import Product\n"
        "p = Product.objects.filter(status='published', images__isnull=False)"
        ".order_by('-published_at', 'pk').first()\n"
        "print(p.pk)"
    )
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return f"/showcase/{out.stdout.strip().splitlines()[-1]}/"


def start_server(env, port):
    procfile = (ROOT / "Procfile").read_text(encoding="utf-8")
    web = next(line for line in procfile.splitlines() if line.startswith("web:"))
    command = web.removeprefix("web:").strip()
    command = command.replace("config.wsgi", "--pythonpath bench first_load_wsgi:application")
    command = command.replace("--access-logfile -", "")
    server_env = env | {
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
    }
    server = subprocess.Popen(
        ["bash", "-c", "exec " + command],
        cwd=ROOT,
        env=server_env,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/privacy/", timeout=5) as r:
                r.read()
            return server
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise SystemExit("gunicorn did not answer within 60 s") from None
            time.sleep(0.3)


def transfer_sizes(base, paths):
    """{(name, viewport): (bytes, requests, {kind: bytes})} for a first load of each page."""
    from playwright.sync_api import sync_playwright

    results = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for name, path in paths:
            for viewport_name, viewport in VIEWPORTS.items():
                context = browser.new_context(
                    base_url=base,
                    viewport=viewport,
                    locale="th-TH",
                    extra_http_headers={"Accept-Language": "th-TH,th;q=0.9"},
                )
                page = context.new_page()
                finished = []

                def record(request, finished=finished):
                    finished.append(request)

                page.on("requestfinished", record)
                # A warm-up in another context would fill nothing: each context has its own
                # empty cache, so this is a first visit.
                page.goto(path, wait_until="networkidle")
                page.wait_for_timeout(300)
                total, kinds = 0, {}
                for request in finished:
                    sizes = request.sizes()
                    size = sizes["responseBodySize"] + sizes["responseHeadersSize"]
                    total += size
                    kind = request.resource_type
                    kinds[kind] = kinds.get(kind, 0) + size
                results[name, viewport_name] = (total, len(finished), kinds)
                context.close()
        browser.close()
    return results


def lighthouse_bin(folder):
    binary = folder / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        folder.mkdir(parents=True, exist_ok=True)
        print(f"installing lighthouse@{LIGHTHOUSE_VERSION} into {folder}…", file=sys.stderr)
        subprocess.run(
            [
                "npm",
                "install",
                "--no-save",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(folder),
                f"lighthouse@{LIGHTHOUSE_VERSION}",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return binary


def lighthouse(binary, url, runs, workdir):
    """Median performance, accessibility, LCP (ms) and TBT (ms) of `runs` mobile runs."""
    flags = " ".join(["--headless=new", *CHROMIUM_ARGS, "--disable-dev-shm-usage"])
    scores = []
    for run in range(runs):
        report = workdir / f"lh-{run}.json"
        command = [
            str(binary),
            url,
            "--quiet",
            "--only-categories=performance,accessibility",
            "--output=json",
            f"--output-path={report}",
            f"--chrome-flags={flags}",
            "--locale=en-US",
        ]
        # Chromium now and then fails to start or to answer in time on a busy machine:
        # one more try before giving up.
        for attempt in (1, 2):
            done = subprocess.run(
                command,
                env=os.environ | {"CHROME_PATH": CHROMIUM},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            if done.returncode == 0:
                break
            print(f"lighthouse failed (try {attempt}): {done.stderr[-500:]}", file=sys.stderr)
        else:
            raise SystemExit(f"lighthouse failed twice on {url}")
        data = json.loads(report.read_text(encoding="utf-8"))
        categories, audits = data["categories"], data["audits"]
        failing = [
            audit_id
            for ref in categories["accessibility"]["auditRefs"]
            if (audit_id := ref["id"])
            and ref["weight"]
            and (audits[audit_id].get("score") is not None)
            and audits[audit_id]["score"] < 1
        ]
        scores.append(
            (
                round(categories["performance"]["score"] * 100),
                round(categories["accessibility"]["score"] * 100),
                audits["largest-contentful-paint"]["numericValue"],
                audits["total-blocking-time"]["numericValue"],
                failing,
            )
        )
    scores.sort(key=lambda item: item[0])
    return scores[len(scores) // 2]


def kib(size):
    return f"{size / 1024:.1f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="Lighthouse runs per page")
    parser.add_argument("--skip-lighthouse", action="store_true")
    parser.add_argument(
        "--node-dir",
        type=Path,
        default=ROOT / "bench" / ".node",
        help="where lighthouse is installed (default bench/.node, ignored by git)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument(
        "--reuse",
        type=Path,
        help="a folder kept by an earlier --keep: its database is used again, static files "
        "are collected afresh",
    )
    args = parser.parse_args()

    folder = args.reuse or Path(tempfile.mkdtemp(prefix="nc-first-load-"))
    server = None
    try:
        if args.reuse:
            shutil.rmtree(folder / "static", ignore_errors=True)
        env = prepare(folder, seed=not args.reuse)
        paths = [(name, path or product_path(env)) for name, path in PAGES]
        port = free_port()
        server = start_server(env, port)
        base = f"http://127.0.0.1:{port}"
        print("loading each page in Chromium…", file=sys.stderr)
        sizes = transfer_sizes(base, paths)
        scores = {}
        if not args.skip_lighthouse:
            binary = lighthouse_bin(args.node_dir)
            for name, path in paths:
                print(f"lighthouse {path}…", file=sys.stderr)
                scores[name] = lighthouse(binary, base + path, args.runs, folder)
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        if args.keep or args.reuse:
            print(f"kept {folder}", file=sys.stderr)
        else:
            shutil.rmtree(folder, ignore_errors=True)

    print()
    print(
        "| page | path | phone KiB (requests) | laptop KiB (requests) | of which images, "
        "laptop KiB | Lighthouse performance | accessibility | LCP ms | TBT ms |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, path in paths:
        phone, phone_count, _ = sizes[name, "phone"]
        laptop, laptop_count, kinds = sizes[name, "laptop"]
        row = [
            name,
            f"`{path}`",
            f"{kib(phone)} ({phone_count})",
            f"{kib(laptop)} ({laptop_count})",
            kib(kinds.get("image", 0)),
        ]
        if name in scores:
            performance, accessibility, lcp, tbt, failing = scores[name]
            row += [str(performance), str(accessibility), f"{lcp:.0f}", f"{tbt:.0f}"]
            if failing:
                row[-3] += " (" + ", ".join(failing) + ")"
        else:
            row += ["–"] * 4
        print("| " + " | ".join(row) + " |")
    print()
    print("Breakdown of the laptop first load by resource type (KiB):")
    for name, _path in paths:
        _total, _count, kinds = sizes[name, "laptop"]
        parts = ", ".join(f"{kind} {kib(size)}" for kind, size in sorted(kinds.items()))
        print(f"- {name}: {parts}")
    limits = []
    for name, _path in paths:
        worst = max(sizes[name, "phone"][0], sizes[name, "laptop"][0])
        limit = 200_000 if name in WITH_PHOTOS else 100_000
        if name == "product":
            continue  # photos at full size are its content
        if worst > limit:
            limits.append(f"{name} {worst / 1000:.0f} kB > {limit / 1000:.0f} kB")
        if name in scores and (scores[name][0] < 98 or scores[name][1] < 100):
            limits.append(f"{name} Lighthouse {scores[name][0]}/{scores[name][1]}")
    print()
    print("Targets: " + ("all met" if not limits else "missed: " + "; ".join(limits)))


if __name__ == "__main__":
    main()
