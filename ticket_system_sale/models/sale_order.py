from odoo import fields, models
from odoo.exceptions import UserError


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "ticket.document.mixin"]
    _ticket_document_field = "sale_order_ids"
    _ticket_report_ref = "sale.action_report_saleorder"

    # mail names orders by the customer's own reference: the gateway looks
    # it up (with the order number) for every mail with number-like words
    client_order_ref = fields.Char(index="btree_not_null")

    ticket_ids = fields.Many2many(
        "ticket.ticket",
        "ticket_ticket_sale_order_rel",
        "order_id",
        "ticket_id",
        string="Tickets",
        copy=False,
    )

    def action_ticket_exchange(self):
        """An exchange or replacement quotation from chosen lines of this
        order, for the ticket it is linked to (a button in the ticket's
        linked documents, context ``ticket_exchange_ticket_id``)."""
        self.ensure_one()
        ticket = (
            self.env["ticket.ticket"]
            .browse(self.env.context.get("ticket_exchange_ticket_id"))
            .exists()
        )
        if not ticket:
            raise UserError(self.env._("Open the ticket to start an exchange from it."))
        ticket.check_access("write")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Exchange or Replacement"),
            "res_model": "ticket.sale.exchange",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_ticket_id": ticket.id,
                "default_order_id": self.id,
            },
        }
