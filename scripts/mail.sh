#!/usr/bin/env bash
# make mail: send one customer mail into the demo desk.
#   make mail FROM='Kim Neumann <kim@example.com>' SUBJECT='...' BODY='...' [TO=vertrieb@shop.example]
# With `make run` up, the mail goes through Odoo's own odoo-mailgate.py
# (XML-RPC to the server, login admin / admin), as a mail server's pipe alias
# would deliver it; then this waits for the desk's answer in .run/outbox/.
# Without a server, the gateway runs in `odoo shell` instead.
# Unset variables take a sample mail to vertrieb@shop.example.
source "$(dirname "$0")/lib.sh"

DB=${TICKET_DB:-ticket_demo}
URL=http://127.0.0.1:${ODOO_HTTP_PORT:-8069}
LOGIN=${TICKET_LOGIN:-admin}
PASSWORD=${TICKET_PASSWORD:-admin}

setup_odoo
MAIL_FILE=$RUN_DIR/mail-last.eml
message_id=$("$PY" "$REPO/scripts/mail.py" build "$MAIL_FILE")
info "mail $message_id: ${FROM:-(sample sender)} -> ${TO:-vertrieb@shop.example}: ${SUBJECT:-(sample subject)}"

if "$PY" "$REPO/scripts/mail.py" up "$URL"; then
    mailgate=
    for dir in ${ADDONS_PATH//,/ } "$("$PY" -c 'import odoo.addons, os; print(os.path.dirname(odoo.addons.__file__))')"; do
        [ -f "$dir/mail/static/scripts/odoo-mailgate.py" ] && mailgate=$dir/mail/static/scripts/odoo-mailgate.py && break
    done
    [ -n "$mailgate" ] || die "odoo-mailgate.py not found in the mail addon"
    since=$(date +%s)
    result=$("$PY" "$REPO/scripts/mail.py" deliver "$URL" "$DB" "$LOGIN" "$PASSWORD" "$mailgate" "$MAIL_FILE")
    echo "$result"
    # a new ticket is confirmed to the sender: show that mail
    tag=$(sed -n 's/^==> new ticket \(\[[^]]*\]\).*/\1/p' <<<"$result")
    if [ -n "$tag" ]; then
        "$PY" "$REPO/scripts/mail.py" outbox "$RUN_DIR/outbox" "$since" "$tag" "${FROM:-kim.neumann@example.com}"
    fi
else
    info "no server on $URL: processing the mail in odoo shell"
    setup_postgres
    pgtool exists "$DB" || die "no database $DB: run 'make run' first"
    CONF=$RUN_DIR/odoo-mail.conf
    write_conf "$CONF" "$DB"
    TICKET_MAIL_FILE=$MAIL_FILE "${ODOO[@]}" shell -c "$CONF" -d "$DB" --no-http \
        --log-level=warn <"$REPO/scripts/mail_shell.py"
fi
