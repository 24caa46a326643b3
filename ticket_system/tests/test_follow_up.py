from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import TicketCommon


@tagged("post_install", "-at_install", "ticket_system")
class TestTicketFollowUp(TicketCommon):
    """Follow-up processes started from a ticket: a credit note from a linked
    invoice (DiVA "Folgeprozesse", M-Ticket "Verknüpfter Beleg")."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant_agent = mail_new_test_user(
            cls.env,
            login="ticket_accountant",
            groups="ticket_system.group_ticket_user,account.group_account_invoice",
            name="Bea Buchhaltung",
        )
        cls.queue_support.member_ids |= cls.accountant_agent
        customer = cls.ticket_support.partner_id
        cls.invoice = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": customer.id,
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Jacke Gr. L", "quantity": 1, "price_unit": 89.0}
                    ),
                    Command.create(
                        {"name": "Versand", "quantity": 1, "price_unit": 4.9}
                    ),
                ],
            }
        )
        cls.invoice.action_post()
        cls.ticket_support.invoice_ids = cls.invoice

    def test_credit_note_from_the_ticket_is_linked_back(self):
        ticket = self.ticket_support.with_user(self.accountant_agent)
        invoice = ticket.invoice_ids
        action = invoice.with_context(
            ticket_credit_note_ticket_id=ticket.id
        ).action_ticket_credit_note()
        self.assertEqual(action["res_model"], "account.move.reversal")
        wizard = Form(
            self.env["account.move.reversal"]
            .with_user(self.accountant_agent)
            .with_context(**action["context"])
        )
        # pre-filled with the ticket, printed on the credit note
        self.assertEqual(wizard.reason, self.ticket_support.display_name)
        wizard.reason = "Rücksendung Jacke"
        result = wizard.save().refund_moves()
        credit_note = self.env["account.move"].browse(result["res_id"])
        self.assertEqual(credit_note.move_type, "out_refund")
        self.assertEqual(credit_note.reversed_entry_id, self.invoice)
        self.assertEqual(credit_note.state, "draft", "lines can still be chosen")
        self.assertEqual(self.ticket_support.invoice_ids, self.invoice | credit_note)
        self.assertIn(self.ticket_support, credit_note.ticket_ids)
        note = self.ticket_support.message_ids[0]
        self.assertIn(f'data-oe-id="{credit_note.id}"', note.body)
        self.assertIn(self.invoice.name, note.body)
        self.assertEqual(note.subtype_id, self.env.ref("mail.mt_note"))

    def test_reversal_elsewhere_touches_no_ticket(self):
        before = self.ticket_support.invoice_ids
        wizard = Form(
            self.env["account.move.reversal"].with_context(
                active_model="account.move", active_ids=self.invoice.ids
            )
        ).save()
        wizard.refund_moves()
        self.assertEqual(self.ticket_support.invoice_ids, before)

    def test_only_posted_customer_invoices(self):
        draft = self.env["account.move"].create(
            {"move_type": "out_invoice", "partner_id": self.invoice.partner_id.id}
        )
        with self.assertRaises(UserError):
            draft.action_ticket_credit_note()

    def test_company_tab_lists_its_contacts_tickets(self):
        company = self.env["res.partner"].create(
            {"name": "Tab GmbH", "is_company": True}
        )
        contact = self.env["res.partner"].create(
            {"name": "Tab Kontakt", "parent_id": company.id}
        )
        Ticket = self.env["ticket.ticket"]
        own = Ticket.create(
            {
                "name": "Firma",
                "partner_id": company.id,
                "queue_id": self.queue_support.id,
            }
        )
        contacts = Ticket.create(
            {
                "name": "Kontakt",
                "partner_id": contact.id,
                "queue_id": self.queue_support.id,
            }
        )
        self.assertEqual(company.ticket_all_ids, own | contacts)
        self.assertEqual(
            company.ticket_count, len(company.ticket_all_ids), "tab and button agree"
        )
        self.assertEqual(contact.ticket_all_ids, contacts)
