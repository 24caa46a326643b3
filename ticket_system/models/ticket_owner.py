from odoo import api, fields, models


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

    @api.model_create_multi
    def create(self, vals_list):
        # owning a ticket grants access to it: only who may edit the ticket
        # may add owners (the owner rule alone would accept any ticket)
        self.env["ticket.ticket"].browse(
            {vals["ticket_id"] for vals in vals_list if vals.get("ticket_id")}
        ).check_access("write")
        return super().create(vals_list)

    def write(self, vals):
        self.ticket_id.check_access("write")
        if vals.get("ticket_id"):
            self.env["ticket.ticket"].browse(vals["ticket_id"]).check_access("write")
        return super().write(vals)
