from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged, users
from odoo.tools import mute_logger

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import TicketCommon


@tagged("post_install", "-at_install", "ticket_system")
class TestMultiCompany(TicketCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # a manager restricted to company B: manager rights, but not on company A
        cls.user_manager_b = mail_new_test_user(
            cls.env,
            login="ticket_manager_b",
            name="Bea Manager B",
            email="bea.manager@company-b.example.com",
            groups="ticket_system.group_ticket_manager",
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )

    def _next_number(self, company):
        # sudo: agents cannot read the sequence configuration
        sequence = (
            self.env["ir.sequence"]
            .sudo()
            .search([("code", "=", "ticket.ticket"), ("company_id", "=", company.id)])
        )
        self.assertEqual(len(sequence), 1, f"one ticket sequence for {company.name}")
        return f"T{sequence.number_next_actual:05d}"

    @users("ticket_agent_b")
    @mute_logger("odoo.addons.base.models.ir_rule", "odoo.models")
    def test_other_company_tickets_hidden(self):
        Ticket = self.env["ticket.ticket"]
        mine = self.ticket_support | self.ticket_billing | self.ticket_b
        self.assertEqual(Ticket.search([("id", "in", mine.ids)]), self.ticket_b)
        self.assertEqual(
            self.ticket_b.with_user(self.env.user).name, "Lieferung beschädigt"
        )
        with self.assertRaises(AccessError):
            self.ticket_support.with_user(self.env.user).read(["name"])
        with self.assertRaises(AccessError):
            self.queue_support.with_user(self.env.user).read(["name"])
        queues = self.env["ticket.queue"].search(
            [("id", "in", (self.queue_support | self.queue_b).ids)]
        )
        self.assertEqual(queues, self.queue_b)

    @mute_logger("odoo.addons.base.models.ir_rule", "odoo.models")
    def test_company_rule_beats_membership(self):
        """Even a member/assignee of a company A queue can't see it from B."""
        self.queue_support.member_ids = [Command.link(self.user_agent_b.id)]
        self.ticket_support.user_id = self.user_agent_b
        with self.assertRaises(AccessError):
            self.ticket_support.with_user(self.user_agent_b).read(["name"])
        with self.assertRaises(AccessError):
            self.queue_support.with_user(self.user_agent_b).read(["name"])

    @users("ticket_manager_b")
    @mute_logger("odoo.addons.base.models.ir_rule", "odoo.models")
    def test_manager_limited_to_own_company(self):
        Ticket = self.env["ticket.ticket"]
        mine = self.ticket_support | self.ticket_billing | self.ticket_b
        self.assertEqual(Ticket.search([("id", "in", mine.ids)]), self.ticket_b)
        with self.assertRaises(AccessError):
            self.ticket_billing.with_user(self.env.user).read(["name"])
        with self.assertRaises(AccessError):
            self.queue_billing.with_user(self.env.user).write({"name": "Taken over"})

    @users("admin")
    def test_multi_company_user_sees_allowed_companies(self):
        both = self.company_a | self.company_b
        Ticket = self.env["ticket.ticket"].with_context(allowed_company_ids=both.ids)
        mine = self.ticket_support | self.ticket_b
        self.assertEqual(Ticket.search([("id", "in", mine.ids)]), mine)
        # with only company A active, company B's tickets are filtered out
        Ticket = self.env["ticket.ticket"].with_context(
            allowed_company_ids=self.company_a.ids
        )
        self.assertEqual(Ticket.search([("id", "in", mine.ids)]), self.ticket_support)

    def test_company_from_queue(self):
        # current company is A, the queue belongs to B: the ticket goes to B
        self.assertEqual(self.env.company, self.company_a)
        expected = self._next_number(self.company_b)
        ticket = self.env["ticket.ticket"].create(
            {"name": "For company B", "queue_id": self.queue_b.id}
        )
        self.assertEqual(ticket.company_id, self.company_b)
        self.assertEqual(ticket.number, expected, "number drawn in the queue's company")
        # moving the ticket to a queue of A moves it to company A
        ticket.queue_id = self.queue_support
        self.assertEqual(ticket.company_id, self.company_a)
        # the setup tickets took their company from their queue as well
        self.assertEqual(self.ticket_support.company_id, self.company_a)
        self.assertEqual(self.ticket_b.company_id, self.company_b)

    def test_company_from_queue_form(self):
        both = self.company_a | self.company_b
        Ticket = (
            self.env["ticket.ticket"]
            .with_user(self.user_admin)
            .with_context(allowed_company_ids=both.ids)
        )
        with Form(Ticket) as form:
            form.name = "Form ticket for B"
            form.queue_id = self.queue_b
            self.assertEqual(form.company_id, self.company_b)
        ticket = form.record
        self.assertEqual(ticket.company_id, self.company_b)

    @mute_logger("odoo.models")
    def test_queue_company_mismatch(self):
        with self.assertRaises(UserError):
            self.env["ticket.ticket"].create(
                {
                    "name": "Mismatch",
                    "queue_id": self.queue_b.id,
                    "company_id": self.company_a.id,
                }
            )

    def test_sequence_per_company(self):
        company_c = self.env["res.company"].create({"name": "Ticket Company C"})
        company_d = self.env["res.company"].create({"name": "Ticket Company D"})
        queue_c, queue_d = self.env["ticket.queue"].create(
            [
                {"name": "Queue C", "company_id": company_c.id},
                {"name": "Queue D", "company_id": company_d.id},
            ]
        )
        next_a = self._next_number(self.company_a)
        Ticket = self.env["ticket.ticket"]
        tickets = Ticket.create(
            [
                {"name": "C1", "queue_id": queue_c.id},
                {"name": "D1", "queue_id": queue_d.id},
                {"name": "C2", "queue_id": queue_c.id},
                {"name": "A1", "queue_id": self.queue_support.id},
            ]
        )
        c1, d1, c2, a1 = tickets
        # a new company gets its own sequence, starting from 1
        self.assertEqual(c1.number, "T00001")
        self.assertEqual(c2.number, "T00002")
        self.assertEqual(d1.number, "T00001")
        self.assertEqual(a1.number, next_a)
        self.assertEqual(
            self.env["ir.sequence"]
            .search(
                [
                    ("code", "=", "ticket.ticket"),
                    ("company_id", "in", (company_c | company_d).ids),
                ]
            )
            .company_id,
            company_c | company_d,
        )
        # later tickets keep counting per company
        c3 = Ticket.create({"name": "C3", "queue_id": queue_c.id})
        self.assertEqual(c3.number, "T00003")
        self.assertEqual(self._next_number(company_d), "T00002")

    def test_company_from_default_queue(self):
        """A queue given by context default (queue's ticket action) decides too."""
        expected = self._next_number(self.company_b)
        ticket = (
            self.env["ticket.ticket"]
            .with_context(default_queue_id=self.queue_b.id)
            .create({"name": "From the queue's ticket list"})
        )
        self.assertEqual(ticket.queue_id, self.queue_b)
        self.assertEqual(ticket.company_id, self.company_b)
        self.assertEqual(ticket.number, expected)

    @users("ticket_agent_b")
    def test_agent_company_b_creates_without_queue(self):
        """No queue given: the user's current company numbers the ticket."""
        expected = self._next_number(self.company_b)
        ticket = self.env["ticket.ticket"].create({"name": "Manual B"})
        self.assertEqual(ticket.company_id, self.company_b)
        self.assertEqual(ticket.number, expected)
        # the default queue is the agent's queue of company B
        self.assertEqual(ticket.queue_id, self.queue_b)
