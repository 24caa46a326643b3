from odoo import fields, models


class TicketRole(models.Model):
    _name = "ticket.role"
    _description = "Ticket Owner Role"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("name_uniq", "unique (name)", "A role with this name already exists."),
    ]
