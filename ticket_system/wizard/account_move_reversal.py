from markupsafe import Markup

from odoo import Command, models


class AccountMoveReversal(models.TransientModel):
    _inherit = "account.move.reversal"

    def reverse_moves(self, is_modify=False):
        """A credit note started from a ticket is linked to it and noted in
        its chatter."""
        action = super().reverse_moves(is_modify=is_modify)
        ticket = (
            self.env["ticket.ticket"]
            .browse(self.env.context.get("ticket_credit_note_ticket_id"))
            .exists()
        )
        if ticket and self.new_move_ids:
            ticket.check_access("read")
            # sudo: who may credit an invoice from a ticket they can read may
            # link the result to it, even without the right to edit the ticket
            ticket = ticket.sudo()
            ticket.invoice_ids = [Command.link(move.id) for move in self.new_move_ids]
            ticket._message_log(
                body=Markup("<p>%s</p>")
                % self.env._(
                    "%(documents)s created from %(invoices)s.",
                    documents=Markup(", ").join(
                        move._get_html_link(title=move.display_name)
                        for move in self.new_move_ids
                    ),
                    invoices=Markup(", ").join(
                        move._get_html_link(title=move.display_name)
                        for move in self.move_ids
                    ),
                )
            )
        return action
