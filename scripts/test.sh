#!/usr/bin/env bash
# The project's test command:  bash scripts/test.sh [pytest args...]
#
# On a fresh Debian machine it
#   1. installs PostgreSQL, Redis, the DejaVu fonts and chromium with apt-get when missing
#      (only as root; otherwise install them yourself, or point the tests at your own
#      servers with TEST_POSTGRES_URL / TEST_REDIS_URL);
#   2. creates .venv (python3 -m venv) if missing and installs the project with
#      `pip install -e '.[test]'` (again whenever pyproject.toml changes);
#   3. unless TEST_POSTGRES_URL and TEST_REDIS_URL are set, starts throwaway servers on
#      loopback with scripts/services.sh and stops the ones it started when it exits
#      (KEEP_SERVICES=1 leaves them running);
#   4. runs `python -m pytest -q -ra -n <2 x cores> --dist worksteal "$@"` (pytest-xdist;
#      TEST_WORKERS=N sets the workers, 0 runs in one process) and exits with pytest's code;
#      "no tests collected" (pytest's 5) is a failure too.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON="${PYTHON:-python3}"
VENV=".venv"

say() { echo "test.sh: $*" >&2; }
die() { say "$*"; exit 1; }

# ---------------------------------------------------------------- 1. system packages

have_pg_server() {
    compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null && return 0
    command -v pg_ctl >/dev/null 2>&1 || return 1
    [[ -x "$(dirname "$(readlink -f "$(command -v pg_ctl)")")/initdb" ]]
}

command -v "$PYTHON" >/dev/null 2>&1 || die "$PYTHON not found: install Python 3.11 or newer"
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
    || die "$PYTHON is $("$PYTHON" -V 2>&1); Python 3.11 or newer is needed (set PYTHON=...)"

missing=()        # packages we need
missing_hard=()   # ... of which the run cannot do without
if [[ -z "${TEST_POSTGRES_URL:-}" ]] && ! have_pg_server; then
    missing+=(postgresql); missing_hard+=(postgresql)
fi
if [[ -z "${TEST_REDIS_URL:-}" ]] && ! command -v redis-server >/dev/null 2>&1; then
    missing+=(redis-server); missing_hard+=(redis-server)
fi
if ! compgen -G '/usr/share/fonts/truetype/dejavu/DejaVuSans*.ttf' >/dev/null; then
    missing+=(fonts-dejavu-core)
fi
# the Mini App's browser tests (tests/browser) drive the system chromium through Playwright
if [[ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]]; then
    missing+=(chromium)
fi
if [[ ! -x "$VENV/bin/python" ]] && ! "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
    # Debian's own python3 has no ensurepip without python3-venv.
    missing+=(python3-venv); missing_hard+=(python3-venv)
fi

if (( ${#missing[@]} )); then
    if [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
        say "installing ${missing[*]} with apt-get"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >/dev/null
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    elif (( ${#missing_hard[@]} )); then
        die "missing ${missing_hard[*]}: install them (Debian: apt-get install postgresql redis-server fonts-dejavu-core chromium python3-venv), or export TEST_POSTGRES_URL and TEST_REDIS_URL to your own PostgreSQL and Redis"
    else
        say "warning: missing ${missing[*]} (not root, so not installed); tests that render with DejaVu fonts may fail, the browser tests are skipped"
    fi
fi

# ---------------------------------------------------------------- 2. virtualenv + project

if [[ -e "$VENV" ]] && ! "$VENV/bin/python" -c '' >/dev/null 2>&1; then
    say "$VENV is broken; recreating it"
    rm -rf "$VENV"
fi
if [[ ! -x "$VENV/bin/python" ]]; then
    say "creating $VENV"
    "$PYTHON" -m venv "$VENV" || {
        rm -rf "$VENV"
        die "'$PYTHON -m venv' failed (Debian: apt-get install python3-venv)"
    }
fi

# Reinstall only when pyproject.toml (or the interpreter) changed since the last install.
stamp_file="$VENV/.contest-bot-installed"
stamp="$( { cat pyproject.toml; "$VENV/bin/python" -VV; } | sha256sum | cut -d' ' -f1)"
if [[ "$(cat "$stamp_file" 2>/dev/null)" != "$stamp" ]] \
    || ! "$VENV/bin/python" -c 'import importlib.metadata as m; m.version("contest-bot"); m.version("pytest")' >/dev/null 2>&1; then
    say "installing the project into $VENV (pip install -e '.[test]')"
    export PIP_DISABLE_PIP_VERSION_CHECK=1
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -e '.[test]'
    echo "$stamp" >"$stamp_file"
fi
# `--install-only`: steps 1 and 2 alone (scripts/check.sh installs the linters this way).
if [[ "${1:-}" == --install-only ]]; then exit 0; fi

# ---------------------------------------------------------------- 3. services

started=()
cleanup() {
    if (( ${#started[@]} )) && [[ "${KEEP_SERVICES:-0}" != 1 ]]; then
        bash scripts/services.sh stop "${started[@]}" >/dev/null || say "could not stop ${started[*]}"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

wanted=()
[[ -n "${TEST_POSTGRES_URL:-}" ]] || wanted+=(postgres)
[[ -n "${TEST_REDIS_URL:-}" ]] || wanted+=(redis)
if (( ${#wanted[@]} )); then
    services_rc=0
    status="$(bash scripts/services.sh start "${wanted[@]}")" || services_rc=$?
    while IFS= read -r line; do
        case "$line" in
            "postgres: started"*) started+=(postgres) ;;
            "redis: started"*) started+=(redis) ;;
        esac
        case "$line" in
            TEST_POSTGRES_URL=*) export TEST_POSTGRES_URL="${line#*=}" ;;
            TEST_REDIS_URL=*) export TEST_REDIS_URL="${line#*=}" ;;
            *) say "$line" ;;
        esac
    done <<<"$status"
    (( services_rc == 0 )) || die "scripts/services.sh start failed (exit $services_rc)"
fi
[[ -n "${TEST_POSTGRES_URL:-}" && -n "${TEST_REDIS_URL:-}" ]] \
    || die "services.sh did not report the TEST_POSTGRES_URL/TEST_REDIS_URL"
say "TEST_POSTGRES_URL=$TEST_POSTGRES_URL TEST_REDIS_URL=$TEST_REDIS_URL"

# ---------------------------------------------------------------- 4. pytest

# In parallel with pytest-xdist: each worker has its own PostgreSQL database cloned from a
# template migrated once, and its own Redis databases (tests/conftest.py, redis_url), so any
# test may run beside any other (pytest-xdist's loadgroup did not keep a group on one worker
# with this pytest, so nothing relies on grouping). The tests wait
# on PostgreSQL, Redis and subprocesses a good part of the time, so twice as many workers as
# cores keeps the cores busy. TEST_WORKERS=0 (or passing -n / -p no:xdist) overrides it.
xdist=(-n "${TEST_WORKERS:-$(( $(nproc) * 2 ))}" --dist worksteal)
for arg in "$@"; do
    case "$arg" in
        -n|-n*|--numprocesses*|no:xdist|-pno:xdist) xdist=() ;;
    esac
done
[[ "${TEST_WORKERS:-}" == 0 ]] && xdist=()

set +e
"$VENV/bin/python" -m pytest -q -ra "${xdist[@]}" "$@"
rc=$?
set -e
if (( rc == 5 )); then
    say "pytest collected no tests: that is a failure"
    rc=1
fi
exit "$rc"
