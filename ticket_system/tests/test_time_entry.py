from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged, users

from .common import TicketCommon


@tagged("post_install", "-at_install", "ticket_system")
class TestTimeEntry(TicketCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # both agents work the support queue; agent 2 also works billing
        cls.queue_support.member_ids = [Command.link(cls.user_agent_2.id)]
        Entry = cls.env["ticket.time.entry"]
        cls.entry_anna = Entry.create(
            {
                "ticket_id": cls.ticket_support.id,
                "user_id": cls.user_agent.id,
                "hours": 0.5,
                "name": "Called the carrier",
            }
        )
        cls.entry_bert = Entry.create(
            {
                "ticket_id": cls.ticket_support.id,
                "user_id": cls.user_agent_2.id,
                "hours": 1.0,
                "name": "Checked the stock",
            }
        )
        cls.entry_billing = Entry.create(
            {
                "ticket_id": cls.ticket_billing.id,
                "user_id": cls.user_agent_2.id,
                "hours": 0.25,
            }
        )
        cls.entry_b = Entry.create(
            {"ticket_id": cls.ticket_b.id, "user_id": cls.user_agent_b.id, "hours": 2.0}
        )

    def _create_invoice_line(self):
        invoice = (
            self.env["account.move"]
            .with_company(self.company_a)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.customer.id,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Support time",
                                "quantity": 0.5,
                                "price_unit": 80.0,
                            }
                        )
                    ],
                }
            )
        )
        return invoice.invoice_line_ids

    # ------------------------------------------------------------
    # FORM AND TOTAL
    # ------------------------------------------------------------

    @users("ticket_agent")
    def test_form_log_time(self):
        """An agent logs two entries in the ticket form; the total follows."""
        ticket = self.env["ticket.ticket"].create(
            {"name": "Exchange request", "queue_id": self.queue_support.id}
        )
        self.assertEqual(ticket.time_spent, 0.0)
        with Form(ticket) as form:
            with form.time_entry_ids.new() as line:
                self.assertEqual(line.user_id, self.user_agent, "default: current user")
                self.assertEqual(line.date, fields.Date.context_today(ticket))
                line.hours = 1.5
                line.name = "Read the order history"
            with form.time_entry_ids.new() as line:
                line.hours = 0.25
                line.name = "Answered the customer"
            # the total is computed while editing, before saving
            self.assertAlmostEqual(form.time_spent, 1.75)
            with self.assertRaises(AssertionError):
                form.time_spent = 3.0  # read-only: only the entries count
        self.assertEqual(len(ticket.time_entry_ids), 2)
        self.assertAlmostEqual(ticket.time_spent, 1.75)
        self.assertEqual(ticket.time_entry_ids.user_id, self.user_agent)
        self.assertEqual(ticket.time_entry_ids.company_id, self.company_a)
        self.assertEqual(
            sorted(ticket.time_entry_ids.mapped("name")),
            ["Answered the customer", "Read the order history"],
        )
        # stored: search and group on the total
        self.assertIn(
            ticket, self.env["ticket.ticket"].search([("time_spent", ">", 1.7)])
        )

    @users("ticket_agent")
    def test_time_spent_follows_entries(self):
        ticket = self.ticket_support.with_env(self.env)
        self.assertAlmostEqual(ticket.time_spent, 1.5)  # 0.5 (Anna) + 1.0 (Bert)
        entry = self.entry_anna.with_env(self.env)
        entry.hours = 2.0
        self.assertAlmostEqual(ticket.time_spent, 3.0)
        entry.unlink()
        self.assertAlmostEqual(ticket.time_spent, 1.0)
        self.env["ticket.time.entry"].create(
            {"ticket_id": ticket.id, "hours": 0.75, "name": "Follow-up"}
        )
        self.assertAlmostEqual(ticket.time_spent, 1.75)
        # moving an entry to another ticket moves its hours
        other = self.env["ticket.ticket"].create(
            {"name": "Second parcel", "queue_id": self.queue_support.id}
        )
        ticket.time_entry_ids.filtered(
            lambda e: e.name == "Follow-up"
        ).ticket_id = other
        self.assertAlmostEqual(ticket.time_spent, 1.0)
        self.assertAlmostEqual(other.time_spent, 0.75)

    def test_form_other_agents_entries_read_only(self):
        ticket = self.ticket_support.with_user(self.user_agent)
        form = Form(ticket)
        by_user = {
            form.time_entry_ids.edit(index).user_id: index
            for index in range(len(form.time_entry_ids))
        }
        with form.time_entry_ids.edit(by_user[self.user_agent]) as line:
            line.hours = 0.75  # own entry: editable
        line = form.time_entry_ids.edit(by_user[self.user_agent_2])
        with line, self.assertRaises(AssertionError):
            line.hours = 5.0  # another agent's entry: read-only
        form.save()
        self.assertAlmostEqual(self.entry_anna.hours, 0.75)
        self.assertAlmostEqual(self.entry_bert.hours, 1.0)
        # managers edit every entry
        form = Form(self.ticket_support.with_user(self.user_manager))
        with form.time_entry_ids.edit(by_user[self.user_agent_2]) as line:
            line.hours = 1.25
        form.save()
        self.assertAlmostEqual(self.entry_bert.hours, 1.25)
        self.assertAlmostEqual(self.ticket_support.time_spent, 2.0)

    # ------------------------------------------------------------
    # ACCESS
    # ------------------------------------------------------------

    def test_agent_own_entries_only(self):
        Entry = self.env["ticket.time.entry"].with_user(self.user_agent)
        # reads every entry of the tickets they work on ...
        self.assertEqual(
            Entry.search([("ticket_id", "=", self.ticket_support.id)]),
            self.entry_anna | self.entry_bert,
        )
        entry_bert = self.entry_bert.with_user(self.user_agent)
        self.assertEqual(entry_bert.hours, 1.0)
        # ... but changes and deletes only their own
        with self.assertRaises(AccessError):
            entry_bert.write({"hours": 4.0})
        with self.assertRaises(AccessError):
            entry_bert.unlink()
        with self.assertRaises(AccessError):
            Entry.create(
                {
                    "ticket_id": self.ticket_support.id,
                    "user_id": self.user_agent_2.id,
                    "hours": 1.0,
                }
            )
        self.assertAlmostEqual(self.entry_bert.hours, 1.0)
        own = self.entry_anna.with_user(self.user_agent)
        own.write({"hours": 0.25, "name": "Called the carrier twice"})
        self.assertAlmostEqual(self.entry_anna.hours, 0.25)
        own.unlink()
        self.assertFalse(self.entry_anna.exists())

    def test_agent_other_tickets_invisible(self):
        """Entries follow the visibility of their ticket."""
        Entry = self.env["ticket.time.entry"].with_user(self.user_agent)
        found = Entry.search([])
        self.assertIn(self.entry_anna, found)
        self.assertNotIn(self.entry_billing, found, "billing queue: not Anna's")
        with self.assertRaises(AccessError):
            self.entry_billing.with_user(self.user_agent).read(["hours"])
        with self.assertRaises(AccessError):
            Entry.create({"ticket_id": self.ticket_billing.id, "hours": 1.0})
        # assigning the ticket to Anna shows her its time
        self.ticket_billing.user_id = self.user_agent
        self.assertIn(self.entry_billing, Entry.search([]))

    def test_multicompany(self):
        entries_a = self.entry_anna | self.entry_bert | self.entry_billing
        # an agent of company B sees only company B's time
        found = (
            self.env["ticket.time.entry"]
            .with_user(self.user_agent_b)
            .search([("id", "in", (entries_a | self.entry_b).ids)])
        )
        self.assertEqual(found, self.entry_b)
        self.assertEqual(self.entry_b.company_id, self.company_b)
        # a manager of both companies sees company B's time only while working in it
        self.user_manager.company_ids = [Command.link(self.company_b.id)]
        Entry = self.env["ticket.time.entry"].with_user(self.user_manager)
        domain = [("id", "in", (entries_a | self.entry_b).ids)]
        in_a = Entry.with_context(allowed_company_ids=self.company_a.ids)
        self.assertEqual(in_a.search(domain), entries_a)
        with self.assertRaises(AccessError):
            self.entry_b.with_env(in_a.env).read(["hours"])
        in_both = Entry.with_context(
            allowed_company_ids=(self.company_a | self.company_b).ids
        )
        self.assertEqual(in_both.search(domain), entries_a | self.entry_b)

    def test_portal_no_access(self):
        with self.assertRaises(AccessError):
            self.env["ticket.time.entry"].with_user(self.user_portal_customer).search(
                []
            )
        # the ticket is the portal user's company's, but its time is internal
        ticket = self.ticket_support.with_user(self.user_portal_customer)
        self.assertEqual(ticket.read(["name"])[0]["name"], "Parcel did not arrive")
        with self.assertRaises(AccessError):
            ticket.read(["time_entry_ids"])

    # ------------------------------------------------------------
    # CONSTRAINTS
    # ------------------------------------------------------------

    @users("ticket_agent")
    def test_hours_positive(self):
        Entry = self.env["ticket.time.entry"]
        for hours in (0.0, -1.0):
            with self.subTest(hours=hours), self.assertRaises(ValidationError):
                Entry.create({"ticket_id": self.ticket_support.id, "hours": hours})
        entry = self.entry_anna.with_env(self.env)
        with self.assertRaises(ValidationError):
            entry.hours = 0
        self.assertAlmostEqual(entry.hours, 0.5)
        ticket = self.ticket_support.with_env(self.env)
        form = Form(ticket)
        line = form.time_entry_ids.new()
        line.name = "forgot the hours"
        line.save()
        with self.assertRaises(ValidationError):
            form.save()

    def test_invoiced_entry_locked(self):
        line = self._create_invoice_line()
        self.entry_anna.invoice_line_id = line
        entry = self.entry_anna.with_user(self.user_agent)
        self.assertTrue(entry.is_invoiced)
        self.assertFalse(self.entry_bert.is_invoiced)
        Entry = self.env["ticket.time.entry"].with_user(self.user_agent)
        self.assertEqual(
            Entry.search(
                [
                    ("ticket_id", "=", self.ticket_support.id),
                    ("is_invoiced", "=", False),
                ]
            ),
            self.entry_bert,
        )
        self.assertEqual(
            Entry.search(
                [("ticket_id", "=", self.ticket_support.id), ("is_invoiced", "=", True)]
            ),
            self.entry_anna,
        )
        for vals in (
            {"hours": 2.0},
            {"date": "2020-01-01"},
            {"ticket_id": self.ticket_billing.id},
        ):
            with self.subTest(vals=vals), self.assertRaises(UserError):
                entry.write(vals)
        with self.assertRaises(UserError):
            entry.unlink()
        # also for managers
        with self.assertRaises(UserError):
            self.entry_anna.with_user(self.user_manager).hours = 3.0
        with self.assertRaises(UserError):
            self.entry_anna.with_user(self.user_manager).unlink()
        self.assertAlmostEqual(self.entry_anna.hours, 0.5)
        self.assertEqual(self.entry_anna.ticket_id, self.ticket_support)
        # the note may still be corrected; rewriting the same hours is no change
        entry.write({"name": "Called the carrier (DHL)", "hours": 0.5})
        self.assertEqual(self.entry_anna.name, "Called the carrier (DHL)")
        # an agent without accounting rights opens the ticket form
        form = Form(self.ticket_support.with_user(self.user_agent))
        self.assertAlmostEqual(form.time_spent, 1.5)

    def test_deleted_invoice_unlocks_entry(self):
        line = self._create_invoice_line()
        self.entry_anna.invoice_line_id = line
        line.move_id.unlink()  # a draft invoice
        entry = self.entry_anna.with_user(self.user_agent)
        self.assertFalse(entry.invoice_line_id)
        self.assertFalse(entry.is_invoiced)
        entry.hours = 1.0
        self.assertAlmostEqual(self.ticket_support.time_spent, 2.0)

    def test_ticket_deleted_with_entries(self):
        ticket = self.ticket_support.with_user(self.user_manager)
        ticket.unlink()
        self.assertFalse((self.entry_anna | self.entry_bert).exists())
        self.assertTrue(self.entry_billing.exists())
