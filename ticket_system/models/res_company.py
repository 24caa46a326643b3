from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    ticket_time_product_id = fields.Many2one(
        "product.product",
        string="Ticket Time Product",
        domain="[('type', '=', 'service'), ('company_id', 'in', [id, False])]",
        help="Service product of the invoice lines that bill the time spent on "
        "billable tickets: its price per hour, taxes and income account.",
    )
