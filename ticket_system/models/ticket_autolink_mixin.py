import re

from odoo import Command, models, tools

# what may be a document number in a customer's mail: a word with at least
# three digits, letters, slashes and dashes allowed (INV/2026/00042, S00012,
# RE-2026-17, 4711-0815)
DOCUMENT_TOKEN = re.compile(r"(?<![\w/-])[A-Za-z]{0,8}[/-]?\d[\w/-]{1,30}(?<![/-])")
MAX_TOKENS = 10
# a ticket number tag in a subject, as the mail gateway reads it
TICKET_TAG = re.compile(r"\[[A-Za-z]{0,10}\d{1,12}\]")


# documents read per mail of an unknown sender to find who wrote it
MAX_PROOF_DOCUMENTS = 10


class TicketAutolinkMixin(models.AbstractModel):
    """Documents a customer names in a mail are linked to the ticket: invoice
    numbers here, order numbers in the sale bridge; only documents of the
    ticket's customer (commercial partner), so a number typed by a stranger
    links nothing. A mail of an unknown sender gets its customer from a
    document it names only when that document's customer has the sender's
    address (e.g. a contact whose e-mail field holds two addresses). A mail
    without such words costs no query."""

    _name = "ticket.autolink.mixin"
    _description = "Ticket Document Linking"

    def _autolink_documents(self, message, msg_vals):
        """Link what ``message`` (a customer's mail) names."""
        self.ensure_one()
        commercial = self.partner_id.commercial_partner_id
        sender = False
        if not commercial:
            sender = tools.email_normalize(
                (msg_vals or {}).get("email_from") or message.email_from or ""
            )
            if not sender:
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
        if not tokens:
            return
        if not commercial:
            customer = self._autolink_proven_customer(tokens, sender)
            if not customer:
                return
            # sudo: the gateway sets the customer a document proves; replies
            # keep going to the address that wrote
            self.sudo().write(
                {"partner_id": customer.id, "partner_email": self.partner_email}
            )
            commercial = customer.commercial_partner_id
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

    def _autolink_proven_customer(self, tokens, sender):
        """The customer of the documents among ``tokens`` whose customer (or
        their company) has the address ``sender``; empty when none or when
        such documents belong to several customers."""
        matches = self._autolink_document_customers(tokens).filtered(
            lambda partner: sender in tools.email_normalize_all(partner.email or "")
        )
        if len(matches.commercial_partner_id) != 1:
            return self.env["res.partner"]
        # as for a known address: the one with a customer number, then the
        # company, then the oldest
        return matches.sorted(
            lambda p: (not p.ref, bool(p.parent_id) and not p.is_company, p.id)
        )[:1]

    def _autolink_document_customers(self, tokens):
        """The customers (contact and company) of the customer documents
        ``tokens`` name: one indexed query, at most MAX_PROOF_DOCUMENTS
        documents; bridges add theirs."""
        # sudo: the gateway reads whose documents a mail names, nothing is shown
        invoices = (
            self.env["account.move"]
            .sudo()
            .search_fetch(
                [
                    ("name", "in", tokens),
                    ("move_type", "in", ("out_invoice", "out_refund")),
                    ("company_id", "=", self.company_id.id),
                ],
                ["partner_id", "commercial_partner_id"],
                limit=MAX_PROOF_DOCUMENTS,
            )
        )
        return invoices.partner_id | invoices.commercial_partner_id
