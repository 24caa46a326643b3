from odoo import fields, models


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "ticket.document.mixin"]
    _ticket_document_field = "sale_order_ids"
    _ticket_report_ref = "sale.action_report_saleorder"

    ticket_ids = fields.Many2many(
        "ticket.ticket",
        "ticket_ticket_sale_order_rel",
        "order_id",
        "ticket_id",
        string="Tickets",
        copy=False,
    )
