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

    @api.onchange("queue_id")
    def _onchange_queue_id(self):
        if self.queue_id:
            self.object_id = self.env["ir.model"]._get("ticket.ticket")
