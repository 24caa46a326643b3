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
    answer_template_ids = fields.Many2many(
        "mail.template",
        "mail_template_ticket_type_rel",
        "type_id",
        "template_id",
        string="Answer Templates",
        domain=[("model", "=", "ticket.ticket")],
        help="Offered first in the reply box of tickets of this type.",
    )
    deadline_warning_hours = fields.Float(
        string="Pre-warning (Hours)",
        help="Hours before a ticket's deadline from which its traffic light turns "
        "yellow and the agent gets an activity. Set, it wins over the queue's "
        "pre-warning; 0: the queue's applies.",
    )

    _sql_constraints = [
        (
            "deadline_warning_hours_positive",
            "CHECK (deadline_warning_hours >= 0)",
            "The pre-warning cannot be negative.",
        ),
    ]
