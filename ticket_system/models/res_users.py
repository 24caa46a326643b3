from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL


class ResUsers(models.Model):
    _inherit = "res.users"

    ticket_absent_from = fields.Datetime(
        string="Absent From",
        help="From this moment on the agent gets no new tickets (holiday, illness). "
        "Empty: absent from now until 'Absent Until'.",
    )
    ticket_absent_to = fields.Datetime(
        string="Absent Until",
        help="Until this moment the agent gets no new tickets. "
        "Empty: absent without an end, from 'Absent From' on.",
    )
    ticket_is_absent = fields.Boolean(
        string="Absent",
        compute="_compute_ticket_is_absent",
        help="Absent now: no new tickets by any assignment method.",
    )
    ticket_attachment_warning = fields.Boolean(
        string="Check Replies for Missing Attachments",
        default=True,
        help="Before a ticket reply is sent, ask when its text mentions an "
        "attachment (Anhang, anbei, attached ...) but no file is attached.",
    )

    @property
    def SELF_READABLE_FIELDS(self):
        return super().SELF_READABLE_FIELDS + [
            "ticket_absent_from",
            "ticket_absent_to",
            "ticket_is_absent",
            "ticket_attachment_warning",
        ]

    @property
    def SELF_WRITEABLE_FIELDS(self):
        return super().SELF_WRITEABLE_FIELDS + [
            "ticket_absent_from",
            "ticket_absent_to",
            "ticket_attachment_warning",
        ]

    @api.constrains("ticket_absent_from", "ticket_absent_to")
    def _check_ticket_absence(self):
        for user in self:
            if (
                user.ticket_absent_from
                and user.ticket_absent_to
                and user.ticket_absent_from > user.ticket_absent_to
            ):
                raise ValidationError(
                    self.env._(
                        "%(user)s: the absence must end after it begins.",
                        user=user.name,
                    )
                )

    @api.depends_context("uid")
    @api.depends("ticket_absent_from", "ticket_absent_to")
    def _compute_ticket_is_absent(self):
        absent = self._ticket_absent_at(fields.Datetime.now())
        for user in self:
            user.ticket_is_absent = user in absent

    def _ticket_absent_at(self, moment):
        """The users of ``self`` who are absent at ``moment`` (naive UTC)."""
        return self.filtered(
            lambda user: (user.ticket_absent_from or user.ticket_absent_to)
            and (not user.ticket_absent_from or user.ticket_absent_from <= moment)
            and (not user.ticket_absent_to or moment <= user.ticket_absent_to)
        )

    def _ticket_available_at(self, moment):
        """The users of ``self`` who may get new tickets at ``moment``: active
        and not absent."""
        users = self.filtered("active")
        return users - users._ticket_absent_at(moment)

    def action_ticket_reassign(self):
        """Open the reassignment wizard for this agent's open tickets."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "ticket_system.ticket_reassign_action"
        )
        action["context"] = {"default_user_id": self.id}
        return action

    def _ticket_queue_ids(self):
        """Ids of the queues (archived ones too, of every company) the user
        is a member of, for the agents' record rules: as literal ids the
        planner can use the index of ``queue_id`` (a subquery over the
        membership table keeps it off). Evaluated when ir.rule computes the
        rules' domain, which it caches per user: ticket.queue clears that
        cache when members change."""
        self.ensure_one()
        self.env.cr.execute(
            SQL(
                "SELECT queue_id FROM ticket_queue_member_rel"
                " WHERE user_id = %s ORDER BY queue_id",
                self.id,
            )
        )
        return [queue_id for (queue_id,) in self.env.cr.fetchall()]
