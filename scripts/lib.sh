# Shared helpers for scripts/*.sh (sourced, not executed).
#
# After `setup_odoo` and `setup_postgres`:
#   PY           a Python that can `import odoo` (Odoo 18)
#   ODOO         the command that starts Odoo (array: odoo-bin or `python -m odoo`)
#   ADDONS_PATH  Odoo's addons + this repository
#   PGHOST/PGPORT/PGUSER/PGPASSWORD  exported, pointing at a server where we may create databases
#
# Overrides for trying the scripts on another addon set (used to test the scripts themselves):
#   TICKET_ADDONS_DIR  directory holding the addons to install and test (default: the repo)
#   TICKET_MODULES     modules to install and test (default: ticket_system + bridges)

set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUN_DIR="$REPO/.run"        # generated configs, logs, filestore (gitignored)
ADDONS_DIR=${TICKET_ADDONS_DIR:-$REPO}
mkdir -p "$RUN_DIR"

die() { echo "error: $*" >&2; exit 1; }
info() { echo "==> $*" >&2; }

# --- Odoo ---------------------------------------------------------------------

# True if $1 is a Python that imports Odoo 18.
is_odoo_python() {
    "$1" -c 'import odoo.release as r, sys; sys.exit(r.version_info[0] != 18)' >/dev/null 2>&1
}

setup_odoo() {
    if [ -n "${ODOO_PYTHON:-}" ]; then
        is_odoo_python "$ODOO_PYTHON" || die "ODOO_PYTHON=$ODOO_PYTHON cannot import Odoo 18"
        PY=$ODOO_PYTHON
    elif command -v python3 >/dev/null && is_odoo_python python3; then
        PY=$(python3 -c 'import sys; print(sys.executable)')
    elif is_odoo_python "$REPO/.venv/bin/python"; then
        PY=$REPO/.venv/bin/python
    else
        info "no Python with Odoo 18 found: installing Odoo 18 into .venv/ (downloads ~300 MB)"
        "$REPO/scripts/install-odoo-venv.sh" \
            || die "Odoo 18 not found and could not be installed: set ODOO_PYTHON to a Python that can 'import odoo'"
        PY=$REPO/.venv/bin/python
    fi

    local root
    root=$("$PY" -c 'import odoo, os; print(os.path.dirname(os.path.dirname(odoo.__file__)))')
    if [ -f "$root/odoo-bin" ]; then
        ODOO=("$PY" "$root/odoo-bin")
    else
        ODOO=("$PY" -m odoo)
    fi
    # A source checkout keeps the addons in <root>/addons; an installed package keeps
    # them in odoo/addons, which Odoo always adds by itself.
    ADDONS_PATH=$ADDONS_DIR
    if [ -d "$root/addons/web" ]; then
        ADDONS_PATH="$root/addons,$ADDONS_DIR"
    fi
}

# Require the Python packages of requirements.txt (pytest-odoo, ...).
check_requirements() {
    "$PY" -c 'import pytest_odoo, websocket' 2>/dev/null \
        || die "$PY lacks packages from requirements.txt: run '$PY -m pip install -r requirements.txt'"
}

