#!/usr/bin/env bash
# The project's static checks:  bash scripts/check.sh
#
#   1. installs what is missing the way the tests do (`scripts/test.sh --install-only`: the
#      system packages, .venv and `pip install -e '.[test]'`, which pins ruff and mypy);
#   2. runs `ruff check .`, `ruff format --check .` and `mypy` (its files and settings are in
#      pyproject.toml), every one of them even when an earlier one failed;
#   3. exits non-zero when any of them failed, naming which.
#
# .ci/run calls it before the test suite. To fix what it finds: `.venv/bin/ruff check --fix .`
# and `.venv/bin/ruff format .`; mypy's errors are fixed by hand.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { echo "check.sh: $*" >&2; }

bash scripts/test.sh --install-only

failed=()
step() {
    local name="$1"
    shift
    say "$name"
    if ! "$@"; then
        failed+=("$name")
    fi
}

step "ruff check" .venv/bin/ruff check .
step "ruff format --check" .venv/bin/ruff format --check .
step "mypy" .venv/bin/mypy

if (( ${#failed[@]} )); then
    say "failed: ${failed[*]}"
    exit 1
fi
say "all checks passed"
