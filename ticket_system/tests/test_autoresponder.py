import ast

from odoo import fields
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common_mail import TicketMailCommon


@tagged("post_install", "-at_install", "mail_gateway")
class TestTicketAutoresponder(TicketMailCommon):
    def _autoresponses(self):
        return self._new_mails.filtered(lambda m: "auto-replied" in (m.headers or ""))

    def test_confirmation_sent_once_with_number(self):
        with self.mock_mail_gateway():
            self._receive(
                "Kunde <kunde.gateway@example.com>",
                "=?utf-8?q?R=C3=BCcksendung_f=C3=BCr_Gr=C3=B6=C3=9Fe_L?=",
                msg_id="<ruecksendung-1@example.com>",
            )
        ticket = self.env["ticket.ticket"].search(
            [("name", "=", "Rücksendung für Größe L")]
        )
        self.assertEqual(len(ticket), 1, "RFC 2047 subject decoded")
        mail = self._autoresponses()
        self.assertEqual(len(mail), 1)
        self.assertEqual(
            mail.subject, f"Service [{ticket.number}] Rücksendung für Größe L"
        )
        self.assertEqual(mail.email_to, '"Kunde Gateway" <kunde.gateway@example.com>')
        self.assertIn(self.queue_address, mail.reply_to)
        self.assertIn(self.queue_address, mail.email_from)
        headers = ast.literal_eval(mail.headers)
        self.assertEqual(headers["Auto-Submitted"], "auto-replied")
        self.assertEqual(headers["In-Reply-To"], "<ruecksendung-1@example.com>")
        self.assertIn(ticket.number, mail.body_html)
        message = mail.mail_message_id
        self.assertEqual(message.model, "ticket.ticket")
        self.assertEqual(message.res_id, ticket.id)
        self.assertEqual(message.subtype_id, self.env.ref("mail.mt_comment"))
        self.assertEqual(message.message_type, "auto_comment")
        incoming = ticket.message_ids.filtered(lambda m: m.message_type == "email")
        self.assertGreater(message.id, incoming.id, "the answer follows the request")
        self.assertEqual(ticket.last_action_by, "customer", "a robot is no agent")

    def test_confirmation_leaves_at_once(self):
        """The mail queue runs hourly: the confirmation has it run now."""
        cron = self.env.ref("mail.ir_cron_mail_scheduler_action")
        Trigger = self.env["ir.cron.trigger"]
        before = Trigger.search([("cron_id", "=", cron.id)])
        with self.mock_mail_gateway():
            self._receive("kunde.gateway@example.com", "Wann kommt mein Paket?")
        self.assertEqual(len(self._autoresponses()), 1)
        triggers = Trigger.search([("cron_id", "=", cron.id)]) - before
        self.assertTrue(triggers, "the mail queue runs at once")
        self.assertLessEqual(max(triggers.mapped("call_at")), fields.Datetime.now())
        self.queue.autoresponder = False
        before = Trigger.search([("cron_id", "=", cron.id)])
        with self.mock_mail_gateway():
            self._receive("kunde.gateway@example.com", "Noch eine Frage")
        self.assertFalse(
            Trigger.search([("cron_id", "=", cron.id)]) - before,
            "nothing queued, nothing to run",
        )

    def test_unknown_sender_gets_confirmation_without_partner(self):
        partners_before = self.env["res.partner"].search_count([])
        with self.mock_mail_gateway():
            ticket = self._receive(
                "Neu Kunde <neu.kunde@example.org>", "Katalog bestellen"
            )
        self.assertFalse(ticket.partner_id)
        self.assertEqual(self.env["res.partner"].search_count([]), partners_before)
        mail = self._autoresponses()
        self.assertEqual(mail.email_to, '"Neu Kunde" <neu.kunde@example.org>')

    def test_reply_gets_no_confirmation(self):
        with self.mock_mail_gateway():
            ticket = self._receive("kunde.gateway@example.com", "Erste Anfrage")
        with self.mock_mail_gateway():
            self._receive(
                "kunde.gateway@example.com", f"Re: [{ticket.number}] Erste Anfrage"
            )
        self.assertFalse(self._autoresponses())

    def test_no_confirmation_to_automatic_mail(self):
        # automatic replies (X-Autoreply, Auto-Submitted: auto-replied ...) open
        # no ticket at all: test_mail_bounce
        cases = {
            "auto-submitted": {"extra": "Auto-Submitted: auto-generated"},
            "precedence bulk": {"extra": "Precedence: bulk"},
            "precedence list": {"extra": "Precedence: List"},
            "list-id": {"extra": "List-Id: <news.shop.example>"},
            "list-unsubscribe": {
                "extra": "List-Unsubscribe: <mailto:leave@shop.example>"
            },
            "empty return-path": {"return_path": "<>"},
        }
        for index, (case, kwargs) in enumerate(cases.items()):
            with self.subTest(case=case), self.mock_mail_gateway():
                ticket = self._receive(
                    f"robot{index}@example.net",
                    f"Automatische Nachricht {index}",
                    **kwargs,
                )
                self.assertEqual(len(ticket), 1, "the mail still becomes a ticket")
                self.assertFalse(self._autoresponses())

    def test_auto_submitted_no_is_answered(self):
        with self.mock_mail_gateway():
            self._receive(
                "mensch@example.net", "Echte Frage", extra="Auto-Submitted: no"
            )
        self.assertEqual(len(self._autoresponses()), 1)

    def test_no_confirmation_to_system_or_own_addresses(self):
        other_queue = self.env["ticket.queue"].create(
            {"name": "Buchhaltung", "alias_name": "buchhaltung-gw"}
        )
        for index, sender in enumerate(
            (
                f"MAILER-DAEMON@{self.alias_domain}",
                "postmaster@example.net",
                other_queue.alias_email,
            )
        ):
            with self.subTest(sender=sender), self.mock_mail_gateway():
                self._receive(sender, f"Systemnachricht {index}")
                self.assertFalse(self._autoresponses())

    def test_rate_limit_per_sender(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "ticket_system.autoresponder_limit_per_hour", 2
        )
        with self.mock_mail_gateway():
            for index in range(4):
                self._receive("vielschreiber@example.net", f"Frage Nummer {index}")
            self.assertEqual(len(self._autoresponses()), 2)
            self._receive("andere@example.net", "Andere Person")
            self.assertEqual(
                len(self._autoresponses()), 3, "other senders still get one"
            )

    def test_autoresponder_off(self):
        self.queue.autoresponder = False
        with self.mock_mail_gateway():
            self._receive("kunde.gateway@example.com", "Ohne Bestätigung")
        self.assertFalse(self._autoresponses())

    def test_limit_counts_any_spelling_of_the_address(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "ticket_system.autoresponder_limit_per_hour", 2
        )
        with self.mock_mail_gateway():
            for index, sender in enumerate(
                (
                    "LoopBot@Robot.example",
                    "loopbot@robot.example",
                    "Bot <LOOPBOT@robot.EXAMPLE>",
                )
            ):
                self._receive(sender, f"Schleife {index}")
        self.assertEqual(len(self._autoresponses()), 2)

    @mute_logger(
        "odoo.addons.ticket_system.models.ticket_ticket",
        "odoo.addons.mail.models.mail_render_mixin",
    )
    def test_broken_template_does_not_lose_the_mail(self):
        template = self.env.ref(
            "ticket_system.mail_template_ticket_autoresponder"
        ).copy({"subject": "{{ object.no_such_field }}"})
        self.queue.autoresponder_template_id = template
        with self.mock_mail_gateway():
            ticket = self._receive(
                "kunde.gateway@example.com", "Trotz Fehler angekommen"
            )
        self.assertEqual(len(ticket), 1)
        self.assertFalse(self._autoresponses())

    def test_mailbox_only_queue_answers_from_mailbox(self):
        queue = self.env["ticket.queue"].create({"name": "Shop Service"})
        self.env["fetchmail.server"].create(
            {
                "name": "Shop",
                "server_type": "imap",
                "server": "imap.shop.invalid",
                "user": "service@shop.example",
                "password": "x",
                "queue_id": queue.id,
            }
        )
        ticket = self.env["ticket.ticket"].create(
            {"name": "Postfach", "queue_id": queue.id}
        )
        self.assertIn(
            "<service@shop.example>", ticket._notify_get_reply_to()[ticket.id]
        )
        self.assertIn("<service@shop.example>", queue._ticket_email_from())
