#!/usr/bin/env bash
# The project's run command:  BOT_TOKEN=… ADMIN_IDS=… bash scripts/run.sh [python -m bot args]
#
# Creates .venv (python3 -m venv) if missing, installs the project into it when
# pyproject.toml changed, and runs `python -m bot` — by default the bot itself in the
# embedded mode (SQLite in DATA_DIR, in-process queue and worker), loading
# examples/contest.yaml first when the database has no contest yet (SKIP_EXAMPLE=1 to
# skip). Any arguments go to `python -m bot` instead (e.g. `load-contest FILE`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON="${PYTHON:-python3}"
VENV=".venv"
if [[ ! -x "$VENV/bin/python" ]]; then
    echo "run.sh: creating $VENV" >&2
    "$PYTHON" -m venv "$VENV" || { rm -rf "$VENV"; echo "run.sh: '$PYTHON -m venv' failed (Debian: apt-get install python3-venv)" >&2; exit 1; }
fi
stamp_file="$VENV/.contest-bot-run-installed"
stamp="$( { cat pyproject.toml; "$VENV/bin/python" -VV; } | sha256sum | cut -d' ' -f1)"
if [[ "$(cat "$stamp_file" 2>/dev/null)" != "$stamp" ]]; then
    echo "run.sh: installing the project into $VENV" >&2
    export PIP_DISABLE_PIP_VERSION_CHECK=1
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -e .
    echo "$stamp" >"$stamp_file"
fi

# Protocols, certificates and diplomas are PDFs in Russian: they need the DejaVu fonts
# (Debian: fonts-dejavu-core), or FONT_DIR pointing at DejaVuSans.ttf and DejaVuSans-Bold.ttf.
if [[ -z "${FONT_DIR:-}" ]] && ! compgen -G '/usr/share/fonts/truetype/dejavu/DejaVuSans*.ttf' >/dev/null; then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
        echo "run.sh: installing fonts-dejavu-core (for PDF protocols and certificates)" >&2
        apt-get install -y -q fonts-dejavu-core >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q fonts-dejavu-core >/dev/null 2>&1; } || true
    else
        echo "run.sh: warning: DejaVu fonts not found — install fonts-dejavu-core or set FONT_DIR, or PDF protocols cannot be made" >&2
    fi
fi

if (( $# )); then
    exec "$VENV/bin/python" -m bot "$@"
fi
if [[ -z "${DATABASE_URL:-}" && "${SKIP_EXAMPLE:-0}" != 1 && ! -e "${DATA_DIR:-data}/contest.sqlite3" ]]; then
    echo "run.sh: first run — loading examples/contest.yaml (SKIP_EXAMPLE=1 to skip)" >&2
    "$VENV/bin/python" -m bot load-contest examples/contest.yaml
fi
exec "$VENV/bin/python" -m bot
