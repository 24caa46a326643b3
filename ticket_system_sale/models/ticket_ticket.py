from odoo import api, fields, models


class TicketTicket(models.Model):
    _inherit = "ticket.ticket"

    sale_order_ids = fields.Many2many(
        "sale.order",
        "ticket_ticket_sale_order_rel",
        "ticket_id",
        "order_id",
        string="Orders",
        domain="[('company_id', '=', company_id)]",
    )
    sale_order_count = fields.Integer(compute="_compute_sale_order_count")

    @api.depends("sale_order_ids")
    def _compute_sale_order_count(self):
        for ticket in self:
            ticket.sale_order_count = len(ticket.sale_order_ids)

    def action_view_sale_orders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("sale.action_orders")
        action["domain"] = [("id", "in", self.sale_order_ids.ids)]
        action["context"] = {"create": False}
        if len(self.sale_order_ids) == 1:
            action["views"] = [(False, "form")]
            action["res_id"] = self.sale_order_ids.id
        return action
