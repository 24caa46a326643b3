import re

from odoo import Command, models, tools

# what may be a document number in a customer's mail: a word with at least
# three digits, letters, slashes and dashes allowed (INV/2026/00042, S00012,
# RE-2026-17, 4711-0815)
DOCUMENT_TOKEN = re.compile(r"(?<![\w/-])[A-Za-z]{0,8}[/-]?\d[\w/-]{1,30}(?<![/-])")
MAX_TOKENS = 10
# a ticket number tag in a subject, as the mail gateway reads it
TICKET_TAG = re.compile(r"\[[A-Za-z]{0,10}\d{1,12}\]")


class TicketAutolinkMixin(models.AbstractModel):
    """Documents a customer names in a mail are linked to the ticket: invoice
    numbers here, order numbers in the sale bridge; only documents of the
    ticket's customer (commercial partner), so a number typed by a stranger
    links nothing. A mail without such words costs no query."""

    _name = "ticket.autolink.mixin"
    _description = "Ticket Document Linking"

    def _autolink_documents(self, message, msg_vals):
        """Link what ``message`` (a customer's mail) names."""
        self.ensure_one()
        commercial = self.partner_id.commercial_partner_id
        if not commercial:
            return
        tokens = self._autolink_tokens(
            " ".join(
                filter(
                    None,
                    (
                        (msg_vals or {}).get("subject") or message.subject,
                        tools.html2plaintext(
                            (msg_vals or {}).get("body") or message.body or ""
                        ),
                    ),
                )
            )
        )
        # ticket numbers are no documents: every reply names its own
        tokens = [token for token in tokens if token != self.number]
        if tokens:
            self._autolink_found(tokens, commercial)

    def _autolink_tokens(self, text):
        """Up to MAX_TOKENS distinct candidate numbers of ``text``; ticket
        number tags ([T00042]) are none."""
        tokens = []
        for match in DOCUMENT_TOKEN.finditer(TICKET_TAG.sub(" ", text or "")):
            token = match.group(0)
            if sum(char.isdigit() for char in token) >= 3 and token not in tokens:
                tokens.append(token)
                if len(tokens) == MAX_TOKENS:
                    break
        return tokens

    def _autolink_found(self, tokens, commercial):
        """Link the customer's invoices among ``tokens`` (one indexed query);
        bridges add their documents."""
        # sudo: the gateway links documents for the customer who wrote; agents
        # without accounting rights see them on the ticket read-only
        invoices = (
            self.env["account.move"]
            .sudo()
            .search(
                [
                    ("name", "in", tokens),
                    ("commercial_partner_id", "=", commercial.id),
                    ("move_type", "in", ("out_invoice", "out_refund")),
                    ("company_id", "=", self.company_id.id),
                ]
            )
        )
        new = invoices - self.sudo().invoice_ids
        if new:
            self.sudo().invoice_ids = [Command.link(invoice.id) for invoice in new]
