import logging

from odoo import api, fields, models
from odoo.exceptions import ValidationError

_logger = logging.getLogger(__name__)


class FetchmailServer(models.Model):
    _inherit = "fetchmail.server"

    queue_id = fields.Many2one(
        "ticket.queue",
        string="Ticket Queue",
        index="btree_not_null",
        help="Mail fetched from this account becomes tickets of this queue.",
    )

    # the health view (ticket.mail.health): the day's counts, kept by the fetch
    ticket_stats_date = fields.Date(readonly=True, copy=False)
    ticket_fetched_today = fields.Integer(readonly=True, copy=False)
    ticket_failed_today = fields.Integer(readonly=True, copy=False)
    ticket_suppressed_today = fields.Integer(readonly=True, copy=False)
    ticket_last_error = fields.Text(readonly=True, copy=False)
    ticket_last_error_date = fields.Datetime(readonly=True, copy=False)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._set_ticket_model(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._set_ticket_model(vals)
        return super().write(vals)

    @api.model
    def _set_ticket_model(self, vals):
        if vals.get("queue_id"):
            vals["object_id"] = self.env["ir.model"]._get_id("ticket.ticket")

    def fetch_mail(self, raise_exception=True):
        """Mailboxes of archived queues are not fetched: their mail waits on
        the server until the queue is active again."""
        open_servers = self.filtered(
            lambda server: not server.queue_id or server.queue_id.active
        )
        for server in open_servers:
            server._ticket_fetch(raise_exception)
        return True

    def _ticket_fetch(self, raise_exception):
        """Fetch this mailbox, keeping the day's counts and the last error
        for the health view."""
        self.ensure_one()
        stats = {"fetched": 0, "failed": 0, "suppressed": 0}
        error = False
        try:
            super(
                FetchmailServer, self.with_context(ticket_fetch_stats=stats)
            ).fetch_mail(raise_exception=True)
        except ValidationError as exc:
            error = exc
        try:
            self._ticket_keep_stats(stats, error)
        except Exception:  # noqa: BLE001 - the counts never stop the fetch
            _logger.warning(
                "Could not keep the mail counts of %s", self.name, exc_info=True
            )
        if error:
            if raise_exception:
                raise error
            _logger.info("Fetching mail from %s failed: %s", self.name, error)
        return not error

    def _ticket_keep_stats(self, stats, error):
        today = fields.Date.context_today(self)
        vals = {}
        if self.ticket_stats_date != today:
            vals = {
                "ticket_stats_date": today,
                "ticket_fetched_today": 0,
                "ticket_failed_today": 0,
                "ticket_suppressed_today": 0,
            }
        if any(stats.values()):
            for key in ("fetched", "failed", "suppressed"):
                field = f"ticket_{key}_today"
                vals[field] = vals.get(field, self[field]) + stats[key]
        if error:
            vals.update(
                {
                    "ticket_last_error": str(error),
                    "ticket_last_error_date": fields.Datetime.now(),
                }
            )
        if vals:
            # kept by the cron's commit; a manual fetch that fails shows the
            # error at once instead
            self.write(vals)

    @api.onchange("queue_id")
    def _onchange_queue_id(self):
        if self.queue_id:
            self.object_id = self.env["ir.model"]._get("ticket.ticket")
