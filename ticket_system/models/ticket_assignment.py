from collections import defaultdict

import pytz

from odoo import fields, models
from odoo.tools import SQL


class TicketAssignmentMixin(models.AbstractModel):
    """How a queue hands new tickets to its members (Catura "Rundlaufverfahren"
    and "Zeitsteuerung", M-Ticket "Abwesenheitsnotiz").

    * ``manual``: nobody; agents take tickets themselves.
    * ``round_robin``: the members in turn.
    * ``next_free``: the member with the fewest open tickets of the queue, ties
      in turn.
    * ``shift``: the member whose ``ticket.queue.shift`` covers the moment (in
      the queue's timezone), ties in turn.

    Every method skips archived members and members absent at the moment; when
    nobody is left, the ticket stays unassigned in the queue.

    The turn continues after ``assign_last_user_id``. Two workers assigning in
    the same queue at once must not both read the same pointer: the queue row is
    locked before the pointer is read, so the second worker waits for the
    first. Under PostgreSQL's REPEATABLE READ (Odoo's isolation) the waiting
    transaction then fails with a serialization error instead of reading a
    stale pointer; the mail gateway (and Odoo's RPC layer) run it again in a
    fresh transaction, which sees the first worker's pointer.
    """

    _name = "ticket.assignment.mixin"
    _description = "Ticket Assignment"

    assign_method = fields.Selection(
        [
            ("manual", "Manual"),
            ("round_robin", "Round robin"),
            ("next_free", "Next free agent"),
            ("shift", "By shift"),
        ],
        string="Assignment",
        default="manual",
        required=True,
        help="Manual: agents take tickets themselves. Round robin: new tickets go to "
        "the members in turn. Next free agent: to the member with the fewest open "
        "tickets of the queue. By shift: to the member whose shift covers the "
        "moment. Absent members get no new tickets; when nobody is available the "
        "ticket stays unassigned.",
    )
    shift_handover = fields.Boolean(
        string="Hand Over at Shift Change",
        help="By shift: when a shift ends, the open tickets of the members who "
        "are no longer on shift go to the members now on shift. Off: tickets stay "
        "with their agent; only new tickets follow the shifts.",
    )
    absence_notice = fields.Boolean(
        string="Out-of-Office Notice",
        help="A customer writing into a ticket whose agent is absent gets one "
        "automatic notice per ticket and absence (never in answer to automatic mail).",
    )
    absence_notice_template_id = fields.Many2one(
        "mail.template",
        string="Out-of-Office Template",
        default=lambda self: self.env.ref(
            "ticket_system.mail_template_ticket_absence_notice",
            raise_if_not_found=False,
        ),
        domain="[('model', '=', 'ticket.ticket')]",
    )
    assign_last_user_id = fields.Many2one(
        "res.users",
        string="Last Assigned Agent",
        readonly=True,
        help="The turn continues after this member.",
    )

    # ------------------------------------------------------------
    # ENTRY POINT
    # ------------------------------------------------------------

    def _assign_tickets(self, tickets, exclude_users=None):
        """Give ``tickets`` (of this queue) to its members by the queue's
        method; a ticket nobody is available for is left unassigned.
        ``exclude_users`` never get one (e.g. the agent whose tickets are
        spread over the colleagues). Returns the tickets that were assigned."""
        self.ensure_one()
        method = self.env.context.get("ticket_assign_method") or self.assign_method
        if method == "manual" or not tickets:
            return tickets.browse()
        # sudo: assignment runs for every creator (gateway, portal, agent); it
        # reads fixed data of this queue (members, shifts, open ticket counts)
        # and moves the queue's rotation pointer, which agents may not write
        queue = self.sudo()
        now = fields.Datetime.now()
        members = queue.member_ids._ticket_available_at(now).sorted("id")
        if exclude_users:
            members -= exclude_users
        if method == "shift":
            members = queue._assign_on_shift(members, now)
        if not members:
            return tickets.browse()
        last = queue._assign_lock_pointer()
        loads = queue._assign_open_counts(members) if method == "next_free" else None
        by_user = defaultdict(list)
        for ticket in tickets:
            candidates = members
            if loads is not None:
                fewest = min(loads.values())
                candidates = members.filtered(lambda user, n=fewest: loads[user] == n)
            last = queue._assign_next_in_turn(candidates, last)
            by_user[last].append(ticket.id)
            if loads is not None:
                loads[last] += 1
        for user, ticket_ids in by_user.items():
            tickets.browse(ticket_ids).user_id = user
        queue.assign_last_user_id = last
        return tickets

    # ------------------------------------------------------------
    # METHODS
    # ------------------------------------------------------------

    def _assign_lock_pointer(self):
        """Lock this queue's row and read the rotation pointer from it (not
        from the cache): a second worker assigning in this queue waits here
        until the first has committed."""
        self.ensure_one()
        self.flush_recordset(["assign_last_user_id"])
        self.env.cr.execute(
            SQL(
                "SELECT assign_last_user_id FROM %s WHERE id = %s FOR NO KEY UPDATE",
                SQL.identifier(self._table),
                self.id,
            )
        )
        row = self.env.cr.fetchone()
        self.invalidate_recordset(["assign_last_user_id"])
        return self.env["res.users"].browse(row and row[0])

    def _assign_next_in_turn(self, candidates, last):
        """The first of ``candidates`` after ``last``, in the order of their
        ids (so that the turn survives changes of the membership)."""
        ordered = candidates.sorted("id")
        after = ordered.filtered(lambda user: user.id > last.id) if last else ordered
        return (after or ordered)[:1]

    def _assign_open_counts(self, members):
        """Open tickets of this queue per member, in one query."""
        self.ensure_one()
        counts = dict(
            self.env["ticket.ticket"]._read_group(
                [
                    ("queue_id", "=", self.id),
                    ("is_closed", "=", False),
                    ("user_id", "in", members.ids),
                ],
                ["user_id"],
                ["__count"],
            )
        )
        return {user: counts.get(user, 0) for user in members}

    def _assign_tz(self):
        """The timezone of the queue's shifts: its working hours, else the
        company's, else the company's or the current user's timezone."""
        self.ensure_one()
        return pytz.timezone(
            self.resource_calendar_id.tz
            or self.company_id.resource_calendar_id.tz
            or self.company_id.partner_id.tz
            or self.env.user.tz
            or "UTC"
        )

    def _assign_on_shift(self, members, now):
        """The ``members`` whose shift in this queue covers ``now`` (naive UTC)."""
        self.ensure_one()
        local = pytz.utc.localize(now).astimezone(self._assign_tz())
        hour = local.hour + local.minute / 60 + local.second / 3600
        shifts = self.shift_ids._covers(str(local.weekday()), hour)
        return members & shifts.user_id

    # ------------------------------------------------------------
    # SHIFT CHANGE
    # ------------------------------------------------------------

    def _cron_shift_handover(self):
        """Catura "Zeitsteuerung": at a shift change the open tickets of the
        members who left the shift go to those now on it (queues by shift
        with "Hand Over at Shift Change"). Nobody on shift: tickets stay."""
        queues = self.search(
            [("assign_method", "=", "shift"), ("shift_handover", "=", True)]
        )
        for queue in queues:
            queue._shift_handover()

    def _shift_handover(self):
        self.ensure_one()
        now = fields.Datetime.now()
        on_shift = self._assign_on_shift(self.member_ids._ticket_available_at(now), now)
        if not on_shift:
            return self.env["ticket.ticket"]
        tickets = self.env["ticket.ticket"].search(
            [
                ("queue_id", "=", self.id),
                ("is_closed", "=", False),
                ("user_id", "in", (self.member_ids - on_shift).ids),
            ]
        )
        return self._assign_tickets(tickets)

    def _queues_on_shift(self, user, now=None):
        """The queues (by shift) where ``user`` is on shift at ``now``."""
        now = now or fields.Datetime.now()
        if not user._ticket_available_at(now):
            return self.browse()
        shifts = (
            self.env["ticket.queue.shift"]
            .sudo()
            .search(
                [
                    ("user_id", "=", user.id),
                    ("queue_id.assign_method", "=", "shift"),
                ]
            )
        )
        return shifts.queue_id.filtered(
            lambda queue: user in queue._assign_on_shift(user, now)
        )
