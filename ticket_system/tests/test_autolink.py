from odoo import Command
from odoo.tests import tagged

from .common_mail import TicketMailCommon


@tagged("post_install", "-at_install", "mail_gateway")
class TestTicketAutolink(TicketMailCommon):
    """Invoice numbers a customer names in a mail are linked to the ticket,
    only the customer's own (plentymarkets: linked "zu einem Auftrag")."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stranger = cls.env["res.partner"].create(
            {"name": "Fremd AG", "is_company": True}
        )

        def invoice(partner):
            move = cls.env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_line_ids": [
                        Command.create({"name": "Ware", "price_unit": 10})
                    ],
                }
            )
            move.action_post()
            return move

        cls.own, cls.own_2, cls.foreign = (
            invoice(cls.customer),
            invoice(cls.customer),
            invoice(cls.stranger),
        )

    def test_customer_mail_links_own_invoices_only(self):
        with self.mock_mail_gateway():
            ticket = self._receive(
                "kunde.gateway@example.com",
                f"Rechnung {self.own.name} falsch",
                msg_id="<autolink-1@example.com>",
                extra=f"X-Note: {self.foreign.name}",
            )
        self.assertEqual(ticket.invoice_ids, self.own)
        # a reply names another invoice: linked too; a stranger's never
        with self.mock_mail_gateway():
            self._receive(
                "kunde.gateway@example.com",
                f"Re: [{ticket.number}] und {self.own_2.name} und {self.foreign.name}",
                msg_id="<autolink-2@example.com>",
                to=f"{self.alias_catchall}@{self.alias_domain}",
            )
        self.assertEqual(ticket.invoice_ids, self.own | self.own_2)

    def test_unknown_sender_links_nothing(self):
        with self.mock_mail_gateway():
            ticket = self._receive(
                "jemand@unbekannt.example",
                f"Rechnung {self.own.name}",
                msg_id="<autolink-3@example.com>",
            )
        self.assertFalse(ticket.partner_id)
        self.assertFalse(ticket.invoice_ids, "a typed number is no proof of who wrote")

    def test_candidate_words(self):
        tokens = self.env["ticket.ticket"]._autolink_tokens(
            "Bestellung S00012, Rechnung INV/2026/00042 vom 3.5., Kundennr. 10005 – "
            "Preis 12 EUR, T00042, AW: [T00043]"
        )
        self.assertEqual(tokens, ["S00012", "INV/2026/00042", "10005", "T00042"])

    def test_unknown_sender_proven_by_own_invoice(self):
        """The customer's record holds two addresses: mail from the second one
        comes from an unknown sender; the invoice it names belongs to the
        customer with that address, which proves who wrote."""
        two_addresses = self.env["res.partner"].create(
            {
                "name": "Doppel Handel KG",
                "is_company": True,
                "email": "einkauf@doppel.example, buchhaltung@doppel.example",
            }
        )
        invoice = self.own.copy({"partner_id": two_addresses.id})
        invoice.action_post()
        with self.mock_mail_gateway():
            ticket = self._receive(
                "Buchhaltung <Buchhaltung@doppel.example>",
                f"Rechnung {invoice.name} doppelt bezahlt",
                msg_id="<autolink-4@example.com>",
                extra=f"X-Note: {self.foreign.name}",
            )
        self.assertEqual(ticket.partner_id, two_addresses)
        self.assertEqual(ticket.invoice_ids, invoice)
        self.assertEqual(ticket.partner_email, "buchhaltung@doppel.example")

    def test_unknown_sender_someone_elses_invoice(self):
        """A stranger names a customer's invoice and customer number: the
        address does not match, so nothing is set or linked."""
        self.customer.ref = "K-77001"
        with self.mock_mail_gateway():
            ticket = self._receive(
                "betrueger@unbekannt.example",
                f"Rechnung {self.own.name}, Kundennr. {self.customer.ref}",
                msg_id="<autolink-5@example.com>",
            )
        self.assertFalse(ticket.partner_id)
        self.assertFalse(ticket.invoice_ids)
