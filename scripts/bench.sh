#!/usr/bin/env bash
# make bench: run every benchmark in bench/. Those that need the demo
# database (bench/*.py, and executables that read TICKET_DB) get a fresh
# ticket_bench (ticket_system + demo data), dropped at the end; the others
# make and drop their own databases.
#   bench/*.py      run inside `odoo shell`: `env` is the superuser environment;
#                   the transaction is rolled back at the end unless the script commits
#   other bench/*   executables, run with ODOO_PYTHON, ODOO_RC (config), TICKET_DB and PG* set
# BENCH_ONLY=name runs only bench/name.* (e.g. BENCH_ONLY=ingest).
# Exits non-zero if any benchmark fails.
source "$(dirname "$0")/lib.sh"

DB=${TICKET_BENCH_DB:-ticket_bench}
CONF=$RUN_DIR/odoo-bench.conf

benches=()
for f in "$REPO"/bench/*; do
    name=${f##*/}
    [ -n "${BENCH_ONLY:-}" ] && [ "${name%%.*}" != "$BENCH_ONLY" ] && continue
    case $f in
        *.py) benches+=("$f") ;;
        *) [ -f "$f" ] && [ -x "$f" ] && benches+=("$f") ;;
    esac
done
if [ ${#benches[@]} -eq 0 ]; then
    echo "no benchmarks"
    exit 0
fi

setup_odoo
setup_postgres
write_conf "$CONF" "$DB"
MODULES=$(modules)

# the demo database, for bench/*.py and the benchmarks that copy it (they
# name TICKET_DB); the others make their own databases
needs_db=0
for f in "${benches[@]}"; do
    if [[ $f == *.py ]] || grep -q TICKET_DB "$f"; then needs_db=1; fi
done
if [ $needs_db = 1 ]; then
    info "installing $MODULES into a fresh database $DB (with demo data)"
    drop_db "$DB"
    "${ODOO[@]}" -c "$CONF" -d "$DB" -i "$(echo $MODULES | tr ' ' ,)" \
        --stop-after-init --logfile="$RUN_DIR/bench-install.log" \
        || die "installation failed, see .run/bench-install.log"
fi

failed=0
for f in "${benches[@]}"; do
    info "bench/${f##*/}"
    start=$SECONDS
    if [[ $f == *.py ]]; then
        "${ODOO[@]}" shell -c "$CONF" -d "$DB" --no-http --log-level=warn <"$f" || failed=1
    else
        ODOO_PYTHON=$PY ODOO_RC=$CONF TICKET_DB=$DB "$f" || failed=1
    fi
    info "bench/${f##*/} took $((SECONDS - start))s"
done
if [ $needs_db = 1 ]; then drop_db "$DB"; fi
exit $failed
