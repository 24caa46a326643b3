"""Mail that Python's parser or Odoo's gateway cannot read still reaches an
agent, with what could be read and the original attached; relayed mail
(contact forms, form mailers, marketplaces) is the customer's.

The broken samples are made up after the kinds found in public mail-parser
test corpora: unknown or lying charsets, a multipart whose boundary is cut
off, two- and three-digit years, headers the parser trips over. Each goes
through message_process as raw bytes, piped (as from an MTA) and fetched (as
fetchmail.server does)."""

import base64
from datetime import timedelta

from odoo import fields, tools
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common_mail import TicketMailCommon

MODES = ("piped", "fetched")


def raw_mail(key, head, body):
    return (
        b"From: Kunde Robust <kunde." + key.encode() + b"@example.com>\r\n"
        b"To: service-gw@{domain}\r\n"
        b"Subject: Anfrage " + key.encode() + b"\r\n"
        b"Message-ID: <robust-"
        + key.encode()
        + b"@example.com>\r\n"
        + head
        + b"\r\n"
        + body
    )


BROKEN = {
    # charset name Python does not know
    "unknown-charset": (
        (
            b'MIME-Version: 1.0\r\nContent-Type: text/plain; charset="x-unknown"\r\n'
            b"Content-Transfer-Encoding: 8bit\r\n"
        ),
        b"Sehr geehrte Damen und Herren, meine Bestellung ist besch\xe4digt. Gr\xfc\xdfe\r\n",
        "meine Bestellung ist beschädigt. Grüße",
    ),
    # charset name with a NUL byte
    "nul-charset": (
        (
            b'MIME-Version: 1.0\r\nContent-Type: text/plain; charset="utf-8\x00"\r\n'
            b"Content-Transfer-Encoding: 8bit\r\n"
        ),
        b"Die R\xc3\xbccksendung ist unterwegs.\r\n",
        "Die Rücksendung ist unterwegs.",
    ),
    # declared utf-8, written in latin-1: Python reads U+FFFD
    "lying-charset": (
        (
            b'MIME-Version: 1.0\r\nContent-Type: text/plain; charset="utf-8"\r\n'
            b"Content-Transfer-Encoding: 8bit\r\n"
        ),
        b"Die Gr\xf6\xdfe passt nicht, bitte umtauschen.\r\n",
        "Die Größe passt nicht, bitte umtauschen.",
    ),
    # multipart/mixed whose boundary never comes: Odoo reads an empty body
    "mixed-cut": (
        (
            b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="=_cut_'
            b'4711"\r\n'
        ),
        b"--=_cut_4711_abgeschnitten\r\n\r\nIch warte seit zwei Wochen auf die Lieferung.\r\n",
        "Ich warte seit zwei Wochen auf die Lieferung.",
    ),
    # multipart/report of a customer's mail program, boundary cut off: Odoo's
    # bounce reader raises
    "report-cut": (
        (
            b"MIME-Version: 1.0\r\nContent-Type: multipart/report; "
            b'report-type=disposition-notification; boundary="=_rep"\r\n'
        ),
        b"Lesebest\xc3\xa4tigung: Ihre Nachricht wurde gelesen. R\xc3\xbcckruf bitte.\r\n",
        "Ihre Nachricht wurde gelesen. Rückruf bitte.",
    ),
    # three-digit year: stored unpadded, unreadable afterwards
    "year-124": (
        b"Date: Mon, 6 May 124 10:08:00 +0200\r\n",
        b"Wann wird geliefert?\r\n",
        "Wann wird geliefert?",
    ),
    # header the parser trips over (IndexError inside the email package)
    "broken-header": (
        b'Cc: Kollege <"\r\n',
        b"Bitte um R\xc3\xbcckruf.\r\n",
        "Bitte um Rückruf.",
    ),
}


