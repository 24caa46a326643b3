from odoo import fields, models


class TicketOwner(models.Model):
    _name = "ticket.owner"
    _description = "Ticket Owner"
    _order = "id"

    ticket_id = fields.Many2one(
        "ticket.ticket", required=True, ondelete="cascade", index=True
    )
    user_id = fields.Many2one(
        "res.users",
        string="User",
        required=True,
        index=True,
        domain="[('share', '=', False)]",
    )
    role_id = fields.Many2one("ticket.role", string="Role", ondelete="restrict")
    company_id = fields.Many2one(related="ticket_id.company_id", store=True, index=True)

    _sql_constraints = [
        (
            "ticket_user_role_uniq",
            "unique (ticket_id, user_id, role_id)",
            "This user already holds this role on the ticket.",
        ),
    ]
