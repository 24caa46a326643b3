"""Small PostgreSQL helper for scripts/*.sh (run with the Odoo Python: psycopg2).

Connection parameters come from the PG* environment variables (libpq defaults).

    pgtool.py check            exit 0 if we can connect and create databases
    pgtool.py exists DB        exit 0 if database DB exists
    pgtool.py installed DB M   exit 0 if module M is installed in DB
    pgtool.py drop DB          drop database DB if it exists
"""

import sys

import psycopg2
from psycopg2 import sql


def connect(dbname="postgres"):
    try:
        conn = psycopg2.connect(dbname=dbname, connect_timeout=5)
    except psycopg2.OperationalError:
        if dbname != "postgres":
            raise
        conn = psycopg2.connect(dbname="template1", connect_timeout=5)
    conn.autocommit = True
    return conn


def check():
    with connect() as conn, conn.cursor() as cr:
        cr.execute(
            "SELECT rolsuper OR rolcreatedb FROM pg_roles WHERE rolname = current_user"
        )
        row = cr.fetchone()
    return bool(row and row[0])


def exists(db):
    with connect() as conn, conn.cursor() as cr:
        cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db])
        return cr.fetchone() is not None


def installed(db, module):
    if not exists(db):
        return False
    with connect(db) as conn, conn.cursor() as cr:
        cr.execute("SELECT to_regclass('ir_module_module')")
        if cr.fetchone()[0] is None:
            return False
        cr.execute("SELECT state FROM ir_module_module WHERE name = %s", [module])
        row = cr.fetchone()
    return bool(row and row[0] == "installed")


def drop(db):
    conn = connect()
    with conn.cursor() as cr:
        force = " WITH (FORCE)" if conn.server_version >= 130000 else ""
        cr.execute(
            sql.SQL("DROP DATABASE IF EXISTS {}" + force).format(sql.Identifier(db))
        )
    conn.close()
    return True


def main(cmd, *args):
    try:
        ok = {"check": check, "exists": exists, "installed": installed, "drop": drop}[
            cmd
        ](*args)
    except psycopg2.Error as e:
        print(f"pgtool {cmd}: {str(e).strip()}", file=sys.stderr)
        return 2
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
