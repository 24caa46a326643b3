#!/usr/bin/env bash
# make odoo-mail-tests: Odoo 18's own mail gateway tests (addon test_mail) in a
# database where ticket_system (+ ticket_system_sale when `sale` exists) is
# installed, in both delivery modes:
#   plain    message_process as Odoo's tests call it (mail piped from an MTA)
#   fetched  every message_process call with the context of fetchmail.server
#            (fetchmail_cron_running, a mailbox without a queue): ticket_system's
#            failure capture, retries and keep-failures flag run as on a mailbox
# The mode is switched by the test-only addon tests/odoo_mail_fetched (see
# README.md, "Odoo's own mail tests"), which reads TICKET_ODOO_MAIL_MODE.
#
#   scripts/odoo-mail-tests.sh [plain|fetched|both]     (default: both)
#   ODOO_MAIL_TESTS="test_mail_gateway ..."   the test files of test_mail to run
#
# Every test that does not pass must be an intended difference listed in
# tests/odoo_mail_expected.txt, and every listed one must still fail: exits
# non-zero otherwise. Uses its own database, dropped afterwards (KEEP_DB=1 keeps
# it, and SKIP_INSTALL=1 runs the tests again in a kept one).
source "$(dirname "$0")/lib.sh"

MODE=${1:-both}
case $MODE in
    plain) modes=(plain) ;;
    fetched) modes=(fetched) ;;
    both) modes=(plain fetched) ;;
    *) die "usage: scripts/odoo-mail-tests.sh [plain|fetched|both]" ;;
esac
TESTS=${ODOO_MAIL_TESTS:-test_mail_gateway test_mail_thread_internals test_message_post test_mail_mail}
DB=${TICKET_ODOO_MAIL_DB:-ticket_odoo_mail}
CONF=$RUN_DIR/odoo-mail-tests.conf
INSTALL_LOG=$RUN_DIR/odoo-mail-install.log
EXPECTED=$REPO/tests/odoo_mail_expected.txt

setup_odoo
check_requirements
setup_postgres
ADDONS_PATH="$ADDONS_PATH,$REPO/tests"     # the test-only addon odoo_mail_fetched
write_conf "$CONF" "$DB"
have_addon test_mail || die "Odoo's addon test_mail not found on the addons path ($ADDONS_PATH)"
test_dir=
for dir in ${ADDONS_PATH//,/ }; do
    [ -f "$dir/test_mail/__manifest__.py" ] && test_dir=$dir/test_mail/tests && break
done
[ -n "$test_dir" ] || die "test_mail is inside the odoo package: run from an Odoo source checkout"
files=()
for name in $TESTS; do
    [ -f "$test_dir/$name.py" ] || die "no test file $test_dir/$name.py"
    files+=("$test_dir/$name.py")
done
MODULES="test_mail $(modules) odoo_mail_fetched"

start=$SECONDS
[ -n "${KEEP_DB:-}" ] || trap 'drop_db "$DB" 2>/dev/null || true' EXIT
if [ -z "${SKIP_INSTALL:-}" ]; then
    info "installing $MODULES into a fresh database $DB (without demo data)"
    drop_db "$DB"
    : >"$INSTALL_LOG"
    "${ODOO[@]}" -c "$CONF" -d "$DB" -i "$(echo $MODULES | tr ' ' ,)" --without-demo=all \
        --stop-after-init --logfile="$INSTALL_LOG" \
        || die "installation failed, see .run/odoo-mail-install.log"
    info "installed in $((SECONDS - start))s"
fi
for m in $MODULES; do
    pgtool installed "$DB" "$m" || die "module $m is not installed in $DB, see .run/odoo-mail-install.log"
done

rc=0
summaries=()
for mode in "${modes[@]}"; do
    t0=$SECONDS
    result=$RUN_DIR/odoo-mail-$mode.xml
    log=$RUN_DIR/odoo-mail-$mode.log
    rm -f "$result"
    info "$mode mode: $TESTS (Odoo log: .run/odoo-mail-$mode-odoo.log)"
    (
        cd "$REPO"
        # tests/odoo_mail_pytest.py: Odoo's runner's current_test under pytest-odoo
        PYTHONPATH="$REPO/tests${PYTHONPATH:+:$PYTHONPATH}" TICKET_ODOO_MAIL_MODE=$mode \
            "$PY" -m pytest -p no:cacheprovider -p odoo_mail_pytest -q -rfEs \
            -o junit_logging=log \
            -c "$REPO/pytest.ini" --rootdir="$(dirname "$(dirname "$test_dir")")" --junitxml="$result" \
            --odoo-config="$CONF" --odoo-database="$DB" --odoo-log-level=info \
            --odoo-extra="logfile=$RUN_DIR/odoo-mail-$mode-odoo.log" \
            "${files[@]}" >"$log" 2>&1
    ) || true     # the comparison below decides
    [ -f "$result" ] || { tail -n 30 "$log" >&2; die "$mode mode: pytest wrote no result, see .run/odoo-mail-$mode.log"; }
    if ! "$PY" "$REPO/scripts/odoo_mail_check.py" --mode "$mode" --expected "$EXPECTED" "$result"; then
        rc=1
        echo "$mode mode: see .run/odoo-mail-$mode.log for the failures" >&2
    fi
    summaries+=("$mode $((SECONDS - t0))s")
done
info "Odoo's mail tests: ${summaries[*]}; $((SECONDS - start))s in total"
exit "$rc"
