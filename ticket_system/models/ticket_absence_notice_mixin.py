from odoo import fields, models, tools


class TicketAbsenceNoticeMixin(models.AbstractModel):
    """M-Ticket "Abwesenheitsnotiz": a customer writing into a ticket whose
    agent is absent learns it once, from the queue's out-of-office template.

    One notice per ticket and absence; only in answer to the customer's own
    mail (not to automatic mail, not to a colleague or a CC), marked
    ``Auto-Submitted: auto-replied`` like the confirmation."""

    _name = "ticket.absence.notice.mixin"
    _description = "Ticket Out-of-Office Notice"

    absence_notice_date = fields.Datetime(
        string="Out-of-Office Notice Sent",
        readonly=True,
        copy=False,
        help="When the customer was last told that the agent is absent.",
    )

    def _absence_notice(self, message):
        """Called for every customer's mail posted on the ticket (its
        ``_message_post_after_hook``)."""
        if self._absence_notice_due(message):
            self._send_absence_notice(message)

    def _absence_notice_due(self, message):
        """Whether ``message``, a customer's mail just posted on this ticket,
        is to be answered with the out-of-office notice. Field reads only: this runs
        for every incoming mail."""
        self.ensure_one()
        context = self.env.context
        # a new ticket gets the confirmation; automatic mail gets no answer
        if context.get("ticket_autoreply_pending") or context.get(
            "ticket_no_autoreply"
        ):
            return False
        agent = self.user_id
        if not (agent and self.queue_id.absence_notice):
            return False
        now = fields.Datetime.now()
        if not agent._ticket_absent_at(now):
            return False
        sender = tools.email_normalize(message.email_from or "")
        if not sender or sender != tools.email_normalize(self.partner_email or ""):
            return False
        sent = self.absence_notice_date
        return not (
            sent and (not agent.ticket_absent_from or sent >= agent.ticket_absent_from)
        )

    def _send_absence_notice(self, message):
        self.ensure_one()
        queue = self.queue_id
        template = queue.absence_notice_template_id or self.env.ref(
            "ticket_system.mail_template_ticket_absence_notice",
            raise_if_not_found=False,
        )
        email = tools.email_normalize(self.partner_email or "")
        if not template or self._own_addresses([email]):
            return
        self._send_automatic_reply(message, template, agent=self.user_id)
        self.absence_notice_date = fields.Datetime.now()
