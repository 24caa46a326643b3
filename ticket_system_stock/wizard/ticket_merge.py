from odoo import api, models


class TicketMerge(models.TransientModel):
    _inherit = "ticket.merge"

    @api.model
    def _merge_many2many_fields(self):
        return super()._merge_many2many_fields() + ["return_picking_ids"]
