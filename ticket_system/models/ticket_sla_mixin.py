from datetime import timedelta

from pytz import utc

from odoo import api, fields, models
from odoo.osv import expression

SLA_STATES = [
    ("none", "No SLA"),
    ("running", "Running"),
    ("at_risk", "At Risk"),
    ("reached", "Reached"),
    ("failed", "Failed"),
]

# a target is at risk in its last fifth (counted in working hours)
SLA_RISK_SHARE = 0.2

SLA_STATE_BATCH = 500

SLA_DATE_FIELDS = (
    "sla_response_deadline",
    "sla_response_risk_date",
    "sla_resolution_deadline",
    "sla_resolution_risk_date",
)


class TicketSlaMixin(models.AbstractModel):
    """Service levels (DiVA's "Service-Level-Konzept"): the ticket's policy
    (``ticket.sla.policy``) sets targets for the first answer and for the
    resolution in working hours of the queue's calendar (else the company's;
    its leaves, e.g. public holidays, do not count), from the ticket's
    creation. While the ticket is in a status that pauses the SLA (waiting for
    the customer), the clock stands still: the working hours paused extend both
    deadlines.

    The state is stored, so that lists filter and group by it and automation
    rules can trigger on it: ``running`` until a target is in its last fifth
    (``at_risk``), ``failed`` once a deadline passed without the answer or
    resolution, ``reached`` when every target was met. What changes with time
    alone is moved on by a cron (``_cron_sla_state``) in batches, from the
    stored dates. Requires ``queue_id``, ``type_id``, ``priority``,
    ``stage_id``, ``is_closed``, ``date_closed`` and ``company_id`` on the
    inheriting model (``ticket.ticket``)."""

    _name = "ticket.sla.mixin"
    _description = "Ticket Service Levels"

    date_first_response = fields.Datetime(
        string="First Response",
        readonly=True,
        copy=False,
        # the dashboard's period; tickets not answered yet are not indexed
        index="btree_not_null",
        help="When an agent first wrote to the customer (a message, not an "
        "internal note; automatic confirmations and status mails do not count).",
    )
    sla_policy_id = fields.Many2one(
        "ticket.sla.policy",
        string="SLA Policy",
        compute="_compute_sla_policy_id",
        store=True,
        precompute=True,
        index="btree_not_null",
        copy=False,
        groups="base.group_user",
        help="The most specific active policy of the ticket's queue for its "
        "type and priority.",
    )
    sla_response_deadline = fields.Datetime(
        string="First Response Due",
        compute="_compute_sla_dates",
        store=True,
        precompute=True,
        copy=False,
        groups="base.group_user",
    )
    sla_response_risk_date = fields.Datetime(
        string="First Response at Risk From",
        compute="_compute_sla_dates",
        store=True,
        precompute=True,
        copy=False,
        groups="base.group_user",
    )
    sla_resolution_deadline = fields.Datetime(
        string="Resolution Due",
        compute="_compute_sla_dates",
        store=True,
        precompute=True,
        index="btree_not_null",
        copy=False,
        groups="base.group_user",
    )
    sla_resolution_risk_date = fields.Datetime(
        string="Resolution at Risk From",
        compute="_compute_sla_dates",
        store=True,
        precompute=True,
        copy=False,
        groups="base.group_user",
    )
    sla_state = fields.Selection(
        SLA_STATES,
        string="SLA",
        compute="_compute_sla_state",
        store=True,
        precompute=True,
        index=True,
        copy=False,
        groups="base.group_user",
        help="Running: the targets can still be met. At risk: a target is in "
        "its last fifth. Reached: every target was met. Failed: the first "
        "response or the resolution came late (or not at all).",
    )
    sla_paused_since = fields.Datetime(
        string="SLA Paused Since",
        readonly=True,
        copy=False,
        groups="base.group_user",
        help="The ticket waits for the customer: its SLA clock stands still.",
    )
    sla_paused_hours = fields.Float(
        string="SLA Paused (Working Hours)",
        readonly=True,
        copy=False,
        groups="base.group_user",
        help="Working hours the ticket waited for the customer; they extend its "
        "SLA deadlines.",
    )

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends("queue_id", "type_id", "priority")
    def _compute_sla_policy_id(self):
        Policy = self.env["ticket.sla.policy"]
        for ticket in self:
            ticket.sla_policy_id = Policy._match_policy_id(
                ticket.queue_id.id, ticket.type_id.id, ticket.priority
            )

    def _sla_calendar(self):
        """The working hours the targets count in: the queue's, else the
        company's; none: round the clock."""
        self.ensure_one()
        return (
            self.queue_id.resource_calendar_id
            or self.company_id.resource_calendar_id
            or self.queue_id.company_id.resource_calendar_id
        )

    @api.depends("sla_policy_id", "sla_paused_hours")
    def _compute_sla_dates(self):
        now = self.env.cr.now()
        for ticket in self:
            policy = ticket.sla_policy_id
            offsets = {}
            if policy.response_hours > 0:
                offsets["sla_response_deadline"] = policy.response_hours
                offsets["sla_response_risk_date"] = policy.response_hours * (
                    1 - SLA_RISK_SHARE
                )
            if policy.resolution_hours > 0:
                offsets["sla_resolution_deadline"] = policy.resolution_hours
                offsets["sla_resolution_risk_date"] = policy.resolution_hours * (
                    1 - SLA_RISK_SHARE
                )
            planned = {}
            if offsets:
                paused = ticket.sla_paused_hours or 0.0
                # a new ticket has no create_date yet: the ORM will take the
                # transaction's time
                start = ticket.create_date or now
                planned = ticket._sla_plan(
                    ticket._sla_calendar(),
                    start,
                    {fname: hours + paused for fname, hours in offsets.items()},
                )
            for fname in SLA_DATE_FIELDS:
                ticket[fname] = planned.get(fname, False)

    @api.model
    def _sla_plan(self, calendar, start, offsets):
        """``{key: datetime}``: ``start`` plus each of ``offsets`` (``{key:
        hours}``) in working hours of ``calendar`` (its leaves excluded), all in
        one walk over the working intervals. Naive UTC in and out; without a
        calendar the hours are counted round the clock."""
        if not calendar:
            return {
                key: (start + timedelta(hours=hours)).replace(second=0, microsecond=0)
                for key, hours in offsets.items()
            }
        pending = sorted(offsets.items(), key=lambda item: item[1])
        result = {}
        done = 0.0
        chunk_start = start.replace(tzinfo=utc)
        chunk = timedelta(days=14)
        # as resource.calendar.plan_hours: give up after about four years
        for _n in range(100):
            intervals = calendar._work_intervals_batch(
                chunk_start, chunk_start + chunk
            )[False]
            for interval_start, interval_stop, _meta in intervals:
                length = (interval_stop - interval_start).total_seconds() / 3600
                while pending and pending[0][1] <= done + length:
                    key, hours = pending.pop(0)
                    # to the minute: a deadline needs no seconds
                    result[key] = (
                        (interval_start + timedelta(hours=hours - done))
                        .astimezone(utc)
                        .replace(tzinfo=None, second=0, microsecond=0)
                    )
                done += length
            if not pending:
                break
            chunk_start += chunk
        return result

    @api.depends(
        "sla_policy_id",
        "sla_response_deadline",
        "sla_response_risk_date",
        "sla_resolution_deadline",
        "sla_resolution_risk_date",
        "date_first_response",
        "is_closed",
        "date_closed",
        "sla_paused_since",
    )
    def _compute_sla_state(self):
        now = fields.Datetime.now()
        for ticket in self:
            ticket.sla_state = ticket._get_sla_state(now)

    def _get_sla_state(self, now):
        """The SLA state at ``now``; a paused ticket keeps the state it had
        when the pause began."""
        self.ensure_one()
        if not self.sla_policy_id or not (
            self.sla_response_deadline or self.sla_resolution_deadline
        ):
            return "none"
        now = self.sla_paused_since or now
        closed_at = self.is_closed and (self.date_closed or now)
        targets = []
        if self.sla_response_deadline:
            # a ticket solved before anybody answered needs no answer
            targets.append(
                (
                    self.date_first_response or closed_at,
                    self.sla_response_deadline,
                    self.sla_response_risk_date,
                )
            )
        if self.sla_resolution_deadline:
            targets.append(
                (closed_at, self.sla_resolution_deadline, self.sla_resolution_risk_date)
            )
        state = "reached"
        for done_at, deadline, risk_date in targets:
            if done_at:
                if done_at > deadline:
                    return "failed"
            elif now >= deadline:
                return "failed"
            elif risk_date and now >= risk_date:
                state = "at_risk"
            elif state == "reached":
                state = "running"
        return state

    # ------------------------------------------------------------
    # FIRST RESPONSE AND PAUSE
    # ------------------------------------------------------------

    def _sla_message_vals(self, message, by_agent):
        """Values to write with a posted ``message``: the first answer of an
        agent to the customer stamps ``date_first_response``. Only a message
        an agent writes counts (``comment``), not internal notes nor
        automatic mails (confirmation, status mails: ``auto_comment``)."""
        self.ensure_one()
        if (
            by_agent
            and not self.date_first_response
            and message.message_type == "comment"
            and not message.is_internal
            and not message.subtype_id.internal
            and message.author_id != self.env.ref("base.partner_root")
        ):
            return {"date_first_response": message.date or fields.Datetime.now()}
        return {}

    @api.model_create_multi
    def create(self, vals_list):
        tickets = super().create(vals_list)
        # created in a status that pauses (rare): the pause starts now
        tickets.filtered(lambda ticket: ticket.stage_id.sla_pause)._sla_update_pause()
        return tickets

    def write(self, vals):
        res = super().write(vals)
        if "stage_id" in vals:
            self._sla_update_pause()
        return res

    def _sla_update_pause(self):
        """Start the pause of tickets that entered a pausing status, end it for
        those that left one (or were closed): their working hours paused are
        added, which moves their deadlines."""
        # sudo: SLA bookkeeping, also when a customer's reply moves the ticket
        tickets = self.sudo()
        now = fields.Datetime.now()
        tickets.filtered(
            lambda t: t.stage_id.sla_pause
            and not t.is_closed
            and not t.sla_paused_since
        ).write({"sla_paused_since": now})
        for ticket in tickets.filtered(
            lambda t: t.sla_paused_since and (not t.stage_id.sla_pause or t.is_closed)
        ):
            paused = ticket._sla_working_hours(ticket.sla_paused_since, now)
            ticket.write(
                {
                    "sla_paused_since": False,
                    "sla_paused_hours": ticket.sla_paused_hours + paused,
                }
            )

    def _sla_working_hours(self, start, stop):
        """Working hours of the ticket's calendar (leaves excluded) between
        two naive UTC datetimes."""
        self.ensure_one()
        if stop <= start:
            return 0.0
        calendar = self._sla_calendar()
        if not calendar:
            return (stop - start).total_seconds() / 3600
        return calendar.get_work_hours_count(
            start.replace(tzinfo=utc), stop.replace(tzinfo=utc), compute_leaves=True
        )

    def _sla_recompute(self):
        """Match the policy and plan the deadlines again (policies changed)."""
        for fname in ("sla_policy_id", *SLA_DATE_FIELDS, "sla_state"):
            self.env.add_to_compute(self._fields[fname], self)
        self.flush_recordset()

    # ------------------------------------------------------------
    # CRON
    # ------------------------------------------------------------

    @api.model
    def _sla_state_due_domain(self, now):
        """Tickets whose SLA state changes with time by ``now``: running ones
        that reached a risk date, at-risk ones that reached a deadline. Paused
        tickets wait. Every ticket found changes its state: the batches end."""
        response_open = [("date_first_response", "=", False), ("is_closed", "=", False)]
        resolution_open = [("is_closed", "=", False)]

        def due(kind):
            return expression.OR(
                [
                    response_open + [(f"sla_response_{kind}", "<=", now)],
                    resolution_open + [(f"sla_resolution_{kind}", "<=", now)],
                ]
            )

        return expression.AND(
            [
                [("sla_paused_since", "=", False)],
                expression.OR(
                    [
                        [("sla_state", "=", "running")] + due("risk_date"),
                        [("sla_state", "=", "at_risk")] + due("deadline"),
                    ]
                ),
            ]
        )

    @api.model
    def _cron_sla_state(self, batch_size=SLA_STATE_BATCH):
        """Move running tickets to at risk and at-risk ones to failed as time
        passes, one batch per call (the cron runs again at once while tickets
        remain). The state is computed from stored dates: no query per ticket."""
        now = fields.Datetime.now()
        domain = self._sla_state_due_domain(now)
        tickets = self.with_context(active_test=False).search(
            domain, order="id", limit=batch_size
        )
        if tickets:
            self.env.add_to_compute(self._fields["sla_state"], tickets)
            tickets.flush_recordset(["sla_state"])
        remaining = (
            self.with_context(active_test=False).search_count(domain)
            if len(tickets) == batch_size
            else 0
        )
        self.env["ir.cron"]._notify_progress(done=len(tickets), remaining=remaining)
        return tickets
