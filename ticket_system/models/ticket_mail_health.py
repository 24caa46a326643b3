from datetime import datetime, time

from odoo import api, fields, models, tools


class TicketMailHealth(models.Model):
    """The manager's view of the mailboxes (read-only, a database view on
    fetchmail.server without its credentials): last fetch, last error, the
    day's fetched, failed and quarantined mails and suppressed confirmations
    (an autoresponder ping-pong stopped by the hourly limit)."""

    _name = "ticket.mail.health"
    _description = "Mail Health"
    _auto = False
    _order = "name"

    name = fields.Char(string="Mailbox", readonly=True)
    server_type = fields.Char(readonly=True)
    state = fields.Selection(
        [("draft", "Not Confirmed"), ("done", "Confirmed")], readonly=True
    )
    queue_id = fields.Many2one("ticket.queue", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    date_last_fetch = fields.Datetime(string="Last Fetch", readonly=True)
    last_error = fields.Text(readonly=True)
    last_error_date = fields.Datetime(string="Last Error On", readonly=True)
    stats_date = fields.Date(readonly=True)
    fetched_count = fields.Integer(readonly=True)
    failed_count = fields.Integer(readonly=True)
    suppressed_count = fields.Integer(readonly=True)
    fetched_today = fields.Integer(compute="_compute_today_counts")
    failed_today = fields.Integer(
        compute="_compute_today_counts",
        help="Mails of today that could not be processed: kept as failed mails.",
    )
    suppressed_today = fields.Integer(
        string="Confirmations Suppressed Today",
        compute="_compute_today_counts",
        help="Confirmations not sent because a sender had too many within the hour: "
        "a mail loop with another system's autoresponder was stopped.",
    )
    failed_open = fields.Integer(
        string="Failed Mails",
        compute="_compute_store_counts",
        help="Failed mails of this mailbox not processed yet.",
    )
    capped_today = fields.Integer(
        string="Over Hourly Cap Today",
        compute="_compute_store_counts",
        help="Tickets of today whose sender got no confirmation because the "
        "database had sent its hourly cap of confirmations (mass mail with "
        "forged senders?). Included in the suppressed confirmations.",
    )
    quarantined_today = fields.Integer(
        compute="_compute_store_counts",
        help="Delivery reports and auto-replies kept in the quarantine today.",
    )
    has_error = fields.Boolean(
        compute="_compute_today_counts",
        help="The last fetch failed.",
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            f"""
            CREATE VIEW {self._table} AS (
                SELECT server.id,
                       server.name,
                       server.server_type,
                       server.state,
                       server.queue_id,
                       queue.company_id,
                       server.date AS date_last_fetch,
                       server.ticket_last_error AS last_error,
                       server.ticket_last_error_date AS last_error_date,
                       server.ticket_stats_date AS stats_date,
                       server.ticket_fetched_today AS fetched_count,
                       server.ticket_failed_today AS failed_count,
                       server.ticket_suppressed_today AS suppressed_count
                  FROM fetchmail_server server
             LEFT JOIN ticket_queue queue ON queue.id = server.queue_id
                 WHERE server.active
            )
            """
        )

    @api.depends_context("tz")
    def _compute_today_counts(self):
        today = fields.Date.context_today(self)
        for mailbox in self:
            current = mailbox.stats_date == today
            mailbox.fetched_today = mailbox.fetched_count if current else 0
            mailbox.failed_today = mailbox.failed_count if current else 0
            mailbox.suppressed_today = mailbox.suppressed_count if current else 0
            mailbox.has_error = bool(
                mailbox.last_error_date
                and (
                    not mailbox.date_last_fetch
                    or mailbox.last_error_date > mailbox.date_last_fetch
                )
            )

    def _compute_store_counts(self):
        # sudo: counts only, for the managers allowed to see this view
        Failure = self.env["ticket.mail.failure"].sudo()
        Quarantine = self.env["ticket.mail.quarantine"].sudo()
        failed = dict(
            Failure._read_group(
                [("fetchmail_server_id", "in", self.ids), ("state", "=", "failed")],
                ["fetchmail_server_id"],
                ["__count"],
            )
        )
        start = datetime.combine(fields.Date.context_today(self), time.min)
        quarantined = dict(
            Quarantine._read_group(
                [("fetchmail_server_id", "in", self.ids), ("date", ">=", start)],
                ["fetchmail_server_id"],
                ["__count"],
            )
        )
        # the partial index of suppressed confirmations: few rows
        capped = dict(
            self.env["ticket.ticket"]
            .sudo()
            .with_context(active_test=False)
            ._read_group(
                [
                    ("fetchmail_server_id", "in", self.ids),
                    ("autoresponse_suppressed", "=", "volume"),
                    ("create_date", ">=", start),
                ],
                ["fetchmail_server_id"],
                ["__count"],
            )
        )
        for mailbox in self:
            server = self.env["fetchmail.server"].browse(mailbox.id)
            mailbox.failed_open = failed.get(server, 0)
            mailbox.quarantined_today = quarantined.get(server, 0)
            mailbox.capped_today = capped.get(server, 0)

    def _action_of_mailbox(self, xmlid):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action["domain"] = [("fetchmail_server_id", "=", self.id)]
        return action

    def action_open_failures(self):
        return self._action_of_mailbox("ticket_system.ticket_mail_failure_action")

    def action_open_quarantine(self):
        return self._action_of_mailbox("ticket_system.ticket_mail_quarantine_action")

    def action_open_suppressed_confirmations(self):
        """All tickets whose sender got no confirmation (any mailbox, queue
        address or the contact form), newest first."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "ticket_system.ticket_ticket_action"
        )
        name = self.env._("Suppressed Confirmations")
        action.update(
            {
                "name": name,
                "display_name": name,
                "domain": [("autoresponse_suppressed", "!=", False)],
                "context": {"active_test": False},
                "view_mode": "list,form",
                "views": [(False, "list"), (False, "form")],
            }
        )
        return action
