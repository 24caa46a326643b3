from odoo import Command, api, fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    ticket_ids = fields.Many2many(
        "ticket.ticket",
        "ticket_ticket_sale_order_rel",
        "order_id",
        "ticket_id",
        string="Tickets",
        copy=False,
    )
    ticket_count = fields.Integer(compute="_compute_ticket_count")

    @api.depends("ticket_ids")
    def _compute_ticket_count(self):
        for order in self:
            order.ticket_count = len(order.ticket_ids)

    def action_view_tickets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "ticket_system.ticket_ticket_action"
        )
        action["domain"] = [("sale_order_ids", "in", self.ids)]
        action["context"] = {
            "default_partner_id": self.partner_id.id,
            "default_sale_order_ids": [Command.set(self.ids)],
        }
        return action

    def action_create_ticket(self):
        """Open a new ticket for this order's customer, linked to it."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("New Ticket"),
            "res_model": "ticket.ticket",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
            "context": {
                "default_partner_id": self.partner_id.id,
                "default_sale_order_ids": [Command.set(self.ids)],
                "default_company_id": self.company_id.id,
                "default_name": self.env._("Regarding %(order)s", order=self.name),
            },
        }
