from datetime import timedelta

from odoo import api, fields, models

# a form left open without a word (browser closed, machine asleep) stops
# counting after this many hours; the autovacuum removes such rows
PRESENCE_MAX_AGE_HOURS = 12


class TicketEditPresence(models.Model):
    """Who has a ticket form open right now, and whether with unsaved changes.

    One row per ticket and user, created when the form opens and deleted when
    it is left: the table holds what is open at this moment, never a history.
    Rows of forms that never said goodbye are ignored after
    ``PRESENCE_MAX_AGE_HOURS`` and removed by the autovacuum. Only the ticket's
    own methods (``ticket.edit.collision.mixin``) touch it, as superuser, after
    checking that the user may read the ticket."""

    _name = "ticket.edit.presence"
    _description = "Ticket Form Presence"
    _order = "date_state"

    ticket_id = fields.Many2one(
        "ticket.ticket", required=True, index=True, ondelete="cascade"
    )
    user_id = fields.Many2one("res.users", required=True, ondelete="cascade")
    state = fields.Selection(
        [("viewing", "Viewing"), ("editing", "Editing")],
        required=True,
        default="viewing",
    )
    date_state = fields.Datetime(
        string="Since",
        required=True,
        default=fields.Datetime.now,
        help="When the user opened the form, or started changing it.",
    )

    _sql_constraints = [
        (
            "ticket_user_uniq",
            "unique(ticket_id, user_id)",
            "A user is present once per ticket.",
        ),
    ]

    @api.model
    def _stale_limit(self):
        return fields.Datetime.now() - timedelta(hours=PRESENCE_MAX_AGE_HOURS)

    @api.autovacuum
    def _gc_stale_presence(self):
        self.search([("write_date", "<", self._stale_limit())]).unlink()

    @api.model
    def _set_state(self, ticket, user, state):
        """Record ``user``'s form on ``ticket`` in ``state`` (``viewing``,
        ``editing`` or ``left``); return the row (empty when left) and whether
        anything changed."""
        row = self.search(
            [("ticket_id", "=", ticket.id), ("user_id", "=", user.id)], limit=1
        )
        if state == "left":
            if not row:
                return row, False
            row.unlink()
            return self.browse(), True
        if row.state == state:
            # a second tab, or a form reopened: keep "since", refresh the age
            row.write({"state": state})
            return row, False
        if row:
            row.write({"state": state, "date_state": fields.Datetime.now()})
        else:
            row = self.create(
                {"ticket_id": ticket.id, "user_id": user.id, "state": state}
            )
        return row, True
