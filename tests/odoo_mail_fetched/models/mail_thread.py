"""Deliver every mail of Odoo's own mail tests as fetchmail.server does.

Only scripts/odoo-mail-tests.sh installs this addon, into a throw-away
database; it is on no other addons path. With TICKET_ODOO_MAIL_MODE=fetched in
the environment, each message_process call gets the context of
fetchmail.server.fetch_mail (fetchmail_cron_running, default_fetchmail_server_id
of a mailbox without a queue), so ticket_system's failure capture, its
savepoint and retries, its keep-failures flag and its bounce rules run as on a
real mailbox. Without the variable (plain mode) it changes nothing."""

import os

from odoo import api, models

MODE_VARIABLE = "TICKET_ODOO_MAIL_MODE"


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    @api.model
    def message_process(
        self,
        model,
        message,
        custom_values=None,
        save_original=False,
        strip_attachments=False,
        thread_id=None,
    ):
        if os.environ.get(MODE_VARIABLE) == "fetched" and not self.env.context.get(
            "fetchmail_cron_running"
        ):
            server = self.env.ref(
                "odoo_mail_fetched.fetchmail_server_odoo_mail_tests",
                raise_if_not_found=False,
            )
            self = self.with_context(
                fetchmail_cron_running=True,
                default_fetchmail_server_id=server.id if server else False,
            )
        return super().message_process(
            model,
            message,
            custom_values=custom_values,
            save_original=save_original,
            strip_attachments=strip_attachments,
            thread_id=thread_id,
        )
