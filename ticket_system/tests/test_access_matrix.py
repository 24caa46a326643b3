"""Item 7 of the hardening issue, path by path.

Rows: the ways the web client, RPC and related models reach a ticket or what
hangs on it. Columns: a ticket of another queue of the agent's company (not
assigned, not followed), and a ticket of another company. Every cell is a
test below; test_access_rights / test_access_paths / test_multicompany /
test_portal hold the basic read/write/search cases.

=========================  ==================  =====================
path                       other queue         other company
=========================  ==================  =====================
web_read / web_search_read test_web_client     test_web_client
web_read_group, read_group test_web_client     test_web_client
name_search, _search       test_web_client     test_web_client
export_data                test_web_client     test_web_client
search through relations   test_related        test_related
res.partner tickets/count  test_related        test_related
account.move tickets       test_related        test_related
linking a document         (customer check)    test_company_b_document_cannot_be_linked
mail.message, ir.attach.   test_chatter        test_chatter
mail.activity, followers   test_chatter        test_chatter
follow oneself, post       test_chatter        test_chatter
time entries               test_time_sla       test_time_sla
SLA policies               (config, read)      test_time_sla
dashboard figures          test_dashboard      test_dashboard
reports, reply documents   test_reports        test_reports
bus presence channel       TestPresenceChannel (real websocket)
edit presence rows         test_presence       test_presence
failed mail, quarantine,   test_manager_only   test_company_manager
  health, configuration
=========================  ==================  =====================
"""

import base64
import json

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged, users
from odoo.tools import mute_logger

from odoo.addons.bus.tests.common import WebsocketCase
from odoo.addons.mail.tests.common import mail_new_test_user

from ..models.ticket_edit_collision_mixin import (
    EDIT_BUS_SUBCHANNEL,
    EDIT_BUS_TYPE,
    EDIT_CHANNEL_PREFIX,
)
from .common import TicketCommon

MUTE = ("odoo.addons.base.models.ir_rule", "odoo.models", "odoo.models.unlink")


