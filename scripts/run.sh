#!/usr/bin/env bash
# make run: serve database ticket_demo (ticket_system + demo data) on
# http://localhost:8069, login admin / admin. The database is created on first
# run and reused afterwards. workers=0: crons (mail fetch) run inside the server.
source "$(dirname "$0")/lib.sh"

DB=${TICKET_DB:-ticket_demo}
CONF=$RUN_DIR/odoo-run.conf

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
    "${ODOO[@]}" -c "$CONF" -d "$DB" -i "$(echo $missing | tr ' ' ,)" \
        --stop-after-init --logfile="$RUN_DIR/run-install.log" || ok=
    for m in $missing; do
        pgtool installed "$DB" "$m" || ok=
    done
    if [ -z "$ok" ]; then
        [ -n "$new_db" ] && drop_db "$DB"     # no half-made demo database
        die "installation failed, see .run/run-install.log"
    fi
fi

# Odoo switches the mail fetch cron on only once an incoming mail server is
# confirmed; keep it on so mail is fetched as soon as a server is set up.
echo "env.ref('mail.ir_cron_mail_gateway_action').active = True; env.cr.commit()" \
    | "${ODOO[@]}" shell -c "$CONF" -d "$DB" --no-http --log-level=warn >/dev/null

info "data: database $DB in the $PG_DESCRIPTION, files in .run/data; start over with 'make reset'"
info "serving $DB on http://localhost:${ODOO_HTTP_PORT:-8069} (admin / admin), Ctrl-C to stop"
exec "${ODOO[@]}" -c "$CONF" -d "$DB" "$@"
