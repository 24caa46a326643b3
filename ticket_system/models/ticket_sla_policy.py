from odoo import api, fields, models, tools

from .ticket_ticket import TICKET_PRIORITIES


class TicketSlaPolicy(models.Model):
    """Service level targets of a queue (DiVA's "Service-Level-Konzept"): the
    first answer and the resolution within so many working hours of the
    queue's working time, optionally only for one ticket type and priority."""

    _name = "ticket.sla.policy"
    _description = "Ticket SLA Policy"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Text(translate=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        compute="_compute_company_id",
        store=True,
        readonly=False,
        precompute=True,
    )
    queue_id = fields.Many2one(
        "ticket.queue",
        string="Queue",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    type_id = fields.Many2one(
        "ticket.type",
        string="Type",
        ondelete="cascade",
        help="Only tickets of this type. Empty: all types.",
    )
    priority = fields.Selection(
        TICKET_PRIORITIES,
        help="Only tickets of this priority. Empty: all priorities.",
    )
    response_hours = fields.Float(
        string="First Response (Working Hours)",
        help="Working hours from the ticket's creation until the first answer of "
        "an agent to the customer. 0: no target.",
    )
    resolution_hours = fields.Float(
        string="Resolution (Working Hours)",
        help="Working hours from the ticket's creation until it is solved or "
        "closed. 0: no target.",
    )
    resource_calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working Hours",
        compute="_compute_resource_calendar_id",
        help="The queue's working hours, else the company's: the targets count "
        "only these hours, public holidays (leaves of the working hours) not.",
    )

    _sql_constraints = [
        (
            "hours_positive",
            "CHECK (response_hours >= 0 AND resolution_hours >= 0)",
            "SLA targets cannot be negative.",
        ),
    ]

    @api.depends("queue_id")
    def _compute_company_id(self):
        for policy in self:
            if policy.queue_id:
                policy.company_id = policy.queue_id.company_id
            elif not policy.company_id:
                policy.company_id = self.env.company

    @api.depends("queue_id.resource_calendar_id", "company_id.resource_calendar_id")
    def _compute_resource_calendar_id(self):
        for policy in self:
            policy.resource_calendar_id = (
                policy.queue_id.resource_calendar_id
                or policy.company_id.resource_calendar_id
            )

    # ------------------------------------------------------------
    # MATCHING
    # ------------------------------------------------------------

    @api.model
    @tools.ormcache()
    def _sla_policy_table(self):
        """All active policies as ``{queue id: ((policy id, type id, priority),
        ...)}``, most specific first: type and priority, type, priority, none;
        then by sequence. Cached: a new ticket finds its policy without a
        query; every change to a policy clears the cache."""
        # sudo: the matching is the same for every user; ids only leave here
        policies = (
            self.sudo()
            .with_context(active_test=True)
            .search_fetch([], ["queue_id", "type_id", "priority", "sequence"])
        )
        table = {}
        for policy in policies.sorted(
            lambda p: (
                not (p.type_id and p.priority),
                not p.type_id,
                not p.priority,
                p.sequence,
                p.id,
            )
        ):
            table.setdefault(policy.queue_id.id, []).append(
                (policy.id, policy.type_id.id, policy.priority or False)
            )
        return {queue_id: tuple(rows) for queue_id, rows in table.items()}

    @api.model
    def _match_policy_id(self, queue_id, type_id, priority):
        """The id of the most specific active policy for these values, or False."""
        for policy_id, policy_type_id, policy_priority in self._sla_policy_table().get(
            queue_id, ()
        ):
            if (not policy_type_id or policy_type_id == type_id) and (
                not policy_priority or policy_priority == priority
            ):
                return policy_id
        return False

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        policies = super().create(vals_list)
        self.env.registry.clear_cache()
        policies._sla_recompute_open_tickets(policies.queue_id)
        return policies

    def write(self, vals):
        queues = self.queue_id
        res = super().write(vals)
        self.env.registry.clear_cache()
        self._sla_recompute_open_tickets(queues | self.queue_id)
        return res

    def unlink(self):
        queues = self.queue_id
        res = super().unlink()
        self.env.registry.clear_cache()
        self._sla_recompute_open_tickets(queues)
        return res

    def _sla_recompute_open_tickets(self, queues):
        """A new or changed policy applies to the open tickets of its queues;
        closed tickets keep the targets they were measured against."""
        if not queues:
            return
        Ticket = self.env["ticket.ticket"].sudo().with_context(active_test=False)
        tickets = Ticket.search(
            [("queue_id", "in", queues.ids), ("is_closed", "=", False)]
        )
        if tickets:
            tickets._sla_recompute()
