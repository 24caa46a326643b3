#!/usr/bin/env bash
# Mail ingest benchmark: ticket_system against OCA helpdesk_mgmt 18.0, same
# mails, same run, each on its own fresh database (the benchmark commits after
# every mail, as the fetch cron does), dropped afterwards.
#
#   bench/ingest.sh                 (or: make bench, BENCH_ONLY=ingest make bench)
#   BENCH_MAILS=1000 BENCH_BATCH=250 BENCH_PRELOAD=0   the load (bench/ingest/measure.py)
#   BENCH_FETCH=50                                      mails per mailbox fetch (ticket_system
#                                                       confirms them after each, timed)
#   BENCH_RSS=1 BENCH_MAILS=10000                       resident memory after each batch
#   BENCH_INGEST_TARGETS="ticket_system"                only one system
#   BENCH_KEEP_DB=1                                     keep the databases (to look at them)
#
# Outgoing mail (confirmations, notifications) goes to a local SMTP sink
# (scripts/smtp_sink.py) through the mail queue cron, which the benchmark runs
# and times after every batch. Prints both systems' figures and the ratios;
# writes bench/results/ingest.json (or BENCH_RESULT).
source "$(dirname "$0")/../scripts/lib.sh"

setup_odoo
setup_postgres
TARGETS=${BENCH_INGEST_TARGETS:-ticket_system helpdesk_mgmt}
RESULT=${BENCH_RESULT:-$REPO/bench/results/ingest.json}
WORK=$RUN_DIR/bench-ingest
mkdir -p "$WORK"
rm -f "$WORK"/*.json

# the SMTP sink: a free port on loopback
SMTP_PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
rm -rf "$WORK/outbox"
"$PY" "$REPO/scripts/smtp_sink.py" --port "$SMTP_PORT" --outbox "$WORK/outbox" >"$WORK/smtp.log" 2>&1 &
SINK=$!
DBS=()
cleanup() {
    kill "$SINK" 2>/dev/null || true
    if [ -z "${BENCH_KEEP_DB:-}" ]; then
        for db in "${DBS[@]}"; do drop_db "$db"; done
    fi
}
trap cleanup EXIT

failed=0
for target in $TARGETS; do
    db=ticket_bench_ingest_$target
    conf=$RUN_DIR/odoo-bench-ingest-$target.conf
    write_conf "$conf" "$db"
    case $target in
        ticket_system) modules=$(modules) ;;
        helpdesk_mgmt)
            hd=$(helpdesk_mgmt_addons)
            sed -i "s|^addons_path = .*|&,$hd|" "$conf"
            modules=helpdesk_mgmt
            ;;
        *) die "unknown target $target" ;;
    esac
    info "ingest: installing $modules into a fresh database $db (with demo data)"
    drop_db "$db"
    DBS+=("$db")
    "${ODOO[@]}" -c "$conf" -d "$db" -i "$(echo $modules | tr ' ' ,)" \
        --stop-after-init --logfile="$WORK/install-$target.log" \
        || die "installation failed, see $WORK/install-$target.log"
    info "ingest: $target"
    BENCH_TARGET=$target BENCH_SMTP_PORT=$SMTP_PORT BENCH_OUT=$WORK/$target.json \
        "${ODOO[@]}" shell -c "$conf" -d "$db" --no-http --log-level=warn \
        <"$REPO/bench/ingest/measure.py" || failed=1
done
"$PY" "$REPO/bench/ingest/compare.py" "$WORK" "$RESULT" || failed=1
exit $failed
