from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, TransactionCase, tagged

from odoo.addons.mail.tests.common import mail_new_test_user


@tagged("post_install", "-at_install")
class TestTicketReplyOrderPdf(TransactionCase):
    """The PDF of a linked order attached to a reply (Odoo's quotation/order
    report), also by an agent without sales rights."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plain_agent = mail_new_test_user(
            cls.env, login="reply_plain_agent", groups="ticket_system.group_ticket_user"
        )
        queue = cls.env["ticket.queue"].create(
            {"name": "Bestellungen", "member_ids": [Command.link(cls.plain_agent.id)]}
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Versandkunde GmbH", "email": "kunde@versand.example.com"}
        )
        product = cls.env["product.product"].create(
            {"name": "Regenjacke", "list_price": 79.0}
        )
        cls.order, cls.foreign_order = cls.env["sale.order"].create(
            [
                {
                    "partner_id": partner.id,
                    "order_line": [
                        Command.create({"product_id": product.id, "product_uom_qty": 2})
                    ],
                }
                for partner in (
                    cls.customer,
                    cls.env["res.partner"].create({"name": "Fremd AG"}),
                )
            ]
        )
        (cls.order | cls.foreign_order).action_confirm()
        cls.ticket = cls.env["ticket.ticket"].create(
            {
                "name": "Rechnung zur Bestellung?",
                "partner_id": cls.customer.id,
                "queue_id": queue.id,
                "sale_order_ids": [Command.link(cls.order.id)],
            }
        )

    def test_order_pdf_attached_for_agent_without_sales_rights(self):
        agent = self.plain_agent
        self.assertFalse(self.env["sale.order"].with_user(agent).has_access("read"))
        action = self.ticket.with_user(agent).action_reply_with_documents()
        composer = Form(
            self.env["mail.compose.message"]
            .with_user(agent)
            .with_context(**action["context"])
        )
        self.assertEqual(len(composer.attachment_ids), 1)
        attachment = composer.attachment_ids[0]
        self.assertEqual(attachment.raw[:4], b"%PDF")
        self.assertIn(self.order.name, attachment.name)
        self.assertTrue(attachment.name.endswith(".pdf"))
        self.assertEqual(composer.partner_ids[:], self.customer)
        self.assertIn(f"[{self.ticket.number}]", composer.subject)

    def test_order_not_linked_is_refused(self):
        with self.assertRaises(UserError):
            self.ticket.with_user(self.plain_agent)._action_reply_with_documents(
                self.foreign_order
            )
