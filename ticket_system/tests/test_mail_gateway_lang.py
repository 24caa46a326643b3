import base64
from unittest.mock import patch

from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from . import test_mail_servers as servers

USER = "lang-mailbox"
PASSWORD = "lang-secret"

# a mail with an attachment of 1.2 MB, over a queue limit of 1 MB
MAIL = """\
From: Kunde <kunde.sprache@kunde.example>
To: {user}
Subject: Rechnung als Scan
Message-ID: <gateway-lang-{tag}@kunde.example>
Date: Mon, 10 Mar 2025 09:13:58 +0100
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/plain; charset="utf-8"

Guten Tag, anbei der Scan der Rechnung.
--b1
Content-Type: application/pdf; name="scan.pdf"
Content-Disposition: attachment; filename="scan.pdf"
Content-Transfer-Encoding: base64

{payload}
--b1--
"""


@tagged("post_install", "-at_install", "mail_gateway")
class TestMailGatewayLang(TransactionCase):
    """What the gateway writes on a ticket while fetching (here the note about
    a refused attachment) is in the queue's language, not in the language of
    the user running the fetch: the cron runs as OdooBot, in English."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not servers.DOVECOT:
            raise RuntimeError(
                "Dovecot is missing: apt-get install dovecot-imapd (.ci/run does)"
            )
        cls.dovecot = servers.DovecotServer(USER, PASSWORD)
        cls.addClassCleanup(cls.dovecot.stop)
        cls.dovecot.start()
        cls.env["res.lang"]._activate_lang("de_DE")

    def _deliver(self, tag):
        payload = base64.encodebytes(b"%PDF-1.4 " + b"x" * 1_200_000).decode()
        raw = MAIL.format(user=USER, tag=tag, payload=payload).encode()
        imap = self.dovecot.connect()
        try:
            self.assertEqual(imap.append("INBOX", None, None, raw)[0], "OK")
        finally:
            imap.logout()

    def _fetch(self, lang):
        queue = self.env["ticket.queue"].create(
            {"name": f"Sprache {lang}", "lang": lang, "attachment_limit": 1}
        )
        server = self.env["fetchmail.server"].create(
            {
                "name": f"Sprache {lang}",
                "server_type": "imap",
                "server": "127.0.0.1",
                "port": self.dovecot.port,
                "is_ssl": False,
                "user": USER,
                "password": PASSWORD,
                "queue_id": queue.id,
            }
        )
        self._deliver(lang)

        def commit():  # the test cursor cannot commit: flush as the commit would
            self.env.flush_all()
            self.env.cr.postcommit.run()

        # the cron's user: OdooBot, whose language is English
        self.assertEqual(self.env.user.lang, "en_US")
        with patch.object(self.env.cr, "commit", commit):
            server.with_context(lang="en_US").fetch_mail()
        ticket = self.env["ticket.ticket"].search([("queue_id", "=", queue.id)])
        self.assertEqual(len(ticket), 1)
        return ticket.message_ids.filtered(
            lambda m: m.message_type == "notification"
        ).mapped("body")

    @mute_logger("odoo.addons.ticket_system.models.mail_thread_hostile")
    def test_gateway_note_in_queue_language(self):
        notes = self._fetch("de_DE")
        self.assertTrue(
            any("überschreitet die Grenze von 1 MB" in note for note in notes), notes
        )
        self.assertFalse(any("exceeds the limit" in note for note in notes), notes)

    @mute_logger("odoo.addons.ticket_system.models.mail_thread_hostile")
    def test_gateway_note_in_english_queue_language(self):
        notes = self._fetch("en_US")
        self.assertTrue(
            any("exceeds the limit of 1 MB" in note for note in notes), notes
        )
