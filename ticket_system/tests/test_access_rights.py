from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged, users
from odoo.tools import mute_logger

from .common import TicketCommon


@tagged("post_install", "-at_install", "ticket_system")
class TestAgentAccess(TicketCommon):
    """Agents: tickets of their queues, plus assigned, owned and followed ones."""

    def _search_mine(self, tickets):
        """Tickets among `tickets` the current user finds by search."""
        return self.env["ticket.ticket"].search([("id", "in", tickets.ids)])

    @users("ticket_agent")
    @mute_logger("odoo.addons.base.models.ir_rule", "odoo.models")
    def test_queue_member_sees_queue_tickets_only(self):
        own = self.ticket_support.with_user(self.env.user)
        foreign = self.ticket_billing.with_user(self.env.user)
        self.assertEqual(own.read(["name"])[0]["name"], "Parcel did not arrive")
        with self.assertRaises(AccessError):
            foreign.read(["name"])
        with self.assertRaises(AccessError):
            foreign.write({"priority": "2"})
        found = self._search_mine(
            self.ticket_support | self.ticket_billing | self.ticket_b
        )
        self.assertEqual(found, self.ticket_support)
        # the second agent sees the other queue, not the first
        found = (
            self.env["ticket.ticket"]
            .with_user(self.user_agent_2)
            .search([("id", "in", (self.ticket_support | self.ticket_billing).ids)])
        )
        self.assertEqual(found, self.ticket_billing)

    @mute_logger("odoo.addons.base.models.ir_rule", "odoo.models")
    def test_queue_membership_change_applies_at_once(self):
        """The rules carry the agent's queue ids, cached with ir.rule's
        domains: joining, leaving, a new and a deleted queue count at once."""
        tickets = self.ticket_support | self.ticket_billing
        Ticket = self.env["ticket.ticket"].with_user(self.user_agent_2)
        time_entry = self.env["ticket.time.entry"].create(
            {
                "ticket_id": self.ticket_support.id,
                "user_id": self.user_agent.id,
                "hours": 1.0,
            }
        )
        TimeEntry = self.env["ticket.time.entry"].with_user(self.user_agent_2)
        self.assertEqual(
            Ticket.search([("id", "in", tickets.ids)]), self.ticket_billing
        )
        self.assertFalse(TimeEntry.search([("id", "=", time_entry.id)]))
        # joins the support queue: its tickets (and their time) at once
        self.queue_support.member_ids = [Command.link(self.user_agent_2.id)]
        self.assertEqual(Ticket.search([("id", "in", tickets.ids)]), tickets)
        self.assertEqual(TimeEntry.search([("id", "=", time_entry.id)]), time_entry)
        self.assertEqual(
            self.ticket_support.with_user(self.user_agent_2).name,
            "Parcel did not arrive",
        )
        # leaves the billing queue
        self.queue_billing.member_ids = [Command.unlink(self.user_agent_2.id)]
        self.assertEqual(
            Ticket.search([("id", "in", tickets.ids)]), self.ticket_support
        )
        with self.assertRaises(AccessError):
            self.ticket_billing.with_user(self.user_agent_2).read(["name"])
        # a new queue with the agent as member, an archived one still counts
        queue = self.env["ticket.queue"].create(
            {"name": "Neu", "member_ids": [Command.set(self.user_agent_2.ids)]}
        )
        self.ticket_billing.queue_id = queue
        self.assertEqual(Ticket.search([("id", "in", tickets.ids)]), tickets)
        queue.active = False
        self.assertEqual(Ticket.search([("id", "in", tickets.ids)]), tickets)
        # the support queue loses all its members
        self.queue_support.write({"member_ids": [Command.clear()]})
        self.assertEqual(
            Ticket.search([("id", "in", tickets.ids)]), self.ticket_billing
        )

    def test_rule_is_index_friendly(self):
        """The agents' rule names the queues by id and asks owners and
        followers by correlated EXISTS (one index probe per row), not by
        subqueries PostgreSQL hashes in full for every search (which one
        it takes is its cost choice: bench/scale shows it at size)."""
        query = (
            self.env["ticket.ticket"]
            .with_user(self.user_agent)
            ._search([("number", "=", self.ticket_support.number)])
        )
        sql = query.select()
        self.assertIn('EXISTS (SELECT 1 FROM "ticket_owner"', sql.code)
        self.assertIn('EXISTS (SELECT 1 FROM "mail_followers"', sql.code)
        self.assertNotIn("ticket_queue_member_rel", sql.code)
        self.assertEqual(
            self.env["ticket.ticket"].with_user(self.user_agent).browse(query),
            self.ticket_support,
        )

    @mute_logger("odoo.addons.base.models.ir_rule", "odoo.models")
    def test_assigned_ticket_visible(self):
        foreign = self.ticket_billing.with_user(self.user_agent)
        with self.assertRaises(AccessError):
            foreign.read(["name"])
        self.ticket_billing.user_id = self.user_agent
        foreign.invalidate_recordset()
        self.assertEqual(foreign.name, "Wrong amount on invoice")
        foreign.write({"priority": "1"})
        self.assertEqual(self.ticket_billing.priority, "1")
        self.assertIn(
            self.ticket_billing,
            self.env["ticket.ticket"]
            .with_user(self.user_agent)
            .search([("user_id", "=", self.user_agent.id)]),
        )

    @mute_logger("odoo.addons.base.models.ir_rule", "odoo.models")
    def test_owned_ticket_visible(self):
        foreign = self.ticket_billing.with_user(self.user_agent)
        with self.assertRaises(AccessError):
            foreign.read(["name"])
        self.ticket_billing.owner_ids = [
            Command.create(
                {
                    "user_id": self.user_agent.id,
                    "role_id": self.env.ref("ticket_system.ticket_role_consulted").id,
                }
            )
        ]
        foreign.invalidate_recordset()
        self.assertEqual(foreign.name, "Wrong amount on invoice")
        self.assertEqual(foreign.owner_ids.user_id, self.user_agent)

    @mute_logger("odoo.addons.base.models.ir_rule", "odoo.models")
    def test_followed_ticket_visible(self):
        foreign = self.ticket_billing.with_user(self.user_agent)
        with self.assertRaises(AccessError):
            foreign.read(["name"])
        self.ticket_billing.message_subscribe(
            partner_ids=self.user_agent.partner_id.ids
        )
        foreign.invalidate_recordset()
        self.assertEqual(foreign.name, "Wrong amount on invoice")
        found = (
            self.env["ticket.ticket"]
            .with_user(self.user_agent)
            .search([("id", "=", self.ticket_billing.id)])
        )
        self.assertEqual(found, self.ticket_billing)
        # unfollowing hides it again
        self.ticket_billing.message_unsubscribe(
            partner_ids=self.user_agent.partner_id.ids
        )
        foreign.invalidate_recordset()
        with self.assertRaises(AccessError):
            foreign.read(["name"])

    @users("ticket_agent")
    @mute_logger("odoo.addons.base.models.ir_rule", "odoo.models")
    def test_agent_cannot_make_himself_owner_of_foreign_ticket(self):
        """Owning grants access: adding owners needs write access to the ticket."""
        with self.assertRaises(AccessError):
            self.env["ticket.owner"].create(
                {"ticket_id": self.ticket_billing.id, "user_id": self.user_agent.id}
            )
        own_line = self.env["ticket.owner"].create(
            {"ticket_id": self.ticket_support.id, "user_id": self.user_agent_2.id}
        )
        with self.assertRaises(AccessError):
            own_line.ticket_id = self.ticket_billing
        with self.assertRaises(AccessError):
            self.ticket_billing.with_user(self.user_agent).read(["name"])
        # a ticket the agent creates in a queue of others is theirs to staff
        created = self.env["ticket.ticket"].create(
            {
                "name": "Für die Buchhaltung",
                "queue_id": self.queue_billing.id,
                "owner_ids": [
                    Command.create({"user_id": self.user_agent.id}),
                    Command.create({"user_id": self.user_agent_2.id}),
                ],
            }
        )
        self.assertEqual(created.owner_ids.user_id, self.user_agent | self.user_agent_2)
        self.assertEqual(
            self.env["ticket.ticket"]
            .create({"name": "Noch eins", "queue_id": self.queue_billing.id})
            .owner_ids.user_id,
            self.user_agent,
        )

    @users("ticket_agent")
    def test_agent_creates_and_works_tickets(self):
        ticket = self.env["ticket.ticket"].create(
            {
                "name": "Phone call",
                "queue_id": self.queue_support.id,
                "channel": "phone",
            }
        )
        ticket.write({"stage_id": self.stage_in_progress.id, "user_id": self.env.uid})
        ticket.action_assign_to_me()
        self.assertEqual(ticket.user_id, self.env.user)
        ticket.message_post(body="Called back", message_type="comment")
        # agents may add tags, not delete them
        tag = self.env["ticket.tag"].create({"name": "Called back (test)"})
        ticket.tag_ids = tag
        with self.assertRaises(AccessError):
            tag.unlink()

    @users("ticket_agent")
    @mute_logger("odoo.addons.base.models.ir_model", "odoo.models")
    def test_agent_cannot_unlink_tickets(self):
        ticket = self.env["ticket.ticket"].create(
            {"name": "Created by me", "queue_id": self.queue_support.id}
        )
        with self.assertRaises(AccessError):
            ticket.unlink()
        with self.assertRaises(AccessError):
            self.ticket_support.with_user(self.env.user).unlink()
        self.assertTrue(ticket.exists())

    @users("ticket_agent")
    @mute_logger("odoo.addons.base.models.ir_model", "odoo.models")
    def test_agent_cannot_configure(self):
        queue = self.queue_support.with_user(self.env.user)
        self.assertEqual(queue.name, "Test Support")  # read is fine
        stage = self.stage_new.with_user(self.env.user)
        self.assertEqual(stage.name, self.stage_new.name)
        with self.assertRaises(AccessError):
            queue.write({"name": "Hijacked"})
        with self.assertRaises(AccessError):
            queue.write({"member_ids": [Command.link(self.user_agent_2.id)]})
        with self.assertRaises(AccessError):
            self.env["ticket.queue"].create({"name": "My own queue"})
        with self.assertRaises(AccessError):
            queue.unlink()
        with self.assertRaises(AccessError):
            self.env["ticket.stage"].create({"name": "My status"})
        with self.assertRaises(AccessError):
            stage.write({"fold": True})
        with self.assertRaises(AccessError):
            self.env["ticket.type"].create({"name": "My type"})
        with self.assertRaises(AccessError):
            self.env["ticket.role"].create({"name": "My role"})

    @mute_logger("odoo.addons.base.models.ir_model", "odoo.models")
    def test_employee_without_group_no_access(self):
        with self.assertRaises(AccessError):
            self.ticket_support.with_user(self.user_employee).read(["name"])
        with self.assertRaises(AccessError):
            self.env["ticket.ticket"].with_user(self.user_employee).create(
                {"name": "No rights", "queue_id": self.queue_support.id}
            )


