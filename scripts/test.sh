#!/usr/bin/env bash
# make test: install ticket_system (+ ticket_system_sale when `sale` exists,
# + ticket_system_stock when `stock` does too) with demo data into a fresh
# database, then run every test of those addons with
# pytest-odoo, browser tours included (--odoo-http starts Odoo's HTTP server in
# the pytest process). Exits non-zero on any failure, error, or when no test ran.
# Arguments are passed on to pytest, e.g. scripts/test.sh -k gateway -x
source "$(dirname "$0")/lib.sh"

DB=${TICKET_TEST_DB:-ticket_test}
CONF=$RUN_DIR/odoo-test.conf
INSTALL_LOG=$RUN_DIR/test-install.log
PYTEST_LOG=$RUN_DIR/test-pytest.log

setup_odoo
check_requirements
setup_postgres
write_conf "$CONF" "$DB"
MODULES=$(modules)

start=$SECONDS
info "installing $MODULES into a fresh database $DB (with demo data)"
drop_db "$DB"
: >"$INSTALL_LOG"     # Odoo appends to its log file: check this install only
"${ODOO[@]}" -c "$CONF" -d "$DB" -i "$(echo $MODULES | tr ' ' ,)" \
    --stop-after-init --logfile="$INSTALL_LOG" \
    || die "installation failed, see .run/test-install.log"
for m in $MODULES; do
    pgtool installed "$DB" "$m" || die "module $m did not install, see .run/test-install.log"
done
if grep -E '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) |demo data failed to install' "$INSTALL_LOG"; then
    die "errors while installing, see .run/test-install.log"
fi
info "installed in $((SECONDS - start))s"

test_dirs=()
for m in $MODULES; do
    [ -d "$ADDONS_DIR/$m/tests" ] && test_dirs+=("$m/tests")
done
[ ${#test_dirs[@]} -gt 0 ] || die "no tests directory in: $MODULES"
# the developer scripts' own tests (SMTP sink, make mail), plain pytest
[ -z "${TICKET_ADDONS_DIR:-}" ] && [ -d "$REPO/scripts/tests" ] && test_dirs+=("$REPO/scripts/tests")

info "running tests: ${test_dirs[*]} (Odoo log: .run/test-odoo.log)"
cd "$ADDONS_DIR"
set +e
"$PY" -m pytest -p no:cacheprovider -rfEs \
    --odoo-config="$CONF" --odoo-database="$DB" --odoo-http \
    --odoo-log-level=info --odoo-extra="logfile=$RUN_DIR/test-odoo.log" \
    "${test_dirs[@]}" "$@" 2>&1 | tee "$PYTEST_LOG"
rc=${PIPESTATUS[0]}
set -e

summary=$(grep -E '^=+ .* in [0-9.]+s' "$PYTEST_LOG" | tail -n 1 | tr -d '=' | sed 's/^ *//; s/ *$//')
info "pytest: ${summary:-no summary} ($((SECONDS - start))s in total)"
if [ "$rc" -eq 0 ] && ! grep -q ' passed' <<<"$summary"; then
    echo "error: no test ran" >&2
    rc=5
fi
exit "$rc"
