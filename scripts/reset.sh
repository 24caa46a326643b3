#!/usr/bin/env bash
# make reset: drop the demo database (and its files) so that the next
# `make run` creates it afresh. Asks first; YES=1 answers for you.
source "$(dirname "$0")/lib.sh"

DB=${TICKET_DB:-ticket_demo}

setup_odoo
setup_postgres

if ! pgtool exists "$DB"; then
    info "no database $DB in the $PG_DESCRIPTION: nothing to reset"
    exit 0
fi
info "this drops database $DB in the $PG_DESCRIPTION and its files in .run/data/filestore/$DB"
if [ "${YES:-}" != 1 ]; then
    [ -t 0 ] || die "not asked interactively: run 'make reset YES=1' to drop $DB"
    read -r -p "Drop $DB with all its tickets? [y/N] " answer
    case "$answer" in
        [yYjJ]*) ;;
        *) info "nothing dropped"; exit 0 ;;
    esac
fi
drop_db "$DB"
info "dropped $DB: the next 'make run' creates it again with demo data"
