from odoo import api, fields, models


class TicketAutomationMixin(models.AbstractModel):
    """What automation rules (base_automation, plentymarkets
    "Ereignisaktionen") need on a ticket besides its own fields. The events
    are base_automation's own triggers: created (On save / After creation),
    status changed (Stage is set to), customer replied (On incoming message),
    agent replied (On outgoing message), deadline reached (Based on date
    field: Deadline), SLA failed (On save, SLA State)."""

    _name = "ticket.automation.mixin"
    _description = "Ticket Automation"

    queue_manager_id = fields.Many2one(
        "res.users",
        string="Queue Manager",
        compute="_compute_queue_manager_id",
        help="The manager of the ticket's queue (for activities of automation "
        "rules).",
    )

    @api.depends("queue_id.manager_id")
    def _compute_queue_manager_id(self):
        for ticket in self:
            ticket.queue_manager_id = ticket.queue_id.manager_id

    def _ticket_last_agent(self):
        """The ticket's agent, else the internal user who last answered the
        customer."""
        self.ensure_one()
        if self.user_id:
            return self.user_id
        for message in self.message_ids.sorted("id", reverse=True):
            if message.message_type != "comment" or message.subtype_id.internal:
                continue
            users = message.author_id.user_ids.filtered(
                lambda user: not user.share and user.active
            )
            if users:
                return users[:1]
        return self.env["res.users"]

    def _ticket_reopen(self):
        """Reopen closed tickets (In Progress) with their last agent."""
        in_progress = self.env.ref("ticket_system.ticket_stage_in_progress")
        for ticket in self.filtered("is_closed"):
            vals = {"user_id": ticket._ticket_last_agent().id}
            if ticket._stage_allowed(in_progress):
                vals["stage_id"] = in_progress.id
            ticket.write(vals)
