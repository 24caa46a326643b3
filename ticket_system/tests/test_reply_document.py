from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import TicketCommon


@tagged("post_install", "-at_install", "ticket_system")
class TestTicketReplyDocument(TicketCommon):
    """Catura: reply with the PDF of a linked invoice or credit note attached,
    rendered by Odoo's own report (wkhtmltopdf must be installed: without it
    these tests fail)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant_agent = mail_new_test_user(
            cls.env,
            login="ticket_reply_accountant",
            groups="ticket_system.group_ticket_user,account.group_account_invoice",
            name="Bea Buchhaltung",
        )
        cls.queue_support.member_ids |= cls.accountant_agent
        cls.invoice, cls.foreign_invoice = cls.env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_line_ids": [
                        Command.create(
                            {"name": "Jacke Gr. L", "quantity": 1, "price_unit": 89.0}
                        ),
                    ],
                }
                for partner in (cls.customer_contact, cls.customer_2)
            ]
        )
        (cls.invoice | cls.foreign_invoice).action_post()
        cls.credit_note = cls.invoice._reverse_moves()
        cls.credit_note.action_post()
        cls.ticket_support.invoice_ids = cls.invoice | cls.credit_note

    def _composer(self, action, user):
        self.assertEqual(action["res_model"], "mail.compose.message")
        return Form(
            self.env["mail.compose.message"]
            .with_user(user)
            .with_context(**action["context"])
        )

    def assertPdfAttached(self, attachments, document):
        attachment = attachments.filtered(
            lambda a: document.name.replace("/", "_") in a.name
        )
        self.assertEqual(len(attachment), 1, f"{document.name} in {attachments}")
        self.assertEqual(attachment.mimetype, "application/pdf")
        self.assertEqual(attachment.raw[:4], b"%PDF", "a real PDF, not HTML")
        self.assertTrue(attachment.name.endswith(".pdf"))

    def test_agent_without_accounting_rights_replies_with_pdfs(self):
        agent = self.user_agent
        self.assertFalse(self.env["account.move"].with_user(agent).has_access("read"))
        ticket = self.ticket_support.with_user(agent)
        composer = self._composer(ticket.action_reply_with_documents(), agent)
        self.assertEqual(len(composer.attachment_ids), 2)
        self.assertPdfAttached(composer.attachment_ids[:], self.invoice)
        self.assertPdfAttached(composer.attachment_ids[:], self.credit_note)
        self.assertEqual(composer.partner_ids[:], self.customer_contact)
        self.assertIn(f"[{ticket.number}]", composer.subject)
        composer.body = "<p>Anbei Ihre Rechnung und die Gutschrift.</p>"
        with self.mock_mail_gateway():
            composer.save().action_send_mail()
        message = self.ticket_support.message_ids[0]
        self.assertEqual(message.subtype_id, self.env.ref("mail.mt_comment"))
        self.assertEqual(len(message.attachment_ids), 2)
        self.assertEqual(
            set(message.attachment_ids.mapped("res_model")), {"ticket.ticket"}
        )
        self.assertEqual(
            set(message.attachment_ids.mapped("res_id")), {self.ticket_support.id}
        )
        mail = self._new_mails.filtered(
            lambda m: self.customer_contact in m.recipient_ids
        )
        self.assertEqual(len(mail), 1)
        self.assertIn(f"[{ticket.number}]", mail.subject)
        self.assertEqual(len(mail.attachment_ids), 2)

    def test_pdf_button_of_one_linked_invoice(self):
        invoice = self.invoice.with_user(self.accountant_agent)
        action = invoice.with_context(
            ticket_reply_ticket_id=self.ticket_support.id
        ).action_ticket_reply_pdf()
        composer = self._composer(action, self.accountant_agent)
        self.assertEqual(len(composer.attachment_ids), 1)
        self.assertPdfAttached(composer.attachment_ids[:], self.invoice)

    def test_refused_for_a_document_not_linked_to_the_ticket(self):
        ticket = self.ticket_support.with_user(self.user_agent)
        with self.assertRaises(UserError):
            ticket._action_reply_with_documents(self.foreign_invoice)
        foreign = self.foreign_invoice.with_user(self.accountant_agent)
        with self.assertRaises(UserError):
            foreign.with_context(
                ticket_reply_ticket_id=self.ticket_support.id
            ).action_ticket_reply_pdf()
        self.assertFalse(
            self.env["ir.attachment"].search(
                [("name", "ilike", self.foreign_invoice.name)]
            ),
            "nothing rendered",
        )

    def test_refused_without_write_access_to_the_ticket(self):
        # the billing queue's ticket: Anna is no member of it
        self.ticket_billing.invoice_ids = self.foreign_invoice
        ticket = self.ticket_billing.with_user(self.user_agent)
        with self.assertRaises(AccessError):
            ticket.action_reply_with_documents()

    def test_nothing_linked(self):
        ticket = self.ticket_support.with_user(self.user_agent)
        self.ticket_support.invoice_ids = False
        with self.assertRaises(UserError):
            ticket.action_reply_with_documents()
