from odoo import fields, models


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "ticket.document.mixin"]
    _ticket_document_field = "sale_order_ids"

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
