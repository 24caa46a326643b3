#!/usr/bin/env bash
# make run: serve database ticket_demo (ticket_system + demo data) on
# http://localhost:8069, login admin / admin. The database is created on first
# run (with Odoo's German loaded) and reused afterwards. workers=0: crons (mail
# fetch, mail queue) run inside the server. A local SMTP sink
# (scripts/smtp_sink.py on 127.0.0.1:$TICKET_SMTP_PORT, default 8025) is the
# database's outgoing mail server: every mail Odoo sends is kept in .run/outbox/.
source "$(dirname "$0")/lib.sh"

DB=${TICKET_DB:-ticket_demo}
CONF=$RUN_DIR/odoo-run.conf
export TICKET_SMTP_PORT=${TICKET_SMTP_PORT:-8025}
OUTBOX=$RUN_DIR/outbox

setup_odoo
setup_postgres
write_conf "$CONF" "$DB"
MODULES=$(modules)

missing=
for m in $MODULES; do
    pgtool installed "$DB" "$m" || missing="$missing $m"
done
if [ -n "$missing" ]; then
    new_db=
    if ! pgtool exists "$DB"; then
        new_db=1
        info "creating database $DB with demo data and:$missing"
    else
        info "installing into $DB:$missing"
    fi
    ok=1
    : >"$RUN_DIR/run-install.log"     # Odoo appends to its log file
    # the demo shop speaks German: load Odoo's German for every module
    "${ODOO[@]}" -c "$CONF" -d "$DB" -i "$(echo $missing | tr ' ' ,)" \
        --load-language=de_DE \
        --stop-after-init --logfile="$RUN_DIR/run-install.log" || ok=
    for m in $missing; do
        pgtool installed "$DB" "$m" || ok=
    done
    # Odoo goes on without the demo data of a module whose demo fails
    grep -q 'demo data failed to install' "$RUN_DIR/run-install.log" && ok=
    if [ -z "$ok" ]; then
        [ -n "$new_db" ] && drop_db "$DB"     # no half-made demo database
        die "installation failed, see .run/run-install.log"
    fi
fi

# mail fetch cron on, outgoing mail to the SMTP sink (see the script)
"${ODOO[@]}" shell -c "$CONF" -d "$DB" --no-http --log-level=warn \
    <"$REPO/scripts/demo_setup.py" >/dev/null

# The sink lives as long as this script: it stops when Odoo stops (Ctrl-C) or
# when the script is killed.
"$PY" "$REPO/scripts/smtp_sink.py" --host 127.0.0.1 --port "$TICKET_SMTP_PORT" \
    --outbox "$OUTBOX" &
SINK_PID=$!
trap 'kill "$SINK_PID" 2>/dev/null; wait "$SINK_PID" 2>/dev/null' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
sleep 1
kill -0 "$SINK_PID" 2>/dev/null \
    || die "the SMTP sink could not start on 127.0.0.1:$TICKET_SMTP_PORT (set TICKET_SMTP_PORT to a free port)"

info "data: database $DB in the $PG_DESCRIPTION, files in .run/data; start over with 'make reset'"
info "outgoing mail: every mail is kept in .run/outbox/ (SMTP sink on 127.0.0.1:$TICKET_SMTP_PORT)"
info "serving $DB on http://localhost:${ODOO_HTTP_PORT:-8069} (admin / admin), Ctrl-C to stop"
info "mail the desk: make mail FROM=kunde@example.com SUBJECT='Wo bleibt meine Bestellung?'"
"${ODOO[@]}" -c "$CONF" -d "$DB" "$@"
