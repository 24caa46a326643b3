from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, TransactionCase, tagged

from odoo.addons.mail.tests.common import mail_new_test_user


@tagged("post_install", "-at_install")
class TestTicketSaleExchange(TransactionCase):
    """DiVA "Folgeprozesse": an exchange or replacement quotation from chosen
    lines of an order linked to the ticket."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent = mail_new_test_user(
            cls.env,
            login="exchange_agent",
            groups="ticket_system.group_ticket_user,sales_team.group_sale_salesman_all_leads",
        )
        cls.plain_agent = mail_new_test_user(
            cls.env,
            login="exchange_plain_agent",
            groups="ticket_system.group_ticket_user",
        )
        queue = cls.env["ticket.queue"].create(
            {
                "name": "Reklamationen",
                "member_ids": [Command.set((cls.agent | cls.plain_agent).ids)],
            }
        )
        cls.customer = cls.env["res.partner"].create({"name": "Versandkunde GmbH"})
        cls.jacket, cls.cap = cls.env["product.product"].create(
            [
                {"name": "Regenjacke", "list_price": 79.0},
                {"name": "Mütze", "list_price": 15.0},
            ]
        )
        cls.order, cls.foreign_order = cls.env["sale.order"].create(
            [
                {
                    "partner_id": partner.id,
                    "client_order_ref": "KD-4711",
                    "order_line": [
                        Command.create(
                            {
                                "product_id": cls.jacket.id,
                                "product_uom_qty": 2,
                                "price_unit": 70.0,
                                "discount": 10.0,
                            }
                        ),
                        Command.create(
                            {"product_id": cls.cap.id, "product_uom_qty": 1}
                        ),
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
                "name": "Jacke undicht",
                "partner_id": cls.customer.id,
                "queue_id": queue.id,
                "sale_order_ids": [Command.link(cls.order.id)],
            }
        )

    def _wizard_form(self, user=None, order=None):
        action = (
            (order or self.order)
            .with_user(user or self.agent)
            .with_context(ticket_exchange_ticket_id=self.ticket.id)
            .action_ticket_exchange()
        )
        self.assertEqual(action["res_model"], "ticket.sale.exchange")
        return Form(
            self.env["ticket.sale.exchange"]
            .with_user(user or self.agent)
            .with_context(**action["context"])
        )

    def _choose(self, form, product, quantity):
        for index in range(len(form.line_ids)):
            with form.line_ids.edit(index) as line:
                if line.product_id == product:
                    line.quantity = quantity

    def test_replacement_of_chosen_lines_is_free_and_linked(self):
        form = self._wizard_form()
        self.assertEqual(form.ticket_id, self.ticket)
        self.assertEqual(form.order_id, self.order)
        self.assertEqual(form.exchange_type, "replacement")
        self.assertEqual(len(form.line_ids), 2, "every line of the order offered")
        self._choose(form, self.jacket, 1)
        action = form.save().action_create_quotation()
        quotation = self.env["sale.order"].browse(action["res_id"])
        self.assertEqual(quotation.state, "draft")
        self.assertEqual(quotation.partner_id, self.customer)
        self.assertEqual(quotation.partner_shipping_id, self.order.partner_shipping_id)
        self.assertIn(self.ticket.number, quotation.origin)
        self.assertIn(self.order.name, quotation.origin)
        line = quotation.order_line
        self.assertEqual(len(line), 1, "the cap was not chosen")
        self.assertEqual(line.product_id, self.jacket)
        self.assertEqual(line.product_uom_qty, 1)
        self.assertEqual(line.price_unit, 0.0, "a replacement is free of charge")
        self.assertEqual(quotation.amount_total, 0.0)
        self.assertEqual(self.ticket.sale_order_ids, self.order | quotation)
        self.assertEqual(quotation.ticket_ids, self.ticket)
        note = self.ticket.message_ids[0]
        self.assertEqual(note.subtype_id, self.env.ref("mail.mt_note"))
        self.assertIn(f'data-oe-id="{quotation.id}"', note.body)
        self.assertIn(self.order.name, note.body)
        self.assertIn("Regenjacke", note.body)
        self.assertEqual(self.order.state, "sale", "the order is left as it is")

    def test_exchange_keeps_the_order_prices(self):
        form = self._wizard_form()
        form.exchange_type = "exchange"
        self._choose(form, self.jacket, 2)
        self._choose(form, self.cap, 1)
        action = form.save().action_create_quotation()
        quotation = self.env["sale.order"].browse(action["res_id"])
        jacket = quotation.order_line.filtered(lambda ol: ol.product_id == self.jacket)
        self.assertEqual(jacket.product_uom_qty, 2)
        self.assertEqual(jacket.price_unit, 70.0)
        self.assertEqual(jacket.discount, 10.0)
        self.assertEqual(len(quotation.order_line), 2)

    def test_quantities_are_checked(self):
        form = self._wizard_form()
        wizard = form.save()
        with self.assertRaises(UserError):
            wizard.action_create_quotation()
        self._choose(form, self.jacket, 3)
        with self.assertRaises(UserError):
            form.save().action_create_quotation()
        self.assertEqual(self.ticket.sale_order_ids, self.order, "nothing created")

    def test_only_orders_linked_to_the_ticket(self):
        form = self._wizard_form(order=self.foreign_order)
        self._choose(form, self.jacket, 1)
        with self.assertRaises(UserError):
            form.save().action_create_quotation()
        self.assertEqual(self.ticket.sale_order_ids, self.order)

    def test_agent_without_sales_rights_cannot(self):
        with self.assertRaises(AccessError):
            self.env["ticket.sale.exchange"].with_user(self.plain_agent).create(
                {"ticket_id": self.ticket.id, "order_id": self.order.id}
            )

    def test_follow_up_of_another_customers_order_linked_to_the_ticket(self):
        """An order of another customer, linked with confirmation: its
        exchange is linked too, and logged."""
        self.ticket.with_context(ticket_link_foreign_confirmed=True).sale_order_ids = [
            Command.link(self.foreign_order.id)
        ]
        form = self._wizard_form(order=self.foreign_order)
        self._choose(form, self.cap, 1)
        action = form.save().action_create_quotation()
        quotation = self.env["sale.order"].browse(action["res_id"])
        self.assertEqual(quotation.partner_id, self.foreign_order.partner_id)
        self.assertIn(quotation, self.ticket.sale_order_ids)
        self.assertTrue(
            any(quotation.name in message.body for message in self.ticket.message_ids)
        )
