"""No mailer at volume (issue 13 item 9): confirmations and contact-form
submissions have an hourly cap in all, besides the limits per address; the
contact form's IP is erased after a few hours; a ticket number is no key."""

import threading
import uuid
from datetime import timedelta

from odoo import SUPERUSER_ID, api, fields
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, JsonRpcException, get_db_name, tagged
from odoo.tools import SQL, mute_logger

from ..models.ticket_mail_volume import (
    PARAM_FORM_EMAIL,
    PARAM_FORM_IP,
    PARAM_FORM_TOTAL,
    PARAM_IP_HOURS,
    PARAM_SENDER,
    PARAM_TOTAL,
)
from .common_committed import CommittedCase
from .common_mail import MAIL_TEMPLATE, TicketMailCommon
from .test_contact_form import ContactFormCase

VOLUME_LOGGER = "odoo.addons.ticket_system.models.mail_thread"


def _plan(cr, query):
    """PostgreSQL's plan of ``query`` when it may use any index: a
    sequential scan in it means no index serves the query."""
    cr.execute("SAVEPOINT explain_plan")
    try:
        cr.execute("SET LOCAL enable_seqscan = off")
        cr.execute(SQL("EXPLAIN %s", query))
        return "\n".join(row[0] for row in cr.fetchall())
    finally:
        cr.execute("ROLLBACK TO SAVEPOINT explain_plan")


