from odoo import api, fields, models


class TicketShiftMixin(models.AbstractModel):
    """The ticket's side of shifts (Catura "Zeitsteuerung"): while an agent is
    on shift in a queue, the queue's unassigned tickets are theirs too — they
    appear in "My Tickets", and opening one takes it."""

    _name = "ticket.shift.mixin"
    _description = "Ticket Shifts"

    is_my_ticket = fields.Boolean(
        string="Mine",
        compute="_compute_is_my_ticket",
        search="_search_is_my_ticket",
        help="Assigned to me, or unassigned in a queue where I am on shift now.",
    )
    take_on_open = fields.Boolean(
        compute="_compute_is_my_ticket",
        help="Unassigned in a queue where I am on shift now: opening it takes it.",
    )

    @api.depends_context("uid")
    @api.depends("user_id", "queue_id", "is_closed")
    def _compute_is_my_ticket(self):
        user = self.env.user
        on_shift = self.env["ticket.queue"]._queues_on_shift(user)
        for ticket in self:
            take = (
                not ticket.user_id
                and not ticket.is_closed
                and ticket.queue_id in on_shift
            )
            ticket.take_on_open = take
            ticket.is_my_ticket = ticket.user_id == user or take

    def _search_is_my_ticket(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise NotImplementedError(self.env._("Operation not supported"))
        on_shift = self.env["ticket.queue"]._queues_on_shift(self.env.user)
        domain = [("user_id", "=", self.env.uid)]
        if on_shift:
            domain = [
                "|",
                *domain,
                "&",
                ("user_id", "=", False),
                ("queue_id", "in", on_shift.ids),
            ]
        positive = (operator == "=") == value
        return domain if positive else ["!", *domain]

    def action_take_on_open(self):
        """Called by the form when an agent on shift opens an unassigned ticket
        of their queue: it becomes theirs (unless a colleague was quicker)."""
        self.ensure_one()
        if self.take_on_open:
            self.user_id = self.env.user
        return bool(self.user_id == self.env.user)