@tagged("post_install", "-at_install", "ticket_system")
class TestAccessMatrix(TicketCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.own = cls.ticket_support
        cls.other_queue = cls.ticket_billing
        cls.other_company = cls.ticket_b
        cls.foreign = cls.other_queue | cls.other_company
        cls.every = cls.own | cls.foreign
        cls.notes = {}
        cls.attachments = {}
        cls.activities = {}
        for ticket, owner in (
            (cls.own, cls.user_agent),
            (cls.other_queue, cls.user_agent_2),
            (cls.other_company, cls.user_agent_b),
        ):
            attachment = cls.env["ir.attachment"].create(
                {
                    "name": f"intern-{ticket.id}.txt",
                    "datas": base64.b64encode(b"vertraulich"),
                    "res_model": "ticket.ticket",
                    "res_id": ticket.id,
                }
            )
            cls.attachments[ticket] = attachment
            cls.notes[ticket] = ticket.message_post(
                body=f"Notiz {ticket.id}",
                message_type="comment",
                subtype_xmlid="mail.mt_note",
                attachment_ids=attachment.ids,
            )
            cls.activities[ticket] = ticket.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=f"Rückruf {ticket.id}",
                user_id=owner.id,
            )
            ticket.message_subscribe(partner_ids=ticket.partner_id.ids)
            cls.env["ticket.time.entry"].create(
                {
                    "ticket_id": ticket.id,
                    "user_id": owner.id,
                    "hours": 1.5,
                    "name": f"Zeit {ticket.id}",
                }
            )

    def _assert_no_foreign(self, records_or_ids, msg=None):
        ids = set(getattr(records_or_ids, "ids", records_or_ids))
        self.assertFalse(ids & set(self.foreign.ids), msg)

    # ---- the web client's reads ----

    @users("ticket_agent")
    @mute_logger(*MUTE)
    def test_web_client(self):
        Ticket = self.env["ticket.ticket"]
        domain = [("id", "in", self.every.ids)]
        found = Ticket.web_search_read(domain, {"name": {}, "number": {}})
        self.assertEqual([row["id"] for row in found["records"]], self.own.ids)
        self.assertEqual(found["length"], 1)
        groups = Ticket.web_read_group(domain, ["queue_id"], ["queue_id"])
        self.assertEqual(groups["length"], 1)
        self.assertEqual(
            [group["queue_id"][0] for group in groups["groups"]], self.queue_support.ids
        )
        # grouped by status every status shows (group_expand): still one ticket
        groups = Ticket.web_read_group(domain, ["stage_id"], ["stage_id"])
        self.assertEqual(sum(group["stage_id_count"] for group in groups["groups"]), 1)
        groups = Ticket.read_group(
            domain, ["partner_id"], ["partner_id", "company_id"], lazy=False
        )
        self.assertEqual([group["__count"] for group in groups], [1])
        for foreign in self.foreign:
            with self.subTest(ticket=foreign.name):
                with self.assertRaises(AccessError):
                    Ticket.browse(foreign.id).web_read({"name": {}})
                self._assert_no_foreign(
                    [row[0] for row in Ticket.name_search(foreign.number)]
                )
                self._assert_no_foreign(
                    Ticket.search([("number", "=", foreign.number)])
                )
                self._assert_no_foreign(
                    Ticket.search([("name", "ilike", foreign.name)])
                )
        self.env.user.sudo().groups_id = [
            Command.link(self.env.ref("base.group_allow_export").id)
        ]
        for foreign in self.foreign:
            with self.subTest(export=foreign.name), self.assertRaises(AccessError):
                Ticket.browse(foreign.id).export_data(["name", "partner_id/email"])

    @users("ticket_agent")
    @mute_logger(*MUTE)
    def test_related(self):
        """Other models reach tickets through their fields: searching through
        a relation, a customer's ticket list and count, an invoice's
        tickets (its smart button)."""
        Partner = self.env["res.partner"]
        for foreign in self.foreign:
            with self.subTest(ticket=foreign.name):
                self.assertFalse(
                    Partner.search([("ticket_ids.number", "=", foreign.number)])
                )
                self.assertFalse(
                    self.env["ticket.time.entry"].search(
                        [("ticket_id.number", "=", foreign.number)]
                    )
                )
        # one customer with a ticket in every queue and company
        customer = self.customer_contact
        self.foreign.sudo().partner_id = customer
        customer = customer.with_env(self.env)
        self.assertEqual(customer.ticket_ids, self.own)
        self.assertEqual(customer.commercial_partner_id.ticket_all_ids, self.own)
        self.assertEqual(customer.commercial_partner_id.ticket_count, 1)
        action = customer.action_view_tickets()
        self.assertEqual(
            self.env["ticket.ticket"].search(action["domain"]) & self.every, self.own
        )
        # an invoice linked to the tickets of both queues (a company-B ticket
        # takes no company-A invoice): its button shows what the agent sees
        invoice = self._create_invoice(self.customer)
        (self.own | self.other_queue).sudo().invoice_ids = [Command.link(invoice.id)]
        self.env.user.sudo().groups_id = [
            Command.link(self.env.ref("account.group_account_invoice").id)
        ]
        invoice = invoice.with_env(self.env)
        self.assertEqual(invoice.ticket_ids, self.own)
        self.assertEqual(invoice.ticket_count, 1)
        self.assertEqual(
            self.env["ticket.ticket"].search(invoice.action_view_tickets()["domain"])
            & self.every,
            self.own,
        )

    # ---- what hangs on a ticket ----

    @users("ticket_agent")
    @mute_logger(*MUTE)
    def test_followers_of_archived_own_ticket(self):
        """An archived ticket of the agent's queue is still his to read, and
        so are its followers."""
        self.own.sudo().active = False
        followers = self.own.sudo().message_follower_ids
        self.assertTrue(followers)
        self.assertEqual(
            self.env["mail.followers"].search(
                [("res_model", "=", "ticket.ticket"), ("res_id", "=", self.own.id)]
            ),
            followers,
        )

    @users("ticket_agent")
    @mute_logger(*MUTE)
    def test_chatter(self):
        Message = self.env["mail.message"]
        Attachment = self.env["ir.attachment"]
        Activity = self.env["mail.activity"]
        Followers = self.env["mail.followers"]
        thread = [("res_id", "in", self.every.ids)]
        messages = Message.search([("model", "=", "ticket.ticket"), *thread])
        self.assertIn(self.notes[self.own], messages)
        self.assertEqual(set(messages.mapped("res_id")), set(self.own.ids))
        self.assertEqual(
            Attachment.search([("res_model", "=", "ticket.ticket"), *thread]),
            self.attachments[self.own],
        )
        self.assertEqual(
            Activity.search([("res_model", "=", "ticket.ticket"), *thread]),
            self.activities[self.own],
        )
        self.assertEqual(
            set(
                Followers.search([("res_model", "=", "ticket.ticket"), *thread]).mapped(
                    "res_id"
                )
            ),
            set(self.own.ids),
        )
        self.assertEqual(
            set(self.own.with_env(self.env).message_follower_ids.mapped("res_id")),
            set(self.own.ids),
        )
        for foreign in self.foreign:
            with self.subTest(ticket=foreign.name):
                with self.assertRaises(AccessError):
                    Message.browse(self.notes[foreign].id).read(["body"])
                with self.assertRaises(AccessError):
                    Attachment.browse(self.attachments[foreign].id).read(["datas"])
                with self.assertRaises(AccessError):
                    Activity.browse(self.activities[foreign].id).read(["summary"])
                followers = foreign.sudo().message_follower_ids
                self.assertTrue(followers)
                with self.assertRaises(AccessError):
                    Followers.browse(followers.ids).read(["partner_id"])
                self.assertFalse(
                    Followers.search_count(
                        [
                            ("res_model", "=", "ticket.ticket"),
                            ("res_id", "=", foreign.id),
                        ]
                    )
                )
                ticket = foreign.with_env(self.env)
                # following a ticket makes it visible: nobody follows by himself
                self.assertFalse(
                    ticket.message_subscribe(partner_ids=self.env.user.partner_id.ids)
                )
                self.assertNotIn(
                    self.env.user.partner_id, foreign.sudo().message_partner_ids
                )
                with self.assertRaises(AccessError):
                    ticket.message_subscribe(partner_ids=self.customer_3.ids)
                with self.assertRaises(AccessError):
                    ticket.activity_schedule(
                        "mail.mail_activity_data_todo", user_id=self.env.uid
                    )
                with self.assertRaises(AccessError):
                    Attachment.create(
                        {
                            "name": "x.txt",
                            "res_model": "ticket.ticket",
                            "res_id": foreign.id,
                        }
                    )

    @users("ticket_agent")
    @mute_logger(*MUTE)
    def test_time_sla(self):
        Entry = self.env["ticket.time.entry"]
        entries = Entry.search([("ticket_id", "in", self.every.ids)])
        self.assertEqual(entries.ticket_id, self.own)
        groups = Entry.read_group(
            [("ticket_id", "in", self.every.ids)], ["hours:sum"], ["ticket_id"]
        )
        self.assertEqual([group["hours"] for group in groups], [1.5])
        for foreign in self.foreign:
            with self.subTest(ticket=foreign.name), self.assertRaises(AccessError):
                Entry.create({"ticket_id": foreign.id, "hours": 1.0})
        # SLA policies: those of the agent's company only
        policy_b = (
            self.env["ticket.sla.policy"]
            .sudo()
            .create(
                {
                    "name": "SLA B",
                    "queue_id": self.queue_b.id,
                    "response_hours": 4,
                }
            )
        )
        self.assertNotIn(
            policy_b, self.env["ticket.sla.policy"].search([("name", "=", "SLA B")])
        )
        with self.assertRaises(AccessError):
            policy_b.with_env(self.env).read(["name"])

    @users("ticket_agent")
    def test_dashboard(self):
        """The statistics count what the agent may see: no other queue's or
        company's ticket among the open ones."""
        data = self.env["ticket.ticket"].get_dashboard_data()
        queues = {row["id"] for row in data["open"]["by_queue"]}
        self.assertIn(self.queue_support.id, queues)
        self.assertFalse(queues & {self.queue_billing.id, self.queue_b.id})
        self.assertEqual(
            data["open"]["count"],
            self.env["ticket.ticket"].search_count([("is_closed", "=", False)]),
        )

    @users("ticket_agent")
    @mute_logger(*MUTE)
    def test_reports(self):
        """Every QWeb report on tickets, and the PDFs of documents linked to
        a ticket (reply with documents), refuse a ticket out of reach."""
        reports = (
            self.env["ir.actions.report"]
            .sudo()
            .search([("model", "=", "ticket.ticket")])
        )
        for report in reports:
            for foreign in self.foreign:
                with (
                    self.subTest(report=report.report_name),
                    self.assertRaises(AccessError),
                ):
                    self.env["ir.actions.report"]._render_qweb_html(
                        report.report_name, foreign.ids
                    )
        # a document linked to the ticket of the other queue (company B has no
        # invoicing set up: its ticket is refused before any document)
        self.other_queue.invoice_ids = [
            Command.link(self._create_invoice(self.other_queue.partner_id).id)
        ]
        for foreign in self.foreign:
            with self.subTest(ticket=foreign.name), self.assertRaises(AccessError):
                foreign.with_env(self.env).action_reply_with_documents()

    @users("ticket_agent")
    @mute_logger(*MUTE)
    def test_presence(self):
        """The form's presence channel and rows of a ticket out of reach."""
        for foreign in self.foreign:
            with self.subTest(ticket=foreign.name), self.assertRaises(AccessError):
                foreign.with_env(self.env).edit_presence_update("viewing")
        self.own.with_env(self.env).edit_presence_update("viewing")
        with self.assertRaises(AccessError):
            self.env["ticket.edit.presence"].search([])

    @users("ticket_agent")
    @mute_logger(*MUTE)
    def test_manager_only(self):
        """Failed mails, the quarantine, the mail health and the setup are
        a manager's: no read, search, read_group or name_search."""
        for model in (
            "ticket.mail.failure",
            "ticket.mail.quarantine",
            "ticket.mail.health",
            "fetchmail.server",
        ):
            Model = self.env[model]
            with self.subTest(model=model):
                with self.assertRaises(AccessError):
                    Model.search([])
                with self.assertRaises(AccessError):
                    Model.read_group([], ["id:count"], [])
                with self.assertRaises(AccessError):
                    Model.name_search("a")
        for model in ("ticket.queue", "ticket.stage", "ticket.sla.policy"):
            with self.subTest(model=model):
                with self.assertRaises(AccessError):
                    self.env[model].create({"name": "Neu"})
                with self.assertRaises(AccessError):
                    self.env[model].search([], limit=1).write({"sequence": 99})