@tagged("post_install", "-at_install", "mail_gateway")
class TestConfirmationVolume(TicketMailCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.params = cls.env["ir.config_parameter"].sudo()
        cls.params.set_param(PARAM_SENDER, 5)
        cls.params.set_param(PARAM_TOTAL, 3)
        cls.manager = cls._create_manager("volume_manager", "Volker Volumen")

    def _confirmations(self):
        return self._new_mails.filtered(lambda m: "auto-replied" in (m.headers or ""))

    def _flood(self, count, prefix="forged"):
        """``count`` mails from as many different (forged) senders."""
        tickets = self.env["ticket.ticket"]
        for n in range(count):
            tickets |= self._receive(
                f"{prefix}{n}@opfer{n}.example",
                f"Bestellung {prefix} {n}",
                msg_id=f"<{prefix}-{n}-{uuid.uuid4().hex}@forged.example>",
            )
        return tickets

    def test_cap_suppresses_confirmations_but_opens_tickets(self):
        """Mass mail with 5 forged senders, cap 3: 5 tickets, 3 confirmations;
        the other two are noted on their ticket and logged."""
        with (
            self.mock_mail_gateway(),
            self.assertLogs(VOLUME_LOGGER, "WARNING") as logs,
        ):
            tickets = self._flood(5)
        self.assertEqual(len(tickets), 5, "nothing lost")
        self.assertEqual(len(self._confirmations()), 3)
        sent, suppressed = tickets[:3], tickets[3:]
        self.assertTrue(all(sent.mapped("autoresponse_date")))
        self.assertEqual(sent.mapped("autoresponse_suppressed"), [False] * 3)
        self.assertEqual(suppressed.mapped("autoresponse_suppressed"), ["volume"] * 2)
        self.assertFalse(any(suppressed.mapped("autoresponse_date")))
        for ticket in suppressed:
            note = ticket.message_ids.filtered(
                lambda m: "hourly cap" in str(m.body or "")
            )
            self.assertEqual(len(note), 1, "a note on the ticket says why")
            self.assertTrue(note.subtype_id.internal, "for the agents only")
            self.assertIn(ticket.partner_email, str(note.body))
        self.assertEqual(len(logs.records), 2)
        self.assertIn("hourly cap", logs.output[0])
        self.assertIn(suppressed[0].number, logs.output[0])

    def test_cap_zero_means_no_cap(self):
        self.params.set_param(PARAM_TOTAL, 0)
        with self.mock_mail_gateway():
            self._flood(5)
        self.assertEqual(len(self._confirmations()), 5)

    def test_cap_counts_the_last_hour_only(self):
        with self.mock_mail_gateway(), mute_logger(VOLUME_LOGGER):
            earlier = self._flood(3, prefix="earlier")
        self.assertEqual(len(self._confirmations()), 3)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE ticket_ticket SET autoresponse_date = %s WHERE id IN %s",
            [fields.Datetime.now() - timedelta(minutes=61), tuple(earlier.ids)],
        )
        self.env.invalidate_all()
        with self.mock_mail_gateway():
            ticket = self._flood(1, prefix="later")
        self.assertEqual(len(self._confirmations()), 1)
        self.assertTrue(ticket.autoresponse_date)

    def test_sender_limit_is_noted_on_the_ticket(self):
        self.params.set_param(PARAM_SENDER, 1)
        self.params.set_param(PARAM_TOTAL, 0)
        with self.mock_mail_gateway(), mute_logger(VOLUME_LOGGER):
            first = self._receive("pingpong@robot.example", "Abwesend 1")
            second = self._receive("pingpong@robot.example", "Abwesend 2")
        self.assertEqual(len(self._confirmations()), 1)
        self.assertFalse(first.autoresponse_suppressed)
        self.assertEqual(second.autoresponse_suppressed, "sender")
        self.assertTrue(
            second.message_ids.filtered(
                lambda m: "pingpong@robot.example" in str(m.body or "")
                and m.subtype_id.internal
            )
        )

    def test_fetch_counts_on_the_mail_health_view(self):
        """Fetched mail over the cap: counted on its mailbox's health line
        (suppressed, of which over the cap); the manager's button lists the
        tickets without confirmation, from any path."""
        server = self._create_mailbox("volume@shop.example", self.queue)
        stats = {"fetched": 0, "failed": 0, "suppressed": 0}
        Thread = self.env["mail.thread"].with_context(
            fetchmail_cron_running=True,
            default_fetchmail_server_id=server.id,
            ticket_fetch_stats=stats,
        )
        with self.mock_mail_gateway(), mute_logger(VOLUME_LOGGER):
            for n in range(5):
                sender = f"forged{n}@opfer{n}.example"
                Thread.message_process(
                    "ticket.ticket",
                    MAIL_TEMPLATE.format(
                        return_path=sender,
                        to="volume@shop.example",
                        cc="",
                        email_from=sender,
                        subject=f"Gefälscht {n}",
                        msg_id=f"<volume-fetch-{n}@forged.example>",
                        extra="",
                    ),
                )
            # and one to the queue's address (no mailbox)
            by_alias = self._flood(1, prefix="alias")
        server._ticket_keep_stats(stats, False)
        self.assertEqual(stats, {"fetched": 5, "failed": 0, "suppressed": 2})
        self.env.flush_all()
        self.env.invalidate_all()
        health = (
            self.env["ticket.mail.health"]
            .with_user(self.manager)
            .search([("id", "=", server.id)])
        )
        self.assertEqual(health.suppressed_today, 2)
        self.assertEqual(health.capped_today, 2)
        action = health.action_open_suppressed_confirmations()
        listed = (
            self.env["ticket.ticket"]
            .with_user(self.manager)
            .with_context(**action["context"])
            .search(action["domain"])
        )
        fetched = self.env["ticket.ticket"].search(
            [("fetchmail_server_id", "=", server.id)]
        )
        self.assertEqual(len(fetched), 5)
        self.assertEqual(
            listed,
            fetched.filtered("autoresponse_suppressed") | by_alias,
            "from mailboxes and queue addresses alike",
        )

    def test_counting_uses_indexes(self):
        """Runs for every incoming mail: one query, index scans only (no
        sequential scan over ticket_ticket, however large it grows)."""
        ticket = self._flood(1, prefix="plan")
        self.env.flush_all()
        self.env.cr.execute("SELECT 1")  # the last query is the count below
        ticket._autoresponse_limit_reached("plan0@opfer0.example")
        query = self.env.cr._obj.query.decode()
        self.assertIn("autoresponse_date >=", query)
        plan = _plan(self.env.cr, SQL(query))
        self.assertNotIn("Seq Scan", plan)
        self.assertIn("ticket_ticket__autoresponse_date_index", plan)
        # the address's tickets of the hour: by address and time, or the
        # hour's tickets by time (the test table is too small to tell)
        self.assertRegex(
            plan,
            "ticket_ticket_partner_email_recent_index|ticket_ticket__create_date_index",
        )
        # the contact form's counts (address, IP, all)
        Ticket = self.env["ticket.ticket"]
        form_query = Ticket._contact_form_count_query(
            {"email": ("a@kontakt.example", 5), "ip": ("203.0.113.9", 5)},
            100,
            fields.Datetime.now() - timedelta(hours=1),
        )
        plan = _plan(self.env.cr, form_query)
        self.assertNotIn("Seq Scan", plan)
        self.assertIn("ticket_ticket__create_date_index", plan)

    def test_settings_store_zero_as_no_limit(self):
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.ticket_autoresponse_limit_total, 3)
        settings.ticket_autoresponse_limit_total = 0
        settings.ticket_contact_form_ip_hours = 0
        settings.execute()
        self.assertEqual(self.params.get_param(PARAM_TOTAL), "0")
        self.assertEqual(self.params.get_param(PARAM_IP_HOURS), "1")
        self.assertEqual(
            self.env["res.config.settings"].create({}).ticket_autoresponse_limit_total,
            0,
        )
        with self.mock_mail_gateway():
            self._flood(5)
        self.assertEqual(len(self._confirmations()), 5)


