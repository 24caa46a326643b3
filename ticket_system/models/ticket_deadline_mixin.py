import math
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression

DEADLINE_STATES = [
    ("none", "No Deadline"),
    ("green", "On Time"),
    ("yellow", "Due Soon"),
    ("red", "Overdue"),
]

DEADLINE_WARNING_BATCH = 200


class TicketDeadlineMixin(models.AbstractModel):
    """Deadline monitoring with a traffic light, as Catura's "Terminüberwachung":
    green before the pre-warning, yellow inside it, red when overdue.

    The pre-warning starts at ``date_deadline_warning`` (the deadline minus the
    pre-warning hours of the ticket's type, else of its queue), a stored and
    indexed datetime. The light itself depends on the time of reading, so it is
    computed, never stored: the search compares both datetimes with now in SQL.
    Requires ``date_deadline``, ``type_id``, ``queue_id``, ``user_id`` and
    ``is_closed`` on the inheriting model (``ticket.ticket``)."""

    _name = "ticket.deadline.mixin"
    _description = "Ticket Deadline Monitoring"

    date_deadline_warning = fields.Datetime(
        string="Pre-warning From",
        compute="_compute_date_deadline_warning",
        store=True,
        # computed before the INSERT: no extra UPDATE for every new ticket
        precompute=True,
        index="btree_not_null",
        copy=False,
        help="Deadline minus the pre-warning hours of the ticket's type (when "
        "set), else of its queue: from then on the traffic light is yellow.",
    )
    deadline_state = fields.Selection(
        DEADLINE_STATES,
        string="Traffic Light",
        compute="_compute_deadline_state",
        search="_search_deadline_state",
        help="Green: before the pre-warning. Yellow: inside the pre-warning "
        "period. Red: the deadline has passed. Closed tickets and tickets "
        "without deadline have no light.",
    )
    deadline_warning_notified = fields.Boolean(
        string="Pre-warning Notified",
        compute="_compute_deadline_warning_notified",
        store=True,
        precompute=True,
        copy=False,
        help="The agent (or the queue's members) got the activity for this "
        "deadline; a new deadline arms the warning again.",
    )

    # ------------------------------------------------------------
    # COMPUTE / SEARCH
    # ------------------------------------------------------------

    @api.depends(
        "date_deadline",
        "type_id.deadline_warning_hours",
        "queue_id.deadline_warning_hours",
    )
    def _compute_date_deadline_warning(self):
        for ticket in self:
            if ticket.date_deadline:
                ticket.date_deadline_warning = ticket.date_deadline - timedelta(
                    hours=ticket._get_deadline_warning_hours()
                )
            else:
                ticket.date_deadline_warning = False

    def _get_deadline_warning_hours(self):
        """Pre-warning period in hours: the type's when set, else the queue's."""
        self.ensure_one()
        if self.type_id.deadline_warning_hours > 0:
            return self.type_id.deadline_warning_hours
        return max(self.queue_id.deadline_warning_hours, 0.0)

    @api.depends("date_deadline", "date_deadline_warning", "is_closed")
    def _compute_deadline_state(self):
        now = fields.Datetime.now()
        for ticket in self:
            ticket.deadline_state = ticket._get_deadline_state(now)

    def _get_deadline_state(self, now):
        self.ensure_one()
        if not self.date_deadline or self.is_closed:
            return "none"
        if self.date_deadline <= now:
            return "red"
        if (self.date_deadline_warning or self.date_deadline) <= now:
            return "yellow"
        return "green"

    @api.model
    def _deadline_state_domains(self, now):
        """The domain of each light at ``now``: plain comparisons of indexed
        datetimes, the same rules as ``_get_deadline_state``."""
        is_open = [("is_closed", "=", False)]
        return {
            "none": ["|", ("date_deadline", "=", False), ("is_closed", "=", True)],
            "red": is_open + [("date_deadline", "<=", now)],
            "yellow": is_open
            + [("date_deadline", ">", now), ("date_deadline_warning", "<=", now)],
            "green": is_open + [("date_deadline_warning", ">", now)],
        }

    def _search_deadline_state(self, operator, value):
        if operator in ("=", "!="):
            values = [value]
        elif operator in ("in", "not in"):
            values = list(value)
        else:
            raise UserError(
                self.env._(
                    "Operator %(operator)s is not supported for the traffic light.",
                    operator=operator,
                )
            )
        # False is "no light"
        states = {value or "none" for value in values}
        if operator in ("!=", "not in"):
            # the complement, not a negation: NOT (deadline <= now) drops
            # tickets without a deadline
            states = {state for state, _label in DEADLINE_STATES} - states
        domains = self._deadline_state_domains(fields.Datetime.now())
        selected = [domains[state] for state in sorted(states) if state in domains]
        return expression.OR(selected) if selected else expression.FALSE_DOMAIN

    @api.depends("date_deadline")
    def _compute_deadline_warning_notified(self):
        # a new (or removed) deadline arms the pre-warning again
        self.deadline_warning_notified = False

    # ------------------------------------------------------------
    # PRE-WARNING ACTIVITIES
    # ------------------------------------------------------------

    @api.model
    def _deadline_warning_due_domain(self, now):
        """Open tickets inside the pre-warning that were not warned yet; the
        deadline range (indexed) bounds the scan to deadlines still ahead."""
        return [
            ("date_deadline", ">", now),
            ("date_deadline_warning", "<=", now),
            ("deadline_warning_notified", "=", False),
            ("is_closed", "=", False),
        ]

    @api.model
    def _cron_deadline_warning(self, batch_size=DEADLINE_WARNING_BATCH):
        """Give an activity to the agent (or, unassigned, to each member of the
        queue) of every ticket that entered its pre-warning. One batch per
        call: the cron runs again at once while tickets remain."""
        now = fields.Datetime.now()
        domain = self._deadline_warning_due_domain(now)
        tickets = self.search(domain, order="date_deadline, id", limit=batch_size)
        tickets._deadline_warning_schedule_activities(now)
        remaining = self.search_count(domain) if len(tickets) == batch_size else 0
        self.env["ir.cron"]._notify_progress(done=len(tickets), remaining=remaining)
        return tickets

    def _deadline_warning_schedule_activities(self, now):
        """One To-Do per responsible user and ticket, due on the deadline's day
        in the user's timezone. Only internal users get one: no mail ever goes
        to the customer."""
        if not self:
            return
        todo_type = self.env.ref(
            "mail.mail_activity_data_todo", raise_if_not_found=False
        )
        model_id = self.env["ir.model"]._get_id(self._name)
        vals_list = []
        for ticket in self:
            users = ticket.user_id or ticket.queue_id.member_ids
            for user in users.filtered(lambda user: user.active and not user.share):
                ticket_lang = ticket.with_context(lang=user.lang or self.env.lang)
                deadline_local = fields.Datetime.context_timestamp(
                    ticket.with_context(tz=user.tz or self.env.user.tz or "UTC"),
                    ticket.date_deadline,
                )
                hours = math.ceil((ticket.date_deadline - now).total_seconds() / 3600)
                vals_list.append(
                    {
                        "res_model_id": model_id,
                        "res_id": ticket.id,
                        "activity_type_id": todo_type.id if todo_type else False,
                        "automated": True,
                        "user_id": user.id,
                        "date_deadline": deadline_local.date(),
                        "summary": ticket_lang.env._(
                            "Deadline in %(hours)s h: %(ticket)s",
                            hours=hours,
                            ticket=ticket.display_name,
                        ),
                    }
                )
        if vals_list:
            self.env["mail.activity"].create(vals_list)
        self.deadline_warning_notified = True
