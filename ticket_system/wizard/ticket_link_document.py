from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import UserError


class TicketLinkDocument(models.TransientModel):
    """M-Ticket "Verknüpfter Beleg": type an invoice or order number, see what
    it is, link it. A document of another customer needs a confirmation."""

    _name = "ticket.link.document"
    _description = "Link Invoice or Order to Ticket"

    ticket_id = fields.Many2one("ticket.ticket", required=True, ondelete="cascade")
    reference = fields.Char(
        string="Number",
        help="Invoice or order number (for orders also the customer's reference).",
    )
    document_info = fields.Html(
        string="Document", compute="_compute_document", sanitize=False
    )
    is_found = fields.Boolean(compute="_compute_document")
    is_foreign = fields.Boolean(compute="_compute_document")
    foreign_customer = fields.Char(compute="_compute_document")
    confirm_foreign = fields.Boolean(
        string="Link although it belongs to another customer",
    )

    def _document(self):
        """The document numbered ``reference`` (as superuser), the ticket's
        customer's first; or None."""
        self.ensure_one()
        candidates = self.ticket_id._link_candidates(self.reference)
        return candidates[0] if candidates else None

    @api.depends("reference", "ticket_id")
    def _compute_document(self):
        for wizard in self:
            document = wizard._document() if wizard.ticket_id else None
            customer = document and document.partner_id.commercial_partner_id
            own = wizard.ticket_id.partner_id.commercial_partner_id
            wizard.is_found = bool(document)
            wizard.is_foreign = bool(document and own and customer != own)
            wizard.foreign_customer = customer.name if wizard.is_foreign else False
            if not document:
                wizard.document_info = False
                continue
            kind, number, date, amount, state = wizard.ticket_id._linked_document_rows(
                document
            )[0]
            wizard.document_info = Markup(
                "<p><strong>%s %s</strong><br/>%s · %s · %s<br/>%s</p>"
            ) % (kind, number, date, amount, state, customer.name or "")

    def action_link(self):
        self.ensure_one()
        ticket = self.ticket_id
        ticket.check_access("write")
        document = self._document()
        if not document:
            raise UserError(
                self.env._(
                    "No invoice or order numbered %(number)s in %(company)s.",
                    number=self.reference or "",
                    company=ticket.company_id.name,
                )
            )
        if self.is_foreign and not self.confirm_foreign:
            raise UserError(
                self.env._(
                    "%(document)s belongs to %(customer)s, not to the ticket's "
                    "customer. Confirm to link it all the same.",
                    document=document.display_name,
                    customer=self.foreign_customer,
                )
            )
        # sudo: every agent who may edit the ticket links documents, also
        # without the rights to open them (they see the summary)
        ticket.sudo().with_context(ticket_link_foreign_confirmed=self.is_foreign).write(
            {ticket._link_field_of(document): [Command.link(document.id)]}
        )
        return {"type": "ir.actions.act_window_close"}