# Is addon $1 somewhere on the addons path (or inside the odoo package)?
have_addon() {
    local dir
    for dir in ${ADDONS_PATH//,/ } "$("$PY" -c 'import odoo.addons, os; print(os.path.dirname(odoo.addons.__file__))')"; do
        [ -f "$dir/$1/__manifest__.py" ] && return 0
    done
    return 1
}

# Modules to install: ticket_system, plus ticket_system_sale when `sale` is available,
# plus ticket_system_stock when `stock` (and so `sale_stock`) is available too.
modules() {
    if [ -n "${TICKET_MODULES:-}" ]; then
        echo "$TICKET_MODULES"
        return
    fi
    [ -f "$ADDONS_DIR/ticket_system/__manifest__.py" ] || die "ticket_system/__manifest__.py not found"
    local mods=ticket_system
    if [ -f "$ADDONS_DIR/ticket_system_sale/__manifest__.py" ] && have_addon sale; then
        mods="$mods ticket_system_sale"
        if [ -f "$ADDONS_DIR/ticket_system_stock/__manifest__.py" ] && have_addon sale_stock; then
            mods="$mods ticket_system_stock"
        fi
    fi
    echo "$mods"
}

# --- PostgreSQL ----------------------------------------------------------------

pgtool() { "$PY" "$REPO/scripts/pgtool.py" "$@"; }

setup_postgres() {
    PG_DESCRIPTION="PostgreSQL server at ${PGHOST:-the default local socket}"
    if [ -n "${PGHOST:-}${PGPORT:-}${PGUSER:-}${PGPASSWORD:-}" ]; then
        pgtool check || die "cannot create databases on the server given by PGHOST/PGPORT/PGUSER/PGPASSWORD"
        return
    fi
    if pgtool check 2>/dev/null; then
        return      # default local socket
    fi
    if PGHOST=127.0.0.1 PGPORT=5432 pgtool check 2>/dev/null; then
        export PGHOST=127.0.0.1 PGPORT=5432
        PG_DESCRIPTION="PostgreSQL server at 127.0.0.1:5432"
        return
    fi
    start_private_cluster
}

# The embedded default: a private cluster, reachable only through a unix socket
# inside its own directory. initdb refuses to run as root, so root runs the
# cluster as the unprivileged system user `ticketpg`. The cluster lives in
# .pgdata/ in the repository; when `ticketpg` cannot reach the repository (a
# clone in root's home folder, mode 0700), it lives in
# /var/lib/ticket_system/pg-<hash of the repository path>/ instead, one per
# checkout, and .pgdata is a symbolic link to it.
start_private_cluster() {
    local bindir pgdir=$REPO/.pgdata
    bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -x "$bindir/initdb" ] || bindir=$(dirname "$(command -v initdb 2>/dev/null || echo .)")
    [ -x "$bindir/initdb" ] && [ -x "$bindir/pg_ctl" ] \
        || die "no usable PostgreSQL: set PGHOST/PGPORT/PGUSER/PGPASSWORD or install the PostgreSQL server (initdb, pg_ctl)"

    local as_user=() owner
    owner=$(id -un)
    if [ "$(id -u)" = 0 ]; then
        owner=ticketpg
        id "$owner" >/dev/null 2>&1 \
            || useradd --system --no-create-home --shell /usr/sbin/nologin "$owner" \
            || die "cannot create system user $owner for the private PostgreSQL cluster"
        as_user=(runuser -u "$owner" --)
        if ! runuser -u "$owner" -- test -x "$REPO" 2>/dev/null; then
            pgdir=$(outside_cluster_dir "$owner")
        fi
    fi
    # A unix socket path must stay within 107 bytes.
    [ ${#pgdir} -le 90 ] || die "path too long for a PostgreSQL socket ($pgdir): set PGHOST/PGPORT/PGUSER/PGPASSWORD"
    local data=$pgdir/data
    mkdir -p "$pgdir"
    chmod 700 "$pgdir"
    [ "$(id -u)" = 0 ] && chown "$owner:" "$pgdir"

    if [ ! -f "$data/PG_VERSION" ]; then
        info "creating private PostgreSQL cluster in $pgdir"
        (cd / && "${as_user[@]}" "$bindir/initdb" -D "$data" -U "$owner" -E UTF8 --no-locale \
            --auth=trust) >"$pgdir/initdb.log" 2>&1 \
            || die "initdb failed as user $owner (see $pgdir/initdb.log)"
        cat >>"$data/postgresql.conf" <<EOF

# private cluster of $REPO: no TCP, socket in the cluster's directory
listen_addresses = ''
unix_socket_directories = '$pgdir'
unix_socket_permissions = 0700
port = 5432
EOF
    fi
    if ! (cd / && "${as_user[@]}" "$bindir/pg_ctl" -D "$data" status) >/dev/null 2>&1; then
        info "starting private PostgreSQL cluster ($pgdir)"
        (cd / && "${as_user[@]}" "$bindir/pg_ctl" -D "$data" -l "$pgdir/server.log" -w -t 60 start) >/dev/null \
            || die "cannot start the private PostgreSQL cluster (see $pgdir/server.log)"
    fi
    export PGHOST=$pgdir PGPORT=5432 PGUSER=$owner
    unset PGPASSWORD
    PG_DESCRIPTION="private PostgreSQL cluster in $pgdir (user $owner)"
    pgtool check || die "private PostgreSQL cluster in $pgdir is not usable"
}

# outside_cluster_dir OWNER: the cluster directory for a repository OWNER cannot
# reach, tied to this checkout by the hash of its path; .pgdata points at it.
outside_cluster_dir() {
    local base=/var/lib/ticket_system dir link=$REPO/.pgdata
    dir=$base/pg-$(printf '%s' "$REPO" | sha1sum | cut -c1-12)
    mkdir -p "$base" && chmod 755 "$base" || die "cannot create $base for the private PostgreSQL cluster"
    if [ -d "$link" ] && [ ! -L "$link" ]; then
        [ -f "$link/data/PG_VERSION" ] && die "$link holds a cluster that user $1 cannot reach: move the repository or remove $link"
        rm -rf "$link"      # what a failed attempt left
    fi
    ln -sfn "$dir" "$link"
    echo "$dir"
}

# --- Odoo configuration --------------------------------------------------------

# write_conf FILE DBNAME: an Odoo config for database DBNAME on the server found above.
write_conf() {
    cat >"$1" <<EOF
; generated by scripts/lib.sh - edits are overwritten
[options]
addons_path = $ADDONS_PATH
data_dir = $RUN_DIR/data
db_host = ${PGHOST:-False}
db_port = ${PGPORT:-False}
db_user = ${PGUSER:-False}
db_password = ${PGPASSWORD:-False}
db_name = $2
dbfilter = ^$2\$
http_port = ${ODOO_HTTP_PORT:-8069}
http_interface = ${ODOO_HTTP_INTERFACE:-127.0.0.1}
list_db = False
workers = 0
screenshots = $RUN_DIR/screenshots
EOF
}

# Remove a database and its filestore.
drop_db() {
    pgtool drop "$1"
    rm -rf "$RUN_DIR/data/filestore/$1"
}

# OCA's helpdesk_mgmt 18.0 for side-by-side benchmarks only: its published wheel
# from PyPI, installed without dependencies into .run/bench-addons (never into the
# project's Python). Prints the addons folder to append to addons_path.
helpdesk_mgmt_addons() {
    local target=$RUN_DIR/bench-addons
    if [ ! -f "$target/odoo/addons/helpdesk_mgmt/__manifest__.py" ]; then
        info "installing OCA helpdesk_mgmt 18.0 (PyPI wheel, --no-deps) into $target"
        "$PY" -m pip install --quiet --no-deps --no-compile --target "$target" \
            "odoo-addon-helpdesk-mgmt==${HELPDESK_MGMT_VERSION:-18.0.*}" >&2 \
            || die "could not install odoo-addon-helpdesk-mgmt from PyPI"
    fi
    echo "$target/odoo/addons"
}
