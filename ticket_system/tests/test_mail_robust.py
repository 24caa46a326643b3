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

from odoo import fields
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common_mail import TicketMailCommon

MODES = ("piped", "fetched")


def raw_mail(key, head, body):
    return (
        b"From: Kunde Robust <kunde." + key.encode() + b"@example.com>\r\n"
        b"To: service-gw@{domain}\r\n"
        b"Subject: Anfrage " + key.encode() + b"\r\n"
        b"Message-ID: <robust-" + key.encode() + b"@example.com>\r\n" + head + b"\r\n" + body
    )


BROKEN = {
    # charset name Python does not know
    "unknown-charset": (
        (b'MIME-Version: 1.0\r\nContent-Type: text/plain; charset="x-unknown"\r\n'
        b"Content-Transfer-Encoding: 8bit\r\n"),
        b"Sehr geehrte Damen und Herren, meine Bestellung ist besch\xe4digt. Gr\xfc\xdfe\r\n",
        "meine Bestellung ist beschädigt. Grüße",
    ),
    # charset name with a NUL byte
    "nul-charset": (
        (b'MIME-Version: 1.0\r\nContent-Type: text/plain; charset="utf-8\x00"\r\n'
        b"Content-Transfer-Encoding: 8bit\r\n"),
        b"Die R\xc3\xbccksendung ist unterwegs.\r\n",
        "Die Rücksendung ist unterwegs.",
    ),
    # declared utf-8, written in latin-1: Python reads U+FFFD
    "lying-charset": (
        (b'MIME-Version: 1.0\r\nContent-Type: text/plain; charset="utf-8"\r\n'
        b"Content-Transfer-Encoding: 8bit\r\n"),
        b"Die Gr\xf6\xdfe passt nicht, bitte umtauschen.\r\n",
        "Die Größe passt nicht, bitte umtauschen.",
    ),
    # multipart/mixed whose boundary never comes: Odoo reads an empty body
    "mixed-cut": (
        (b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="=_cut_'
        b'4711"\r\n'),
        b"--=_cut_4711_abgeschnitten\r\n\r\nIch warte seit zwei Wochen auf die Lieferung.\r\n",
        "Ich warte seit zwei Wochen auf die Lieferung.",
    ),
    # multipart/report of a customer's mail program, boundary cut off: Odoo's
    # bounce reader raises
    "report-cut": (
        (b"MIME-Version: 1.0\r\nContent-Type: multipart/report; "
        b'report-type=disposition-notification; boundary="=_rep"\r\n'),
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
        cls.server = cls.env["fetchmail.server"].create(
            {
                "name": "Robust mailbox",
                "server_type": "imap",
                "server": "imap.shop.invalid",
                "user": "robust@shop.example",
                "password": "secret",
                "queue_id": cls.queue.id,
            }
        )

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
                    self.assertEqual(ticket.partner_email, f"kunde.{key}-{mode}@example.com")
                    message = ticket.message_ids.filtered(lambda m: m.message_type == "email")
                    self.assertEqual(len(message), 1)
                    self.assertIn(text, message.body)
                    self.assertNotIn("\ufffd", message.body)
                    original = self._original(message)
                    self.assertEqual(len(original), 1, "the original is attached")
                    self.assertEqual(base64.b64decode(original.datas), raw, "byte for byte")
                    self.assertFalse(
                        self.env["ticket.mail.failure"].search(
                            [("message_id", "=", f"<robust-{key}-{mode}@example.com>")]
                        )
                    )
                    self.assertEqual(len(self._new_mails.filtered(
                        lambda m: "auto-replied" in (m.headers or "")
                    )), 1, "confirmed like any mail")

    @mute_logger("odoo.addons.ticket_system.models.mail_thread")
    def test_date_fallbacks(self):
        for mode in MODES:
            with self.subTest(mode=mode):
                ticket = self.env["ticket.ticket"].browse(
                    self._process(self._sample("year-124", mode), mode)
                )
                message = ticket.message_ids.filtered(lambda m: m.message_type == "email")
                self.assertEqual(str(message.date), "2024-05-06 08:08:00", "RFC 5322: 124 + 1900")
        # two-digit year: Python reads it already, nothing to repair
        raw = raw_mail("year-24", b"Date: Mon, 6 May 24 10:08:00 +0200\r\n", b"Hallo\r\n")
        ticket = self.env["ticket.ticket"].browse(
            self._process(raw.replace(b"{domain}", self.alias_domain.encode()), "fetched")
        )
        message = ticket.message_ids.filtered(lambda m: m.message_type == "email")
        self.assertEqual(str(message.date), "2024-05-06 08:08:00")
        self.assertFalse(self._original(message), "no fallback, no original")
        # a date that is no date at all: the arrival time
        raw = raw_mail("no-date", b"Date: 99 Foo 24 99:99 +0200\r\n", b"Hallo\r\n")
        ticket = self.env["ticket.ticket"].browse(
            self._process(raw.replace(b"{domain}", self.alias_domain.encode()), "fetched")
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
        raw = raw_mail("reply", head + b"In-Reply-To: " + ticket.message_ids[-1].message_id.encode() + b"\r\n", body)
        with self.mock_mail_gateway():
            self.assertEqual(self._process(raw.replace(b"{domain}", self.alias_domain.encode()), "fetched"), ticket.id)
        reply = ticket.message_ids.filtered(lambda m: m.message_id == "<robust-reply@example.com>")
        self.assertIn(text, reply.body)
        self.assertTrue(self._original(reply))
