from odoo import api, models

from .mail_thread_hostile import format_notes

# longest ticket subject taken from a mail; the message keeps the whole one
NAME_MAX_LENGTH = 200


class TicketTicket(models.Model):
    """Hostile mail on the ticket: an endless subject is cut for the ticket
    (list, kanban, mails about it), and what the gateway left out of a mail
    (recipients, oversized attachments; see mail_thread_hostile) is noted
    on the ticket the mail opened or joined."""

    _inherit = "ticket.ticket"

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        subject = msg_dict.get("subject") or ""
        custom_values = dict(custom_values or {})
        if len(subject) > NAME_MAX_LENGTH and "name" not in custom_values:
            custom_values["name"] = subject[: NAME_MAX_LENGTH - 1].rstrip() + "…"
        ticket = super().message_new(msg_dict, custom_values=custom_values)
        ticket._log_hostile_mail_notes()
        return ticket

    def message_update(self, msg_dict, update_vals=None):
        result = super().message_update(msg_dict, update_vals=update_vals)
        self._log_hostile_mail_notes()
        return result

    def _log_hostile_mail_notes(self):
        notes = self.env.context.get("ticket_hostile_notes")
        if notes:
            for ticket in self:
                ticket._message_log(body=format_notes(notes))
