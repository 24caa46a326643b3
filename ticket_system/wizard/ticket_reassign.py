from odoo import api, fields, models
from odoo.exceptions import UserError


class TicketReassign(models.TransientModel):
    """Move all open tickets of an agent at once (Catura "Krankheit oder
    Urlaub": "pauschal oder manuell anderen Mitarbeitern zugewiesen"): to one
    colleague, back to their queues (unassigned), or spread over the available
    members of each ticket's queue."""

    _name = "ticket.reassign"
    _description = "Reassign Tickets"

    user_id = fields.Many2one(
        "res.users",
        string="Tickets of",
        required=True,
        domain="[('share', '=', False)]",
        help="The agent whose open tickets are moved, e.g. because they are ill "
        "or on holiday.",
    )
    mode = fields.Selection(
        [
            ("user", "To a colleague"),
            ("queue", "Back to the queue (unassigned)"),
            ("spread", "Spread over the queue's available members"),
        ],
        string="Move to",
        required=True,
        default="spread",
        help="Spread: each ticket goes to an available member of its queue by the "
        "queue's assignment method (round robin when the queue assigns "
        "manually); when nobody is available it stays unassigned in the queue.",
    )
    target_user_id = fields.Many2one(
        "res.users",
        string="Colleague",
        domain="[('share', '=', False), ('id', '!=', user_id)]",
    )
    queue_ids = fields.Many2many(
        "ticket.queue",
        string="Only Queues",
        help="Move only the tickets of these queues; empty: of all queues.",
    )
    absent_from = fields.Datetime(
        compute="_compute_absence",
        store=True,
        readonly=False,
        help="The agent's absence: no new tickets for them meanwhile.",
    )
    absent_to = fields.Datetime(compute="_compute_absence", store=True, readonly=False)
    ticket_ids = fields.Many2many(
        "ticket.ticket", string="Open Tickets", compute="_compute_ticket_ids"
    )
    ticket_count = fields.Integer(
        string="Open Tickets Concerned", compute="_compute_ticket_ids"
    )
    target_absent = fields.Boolean(related="target_user_id.ticket_is_absent")

    @api.depends("user_id")
    def _compute_absence(self):
        for wizard in self:
            wizard.absent_from = wizard.user_id.ticket_absent_from
            wizard.absent_to = wizard.user_id.ticket_absent_to

    @api.depends("user_id", "queue_ids")
    def _compute_ticket_ids(self):
        for wizard in self:
            tickets = self.env["ticket.ticket"].search(wizard._ticket_domain())
            wizard.ticket_ids = tickets
            wizard.ticket_count = len(tickets)

    def _ticket_domain(self):
        self.ensure_one()
        if not self.user_id:
            return [(0, "=", 1)]
        domain = [("user_id", "=", self.user_id.id), ("is_closed", "=", False)]
        if self.queue_ids:
            domain.append(("queue_id", "in", self.queue_ids.ids))
        return domain

    def action_reassign(self):
        self.ensure_one()
        self._save_absence()
        tickets = self.env["ticket.ticket"].search(self._ticket_domain())
        if not tickets:
            raise UserError(
                self.env._(
                    "%(user)s has no open tickets to move.", user=self.user_id.name
                )
            )
        if self.mode == "user":
            if not self.target_user_id or self.target_user_id == self.user_id:
                raise UserError(
                    self.env._("Choose the colleague who takes the tickets.")
                )
            tickets.user_id = self.target_user_id
        elif self.mode == "queue":
            tickets.user_id = False
        else:
            self._spread(tickets)
        return {"type": "ir.actions.act_window_close"}

    def _save_absence(self):
        user = self.user_id
        if (user.ticket_absent_from, user.ticket_absent_to) != (
            self.absent_from,
            self.absent_to,
        ):
            # sudo: ticket managers set an agent's absence without being user
            # administrators; only these two fields are written
            user.sudo().write(
                {
                    "ticket_absent_from": self.absent_from,
                    "ticket_absent_to": self.absent_to,
                }
            )

    def _spread(self, tickets):
        unassigned = tickets.browse()
        for queue, queue_tickets in tickets.grouped("queue_id").items():
            if not queue:
                unassigned |= queue_tickets
                continue
            if queue.assign_method == "manual":
                # the manager asked to spread: in turn, as round robin does
                queue = queue.with_context(ticket_assign_method="round_robin")
            assigned = queue._assign_tickets(queue_tickets, exclude_users=self.user_id)
            unassigned |= queue_tickets - assigned
        unassigned.user_id = False

    def action_view_tickets(self):
        """The tickets one by one: a list where the agent can be changed per
        ticket (or for a selection)."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "ticket_system.ticket_ticket_action"
        )
        action["domain"] = self._ticket_domain()
        action["display_name"] = self.env._(
            "Open tickets of %(user)s", user=self.user_id.name
        )
        action["context"] = {}
        return action
