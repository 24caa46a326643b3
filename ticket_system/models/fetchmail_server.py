from odoo import api, fields, models


class FetchmailServer(models.Model):
    _inherit = "fetchmail.server"

    queue_id = fields.Many2one(
        "ticket.queue",
        string="Ticket Queue",
        index="btree_not_null",
        help="Mail fetched from this account becomes tickets of this queue.",
    )

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
        return super(FetchmailServer, open_servers).fetch_mail(
            raise_exception=raise_exception
        )

    @api.onchange("queue_id")
    def _onchange_queue_id(self):
        if self.queue_id:
            self.object_id = self.env["ir.model"]._get("ticket.ticket")
