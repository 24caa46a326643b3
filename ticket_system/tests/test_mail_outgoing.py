from odoo import tools
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common_mail import MAIL_TEMPLATE, TicketMailCommon


@tagged("post_install", "-at_install", "mail_gateway")
class TestTicketMailOutgoing(TicketMailCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ticket = cls.env["ticket.ticket"].create(
            {
                "name": "Paket beschädigt",
                "queue_id": cls.queue.id,
                "partner_id": cls.customer.id,
            }
        )
        cls.ticket.message_subscribe(partner_ids=cls.customer.ids)

    def test_note_never_reaches_customer(self):
        with self.mock_mail_gateway():
            self.ticket.with_user(self.agent).message_post(
                body="Kunde ist schwierig, bitte vorsichtig antworten",
                partner_ids=self.customer.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )
        self.assertNotSentEmail([self.customer])
        self.assertFalse(
            self._new_mails.filtered(lambda m: self.customer in m.recipient_ids)
        )

    def test_comment_reaches_customer_with_number(self):
        with self.mock_mail_gateway():
            self.ticket.with_user(self.agent).message_post(
                body="Wir senden Ersatz.",
                subject="Ersatzlieferung",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        self.assertSentEmail(
            f'"Gina Agent via Service" <{self.queue_address}>',
            [self.customer],
            subject=f"[{self.ticket.number}] Ersatzlieferung",
        )

    def test_status_template_mails_customer_as_message(self):
        solved = self.env.ref("ticket_system.ticket_stage_solved")
        self.assertTrue(solved.template_id, "Solved ships with its template")
        with self.mock_mail_gateway():
            self.ticket.with_user(self.agent).stage_id = solved
            self.flush_tracking()
        self.assertSentEmail(
            f'"Gina Agent via Service" <{self.queue_address}>',
            [self.customer],
            subject=f"[{self.ticket.number}] Paket beschädigt",
        )
        message = self.ticket.message_ids.filtered(
            lambda m: m.subject == f"[{self.ticket.number}] Paket beschädigt"
        )
        self.assertEqual(message.subtype_id, self.env.ref("mail.mt_comment"))

    def test_reply_quotes_as_queue_says(self):
        with self.mock_mail_gateway():
            ticket = self._receive("kunde.gateway@example.com", "Zitat-Test")
        for quote, expected in (("last", True), ("none", False)):
            self.queue.reply_quote = quote
            with self.subTest(quote=quote), self.mock_mail_gateway():
                ticket.with_user(self.agent).message_post(
                    body=f"Antwort {quote}",
                    partner_ids=self.customer.ids,
                    message_type="comment",
                    subtype_xmlid="mail.mt_comment",
                )
                mail = self._new_mails.filtered(
                    lambda m, quote=quote: f"Antwort {quote}" in m.body_html
                )
                self.assertEqual(len(mail), 1)
                self.assertEqual("noch nicht angekommen" in mail.body_html, expected)

    def test_queue_outgoing_server(self):
        server = self.env["ir.mail_server"].create(
            {"name": "Shop SMTP", "smtp_host": "smtp.shop.example"}
        )
        self.queue.mail_server_id = server
        with self.mock_mail_gateway():
            self.ticket.with_user(self.agent).message_post(
                body="Über den Shop-Server",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        self.assertEqual(self._new_mails.mail_server_id, server)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_archived_queue_bounces_new_mail(self):
        self.queue.active = False
        with self.mock_mail_gateway():
            self._receive("kunde.gateway@example.com", "An geschlossene Queue")
        self.assertFalse(
            self.env["ticket.ticket"].search([("name", "=", "An geschlossene Queue")])
        )
        # bounces go to the Return-Path
        bounces = [
            m for m in self._mails if "postmaster.twitter.com" in str(m["email_to"])
        ]
        self.assertEqual(len(bounces), 1)
        self.assertIn("is closed and receives no more mail", bounces[0]["body"])
        # tickets may still be moved into it
        self.ticket.queue_id = self.queue
        self.assertEqual(self.ticket.queue_id, self.queue)

    def test_duplicate_delivery_makes_one_message(self):
        with self.mock_mail_gateway():
            ticket = self._receive(
                "kunde.gateway@example.com",
                "Doppelt zugestellt",
                msg_id="<dup-1@example.com>",
            )
            self.format_and_process(
                MAIL_TEMPLATE,
                "kunde.gateway@example.com",
                self.queue_address,
                subject="Doppelt zugestellt (2)",
                msg_id="<dup-1@example.com>",
                target_model="ticket.ticket",
            )
        self.assertEqual(
            self.env["ticket.ticket"].search_count(
                [("name", "like", "Doppelt zugestellt")]
            ),
            1,
        )
        self.assertEqual(
            len(ticket.message_ids.filtered(lambda m: m.message_type == "email")), 1
        )

    def test_answer_goes_to_sender_and_cc(self):
        """Unknown sender with colleagues in CC: the agent's answer reaches all
        of them, an internal note none of them."""
        with self.mock_mail_gateway():
            self._receive(
                "Neu Kunde <neu.kunde@firma.example>",
                "Anfrage mit Kopie",
                cc="Chefin <chefin@firma.example>, lager@firma.example",
            )
        ticket = self.env["ticket.ticket"].search([("name", "=", "Anfrage mit Kopie")])
        self.assertFalse(ticket.partner_id)
        with self.mock_mail_gateway():
            ticket.with_user(self.agent).message_post(
                body="Intern: erst Lager fragen",
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )
        self.assertFalse(
            self._new_mails.filtered(
                lambda m: m.recipient_ids.filtered("partner_share")
            )
        )
        with self.mock_mail_gateway():
            ticket.with_user(self.agent).message_post(
                body="Wir kümmern uns darum.",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        sent_to = {
            email
            for mail in self._mails
            for email in tools.email_normalize_all(",".join(mail["email_to"]))
        }
        self.assertEqual(
            sent_to,
            {"neu.kunde@firma.example", "chefin@firma.example", "lager@firma.example"},
        )
        self.assertFalse(ticket.partner_id, "the sender stays an address on the ticket")

    def test_reply_quote_depth(self):
        ticket = self.ticket.with_user(self.agent)
        for index in range(4):
            ticket.message_post(
                body=f"Nachricht {index}",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        for quote, expected in (("last_3", {1, 2, 3}), ("all", {0, 1, 2, 3})):
            self.queue.reply_quote = quote
            with self.subTest(quote=quote), self.mock_mail_gateway():
                ticket.message_post(
                    body=f"Antwort {quote}",
                    message_type="comment",
                    subtype_xmlid="mail.mt_comment",
                )
                body = self._new_mails.filtered(
                    lambda m, quote=quote: f"Antwort {quote}" in m.body_html
                ).body_html
                quoted = {index for index in range(4) if f"Nachricht {index}" in body}
                self.assertEqual(quoted, expected)
