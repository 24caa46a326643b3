from odoo import api, fields, models, tools


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

    def init(self):  # pylint: disable=missing-return
        super().init()
        # the tickets a user owns (the agents' rule), read from the index
        # alone: no visit of the owners' rows
        tools.create_index(
            self.env.cr,
            indexname="ticket_owner_user_ticket_index",
            tablename=self._table,
            expressions=["user_id", "ticket_id"],
        )

    @api.model_create_multi
    def create(self, vals_list):
        # owning a ticket grants access to it: only who may edit the ticket may
        # add owners (the owner rule alone accepts any ticket), except on the
        # tickets this user is creating right now
        tickets = self.env["ticket.ticket"].browse(
            {vals["ticket_id"] for vals in vals_list if vals.get("ticket_id")}
        )
        tickets._check_owner_access()
        return super().create(vals_list)

    def write(self, vals):
        tickets = self.ticket_id
        if vals.get("ticket_id"):
            tickets |= self.env["ticket.ticket"].browse(vals["ticket_id"])
        tickets._check_owner_access()
        return super().write(vals)
