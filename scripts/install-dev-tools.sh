#!/usr/bin/env bash
# make dev-tools: install the linters, pinned, so that `make lint` then runs
# without network:
#   .venv-dev/     Python tools of requirements-dev.txt (ruff, pylint-odoo, whool)
#   node_modules/  prettier and @prettier/plugin-xml of package.json / package-lock.json
#                  (skipped, with a notice, when npm is not installed)
# Needs PyPI (and the npm registry for prettier). Safe to run again: it only
# installs what is missing or changed.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
VENV=$REPO/.venv-dev
info() { echo "==> $*" >&2; }
die() { echo "error: $*" >&2; exit 1; }

python=
for candidate in python3.12 python3.11 python3.10 python3; do
    if command -v "$candidate" >/dev/null \
        && "$candidate" -c 'import sys, venv; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
        python=$candidate
        break
    fi
done
[ -n "$python" ] || die "no Python >= 3.10 with the venv module found"

# Reinstall when requirements-dev.txt changed since the last install.
stamp=$VENV/.requirements-dev.txt
if [ -x "$VENV/bin/python" ] && cmp -s "$REPO/requirements-dev.txt" "$stamp"; then
    info "Python dev tools up to date in .venv-dev/"
else
    [ -x "$VENV/bin/python" ] || "$python" -m venv "$VENV"
    info "installing requirements-dev.txt into .venv-dev/"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$REPO/requirements-dev.txt"
    cp "$REPO/requirements-dev.txt" "$stamp"
fi

if command -v npm >/dev/null; then
    if [ -f "$REPO/node_modules/.package-lock.json" ] \
        && cmp -s "$REPO/package-lock.json" "$REPO/node_modules/.lock-stamp" 2>/dev/null; then
        info "prettier up to date in node_modules/"
    else
        info "installing prettier and @prettier/plugin-xml into node_modules/ (npm ci)"
        (cd "$REPO" && npm ci --no-audit --no-fund --loglevel=error)
        cp "$REPO/package-lock.json" "$REPO/node_modules/.lock-stamp"
    fi
else
    info "npm not found: prettier (XML/JS formatting) is skipped by make lint; install Node.js and npm to get it"
fi
