from odoo import api, fields, models
from odoo.exceptions import UserError


class TicketStage(models.Model):
    _name = "ticket.stage"
    _description = "Ticket Status"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Text(translate=True)
    fold = fields.Boolean(
        string="Folded in Kanban",
        help="Tickets in a folded status are hidden in a collapsed kanban column.",
    )
    is_closed = fields.Boolean(
        string="Closing Status",
        help="Tickets in this status count as done: no longer open or overdue.",
    )
    sla_pause = fields.Boolean(
        string="Pauses SLA",
        help="While a ticket is in this status (it waits for the customer), its "
        "SLA clock stands still: the working hours spent here extend its SLA "
        "deadlines.",
    )
    is_system = fields.Boolean(
        string="System Status",
        readonly=True,
        help="Shipped with the ticket system: cannot be renamed or deleted.",
    )
    type_ids = fields.Many2many(
        "ticket.type",
        "ticket_stage_type_rel",
        "stage_id",
        "type_id",
        string="Types",
        help="Ticket types using this status. Leave empty to offer it for all types.",
    )
    template_id = fields.Many2one(
        "mail.template",
        string="E-mail Template",
        domain="[('model', '=', 'ticket.ticket')]",
        help="E-mail sent to the customer when a ticket enters this status.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            for vals in vals_list:
                vals.pop("is_system", None)
        return super().create(vals_list)

    def write(self, vals):
        if "name" in vals and not self.env.context.get("install_mode"):
            renamed = self.filtered(lambda s: s.is_system and s.name != vals["name"])
            if renamed:
                raise UserError(
                    self.env._(
                        "The system status %(name)s cannot be renamed. "
                        "Create a status of your own instead.",
                        name=renamed[0].name,
                    )
                )
        if "is_system" in vals and not self.env.su:
            raise UserError(
                self.env._("The system flag of a status cannot be changed.")
            )
        res = super().write(vals)
        if "sla_pause" in vals:
            # tickets waiting in these statuses start or stop their pause now
            self.env["ticket.ticket"].sudo().search(
                [("stage_id", "in", self.ids)]
            )._sla_update_pause()
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_except_system(self):
        system = self.filtered("is_system")
        if system:
            raise UserError(
                self.env._(
                    "The system status %(name)s cannot be deleted. "
                    "You may archive it instead.",
                    name=system[0].name,
                )
            )
