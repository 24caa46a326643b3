from odoo import api, fields, models, tools
from odoo.tools import SQL

from .mail_message import WRITTEN_MESSAGE_TYPES


def _plain(html):
    """The words of ``html``, spacing and markup ignored."""
    return " ".join(tools.html2plaintext(html or "").split())


class TicketConversationMixin(models.AbstractModel):
    """The conversation of a ticket is read in one place: a summary that only
    repeats the first message (the mail that opened the ticket, or the
    summary an agent mailed to the customer) is not shown above it again."""

    _name = "ticket.conversation.mixin"
    _description = "Ticket Conversation"

    description_in_conversation = fields.Boolean(
        string="Summary Is the First Message",
        compute="_compute_description_in_conversation",
        help="The summary says what the first message of the conversation "
        "says already: the form shows it only there.",
    )

    @api.depends("description")
    def _compute_description_in_conversation(self):
        first_message_by_ticket = self._first_written_message()
        for ticket in self:
            message = first_message_by_ticket.get(ticket._origin.id)
            description = _plain(ticket.description)
            ticket.description_in_conversation = bool(
                message and description and description == _plain(message.body)
            )

    def _first_written_message(self):
        """{ticket id: its first message written by a person (by mail or in
        the chatter)}, in one query for any number of tickets."""
        ids = tuple(self._origin.ids)
        if not ids:
            return {}
        rows = self.env.execute_query(
            SQL(
                """SELECT DISTINCT ON (res_id) res_id, id
                     FROM mail_message
                    WHERE model = %s AND res_id IN %s AND message_type IN %s
                 ORDER BY res_id, id""",
                self._name,
                ids,
                WRITTEN_MESSAGE_TYPES,
            )
        )
        # sudo: the bodies are only compared with the summary of a ticket the
        # user reads, never shown
        messages = self.env["mail.message"].sudo().browse(row[1] for row in rows)
        return {message.res_id: message for message in messages}
