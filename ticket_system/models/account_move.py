from odoo import fields, models
from odoo.exceptions import UserError


class AccountMove(models.Model):
    _name = "account.move"
    _inherit = ["account.move", "ticket.document.mixin"]
    _ticket_document_field = "invoice_ids"
    _ticket_report_ref = "account.account_invoices"

    ticket_ids = fields.Many2many(
        "ticket.ticket",
        "ticket_ticket_account_move_rel",
        "move_id",
        "ticket_id",
        string="Tickets",
        copy=False,
    )

    def action_ticket_credit_note(self):
        """Credit this invoice for the ticket it is linked to (a button in
        the ticket's linked documents): Odoo's reversal wizard, whose result
        is linked back to the ticket (see account.move.reversal)."""
        self.ensure_one()
        if self.move_type != "out_invoice" or self.state != "posted":
            raise UserError(
                self.env._("Only a posted customer invoice can be credited.")
            )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_view_account_move_reversal"
        )
        action["view_mode"] = "form"
        action["views"] = [(False, "form")]
        ticket = (
            self.env["ticket.ticket"]
            .browse(self.env.context.get("ticket_credit_note_ticket_id"))
            .exists()
        )
        action["context"] = {
            "active_model": "account.move",
            "active_ids": self.ids,
            "ticket_credit_note_ticket_id": ticket.id,
            # the reason printed on the credit note: the customer's ticket
            "default_reason": ticket.display_name if ticket else False,
        }
        return action
