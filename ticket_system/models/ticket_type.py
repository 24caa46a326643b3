from odoo import fields, models


class TicketType(models.Model):
    _name = "ticket.type"
    _description = "Ticket Type"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Text(translate=True)
    stage_ids = fields.Many2many(
        "ticket.stage",
        "ticket_stage_type_rel",
        "type_id",
        "stage_id",
        string="Statuses",
        help="Statuses a ticket of this type can take. Statuses valid for all "
        "types are always available.",
    )