@tagged("post_install", "-at_install", "ticket_system")
class TestContactFormVolume(ContactFormCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        params = cls.env["ir.config_parameter"].sudo()
        params.set_param(PARAM_FORM_IP, 0)
        params.set_param(PARAM_FORM_TOTAL, 2)

    @mute_logger("odoo.addons.ticket_system.models.ticket_mail_volume")
    def test_cap_refuses_with_a_clear_error_and_stores_nothing(self):
        for n in range(2):
            self._submit(subject=f"Anfrage {n}", email=f"besucher{n}@kontakt.example")
        self.assertEqual(len(self.Ticket.search([("name", "=like", "Anfrage _")])), 2)
        response = self._submit(subject="Anfrage 3", email="besucher3@kontakt.example")
        self.assertEqual(response.status_code, 200)
        self.assertIn("unusually large number of requests", response.text)
        self.assertFalse(self._tickets("Anfrage 3"))
        self.assertFalse(
            self.env["res.partner"].search([("email", "ilike", "besucher3")])
        )
        # in German too
        self.env["res.lang"]._activate_lang("de_DE")
        self.opener.cookies["frontend_lang"] = "de_DE"
        response = self._submit(subject="Anfrage 4", email="besucher4@kontakt.example")
        self.assertIn("ungewöhnlich viele Anfragen", response.text)
        self.assertFalse(self._tickets("Anfrage 4"))

    def test_cron_erases_old_ips_only(self):
        self.env["ir.config_parameter"].sudo().set_param(PARAM_FORM_TOTAL, 0)
        self._submit(subject="Alte Anfrage", email="alt@kontakt.example")
        self._submit(subject="Neue Anfrage", email="neu@kontakt.example")
        old, new = self._tickets("Alte Anfrage"), self._tickets("Neue Anfrage")
        self.assertEqual(old.submitter_ip, "127.0.0.1")
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE ticket_ticket SET create_date = %s WHERE id = %s",
            [fields.Datetime.now() - timedelta(hours=25), old.id],
        )
        self.env.invalidate_all()
        self.env.ref(
            "ticket_system.ir_cron_ticket_forget_submitter_ip"
        ).method_direct_trigger()
        self.assertFalse(old.submitter_ip, "erased after 24 hours")
        self.assertEqual(new.submitter_ip, "127.0.0.1", "kept for the rate limit")
        self.assertTrue(old.exists(), "the ticket stays")
        self.assertEqual(old.partner_email, "alt@kontakt.example")
        # a shorter retention, but never under the rate limit's hour
        self.env["ir.config_parameter"].sudo().set_param(PARAM_IP_HOURS, 0)
        self.env["ticket.ticket"]._cron_forget_submitter_ip()
        self.assertEqual(new.submitter_ip, "127.0.0.1")

    def test_ticket_number_opens_no_foreign_ticket(self):
        """A stranger who knows a ticket's number (and id) cannot post into
        it: neither through the contact form nor through the portal chatter."""
        self.env["ir.config_parameter"].sudo().set_param(PARAM_FORM_TOTAL, 0)
        ticket = self.Ticket.create(
            {
                "name": "Rechnung falsch",
                "queue_id": self.queue_public.id,
                "partner_id": self.customer.id,
            }
        )
        before = ticket.message_ids
        subject = f"Re: [{ticket.number}] Rechnung falsch"
        self._submit(subject=subject, email="mallory@evil.example", name="Mallory")
        new = self._tickets(subject)
        self.assertEqual(len(new), 1, "a ticket of its own")
        self.assertNotEqual(new, ticket)
        self.assertFalse(new.partner_id)
        self.assertEqual(ticket.message_ids, before, "nothing in the customer's ticket")
        with mute_logger("odoo.http"), self.assertRaises(JsonRpcException):
            self.make_jsonrpc_request(
                "/mail/message/post",
                {
                    "thread_model": "ticket.ticket",
                    "thread_id": ticket.id,
                    "post_data": {
                        "body": "Bitte an mich überweisen",
                        "message_type": "comment",
                    },
                },
            )
        ticket.invalidate_recordset()
        self.assertEqual(ticket.message_ids, before)


