from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import TicketCommon


@tagged("post_install", "-at_install", "ticket_system")
class TestTicketBilling(TicketCommon):
    """Invoicing the time of billable tickets: one draft invoice per customer,
    one line per ticket, never the same hours twice."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.biller = mail_new_test_user(
            cls.env,
            login="ticket_biller",
            name="Bernd Billing",
            groups="ticket_system.group_ticket_manager,account.group_account_invoice",
        )
        cls.product = cls.env["product.product"].create(
            {
                "name": "Support hour",
                "type": "service",
                "list_price": 60.0,
                "uom_id": cls.env.ref("uom.product_uom_hour").id,
                "uom_po_id": cls.env.ref("uom.product_uom_hour").id,
            }
        )
        cls.env.company.ticket_time_product_id = cls.product
        Partner = cls.env["res.partner"]
        cls.company = Partner.create({"name": "Bill GmbH", "is_company": True})
        cls.contact = Partner.create(
            {"name": "Bill Kontakt", "parent_id": cls.company.id}
        )
        cls.other = Partner.create({"name": "Andere AG", "is_company": True})
        Ticket = cls.env["ticket.ticket"]
        queue = cls.queue_support
        cls.t1, cls.t2, cls.t3, cls.free = Ticket.create(
            [
                {
                    "name": "Einrichtung",
                    "queue_id": queue.id,
                    "partner_id": cls.company.id,
                    "billable": True,
                },
                {
                    "name": "Schulung",
                    "queue_id": queue.id,
                    "partner_id": cls.contact.id,
                    "billable": True,
                },
                {
                    "name": "Andere",
                    "queue_id": queue.id,
                    "partner_id": cls.other.id,
                    "billable": True,
                },
                {
                    "name": "Kulanz",
                    "queue_id": queue.id,
                    "partner_id": cls.company.id,
                    "billable": False,
                },
            ]
        )
        Entry = cls.env["ticket.time.entry"]
        for ticket, hours in (
            (cls.t1, 1.5),
            (cls.t1, 0.5),
            (cls.t2, 1.0),
            (cls.t3, 2.0),
            (cls.free, 3.0),
        ):
            Entry.create(
                {"ticket_id": ticket.id, "user_id": cls.user_agent.id, "hours": hours}
            )

    def test_one_invoice_per_customer_one_line_per_ticket(self):
        tickets = (self.t1 | self.t2 | self.t3 | self.free).with_user(self.biller)
        invoices = tickets._invoice_time()
        self.assertEqual(len(invoices), 2)
        bill = invoices.filtered(lambda m: m.partner_id == self.company)
        self.assertEqual(bill.state, "draft")
        self.assertEqual(bill.move_type, "out_invoice")
        lines = bill.invoice_line_ids
        self.assertEqual(
            sorted((line.name, line.quantity) for line in lines),
            [
                (f"[{self.t1.number}] Einrichtung", 2.0),
                (f"[{self.t2.number}] Schulung", 1.0),
            ],
        )
        self.assertEqual(lines.product_id, self.product)
        self.assertEqual(bill.amount_untaxed, 180.0)
        self.assertIn(bill, self.t1.invoice_ids)
        self.assertTrue(all(self.t1.time_entry_ids.mapped("is_invoiced")))
        self.assertFalse(
            self.free.time_entry_ids.is_invoiced, "not billable: not invoiced"
        )
        self.assertIn(bill.display_name, self.t1.message_ids[0].body)

    def test_never_the_same_hours_twice(self):
        tickets = (self.t1 | self.t3).with_user(self.biller)
        first = tickets._invoice_time()
        self.assertEqual(len(first), 2)
        self.assertFalse(tickets._invoice_time(), "nothing left to bill")
        self.env["ticket.time.entry"].create(
            {"ticket_id": self.t1.id, "user_id": self.user_agent.id, "hours": 0.25}
        )
        second = tickets._invoice_time()
        self.assertEqual(second.invoice_line_ids.quantity, 0.25, "only the new time")
        action = self.t3.with_user(self.biller).action_invoice_time
        with self.assertRaises(UserError):
            action()

    def test_clear_messages_and_access(self):
        orphan = self.env["ticket.ticket"].create(
            {"name": "Ohne Kunde", "queue_id": self.queue_support.id, "billable": True}
        )
        self.env["ticket.time.entry"].create(
            {"ticket_id": orphan.id, "user_id": self.user_agent.id, "hours": 1.0}
        )
        with self.assertRaises(UserError):
            orphan.with_user(self.biller)._invoice_time()
        self.env.company.ticket_time_product_id = False
        with self.assertRaises(UserError):
            self.t1.with_user(self.biller)._invoice_time()
        self.assertFalse(self.t1.time_entry_ids.filtered("is_invoiced"), "nothing made")
        with self.assertRaises(AccessError):
            self.t1.with_user(self.user_agent_2)._invoice_time()

    def test_action_opens_the_invoice(self):
        action = self.t3.with_user(self.biller).action_invoice_time()
        invoice = self.env["account.move"].browse(action["res_id"])
        self.assertEqual(invoice.partner_id, self.other)
        self.assertEqual(invoice.invoice_line_ids.quantity, 2.0)
        self.assertEqual(
            invoice.invoice_line_ids.ids,
            self.t3.time_entry_ids.sudo().invoice_line_id.ids,
        )
