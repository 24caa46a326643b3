from odoo.tests import tagged
from odoo.tools import email_normalize, mute_logger

from .common_mail import MAIL_TEMPLATE, TicketMailCommon


@tagged("post_install", "-at_install", "mail_gateway")
class TestTicketMailGateway(TicketMailCommon):
    def test_new_mail_creates_ticket_in_queue(self):
        with self.mock_mail_gateway():
            ticket = self._receive(
                '"Kunde G." <kunde.gateway@example.com>', "Wo bleibt meine Lieferung?"
            )
        self.assertEqual(len(ticket), 1)
        self.assertEqual(ticket.queue_id, self.queue)
        self.assertEqual(ticket.company_id, self.queue.company_id)
        self.assertRegex(ticket.number, r"^T\d{5}$")
        self.assertEqual(ticket.partner_id, self.customer, "matched case-insensitively")
        self.assertEqual(ticket.partner_email, "kunde.gateway@example.com")
        self.assertEqual(ticket.channel, "email")
        self.assertEqual(ticket.last_action_by, "customer")
        self.assertFalse(ticket.user_id, "the gateway user is never the agent")
        self.assertIn("noch nicht angekommen", ticket.description)
        self.assertEqual(
            ticket.stage_id, self.env.ref("ticket_system.ticket_stage_new")
        )
        self.assertEqual(
            len(ticket.message_ids.filtered(lambda m: m.message_type == "email")), 1
        )

    def test_unknown_sender_keeps_address(self):
        with self.mock_mail_gateway():
            ticket = self._receive(
                "Erika Neu <erika.neu.unknown@example.org>", "Frage zum Artikel 4711"
            )
        self.assertFalse(ticket.partner_id)
        self.assertEqual(ticket.partner_email, "erika.neu.unknown@example.org")
        self.assertEqual(ticket.partner_name, "Erika Neu")
        self.assertEqual(ticket.customer_display, "Erika Neu")

    def test_shared_address_prefers_customer_number(self):
        company = self.env["res.partner"].create(
            {
                "name": "Shop Kunde AG",
                "is_company": True,
                "email": "info@kunde-ag.example",
            }
        )
        with_ref = self.env["res.partner"].create(
            {
                "name": "Shop Kunde AG (Buchhaltung)",
                "email": "INFO@kunde-ag.example",
                "ref": "20001",
            }
        )
        self.env["res.partner"].create(
            {
                "name": "Kontakt",
                "parent_id": company.id,
                "email": "info@kunde-ag.example",
            }
        )
        with self.mock_mail_gateway():
            ticket = self._receive("info@kunde-ag.example", "Rechnung doppelt")
        self.assertEqual(ticket.partner_id, with_ref)
        self.assertEqual(ticket.partner_ref, "20001")

    def test_reply_threads_and_reopens(self):
        with self.mock_mail_gateway():
            ticket = self._receive(
                "kunde.gateway@example.com",
                "Defekte Ware",
                msg_id="<defekt-1@example.com>",
            )
        ticket.stage_id = self.stage_solved
        with self.mock_mail_gateway():
            self._receive(
                "kunde.gateway@example.com",
                "Re: Defekte Ware",
                msg_id="<defekt-2@example.com>",
                extra="In-Reply-To: <defekt-1@example.com>",
            )
        self.assertEqual(
            self.env["ticket.ticket"].search_count([("name", "ilike", "Defekte Ware")]),
            1,
            "a reply is no new ticket",
        )
        self.assertEqual(
            len(ticket.message_ids.filtered(lambda m: m.message_type == "email")), 2
        )
        self.assertEqual(ticket.stage_id, self.stage_in_progress)
        self.assertEqual(ticket.last_action_by, "customer")

    def test_agent_reply_goes_out_with_number_and_queue_reply_to(self):
        with self.mock_mail_gateway():
            ticket = self._receive("kunde.gateway@example.com", "Adresse ändern")
        with self.mock_mail_gateway():
            ticket.with_user(self.agent).message_post(
                body="Wir haben die Adresse geändert.",
                partner_ids=self.customer.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        self.assertEqual(ticket.last_action_by, "agent")
        self.assertSentEmail(
            f'"Gina Agent via Service" <{self.queue_address}>',
            [self.customer],
            subject=f"[{ticket.number}] Adresse ändern",
            reply_to=f'"{self.env.company.name} Service" <{self.queue_address}>',
        )

    def test_internal_note_keeps_last_action(self):
        with self.mock_mail_gateway():
            ticket = self._receive("kunde.gateway@example.com", "Notiz-Test")
            ticket.with_user(self.agent).message_post(
                body="Intern: Lager fragen",
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )
        self.assertEqual(ticket.last_action_by, "customer")

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_fetchmail_account_routes_to_its_queue(self):
        server = self.env["fetchmail.server"].create(
            {
                "name": "shop mailbox",
                "server_type": "imap",
                "server": "imap.shop.example",
                "user": "service@shop.example",
                "password": "x",
                "queue_id": self.queue.id,
            }
        )
        self.assertEqual(server.object_id.model, "ticket.ticket")
        mail = self.format(
            MAIL_TEMPLATE,
            to="service@shop.example",
            subject="Über das Postfach",
            email_from="kunde.gateway@example.com",
            msg_id="<postfach-1@example.com>",
        )
        with self.mock_mail_gateway():
            self.env["mail.thread"].with_context(
                fetchmail_cron_running=True, default_fetchmail_server_id=server.id
            ).sudo().message_process(server.object_id.model, mail)
        ticket = self.env["ticket.ticket"].search([("name", "=", "Über das Postfach")])
        self.assertEqual(ticket.queue_id, self.queue)
        self.assertEqual(ticket.fetchmail_server_id, server)
        # a colleague writing to the mailbox: the gateway then runs as that
        # user, which drops default_* context keys; the queue must still hold
        mail = self.format(
            MAIL_TEMPLATE,
            to="service@shop.example",
            subject="Interne Weiterleitung",
            email_from=self.agent.email_formatted,
            msg_id="<postfach-2@example.com>",
        )
        with self.mock_mail_gateway():
            self.env["mail.thread"].with_context(
                fetchmail_cron_running=True, default_fetchmail_server_id=server.id
            ).sudo().message_process(server.object_id.model, mail)
        ticket = self.env["ticket.ticket"].search(
            [("name", "=", "Interne Weiterleitung")]
        )
        self.assertEqual(ticket.queue_id, self.queue)
        self.assertEqual(ticket.fetchmail_server_id, server)

    def test_subject_tag_threads_without_headers(self):
        with self.mock_mail_gateway():
            ticket = self._receive("kunde.gateway@example.com", "Rücksendung")
        number = ticket.number
        # new mail client, no reply headers, sent to the catchall
        with self.mock_mail_gateway():
            self._receive(
                "Kunde <KUNDE.gateway@example.com>",
                f"AW: Ihre Anfrage [{number}] Rücksendung",
                to=f"{self.alias_catchall}@{self.alias_domain}",
            )
        self.assertEqual(
            len(ticket.message_ids.filtered(lambda m: m.message_type == "email")), 2
        )
        self.assertFalse(
            self.env["ticket.ticket"].search([("name", "ilike", f"[{number}]")]),
            "no new ticket",
        )
        # the catchall bounces a header-less mail it cannot route (to its
        # Return-Path, which the test mails have at postmaster.twitter.com)
        self.assertFalse(
            [
                mail
                for mail in self._mails
                if any(
                    address in str(mail["email_to"])
                    for address in (
                        "kunde.gateway@example.com",
                        "postmaster.twitter.com",
                    )
                )
            ],
            "nothing mailed back to the sender",
        )

    def test_subject_tag_from_stranger_opens_new_ticket(self):
        with self.mock_mail_gateway():
            ticket = self._receive("kunde.gateway@example.com", "Meine Bestellung")
        subject = f"Re: [{ticket.number}] Meine Bestellung"
        with self.mock_mail_gateway():
            new = self._receive("mallory@evil.example", subject)
        self.assertEqual(len(new), 1)
        self.assertNotEqual(new, ticket)
        self.assertEqual(new.queue_id, self.queue)
        self.assertEqual(
            len(ticket.message_ids.filtered(lambda m: m.message_type == "email")),
            1,
            "nothing posted into the foreign ticket",
        )
        note = new.message_ids.filtered(lambda m: ticket.number in (m.body or ""))
        self.assertTrue(note, "a visible note names the referred ticket")
        self.assertTrue(note.subtype_id.internal)

    def test_subject_tag_accepts_cc_and_colleague(self):
        company = self.env["res.partner"].create(
            {"name": "Firma Tag", "is_company": True}
        )
        contact = self.env["res.partner"].create(
            {"name": "Chef", "parent_id": company.id, "email": "chef@firma-tag.example"}
        )
        self.env["res.partner"].create(
            {
                "name": "Kollegin",
                "parent_id": company.id,
                "email": "kollegin@firma-tag.example",
            }
        )
        with self.mock_mail_gateway():
            ticket = self._receive(
                "chef@firma-tag.example",
                "Sammelbestellung",
                cc="einkauf@firma-tag.example",
            )
        self.assertEqual(ticket.partner_id, contact)
        for sender in ("einkauf@firma-tag.example", "kollegin@firma-tag.example"):
            with self.mock_mail_gateway():
                self._receive(sender, f"[{ticket.number}] von {sender}")
        self.assertEqual(
            len(ticket.message_ids.filtered(lambda m: m.message_type == "email")), 3
        )

    def test_html_only_multipart_attachment_and_cc(self):
        raw = f"""From: Kunde <kunde.gateway@example.com>
To: {self.queue_address}
Cc: Einkauf <einkauf@kunde.example>, lager@kunde.example
Subject: =?iso-8859-1?q?Reklamation_=DCberweisung?=
Message-ID: <multipart-1@example.com>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="XYZ"

--XYZ
Content-Type: text/html; charset="utf-8"
Content-Transfer-Encoding: quoted-printable

<html><body><p>Sehr geehrte Damen und Herren,</p><p>anbei das Foto der =
besch=C3=A4digten Ware.</p></body></html>
--XYZ
Content-Type: image/png; name="schaden.png"
Content-Disposition: attachment; filename="schaden.png"
Content-Transfer-Encoding: base64

iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==
--XYZ--
"""
        with self.mock_mail_gateway():
            self.env["mail.thread"].sudo().message_process(
                "ticket.ticket", raw.encode()
            )
        ticket = self.env["ticket.ticket"].search(
            [("name", "=", "Reklamation Überweisung")]
        )
        self.assertEqual(len(ticket), 1)
        self.assertIn("beschädigten Ware", ticket.description)
        message = ticket.message_ids.filtered(lambda m: m.message_type == "email")
        self.assertEqual(message.attachment_ids.mapped("name"), ["schaden.png"])
        self.assertIn("einkauf@kunde.example", ticket.email_cc)
        self.assertIn("lager@kunde.example", ticket.email_cc)
        suggested = {
            email_normalize(r["email"])
            for r in ticket._message_get_suggested_recipients()
        }
        self.assertTrue({"einkauf@kunde.example", "lager@kunde.example"} <= suggested)

    def test_subject_tag_resolved_in_company_of_addressed_queue(self):
        """Fetched through company A's mailbox but sent to company B's queue
        address: the tag names a ticket of company B."""
        queue_b = self.env["ticket.queue"].create(
            {
                "name": "Service B",
                "company_id": self.company_2.id,
                "alias_name": "service-b",
                "alias_domain_id": self.mail_alias_domain_c2.id,
            }
        )
        ticket_b = self.env["ticket.ticket"].create(
            {
                "name": "Anfrage an B",
                "queue_id": queue_b.id,
                "partner_id": self.customer.id,
            }
        )
        server_a = self.env["fetchmail.server"].create(
            {
                "name": "mailbox A",
                "server_type": "imap",
                "server": "imap.a.invalid",
                "user": "postfach@a.example",
                "password": "x",
                "queue_id": self.queue.id,
            }
        )
        mail = self.format(
            MAIL_TEMPLATE,
            to=queue_b.alias_email,
            subject=f"Re: [{ticket_b.number}] Anfrage an B",
            email_from="kunde.gateway@example.com",
            msg_id="<company-b-1@example.com>",
        )
        with self.mock_mail_gateway():
            self.env["mail.thread"].with_context(
                fetchmail_cron_running=True, default_fetchmail_server_id=server_a.id
            ).sudo().message_process("ticket.ticket", mail)
        self.assertEqual(
            ticket_b.message_ids.filtered(
                lambda m: m.message_type == "email"
            ).message_id,
            "<company-b-1@example.com>",
        )
