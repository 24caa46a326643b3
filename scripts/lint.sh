#!/usr/bin/env bash
# make lint: the checks of OCA's 18.0 pre-commit template, offline, with the
# pinned tools that `make dev-tools` installs (.venv-dev/, node_modules/):
#   ruff check + ruff format --check   .ruff.toml (OCA 18.0), every Python file
#   pylint + pylint-odoo               .pylintrc-mandatory, every addon (must pass)
#   prettier + @prettier/plugin-xml    prettier.config.cjs, XML/JS/JSON/YAML files
#                                      (skipped with a notice when node is missing)
# Exits non-zero when any of them finds something.
#
#   scripts/lint.sh          check only (make lint)
#   scripts/lint.sh --fix    first apply what the tools fix by themselves:
#                            ruff check --fix, ruff format, prettier --write
#                            (make lint FIX=1), then check as above
#   OPTIONAL=1               also print pylint's optional checks (.pylintrc),
#                            for information: they never fail the run
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
VENV=${LINT_VENV:-$REPO/.venv-dev}
info() { echo "==> $*" >&2; }
die() { echo "error: $*" >&2; exit 1; }

fix=
for arg in "$@"; do
    case $arg in
        --fix) fix=1 ;;
        *) die "unknown argument: $arg (usage: scripts/lint.sh [--fix])" ;;
    esac
done

[ -x "$VENV/bin/ruff" ] && [ -x "$VENV/bin/pylint" ] \
    || die "lint tools not installed: run 'make dev-tools' (scripts/install-dev-tools.sh) once"
RUFF=$VENV/bin/ruff
PYLINT=$VENV/bin/pylint
PRETTIER=$REPO/node_modules/.bin/prettier

cd "$REPO"

# Files prettier formats: the extensions of OCA's prettier hook, minus the paths
# OCA's .pre-commit-config.yaml excludes, minus lock files and the mail
# templates, whose bodies are mail text (their layout is what customers get, and
# their terms are the msgids of the German translation).
PRETTIER_FILES='\.(css|htm|html|js|json|jsx|less|md|scss|toml|ts|xml|yaml|yml)$'
PRETTIER_EXCLUDE='^setup/|/static/description/index\.html$|\.svg$|/tests/([^/]+/)?cassettes/|^\.copier-answers\.yml$|^\.github/|^eslint\.config\.cjs|^prettier\.config\.cjs|^README\.md$|/static/(src/)?lib/|^docs/_templates/.*\.html$|readme/.*\.(rst|md)$|/build/|/dist/|/tests/samples/|(LICENSE.*|COPYING.*)|/data/mail_template_data\.xml$|(^|/)package-lock\.json$|^node_modules/|^bench/results/|^\.venv'
prettier_files() {
    if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        git ls-files --cached --others --exclude-standard
    else
        find . -type f -not -path './.git/*' -not -path './node_modules/*' \
            -not -path './.venv*' | sed 's|^\./||'
    fi | grep -E "$PRETTIER_FILES" | grep -vE "$PRETTIER_EXCLUDE" | sort -u \
        | while read -r f; do [ -f "$f" ] && echo "$f"; done
}
have_prettier() { [ -x "$PRETTIER" ] && command -v node >/dev/null; }

# Every installable addon of the repository (a folder with a manifest).
addons=()
for manifest in */__manifest__.py; do
    [ -f "$manifest" ] && addons+=("${manifest%/__manifest__.py}")
done
[ ${#addons[@]} -gt 0 ] || die "no addon (*/__manifest__.py) in $REPO"

if [ -n "$fix" ]; then
    info "ruff check --fix"
    "$RUFF" check --fix --exit-zero --silent .
    info "ruff format"
    "$RUFF" format .
    if have_prettier; then
        info "prettier --write"
        mapfile -t files < <(prettier_files)
        [ ${#files[@]} -eq 0 ] || "$PRETTIER" --write --list-different --ignore-unknown "${files[@]}"
    fi
    info "automatic fixes applied; checking what is left"
fi

failed=()

info "ruff check (.ruff.toml)"
"$RUFF" check --no-fix . || failed+=("ruff check")

info "ruff format --check"
"$RUFF" format --check . || failed+=("ruff format")

info "pylint-odoo, mandatory checks (.pylintrc-mandatory): ${addons[*]}"
"$PYLINT" --rcfile=.pylintrc-mandatory --output-format=text "${addons[@]}" \
    || failed+=("pylint-odoo")

if [ -n "${OPTIONAL:-}" ]; then
    info "pylint-odoo, optional checks (.pylintrc), for information only"
    "$PYLINT" --rcfile=.pylintrc --output-format=text --exit-zero "${addons[@]}"
fi

if have_prettier; then
    info "prettier --check (prettier.config.cjs)"
    mapfile -t files < <(prettier_files)
    if [ ${#files[@]} -gt 0 ]; then
        "$PRETTIER" --check --ignore-unknown --log-level=warn "${files[@]}" || failed+=("prettier")
    fi
else
    info "prettier skipped: node or node_modules/ missing (make dev-tools installs it where npm exists)"
fi

if [ ${#failed[@]} -gt 0 ]; then
    echo "lint failed: $(IFS=,; echo "${failed[*]}" | sed 's/,/, /g')" >&2
    [ -n "$fix" ] || echo "       'make lint FIX=1' applies the automatic fixes (ruff --fix, ruff format, prettier --write)" >&2
    exit 1
fi
info "lint passed"