@tagged("post_install", "-at_install", "mail_gateway")
class TestTicketMailRobust(TicketMailCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = cls._create_mailbox("robust@shop.example", cls.queue)

    def _process(self, raw, mode):
        MailThread = self.env["mail.thread"].sudo()
        if mode == "fetched":
            MailThread = MailThread.with_context(
                fetchmail_cron_running=True, default_fetchmail_server_id=self.server.id
            )
        return MailThread.message_process("ticket.ticket", raw)

    def _sample(self, key, mode):
        head, body, _text = BROKEN[key]
        raw = raw_mail(f"{key}-{mode}", head, body)
        return raw.replace(b"{domain}", self.alias_domain.encode())

    def _original(self, message):
        return message.attachment_ids.filtered(lambda a: a.name == "original.eml")

    @mute_logger("odoo.addons.ticket_system.models.mail_thread")
    def test_broken_mail_becomes_ticket_with_original(self):
        for mode in MODES:
            for key, (_head, _body, text) in BROKEN.items():
                with self.subTest(mode=mode, kind=key), self.mock_mail_gateway():
                    raw = self._sample(key, mode)
                    ticket_id = self._process(raw, mode)
                    self.assertTrue(ticket_id, "a ticket, not only a failed mail")
                    ticket = self.env["ticket.ticket"].browse(ticket_id)
                    self.assertEqual(ticket.name, f"Anfrage {key}-{mode}")
                    self.assertEqual(ticket.queue_id, self.queue)
                    self.assertEqual(
                        ticket.partner_email, f"kunde.{key}-{mode}@example.com"
                    )
                    message = ticket.message_ids.filtered(
                        lambda m: m.message_type == "email"
                    )
                    self.assertEqual(len(message), 1)
                    self.assertIn(text, message.body)
                    self.assertNotIn("\ufffd", message.body)
                    original = self._original(message)
                    self.assertEqual(len(original), 1, "the original is attached")
                    self.assertEqual(
                        base64.b64decode(original.datas), raw, "byte for byte"
                    )
                    self.assertFalse(
                        self.env["ticket.mail.failure"].search(
                            [("message_id", "=", f"<robust-{key}-{mode}@example.com>")]
                        )
                    )
                    self.assertEqual(
                        len(
                            self._new_mails.filtered(
                                lambda m: "auto-replied" in (m.headers or "")
                            )
                        ),
                        1,
                        "confirmed like any mail",
                    )

    @mute_logger("odoo.addons.ticket_system.models.mail_thread")
    def test_date_fallbacks(self):
        for mode in MODES:
            with self.subTest(mode=mode):
                ticket = self.env["ticket.ticket"].browse(
                    self._process(self._sample("year-124", mode), mode)
                )
                message = ticket.message_ids.filtered(
                    lambda m: m.message_type == "email"
                )
                self.assertEqual(
                    str(message.date), "2024-05-06 08:08:00", "RFC 5322: 124 + 1900"
                )
        # two-digit year: Python reads it already, nothing to repair
        raw = raw_mail(
            "year-24", b"Date: Mon, 6 May 24 10:08:00 +0200\r\n", b"Hallo\r\n"
        )
        ticket = self.env["ticket.ticket"].browse(
            self._process(
                raw.replace(b"{domain}", self.alias_domain.encode()), "fetched"
            )
        )
        message = ticket.message_ids.filtered(lambda m: m.message_type == "email")
        self.assertEqual(str(message.date), "2024-05-06 08:08:00")
        self.assertFalse(self._original(message), "no fallback, no original")
        # a date that is no date at all: the arrival time
        raw = raw_mail("no-date", b"Date: 99 Foo 24 99:99 +0200\r\n", b"Hallo\r\n")
        ticket = self.env["ticket.ticket"].browse(
            self._process(
                raw.replace(b"{domain}", self.alias_domain.encode()), "fetched"
            )
        )
        message = ticket.message_ids.filtered(lambda m: m.message_type == "email")
        self.assertLess(abs(message.date - fields.Datetime.now()), timedelta(minutes=5))

    def test_normal_mail_gets_no_original(self):
        with self.mock_mail_gateway():
            ticket = self._receive("kunde.gateway@example.com", "Ganz normale Anfrage")
        self.assertFalse(self._original(ticket.message_ids))

    @mute_logger("odoo.addons.ticket_system.models.mail_thread")
    def test_broken_reply_joins_ticket(self):
        with self.mock_mail_gateway():
            ticket = self._receive("kunde.robust@example.com", "Erste Anfrage")
        head, body, text = BROKEN["unknown-charset"]
        raw = raw_mail(
            "reply",
            head
            + b"In-Reply-To: "
            + ticket.message_ids[-1].message_id.encode()
            + b"\r\n",
            body,
        )
        with self.mock_mail_gateway():
            self.assertEqual(
                self._process(
                    raw.replace(b"{domain}", self.alias_domain.encode()), "fetched"
                ),
                ticket.id,
            )
        reply = ticket.message_ids.filtered(
            lambda m: m.message_id == "<robust-reply@example.com>"
        )
        self.assertIn(text, reply.body)
        self.assertTrue(self._original(reply))


@tagged("post_install", "-at_install", "mail_gateway")
class TestTicketMailRelay(TicketMailCommon):
    """Contact forms, form mailers and marketplaces send from their own
    address with the customer in Reply-To."""

    relay = "noreply@mein-shop.example"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.queue.relay_senders = "noreply@mein-shop.example\nformmailer.example"

    def _relayed(self, reply_to, subject, extra="", email_from=None):
        headers = f"Reply-To: {reply_to}\n" if reply_to else ""
        return self._receive(
            email_from or f"Mein Shop <{self.relay}>",
            subject,
            extra=headers + extra,
            return_path=f"<{self.relay}>",
            msg_id=f"<{subject.replace(' ', '-')}@mein-shop.example>",
        )

    def _confirmations(self):
        return self._new_mails.filtered(lambda m: "auto-replied" in (m.headers or ""))

    def test_contact_form_mail_is_the_customers(self):
        with self.mock_mail_gateway():
            for index in range(40):
                self._relayed(
                    f"Kundin {index} <kundin.{index}@example.org>",
                    f"Kontaktformular {index}",
                )
        tickets = self.env["ticket.ticket"].search(
            [("name", "=like", "Kontaktformular %")]
        )
        self.assertEqual(
            len(tickets), 40, "none refused by Odoo's per-sender loop limit"
        )
        self.assertEqual(
            set(tickets.mapped("partner_email")),
            {f"kundin.{index}@example.org" for index in range(40)},
        )
        self.assertEqual(set(tickets.mapped("relay_email")), {self.relay})
        self.assertEqual(
            tickets[0].partner_name, f"Kundin {tickets[0].name.split()[-1]}"
        )
        confirmations = self._confirmations()
        self.assertEqual(len(confirmations), 40)
        self.assertEqual(
            {tools.email_normalize(mail.email_to) for mail in confirmations},
            {f"kundin.{index}@example.org" for index in range(40)},
        )
        self.assertFalse(
            self._new_mails.filtered(lambda m: self.relay in (m.email_to or "")),
            "nothing to the no-reply address: no confirmation, no bounce",
        )
        self.assertFalse(
            [mail for mail in self._mails if self.relay in str(mail["email_to"])]
        )
        message = tickets[0].message_ids.filtered(lambda m: m.message_type == "email")
        self.assertIn("kundin.", message.email_from, "the customer wrote it")

    def test_known_customer_and_reply_to_confirmation(self):
        with self.mock_mail_gateway():
            ticket = self._relayed(
                f"Kunde <{self.customer.email}>", "Formular Reklamation"
            )
        self.assertEqual(ticket.partner_email, "kunde.gateway@example.com")
        self.assertEqual(
            ticket.partner_id, self.customer, "customer matched by Reply-To"
        )
        self.assertEqual(ticket.relay_email, self.relay)
        confirmation = self._confirmations()
        self.assertEqual(len(confirmation), 1)
        self.assertIn("kunde.gateway@example.com", confirmation.email_to)
        # the customer answers the confirmation from their own address
        with self.mock_mail_gateway():
            self._receive(
                "Kunde Gateway <kunde.gateway@example.com>",
                f"Re: {confirmation.subject}",
                extra=f"In-Reply-To: {confirmation.message_id}",
                msg_id="<antwort-formular@example.com>",
            )
        reply = self.env["mail.message"].search(
            [("message_id", "=", "<antwort-formular@example.com>")]
        )
        self.assertEqual(
            (reply.model, reply.res_id), (ticket._name, ticket.id), "joins the ticket"
        )
        self.assertEqual(
            self.env["ticket.ticket"].search_count(
                [("name", "ilike", "Formular Reklamation")]
            ),
            1,
        )
        # an agent's answer goes to the customer, not to the relay
        with self.mock_mail_gateway():
            ticket.with_user(self.agent).message_post(
                body="Wir kümmern uns darum.",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                partner_ids=ticket.partner_id.ids,
            )
        self.assertTrue(self._new_mails)
        self.assertFalse(
            self._new_mails.filtered(lambda m: self.relay in (m.email_to or ""))
        )

    def test_relay_without_usable_reply_to(self):
        with self.mock_mail_gateway():
            plain = self._relayed(False, "Formular ohne Antwortadresse")
            itself = self._relayed(self.relay, "Formular an sich selbst")
            ours = self._relayed(self.queue_address, "Formular an uns")
        for ticket in plain | itself | ours:
            self.assertEqual(
                ticket.partner_email, self.relay, "as before: the relay's address"
            )
            self.assertFalse(ticket.relay_email)

    def test_not_a_relay_sender(self):
        with self.mock_mail_gateway():
            ticket = self._relayed(
                "kundin@example.org",
                "Weitergeleitet",
                email_from="kollege@anderswo.example",
            )
        self.assertEqual(ticket.partner_email, "kollege@anderswo.example")
        self.assertFalse(ticket.relay_email)

    def test_relay_domains_and_company_domains(self):
        self.queue.company_id.website = "https://www.meinladen.example"
        with self.mock_mail_gateway():
            listed = self._relayed(
                "a@example.org", "Formmailer", email_from="kontakt@formmailer.example"
            )
            sub = self._relayed(
                "b@example.org",
                "Formmailer sub",
                email_from="x@mail.formmailer.example",
            )
            company = self._relayed(
                "c@example.org", "Eigener Shop", email_from="shop@meinladen.example"
            )
        self.assertEqual(listed.partner_email, "a@example.org")
        self.assertEqual(sub.partner_email, "b@example.org")
        self.assertEqual(company.partner_email, "c@example.org")
        self.assertEqual(company.relay_email, "shop@meinladen.example")
        self.assertFalse(self.queue._is_relay_sender("x@notformmailer.example"))

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_automatic_relay_mail_stays_limited(self):
        """A form mailer marking its mail auto-generated still passes on the
        customer's request (ticket and confirmation are the customer's); an
        autoresponder behind the relay stays under the loop limit."""
        self.env["ir.config_parameter"].sudo().set_param(
            "mail.gateway.loop.threshold", 3
        )
        with self.mock_mail_gateway():
            for index in range(5):
                self._relayed(
                    f"kunde.{index}@example.org",
                    f"Automatisch {index}",
                    extra="Auto-Submitted: auto-generated",
                )
        tickets = self.env["ticket.ticket"].search([("name", "=like", "Automatisch %")])
        self.assertEqual(len(tickets), 5, "each customer's own limit")
        self.assertEqual(
            set(tickets.mapped("partner_email")),
            {f"kunde.{index}@example.org" for index in range(5)},
        )
        self.assertEqual(len(self._confirmations()), 5, "confirmed to the customers")
        self.assertFalse(
            [mail for mail in self._mails if self.relay in str(mail["email_to"])]
        )
        # a real autoresponder behind the relay opens nothing, answers nobody
        with self.mock_mail_gateway():
            self._relayed(
                "kunde.auto@example.org",
                "Automatische Antwort",
                extra="Auto-Submitted: auto-replied",
            )
        self.assertFalse(
            self.env["ticket.ticket"].search([("name", "=", "Automatische Antwort")])
        )
        self.assertFalse(
            self._new_mails.filtered(lambda m: "kunde.auto" in (m.email_to or ""))
        )
        # the contact form itself still gets through: the limit is the customer's
        with self.mock_mail_gateway():
            ticket = self._relayed("kunde.echt@example.org", "Echte Anfrage")
        self.assertEqual(ticket.partner_email, "kunde.echt@example.org")
