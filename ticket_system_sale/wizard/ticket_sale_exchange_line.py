from odoo import fields, models


class TicketSaleExchangeLine(models.TransientModel):
    """A line of the order to exchange: how many of it."""

    _name = "ticket.sale.exchange.line"
    _description = "Exchange Quotation Line"

    exchange_id = fields.Many2one(
        "ticket.sale.exchange", required=True, ondelete="cascade"
    )
    order_line_id = fields.Many2one(
        "sale.order.line", string="Order Line", required=True
    )
    product_id = fields.Many2one(related="order_line_id.product_id")
    name = fields.Text(related="order_line_id.name")
    ordered_qty = fields.Float(
        related="order_line_id.product_uom_qty",
        string="Ordered",
        digits="Product Unit of Measure",
    )
    product_uom = fields.Many2one(related="order_line_id.product_uom")
    price_unit = fields.Float(related="order_line_id.price_unit")
    quantity = fields.Float(
        digits="Product Unit of Measure",
        help="How many of this line the new quotation contains (0: not at all).",
    )