@tagged("post_install", "-at_install", "ticket_system")
class TestManagerAccess(TicketCommon):
    @users("ticket_manager")
    def test_manager_sees_all(self):
        mine = self.ticket_support | self.ticket_billing
        found = self.env["ticket.ticket"].search([("id", "in", mine.ids)])
        self.assertEqual(found, mine)
        self.assertEqual(
            self.ticket_billing.with_user(self.env.user).name, "Wrong amount on invoice"
        )
        # unlink is allowed to managers
        ticket = self.env["ticket.ticket"].create(
            {"name": "Spam", "queue_id": self.queue_billing.id}
        )
        ticket.unlink()
        self.assertFalse(ticket.exists())

    @users("ticket_manager")
    def test_manager_configures(self):
        queue = self.env["ticket.queue"].create(
            {
                "name": "Returns",
                "member_ids": [Command.set(self.user_agent.ids)],
                "reply_quote": "all",
            }
        )
        self.assertEqual(queue.company_id, self.env.company)
        queue.write(
            {"member_ids": [Command.link(self.user_agent_2.id)], "autoresponder": False}
        )
        self.assertEqual(queue.member_ids, self.user_agent | self.user_agent_2)
        ttype = self.env["ticket.type"].create({"name": "Return (test)"})
        stage = self.env["ticket.stage"].create(
            {"name": "Goods received", "type_ids": [Command.link(ttype.id)]}
        )
        self.assertEqual(ttype.stage_ids, stage)
        stage.write({"fold": True, "is_closed": True})
        self.env["ticket.tag"].create({"name": "VIP (test)"}).unlink()
        self.env["ticket.role"].create({"name": "Reviewer (test)"})
        stage.unlink()
        queue.unlink()


