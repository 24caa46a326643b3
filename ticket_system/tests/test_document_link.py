from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import TicketCommon


@tagged("post_install", "-at_install", "ticket_system")
class TestTicketDocumentLink(TicketCommon):
    """M-Ticket "Verknüpfter Beleg": a typed number resolves among the
    customer's documents; another customer's needs a confirmation and is
    logged; every agent sees what a linked document is."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Move = cls.env["account.move"]
        cls.own, cls.foreign = Move.create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_line_ids": [
                        Command.create(
                            {"name": "Jacke", "quantity": 1, "price_unit": price}
                        )
                    ],
                }
                for partner, price in ((cls.customer, 89.0), (cls.customer_2, 42.0))
            ]
        )
        (cls.own | cls.foreign).action_post()
        # the agent has no accounting rights
        cls.ticket = cls.ticket_support.with_user(cls.user_agent)

    def _wizard(self, reference):
        form = Form(
            self.env["ticket.link.document"]
            .with_user(self.user_agent)
            .with_context(default_ticket_id=self.ticket.id)
        )
        form.reference = reference
        return form

    def test_customer_document_links_without_question(self):
        # the ticket's customer is a contact of the invoice's company
        form = self._wizard(self.own.name.lower())
        self.assertTrue(form.is_found)
        self.assertFalse(form.is_foreign)
        self.assertIn(self.own.name, form.document_info)
        self.assertIn("Kunde Versand GmbH", form.document_info)
        form.save().action_link()
        self.assertEqual(self.ticket_support.invoice_ids, self.own)
        self.assertFalse(
            self.ticket_support.message_ids.filtered(
                lambda m: "another customer" in (m.body or "")
            )
        )

    def test_foreign_document_needs_confirmation_and_is_logged(self):
        form = self._wizard(self.foreign.name)
        self.assertTrue(form.is_foreign)
        self.assertEqual(form.foreign_customer, "Andere Handel AG")
        wizard = form.save()
        with self.assertRaises(UserError):
            wizard.action_link()
        self.assertFalse(self.ticket_support.invoice_ids)
        wizard.confirm_foreign = True
        wizard.action_link()
        self.assertEqual(self.ticket_support.invoice_ids, self.foreign)
        note = self.ticket_support.message_ids[0]
        self.assertIn("another customer", note.body)
        self.assertIn("Andere Handel AG", note.body)
        self.assertIn(self.user_agent.name, note.body)
        self.assertTrue(note.subtype_id.internal)

    def test_unknown_number(self):
        form = self._wizard("INV/1999/99999")
        self.assertFalse(form.is_found)
        with self.assertRaises(UserError):
            form.save().action_link()

    def test_no_silent_link_of_another_customers_document(self):
        """Any write (form, import, RPC) adding another customer's document is
        refused; the customer's own and tickets without customer are not."""
        with self.assertRaises(UserError):
            self.ticket_support.invoice_ids = [Command.link(self.foreign.id)]
        with self.assertRaises(UserError):
            self.env["ticket.ticket"].create(
                {
                    "name": "x",
                    "queue_id": self.queue_support.id,
                    "partner_id": self.customer.id,
                    "invoice_ids": [Command.link(self.foreign.id)],
                }
            )
        self.ticket_support.invoice_ids = [Command.link(self.own.id)]
        no_customer = self.env["ticket.ticket"].create(
            {"name": "y", "queue_id": self.queue_support.id}
        )
        no_customer.invoice_ids = [Command.link(self.foreign.id)]
        self.assertEqual(no_customer.invoice_ids, self.foreign)
        # the picker offers the customer's documents
        domain = self.ticket_support._fields["invoice_ids"].domain
        self.assertIn("('commercial_partner_id', '=?', partner_commercial_id)", domain)
        self.assertEqual(self.ticket_support.partner_commercial_id, self.customer)

    def test_agent_without_accounting_rights_sees_the_summary(self):
        self.ticket_support.invoice_ids = [Command.link(self.own.id)]
        self.assertFalse(self.user_agent.has_group("account.group_account_invoice"))
        info = self.ticket.linked_document_info
        self.assertIn(self.own.name, info)
        self.assertRegex(info, r"89[.,]00")
        self.assertIn("Customer Invoice", info)
        accountant = self.env.user
        self.assertFalse(
            self.ticket_support.with_user(accountant).linked_document_info,
            "who may open invoices sees the list",
        )

    def test_customer_panel_links_with_one_click(self):
        """The customer's recent invoices, one click links one; the search
        of all of them is the customer's, in the ticket's company."""
        older = self._create_invoice(self.customer_contact)
        ticket = self.ticket_support  # as the accountant
        self.assertEqual(ticket.customer_invoice_ids, self.own | older)
        self.assertNotIn(self.foreign, ticket.customer_invoice_ids)
        self.assertFalse(
            self.ticket.customer_invoice_ids, "no accounting rights: no list"
        )
        self.own.with_context(ticket_link_ticket_id=ticket.id).action_ticket_link()
        self.assertEqual(ticket.invoice_ids, self.own)
        self.assertEqual(ticket.customer_invoice_ids, older, "linked: not offered")
        action = ticket.action_ticket_customer_invoices()
        self.assertEqual(action["context"]["ticket_link_ticket_id"], ticket.id)
        found = self.env["account.move"].search(action["domain"])
        self.assertEqual(found, self.own | older)
        # a document of another customer chosen anyway is refused
        with self.assertRaises(UserError):
            self.foreign.with_context(
                ticket_link_ticket_id=ticket.id
            ).action_ticket_link()
        # an agent who may not edit the ticket cannot link to it
        self.assertFalse(ticket.with_user(self.user_agent_2).has_access("write"))
        with self.assertRaises(AccessError):
            older.with_user(self.user_agent_2).with_context(
                ticket_link_ticket_id=ticket.id
            ).action_ticket_link()
        self.assertNotIn(older, ticket.invoice_ids)
