from odoo.exceptions import UserError
from odoo.tests import Form, TransactionCase, tagged

from odoo.addons.mail.tests.common import mail_new_test_user


@tagged("post_install", "-at_install")
class TestTicketSaleOrder(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent = mail_new_test_user(
            cls.env,
            login="sale_agent",
            groups="ticket_system.group_ticket_user,sales_team.group_sale_salesman_all_leads",
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Versandkunde GmbH", "ref": "SO-4711"}
        )
        cls.order = cls.env["sale.order"].create({"partner_id": cls.customer.id})

    def test_link_seen_from_both_sides(self):
        ticket = (
            self.env["ticket.ticket"]
            .with_user(self.agent)
            .create(
                {"name": "Wo bleibt meine Bestellung?", "partner_id": self.customer.id}
            )
        )
        ticket.sale_order_ids = self.order
        self.assertEqual(self.order.ticket_ids, ticket)
        self.assertEqual(self.order.ticket_count, 1)
        self.assertEqual(ticket.sale_order_count, 1)
        action = self.order.action_view_tickets()
        self.assertEqual(self.env["ticket.ticket"].search(action["domain"]), ticket)

    def test_create_ticket_from_order(self):
        action = self.order.with_user(self.agent).action_create_ticket()
        form = Form(
            self.env["ticket.ticket"]
            .with_user(self.agent)
            .with_context(**action["context"])
        )
        self.assertEqual(form.partner_id, self.customer)
        self.assertIn(self.order.name, form.name)
        ticket = form.save()
        self.assertEqual(ticket.sale_order_ids, self.order)
        self.assertEqual(ticket.partner_ref, "SO-4711")

    def test_merge_keeps_linked_orders(self):
        Ticket = self.env["ticket.ticket"].with_user(self.agent)
        first = Ticket.create({"name": "Bestellung", "partner_id": self.customer.id})
        second = Ticket.create(
            {"name": "Nochmal Bestellung", "partner_id": self.customer.id}
        )
        second.sale_order_ids = self.order
        wizard = Form(
            self.env["ticket.merge"]
            .with_user(self.agent)
            .with_context(active_model="ticket.ticket", active_ids=(first | second).ids)
        ).save()
        self.assertEqual(wizard.dest_ticket_id, first)
        wizard.action_merge()
        self.assertEqual(first.sale_order_ids, self.order)
        self.assertEqual(self.order.ticket_ids, first | second)

    def test_named_orders_of_the_customer_are_linked(self):
        """Autolinking (see ticket_system's test_autolink): order numbers and the
        customer's own order references, only the customer's orders."""
        stranger = self.env["res.partner"].create({"name": "Fremd GmbH"})
        foreign = self.env["sale.order"].create(
            {"partner_id": stranger.id, "client_order_ref": "PO-777"}
        )
        by_ref = self.env["sale.order"].create(
            {"partner_id": self.customer.id, "client_order_ref": "MEINE-4711"}
        )
        ticket = self.env["ticket.ticket"].create(
            {"name": "Bestellungen", "partner_id": self.customer.id}
        )
        ticket._autolink_found(
            [self.order.name, "MEINE-4711", foreign.name, "PO-777"], self.customer
        )
        self.assertEqual(ticket.sale_order_ids, self.order | by_ref)

    def test_link_order_by_number_or_reference(self):
        """An order resolves by its number or the customer's reference; another
        customer's needs a confirmation; an agent without sales rights sees
        what it is."""
        plain_agent = mail_new_test_user(
            self.env, login="sale_plain_agent", groups="ticket_system.group_ticket_user"
        )
        queue = self.env["ticket.queue"].create(
            {"name": "Bestellungen", "member_ids": [(4, plain_agent.id)]}
        )
        ticket = self.env["ticket.ticket"].create(
            {"name": "Bestellung", "partner_id": self.customer.id, "queue_id": queue.id}
        )
        self.order.client_order_ref = "KD-REF-77"
        stranger = self.env["res.partner"].create({"name": "Fremdkunde AG"})
        foreign = self.env["sale.order"].create({"partner_id": stranger.id})
        Wizard = (
            self.env["ticket.link.document"]
            .with_user(plain_agent)
            .with_context(default_ticket_id=ticket.id)
        )
        with Form(Wizard) as form:
            form.reference = "kd-ref-77"
            self.assertTrue(form.is_found)
            self.assertFalse(form.is_foreign)
        form.record.action_link()
        self.assertEqual(ticket.sale_order_ids, self.order)
        info = ticket.with_user(plain_agent).linked_document_info
        self.assertIn(self.order.name, info)
        self.assertIn("Order", info)
        with Form(Wizard) as form:
            form.reference = foreign.name
            self.assertTrue(form.is_foreign)
            self.assertEqual(form.foreign_customer, "Fremdkunde AG")
        wizard = form.record
        with self.assertRaises(UserError):
            wizard.action_link()
        with self.assertRaises(UserError):
            ticket.sale_order_ids = [(4, foreign.id)]
        wizard.confirm_foreign = True
        wizard.action_link()
        self.assertEqual(ticket.sale_order_ids, self.order | foreign)

    def test_customer_panel_lists_recent_orders(self):
        ticket = (
            self.env["ticket.ticket"]
            .with_user(self.agent)
            .create({"name": "Welche Bestellung?", "partner_id": self.customer.id})
        )
        stranger = self.env["res.partner"].create({"name": "Fremdkunde KG"})
        self.env["sale.order"].create({"partner_id": stranger.id})
        self.assertEqual(ticket.customer_sale_order_ids, self.order)
        self.order.with_user(self.agent).with_context(
            ticket_link_ticket_id=ticket.id
        ).action_ticket_link()
        self.assertEqual(ticket.sale_order_ids, self.order)
        self.assertFalse(ticket.customer_sale_order_ids, "linked: not offered")
        action = ticket.action_ticket_customer_orders()
        self.assertEqual(self.env["sale.order"].search(action["domain"]), self.order)

    def test_order_shows_only_tickets_the_agent_may_see(self):
        """An order linked to a ticket of a queue the agent does not work:
        its Tickets field, count and smart button show none of it."""
        queue = self.env["ticket.queue"].create({"name": "Fremde Queue"})
        own = (
            self.env["ticket.ticket"]
            .with_user(self.agent)
            .create({"name": "Eigene Frage", "partner_id": self.customer.id})
        )
        foreign = self.env["ticket.ticket"].create(
            {
                "name": "Fremde Frage",
                "partner_id": self.customer.id,
                "queue_id": queue.id,
            }
        )
        (own | foreign).sudo().sale_order_ids = self.order
        order = self.order.with_user(self.agent)
        self.assertEqual(order.ticket_ids, own)
        self.assertEqual(order.ticket_count, 1)
        action = order.action_view_tickets()
        self.assertEqual(
            self.env["ticket.ticket"].with_user(self.agent).search(action["domain"]),
            own,
        )