@tagged("post_install", "-at_install", "ticket_system")
class TestPortalAccess(TicketCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # a ticket on the company itself, one on a colleague, one of another customer
        cls.ticket_company = cls.env["ticket.ticket"].create(
            {
                "name": "Invoice copy",
                "queue_id": cls.queue_billing.id,
                "partner_id": cls.customer.id,
            }
        )

    @users("ticket_portal")
    @mute_logger("odoo.addons.base.models.ir_rule", "odoo.models")
    def test_portal_reads_own_company_tickets(self):
        Ticket = self.env["ticket.ticket"]
        candidates = (
            self.ticket_support
            | self.ticket_company
            | self.ticket_billing
            | self.ticket_b
        )
        found = Ticket.search([("id", "in", candidates.ids)])
        # a colleague's ticket and the company's ticket: same commercial partner
        self.assertEqual(found, self.ticket_support | self.ticket_company)
        for ticket in found:
            values = ticket.read(["number", "name", "stage_id"])[0]
            self.assertEqual(values["number"], ticket.sudo().number)
        with self.assertRaises(AccessError):
            self.ticket_billing.with_user(self.env.user).read(["name"])
        with self.assertRaises(AccessError):
            self.ticket_b.with_user(self.env.user).read(["name"])

    @users("ticket_portal")
    @mute_logger("odoo.addons.base.models.ir_model", "odoo.models")
    def test_portal_cannot_write(self):
        ticket = self.ticket_support.with_user(self.env.user)
        with self.assertRaises(AccessError):
            ticket.write({"name": "Changed by portal"})
        with self.assertRaises(AccessError):
            ticket.unlink()
        with self.assertRaises(AccessError):
            self.env["ticket.ticket"].create(
                {"name": "Portal ticket", "partner_id": self.customer_portal_contact.id}
            )
        self.assertEqual(self.ticket_support.sudo().name, "Parcel did not arrive")

    @mute_logger("odoo.addons.base.models.ir_rule", "odoo.models")
    def test_portal_other_customer(self):
        """A portal user of another customer sees none of these tickets."""
        other_portal = self.env["res.users"].create(
            {
                "name": "Otto Other",
                "login": "ticket_portal_other",
                "email": "otto@andere-handel.example.com",
                "groups_id": [Command.set(self.env.ref("base.group_portal").ids)],
                "parent_id": self.customer_2.id,
            }
        )
        self.assertEqual(other_portal.partner_id.commercial_partner_id, self.customer_2)
        Ticket = self.env["ticket.ticket"].with_user(other_portal)
        candidates = self.ticket_support | self.ticket_company | self.ticket_billing
        self.assertEqual(
            Ticket.search([("id", "in", candidates.ids)]), self.ticket_billing
        )
        with self.assertRaises(AccessError):
            self.ticket_support.with_user(other_portal).read(["name"])
