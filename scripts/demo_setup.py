"""Run by `make run` inside `odoo shell` (where `env` exists) after every
install: settings of the demo database that depend on this machine.
Idempotent. TICKET_SMTP_PORT: the port of the local SMTP sink."""

import os

# Odoo switches the mail fetch cron on only once an incoming mail server is
# confirmed; keep it on so mail is fetched as soon as a server is set up.
env.ref("mail.ir_cron_mail_gateway_action").active = True  # noqa: F821

# Outgoing mail goes to the local SMTP sink (scripts/smtp_sink.py): one server
# record, found by its name and kept up to date.
values = {
    "name": "Local outbox (make run)",
    "smtp_host": "127.0.0.1",
    "smtp_port": int(os.environ.get("TICKET_SMTP_PORT") or 8025),
    "smtp_encryption": "none",
    "smtp_authentication": "login",
    "smtp_user": False,
    "smtp_pass": False,
    "from_filter": False,
    "sequence": 1,
    "active": True,
}
MailServer = env["ir.mail_server"].with_context(active_test=False)  # noqa: F821
server = MailServer.search([("name", "=", values["name"])], limit=1)
if server:
    server.write(values)
else:
    MailServer.create(values)
# Mail that could not leave before (no SMTP server yet, e.g. the notifications
# of the demo data made during the install) is sent again, to the sink.
env["mail.mail"].search(  # noqa: F821
    [("state", "=", "exception"), ("failure_type", "in", [False, "mail_smtp"])]
).mark_outgoing()
env.ref("mail.ir_cron_mail_scheduler_action")._trigger()  # noqa: F821
env.cr.commit()  # noqa: F821  # odoo shell does not commit by itself
