from odoo import fields, models


class StockPicking(models.Model):
    """A return created from a ticket (Odoo's return wizard) is linked to it;
    the delivery slip of an order's delivery goes out with a reply."""

    _name = "stock.picking"
    _inherit = ["stock.picking", "ticket.document.mixin"]
    _ticket_document_field = "return_picking_ids"
    _ticket_report_ref = "stock.action_report_delivery"

    ticket_ids = fields.Many2many(
        "ticket.ticket",
        "ticket_ticket_stock_picking_rel",
        "picking_id",
        "ticket_id",
        string="Tickets",
        copy=False,
    )
