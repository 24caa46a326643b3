from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    ticket_time_product_id = fields.Many2one(
        related="company_id.ticket_time_product_id", readonly=False
    )
