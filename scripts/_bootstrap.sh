# Sourced by scripts/test, scripts/run and .ci/run; not run on its own.
#
# Makes sure .venv exists (Python 3.11) and holds the dependencies pinned in
# pyproject.toml. pip runs only when pyproject.toml changed since the last successful
# install: its hash is kept in .venv/.pyproject.sha256. Leaves the shell in the
# project's root with PROJECT_ROOT and VENV_PYTHON set.

PROJECT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$PROJECT_ROOT" || return 1
VENV_DIR="$PROJECT_ROOT/.venv"
VENV_PYTHON="$VENV_DIR/bin/python"

_bootstrap_is_311() {
    "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' 2>/dev/null
}

_bootstrap_fail() {
    echo "bootstrap: $*" >&2
    return 1
}

_bootstrap() {
    local python lock_fd=""

    if [ ! -x "$VENV_PYTHON" ]; then
        python=""
        if command -v python3.11 >/dev/null 2>&1 && _bootstrap_is_311 python3.11; then
            python=python3.11
        elif command -v python3 >/dev/null 2>&1 && _bootstrap_is_311 python3; then
            python=python3
        fi
        [ -n "$python" ] || _bootstrap_fail "Python 3.11 is needed (as python3.11 or python3)." \
            || return 1
        echo "bootstrap: creating .venv with $(command -v "$python") ($("$python" --version 2>&1))"
        "$python" -m venv "$VENV_DIR" || _bootstrap_fail "could not create .venv" || return 1
    fi
    _bootstrap_is_311 "$VENV_PYTHON" \
        || _bootstrap_fail "$VENV_PYTHON is not Python 3.11: remove .venv and run again." \
        || return 1

    # Two commands started at once must not run pip into the same .venv together.
    if command -v flock >/dev/null 2>&1; then
        exec {lock_fd}>"$VENV_DIR/.bootstrap.lock"
        flock "$lock_fd"
    fi

    local stamp="$VENV_DIR/.pyproject.sha256" wanted
    wanted="$("$VENV_PYTHON" -c 'import hashlib, sys
print(hashlib.sha256(open("pyproject.toml", "rb").read()).hexdigest())')"
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
        echo "bootstrap: pyproject.toml changed since the last install: pip install -e \".[dev]\""
        rm -f "$stamp"
        if PIP_DISABLE_PIP_VERSION_CHECK=1 "$VENV_PYTHON" -m pip install --no-input -q \
            -e ".[dev]"; then
            echo "$wanted" >"$stamp"
        else
            [ -z "$lock_fd" ] || exec {lock_fd}>&-
            _bootstrap_fail "pip install failed"
            return 1
        fi
    fi

    [ -z "$lock_fd" ] || exec {lock_fd}>&-
    return 0
}

_bootstrap || { return 1 2>/dev/null || exit 1; }