@tagged("post_install", "-at_install", "ticket_system")
class TestAccessMatrixCompany(TicketCommon):
    """Company B's records stay out of reach of company A's manager and of
    company B's agent through A's paths the other way round."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Failure = cls.env["ticket.mail.failure"]
        Quarantine = cls.env["ticket.mail.quarantine"]
        cls.failure_b = Failure.create(
            {
                "message_hash": "matrix-b",
                "subject": "Fehler B",
                "company_id": cls.company_b.id,
                "queue_id": cls.queue_b.id,
            }
        )
        cls.quarantine_b = Quarantine.create(
            {
                "message_hash": "matrix-qb",
                "kind": "bounce",
                "subject": "Quarantäne B",
                "company_id": cls.company_b.id,
            }
        )
        cls.partner_b = cls.env["res.partner"].create(
            {"name": "Nur Firma B", "company_id": cls.company_b.id}
        )
        cls.ticket_b.partner_id = cls.partner_b
        cls.note_b = cls.ticket_b.message_post(
            body="Notiz B", message_type="comment", subtype_xmlid="mail.mt_note"
        )

    @users("ticket_manager")
    @mute_logger(*MUTE)
    def test_company_manager(self):
        ticket_b = self.ticket_b.with_env(self.env)
        Ticket = self.env["ticket.ticket"]
        self.assertFalse(Ticket.search([("id", "=", ticket_b.id)]))
        self.assertFalse(
            Ticket.web_search_read([("id", "=", ticket_b.id)], {"name": {}})["length"]
        )
        self.assertFalse(
            Ticket.web_read_group(
                [("id", "=", ticket_b.id)], ["queue_id"], ["queue_id"]
            )["length"]
        )
        self.assertNotIn(
            ticket_b.id, [row[0] for row in Ticket.name_search(self.ticket_b.number)]
        )
        for record, fname in (
            (ticket_b, "name"),
            (self.queue_b.with_env(self.env), "name"),
            (self.failure_b.with_env(self.env), "subject"),
            (self.quarantine_b.with_env(self.env), "subject"),
            (self.partner_b.with_env(self.env), "name"),
            (self.note_b.with_env(self.env), "body"),
        ):
            with self.subTest(model=record._name), self.assertRaises(AccessError):
                record.read([fname])
        for model, fname, value in (
            ("ticket.mail.failure", "subject", "Fehler B"),
            ("ticket.mail.quarantine", "subject", "Quarantäne B"),
            ("ticket.queue", "name", "Test Support B"),
            ("res.partner", "name", "Nur Firma B"),
        ):
            with self.subTest(search=model):
                self.assertFalse(self.env[model].search([(fname, "=", value)]))
        data = Ticket.get_dashboard_data()
        self.assertNotIn(
            self.queue_b.id, {row["id"] for row in data["open"]["by_queue"]}
        )
        with self.assertRaises(AccessError):
            ticket_b.edit_presence_update("viewing")

    @users("ticket_agent")
    @mute_logger(*MUTE)
    def test_company_b_document_cannot_be_linked(self):
        """An invoice of company B linked to a ticket of company A would be
        printed (as superuser) into a reply: no link across companies."""
        journal = (
            self.env["account.journal"]
            .sudo()
            .create(
                {
                    "name": "Verkauf B",
                    "code": "VKB",
                    "type": "sale",
                    "company_id": self.company_b.id,
                }
            )
        )
        invoice_b = self._create_invoice(self.customer_contact, self.company_b)
        self.assertEqual(invoice_b.journal_id, journal)
        ticket = self.ticket_support.with_env(self.env)
        with self.assertRaises(UserError):
            ticket.write({"invoice_ids": [Command.link(invoice_b.id)]})
        self.assertFalse(self.ticket_support.invoice_ids)

    @users("ticket_agent_b")
    @mute_logger(*MUTE)
    def test_company_b_agent(self):
        """Company B's agent, even assigned to or following a ticket of
        company A, does not reach it: the company rule wins."""
        self.ticket_support.sudo().with_context(
            mail_notrack=True
        ).user_id = self.env.user
        self.ticket_support.sudo().message_subscribe(
            partner_ids=self.env.user.partner_id.ids
        )
        ticket_a = self.ticket_support.with_env(self.env)
        with self.assertRaises(AccessError):
            ticket_a.read(["name"])
        self.assertFalse(self.env["ticket.ticket"].search([("id", "=", ticket_a.id)]))
        found = self.env["mail.message"].search(
            [("model", "=", "ticket.ticket"), ("res_id", "=", ticket_a.id)]
        )
        # only the "you have been assigned" notification addressed to them
        self.assertEqual(found.message_type, "user_notification")
        self.assertEqual(found.partner_ids, self.env.user.partner_id)
        self.assertEqual(
            self.env["ticket.ticket"].search([("id", "=", self.ticket_b.id)]),
            self.ticket_b,
        )


@tagged("post_install", "-at_install", "ticket_system")
class TestPresenceChannel(WebsocketCase):
    """Who has a ticket open goes out on the ticket's bus channel: an agent's
    browser that asks for the channel of a ticket out of reach (another
    queue, another company) over a real websocket gets nothing of it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company_b = cls.env["res.company"].create({"name": "Presence B GmbH"})
        cls.agent = mail_new_test_user(
            cls.env,
            login="presence_agent",
            groups="ticket_system.group_ticket_user",
        )
        Queue = cls.env["ticket.queue"]
        own_queue = Queue.create(
            {"name": "Presence Eigene", "member_ids": [Command.set(cls.agent.ids)]}
        )
        other_queue = Queue.create({"name": "Presence Andere"})
        queue_b = Queue.create({"name": "Presence B", "company_id": company_b.id})
        Ticket = cls.env["ticket.ticket"]
        cls.own = Ticket.create({"name": "Offen bei mir", "queue_id": own_queue.id})
        cls.foreign = Ticket.create(
            [
                {"name": "Andere Queue", "queue_id": other_queue.id},
                {
                    "name": "Andere Firma",
                    "queue_id": queue_b.id,
                    "company_id": company_b.id,
                },
            ]
        )

    def test_foreign_presence_channel_is_not_granted(self):
        session = self.authenticate("presence_agent", "presence_agent")
        websocket = self.websocket_connect(cookie=f"session_id={session.sid}")
        tickets = self.foreign | self.own
        self.subscribe(
            websocket,
            [f"{EDIT_CHANNEL_PREFIX}{ticket.id}" for ticket in tickets],
            self.env["bus.bus"]._bus_last_id(),
        )
        # a colleague opens each ticket: the foreign ones first
        for ticket in tickets:
            ticket._bus_send(
                EDIT_BUS_TYPE,
                {"ticket_id": ticket.id, "state": "viewing"},
                subchannel=EDIT_BUS_SUBCHANNEL,
            )
        self.trigger_notification_dispatching(
            [(ticket, EDIT_BUS_SUBCHANNEL) for ticket in tickets]
        )
        notifications = json.loads(websocket.recv())
        self.assertEqual(
            [
                note["message"]["payload"]["ticket_id"]
                for note in notifications
                if note["message"]["type"] == EDIT_BUS_TYPE
            ],
            self.own.ids,
        )
