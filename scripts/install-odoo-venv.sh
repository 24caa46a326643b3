#!/usr/bin/env bash
# Create .venv/ with Odoo 18 from Odoo's official source archive, its pinned
# requirements and ours. Needs internet, a Python 3.10-3.12 with venv, a C compiler
# and the headers Odoo's requirements build against (Debian: python3-dev
# libpq-dev libldap2-dev libsasl2-dev libxml2-dev libxslt1-dev libjpeg-dev).
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
VENV=$REPO/.venv
SRC=$VENV/src/odoo
# ODOO_ARCHIVE_URL: another copy of an Odoo 18 source archive (.tar.gz)
URLS=(${ODOO_ARCHIVE_URL:-
    https://nightly.odoo.com/18.0/nightly/src/odoo_18.0.latest.tar.gz
    https://github.com/odoo/odoo/archive/refs/heads/18.0.tar.gz
})

die() { echo "error: $*" >&2; exit 1; }

# Odoo 18 supports Python 3.10 to 3.12.
python=
for candidate in python3.12 python3.11 python3.10 python3; do
    if command -v "$candidate" >/dev/null \
        && "$candidate" -c 'import sys, venv; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 12))' 2>/dev/null; then
        python=$candidate
        break
    fi
done
[ -n "$python" ] || die "no Python 3.10-3.12 with the venv module found"

rm -rf "$VENV"
trap '[ -f "$VENV/.complete" ] || rm -rf "$VENV"' EXIT   # no half-built .venv
"$python" -m venv "$VENV"
mkdir -p "$SRC"

archive=$VENV/src/odoo.tar.gz
for url in "${URLS[@]}"; do
    echo "==> downloading $url" >&2
    if curl -fsSL --retry 2 -o "$archive" "$url"; then
        break
    fi
    rm -f "$archive"
done
[ -f "$archive" ] || die "could not download Odoo 18 source"
tar -xzf "$archive" -C "$SRC" --strip-components=1
rm -f "$archive"

# Some of Odoo 18's pinned source packages (e.g. cbor2 5.4.2) only build with
# setuptools<81. PIP_CONSTRAINT reaches pip's build environment up to pip 25;
# pip >= 26 reads build constraints from PIP_BUILD_CONSTRAINT.
echo 'setuptools<81' >"$VENV/build-constraints.txt"
export PIP_CONSTRAINT=$VENV/build-constraints.txt PIP_BUILD_CONSTRAINT=$VENV/build-constraints.txt
"$VENV/bin/python" -m pip install --upgrade pip wheel 'setuptools<81'
"$VENV/bin/python" -m pip install -r "$SRC/requirements.txt" -r "$REPO/requirements.txt"

# Make the unpacked source importable (what an editable install does, without a build).
site=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
echo "$SRC" >"$site/odoo-src.pth"
"$VENV/bin/python" -c 'import odoo.release as r; assert r.version_info[0] == 18' \
    || die "Odoo 18 in .venv is not importable"
touch "$VENV/.complete"
echo "==> Odoo 18 installed in .venv/" >&2
