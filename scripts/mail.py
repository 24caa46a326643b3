#!/usr/bin/env python3
"""The Python half of `make mail` (scripts/mail.sh): send one customer mail
into the demo desk.

  mail.py build FILE                    write the mail (from FROM, TO, SUBJECT,
                                        BODY) to FILE, print its Message-ID
  mail.py up URL                        exit 0 if Odoo answers XML-RPC at URL
  mail.py deliver URL DB LOGIN PASSWORD MAILGATE FILE
                                        hand FILE to the running server through
                                        Odoo's own odoo-mailgate.py, as an MTA
                                        pipe would; print the ticket it reached
  mail.py outbox DIR SINCE TAG CUSTOMER wait (20 s at most) for the mail to
                                        CUSTOMER about TAG in the SMTP sink's
                                        outbox, list the mails about TAG

Standard library only: it runs with any Python 3.
"""

import email.message
import email.policy
import email.utils
import glob
import os
import subprocess
import sys
import time
import xmlrpc.client

DEFAULT_FROM = "Kim Neumann <kim.neumann@example.com>"
DEFAULT_TO = "vertrieb@shop.example"
DEFAULT_SUBJECT = "Wo bleibt meine Bestellung 40377?"
DEFAULT_BODY = (
    "Guten Tag,\n\n"
    "ich habe vor einer Woche die Bestellung 40377 aufgegeben und noch keine "
    "Versandbestätigung bekommen. Wann kommt die Ware?\n\n"
    "Viele Grüße\nKim Neumann"
)


def build(path):
    msg = email.message.EmailMessage(policy=email.policy.default)
    sender = os.environ.get("FROM") or DEFAULT_FROM
    msg["From"] = sender
    msg["To"] = os.environ.get("TO") or DEFAULT_TO
    msg["Subject"] = os.environ.get("SUBJECT") or DEFAULT_SUBJECT
    msg["Date"] = email.utils.formatdate(localtime=True)
    domain = email.utils.parseaddr(sender)[1].rpartition("@")[2] or "example.com"
    msg["Message-ID"] = email.utils.make_msgid("make-mail", domain=domain)
    body = os.environ.get("BODY") or DEFAULT_BODY
    msg.set_content(body.replace("\\n", "\n"))
    with open(path, "wb") as file:
        file.write(msg.as_bytes())
    print(msg["Message-ID"])


def up(url):
    try:
        xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common").version()
    except (OSError, xmlrpc.client.Error):
        sys.exit(1)


def deliver(url, db, login, password, mailgate, path):
    common = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common")
    uid = common.authenticate(db, login, password, {})
    if not uid:
        sys.exit(f"error: cannot log in to {db} as {login}")
    host, _, port = url.removeprefix("http://").partition(":")
    # odoo-mailgate.py is still written for Python 2: run it through the
    # addon's Python 3 wrapper, as an MTA's pipe does
    wrapper = os.path.join(
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
        "ticket_system",
        "scripts",
        "odoo_mailgate.py",
    )
    with open(path, "rb") as stdin:
        done = subprocess.run(
            [
                sys.executable,
                wrapper,
                "--mailgate",
                mailgate,
                "-d",
                db,
                "-u",
                str(uid),
                "-p",
                password,
                "--host",
                host,
                "--port",
                port,
            ],
            stdin=stdin,
            check=False,
        )
    if done.returncode:
        sys.exit(f"error: odoo-mailgate.py failed ({done.returncode})")
    with open(path, "rb") as file:
        message_id = email.message_from_bytes(file.read())["Message-ID"]
    models = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object", allow_none=True)
    found = models.execute_kw(
        db,
        uid,
        password,
        "mail.message",
        "search_read",
        [[("message_id", "=", message_id)]],
        {"fields": ["model", "res_id"], "limit": 1},
    )
    if not found or found[0]["model"] != "ticket.ticket":
        print(
            f"==> delivered, but it reached no ticket ({found and found[0]['model']})"
        )
        return
    ticket_id = found[0]["res_id"]
    ticket = models.execute_kw(
        db,
        uid,
        password,
        "ticket.ticket",
        "read",
        [[ticket_id]],
        {"fields": ["number", "name", "queue_id"]},
    )[0]
    first = models.execute_kw(
        db,
        uid,
        password,
        "mail.message",
        "search",
        [
            [
                ("model", "=", "ticket.ticket"),
                ("res_id", "=", ticket_id),
                ("message_type", "=", "email"),
            ]
        ],
        {"order": "id", "limit": 1},
    )
    state = "new ticket" if first == [found[0]["id"]] else "added to ticket"
    queue = ticket["queue_id"][1] if ticket["queue_id"] else "-"
    print(
        f"==> {state} [{ticket['number']}] {ticket['name']} (queue {queue}): "
        f"{url}/odoo/action-ticket_system.ticket_ticket_action/{ticket_id}"
    )


def outbox(directory, since, tag, customer, timeout=20):
    """Wait for the desk's mail to CUSTOMER about TAG (the autoresponse),
    then list every mail about TAG the sink kept since SINCE."""
    customer = email.utils.parseaddr(customer)[1].lower()
    deadline = time.time() + timeout
    while True:
        hits = []
        for path in sorted(glob.glob(os.path.join(directory, "*.eml"))):
            if os.path.getmtime(path) < float(since):
                continue
            with open(path, "rb") as file:
                msg = email.message_from_binary_file(file, policy=email.policy.default)
            if tag in str(msg.get("Subject", "")):
                hits.append((path, msg))
        answered = any(customer in str(msg.get("To", "")).lower() for _, msg in hits)
        if answered or time.time() > deadline:
            break
        time.sleep(0.5)
    for path, msg in hits:
        print(f"==> sent to {msg['To']}: {msg['Subject']}\n    {os.path.relpath(path)}")
    if not answered:
        print(f"==> no mail to {customer} about {tag} after {timeout}s")


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    {"build": build, "up": up, "deliver": deliver, "outbox": outbox}[command](*args)
