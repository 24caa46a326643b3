"""`make mail` when no `make run` server is up: run inside `odoo shell`
(where `env` exists), it hands the mail in TICKET_MAIL_FILE to the mail
gateway directly, as odoo-mailgate.py would over XML-RPC, and commits. Mail
the desk sends back (autoresponse) waits in Odoo's queue until `make run`."""

import os

with open(os.environ["TICKET_MAIL_FILE"], "rb") as file:
    raw = file.read()
res_id = env["mail.thread"].message_process(False, raw)  # noqa: F821
env.cr.commit()  # noqa: F821  # odoo shell does not commit by itself
ticket = env["ticket.ticket"].browse(res_id).exists()  # noqa: F821
if ticket:
    print(f"==> ticket [{ticket.number}] {ticket.name} (queue {ticket.queue_id.name})")
else:
    print("==> processed, but it reached no ticket")
print(
    "==> its autoresponse waits in Odoo's mail queue: "
    "it goes out with the next 'make run'"
)
