from datetime import timedelta

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import UserError

# the ticket form sends [ticket id, write_date it loaded] with its save
EDIT_CONTEXT_KEY = "ticket_edit_loaded"
# bus notification type, and the ticket channel's name as the client asks for it
EDIT_BUS_TYPE = "ticket_system.edit_presence"
EDIT_BUS_SUBCHANNEL = "edit_presence"
EDIT_CHANNEL_PREFIX = "ticket_system.edit_presence_"
# a colleague's save is announced in the form for this long
EDIT_RECENT_MINUTES = 5


class TicketEditConflict(UserError):
    """A save from the ticket form that would overwrite a colleague's newer
    change. The web client shows it with a "Reload" button."""


class TicketEditCollisionMixin(models.AbstractModel):
    """ "Being edited by another user" (M-Ticket "Ticketbearbeitung").

    * Presence: the form tells the server when it is opened, gets unsaved
      changes, is saved or left (``edit_presence_update``); everyone who has
      the ticket open hears it at once on the ticket's bus channel, which only
      users who may read the ticket can subscribe to (``ir.websocket``).
    * Last edit: ``edit_date``/``edit_uid`` stamp every change an internal
      user makes to the ticket's own data. Bookkeeping of the mail flow (the
      customer's or an agent's message setting ``date_last_action``, bounce
      flags) and writes as superuser (mail gateway, crons, sudo code) are no
      edits: they neither stamp nor block.
    * Stale save: a write whose context carries ``ticket_edit_loaded``
      (``[ticket id, write_date the form loaded]``, sent by the ticket form
      only) is refused when another user's edit is newer than what the form
      loaded. Datetimes are compared to the second, as the client knows them."""

    _name = "ticket.edit.collision.mixin"
    _inherit = ["bus.listener.mixin"]
    _description = "Ticket Edit Collision Warning"

    # written by the mail flow, not by a person editing the ticket
    _edit_bookkeeping_fields = frozenset(
        {
            "date_last_action",
            "last_action_by",
            "last_action_author",
            "partner_email_bounced",
            "date_first_response",
            "edit_date",
            "edit_uid",
        }
    )

    edit_date = fields.Datetime(
        string="Last Edited On",
        readonly=True,
        copy=False,
        help="When a user last changed this ticket (mails and automatic updates "
        "do not count).",
    )
    edit_uid = fields.Many2one(
        "res.users",
        string="Last Edited By",
        readonly=True,
        copy=False,
    )

    # ---- CRUD ----

    def write(self, vals):
        records = self
        loaded = self.env.context.get(EDIT_CONTEXT_KEY)
        if loaded:
            self._edit_check_conflict(loaded)
            # the form's stamp is about this ticket only, not what the write
            # does to other records
            records = self.with_context(**{EDIT_CONTEXT_KEY: False})
        stamp = self._edit_is_user_edit(vals)
        if stamp:
            vals = dict(vals, edit_date=self.env.cr.now(), edit_uid=self.env.uid)
        res = super(TicketEditCollisionMixin, records).write(vals)
        if stamp:
            self._edit_notify_saved()
        return res

    # ---- RPC of the ticket form ----

    def edit_presence_update(self, state):
        """The form of the current user is ``viewing``, ``editing`` or has
        ``left`` this ticket. Tells the others on the bus; returns what the
        form shows: the other users present and a colleague's recent edit."""
        self.ensure_one()
        if state not in ("viewing", "editing", "left"):
            raise UserError(self.env._("Unknown form state: %(state)s", state=state))
        self.check_access("read")
        user = self.env.user
        # sudo: presence rows are bookkeeping of the form, readable through
        # the ticket only
        presence = self.env["ticket.edit.presence"].sudo()
        row, changed = presence._set_state(self, user, state)
        if changed:
            self._bus_send(
                EDIT_BUS_TYPE,
                {
                    "ticket_id": self.id,
                    "user_id": user.id,
                    "user_name": user.name,
                    "state": state,
                    "since": fields.Datetime.to_string(
                        row.date_state or fields.Datetime.now()
                    ),
                },
                subchannel=EDIT_BUS_SUBCHANNEL,
            )
        if state == "left":
            return {}
        return self._edit_presence_info()

    # ---- helpers ----

    def _edit_presence_info(self):
        self.ensure_one()
        # sudo: who else has the form open, for a reader of the ticket
        rows = (
            self.env["ticket.edit.presence"]
            .sudo()
            .search(
                [
                    ("ticket_id", "=", self.id),
                    ("user_id", "!=", self.env.uid),
                    (
                        "write_date",
                        ">=",
                        self.env["ticket.edit.presence"]._stale_limit(),
                    ),
                ]
            )
        )
        # a browser closed or crashed without saying goodbye: its websocket
        # closed, the bus marked the user offline (no bus presence at all
        # tells nothing: then the row counts until the vacuum)
        # sudo: the online state of colleagues, as the chatter shows it
        offline = (
            self.env["bus.presence"]
            .sudo()
            .search([("user_id", "in", rows.user_id.ids), ("status", "=", "offline")])
            .user_id
        )
        rows = rows.filtered(lambda row: row.user_id not in offline)
        info = {
            "presences": [
                {
                    "user_id": row.user_id.id,
                    "user_name": row.user_id.name,
                    "state": row.state,
                    "since": fields.Datetime.to_string(row.date_state),
                }
                for row in rows
            ],
            "saved": False,
        }
        # sudo: the editor's name, also when the reader may not read users
        ticket = self.sudo()
        if (
            ticket.edit_uid
            and ticket.edit_uid != self.env.user
            and ticket.edit_date
            >= fields.Datetime.now() - timedelta(minutes=EDIT_RECENT_MINUTES)
        ):
            info["saved"] = self._edit_saved_payload()
        return info

    def _edit_saved_payload(self):
        # sudo: the editor's name, also when the reader may not read users
        ticket = self.sudo()
        return {
            "ticket_id": self.id,
            "user_id": ticket.edit_uid.id,
            "user_name": ticket.edit_uid.name,
            "state": "saved",
            "since": fields.Datetime.to_string(ticket.edit_date),
            "recent_minutes": EDIT_RECENT_MINUTES,
        }

    def _edit_is_user_edit(self, vals):
        """A change a person makes to the ticket: internal user, not as
        superuser, touching more than the mail flow's bookkeeping."""
        if self.env.su or self.env.uid == SUPERUSER_ID or not self:
            return False
        if not set(vals) - self._edit_bookkeeping_fields:
            return False
        return self.env.user._is_internal()

    def _edit_check_conflict(self, loaded):
        """Refuse the form's save when another user changed the ticket after
        the form loaded it (``loaded`` = [ticket id, write_date string])."""
        try:
            ticket_id, loaded_date = loaded
            loaded_date = fields.Datetime.to_datetime(loaded_date)
        except (TypeError, ValueError):
            return
        ticket = self.filtered(lambda t: t.id == ticket_id)
        if not ticket or not loaded_date:
            return
        # sudo: the stamp of the last edit, whoever may read the editor
        stamp = ticket.sudo()
        if (
            stamp.edit_uid
            and stamp.edit_uid.id != self.env.uid
            and stamp.edit_date
            and stamp.edit_date.replace(microsecond=0) > loaded_date
        ):
            edit_time = fields.Datetime.context_timestamp(self, stamp.edit_date)
            raise TicketEditConflict(
                self.env._(
                    "%(name)s changed this ticket at %(time)s, after you opened "
                    "it. Your save would overwrite their change, so it was not "
                    "saved. Reload the ticket to see the current version, then "
                    "make your change again.",
                    name=stamp.edit_uid.name,
                    time=edit_time.strftime("%H:%M:%S"),
                )
            )

    def _edit_notify_saved(self):
        for ticket in self:
            ticket._bus_send(
                EDIT_BUS_TYPE,
                ticket._edit_saved_payload(),
                subchannel=EDIT_BUS_SUBCHANNEL,
            )

    @api.model
    def _edit_channel_tickets(self, channels):
        """The tickets named by the client's channel strings that the current
        user may read."""
        ids = set()
        for channel in channels:
            if isinstance(channel, str) and channel.startswith(EDIT_CHANNEL_PREFIX):
                suffix = channel[len(EDIT_CHANNEL_PREFIX) :]
                if suffix.isdigit():
                    ids.add(int(suffix))
        if not ids:
            return self.browse()
        return self.browse(sorted(ids)).exists()._filtered_access("read")
