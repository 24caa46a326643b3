from odoo import fields, models


class AccountMove(models.Model):
    _name = "account.move"
    _inherit = ["account.move", "ticket.document.mixin"]
    _ticket_document_field = "invoice_ids"

    ticket_ids = fields.Many2many(
        "ticket.ticket",
        "ticket_ticket_account_move_rel",
        "move_id",
        "ticket_id",
        string="Tickets",
        copy=False,
    )
