#!/usr/bin/env python3
"""Odoo 18's own ``odoo-mailgate.py`` under Python 3, for an MTA's pipe.

Odoo ships ``addons/mail/static/scripts/odoo-mailgate.py`` written for Python 2
(``import xmlrpclib``, ``sys.stdin.read()`` giving bytes); Debian 12 and later
have no Python 2. This runs that very script unchanged, with the two names it
needs mapped to Python 3, and turns its failures into a temporary failure
(exit status 75, EX_TEMPFAIL): the MTA keeps the mail in its queue and tries
again, instead of bouncing a customer's mail because Odoo was restarting.

Usage (the options after ``--mailgate`` are odoo-mailgate.py's own)::

    odoo_mailgate.py [--mailgate PATH] -d DB -u UID -p PASSWORD_OR_API_KEY \
        --host 127.0.0.1 --port 8069 < mail.eml

Without ``--mailgate`` the script is looked up next to the Odoo package this
Python can import (source checkout or installed package).
"""

import importlib.util
import os
import runpy
import sys
import xmlrpc.client

EX_TEMPFAIL = 75
SCRIPT = os.path.join("mail", "static", "scripts", "odoo-mailgate.py")


def find_mailgate():
    """odoo-mailgate.py of the Odoo this Python imports, without importing it."""
    spec = importlib.util.find_spec("odoo")
    for root in (spec and spec.submodule_search_locations) or ():
        for addons in (
            os.path.join(root, "addons"),
            os.path.join(os.path.dirname(root), "addons"),
        ):
            path = os.path.join(addons, SCRIPT)
            if os.path.isfile(path):
                return path
    return None


def main(argv):
    args = list(argv)
    path = None
    if args[:1] == ["--mailgate"] and len(args) > 1:
        path, args = args[1], args[2:]
    path = path or os.environ.get("ODOO_MAILGATE") or find_mailgate()
    if not path:
        sys.stderr.write("odoo-mailgate.py not found: pass --mailgate PATH\n")
        return EX_TEMPFAIL
    # what the Python 2 script expects
    sys.modules.setdefault("xmlrpclib", xmlrpc.client)
    sys.stdin = sys.stdin.buffer
    sys.argv = [path, *args]
    try:
        runpy.run_path(path, run_name="__main__")
    except SystemExit as exc:
        if exc.code in (None, 0):
            return 0
        if isinstance(exc.code, str):
            sys.stderr.write(exc.code + "\n")
        # Odoo down, a fault in Odoo, a wrong option: the MTA retries later
        return EX_TEMPFAIL
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