@tagged("post_install", "-at_install", "ticket_system")
class TestContactFormRace(CommittedCase, BaseCase):
    """Two submissions of one address at once, on real committing database
    connections: the second waits for the first and then sees its ticket."""

    def setUp(self):
        super().setUp()
        self.registry = Registry(get_db_name())
        self.tag = uuid.uuid4().hex[:8]
        self.email = f"doppelt-{self.tag}@kontakt.example"
        self.ip = "203.0.113.77"
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            params = env["ir.config_parameter"]
            keys = (PARAM_FORM_EMAIL, PARAM_FORM_IP, PARAM_FORM_TOTAL)
            self.old_params = {key: params.get_param(key) for key in keys}
            params.set_param(PARAM_FORM_EMAIL, 1)
            params.set_param(PARAM_FORM_IP, 0)
            params.set_param(PARAM_FORM_TOTAL, 0)
            queue = env["ticket.queue"].create(
                {"name": f"Formular {self.tag}", "is_public": True}
            )
            self.queue_id = queue.id
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"active_test": False})
            env["ticket.ticket"].search([("queue_id", "=", self.queue_id)]).unlink()
            env["ticket.queue"].browse(self.queue_id).unlink()
            for key, value in self.old_params.items():
                env["ir.config_parameter"].set_param(key, value)

    def _open(self, env):
        """What the contact form does: check the limits, then open the ticket."""
        Ticket = env["ticket.ticket"]
        limited = Ticket._contact_form_limit_reached(self.email, self.ip)
        if not limited:
            Ticket.create(
                {
                    "name": f"Anfrage {self.tag}",
                    "queue_id": self.queue_id,
                    "channel": "web",
                    "partner_email": self.email,
                    "submitter_ip": self.ip,
                }
            )
            env.flush_all()
        return limited

    @mute_logger("odoo.addons.ticket_system.models.ticket_mail_volume")
    def test_same_address_twice_at_once_opens_one_ticket(self):
        result = {}

        def worker_b():
            with self.registry.cursor() as cr_b:
                result["pid"] = cr_b._cnx.get_backend_pid()
                result["limited"] = self._open(api.Environment(cr_b, SUPERUSER_ID, {}))
                cr_b.commit()  # pylint: disable=invalid-commit

        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_watch:
            self.assertFalse(self._open(api.Environment(cr_a, SUPERUSER_ID, {})))
            thread = threading.Thread(target=worker_b)
            thread.start()
            waited = self._wait_for_lock_wait(thread, result, cr_watch, 20)
            cr_a.commit()  # pylint: disable=invalid-commit
            thread.join(30)
        self.assertFalse(thread.is_alive())
        self.assertIn("advisory", waited or "", "B waited for A")
        self.assertEqual(result.get("limited"), "sender", "B saw A's ticket")
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            count = env["ticket.ticket"].search_count(
                [("queue_id", "=", self.queue_id)]
            )
        self.assertEqual(count, 1, "one ticket, not two")
