"""One-machine installs in a folder of their own, driven through manage.py as an operator would.

Each command runs in a subprocess with its own environment: the test process's database
(PostgreSQL in CI) and broker (Redis in CI) are not the install's, so DATABASE_URL,
CELERY_BROKER_URL and the like are left out unless a test gives them.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
# What an install reads from the environment to find its database, broker, cache and files.
INSTALL_VARIABLES = (
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "CACHE_URL",
    "MEDIA_ROOT",
    "PRIVATE_MEDIA_ROOT",
    "STATIC_ROOT",
    "DEBUG",
    "VAR_DIR",
)
DEMO_OWNER = "owner@demo.nakhon-ceramic.test"
DEMO_PASSWORD = "Lampang-2569"


def install_env(var_dir, **extra):
    """The environment of an SQLite install in var_dir (extra variables on top)."""
    env = {name: value for name, value in os.environ.items() if name not in INSTALL_VARIABLES}
    env["VAR_DIR"] = str(var_dir)
    env["PYTHONUNBUFFERED"] = "1"
    env.update({name: str(value) for name, value in extra.items()})
    return env


def manage(env, *args, check=True, timeout=300):
    """Run manage.py with the arguments; the completed process."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def run_script(script, env, timeout=600):
    """Run a README block with bash, failing on the first command that fails."""
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, f"{script}\n{result.stdout}\n{result.stderr}"
    return result


def probe(env, **options):
    """Use the install as a visitor would (tests/toolkit/portal_probe.py); what it saw."""
    result = subprocess.run(
        [sys.executable, "-m", "tests.toolkit.portal_probe", json.dumps(options)],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])
