import base64

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common_mail import TicketMailCommon

NUL_SUBJECT = (
    b"From: Kunde <kunde.gateway@example.com>\r\n"
    b"To: service@shop.example\r\n"
    b"Subject: Bestellung\x00 kaputt\r\n"
    b"Message-ID: <nul-subject-1@example.com>\r\n"
    b"\r\n"
    b"Die Ware kam besch\xc3\xa4digt an.\r\n"
)
LYING_CHARSET = (
    b"From: kunde.gateway@example.com\r\n"
    b"To: service@shop.example\r\n"
    b"Subject: Zeichensatz\r\n"
    b"Message-ID: <charset-1@example.com>\r\n"
    b'Content-Type: text/plain; charset="utf-8\x00"\r\n'
    b"\r\n"
    b"Gr\xfc\xdfe\r\n"
)


@tagged("post_install", "-at_install", "mail_gateway")
class TestTicketMailFailure(TicketMailCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = cls.env["fetchmail.server"].create(
            {
                "name": "Shop mailbox",
                "server_type": "imap",
                "server": "imap.shop.invalid",
                "user": "service@shop.example",
                "password": "secret",
                "queue_id": cls.queue.id,
            }
        )
        cls.manager = cls.env["res.users"].create(
            {
                "name": "Mia Manager",
                "login": "failure_manager",
                "email": "mia@example.com",
                "groups_id": [(6, 0, cls.env.ref("ticket_system.group_ticket_manager").ids)],
            }
        )

    def _break_ticket_sequence(self):
        """A configuration error a manager can make and fix: ticket creation
        fails until the sequence prefix is repaired."""
        sequence = self.env["ir.sequence"].search(
            [("code", "=", "ticket.ticket"), ("company_id", "=", self.queue.company_id.id)]
        )
        sequence.prefix = "T%(no_such_placeholder)s"
        return sequence

    def _fetch(self, raw):
        """message_process as fetchmail.server.fetch_mail calls it."""
        return (
            self.env["mail.thread"]
            .with_context(fetchmail_cron_running=True, default_fetchmail_server_id=self.server.id)
            .sudo()
            .message_process(self.server.object_id.model, raw)
        )

    @mute_logger("odoo.addons.ticket_system.models.mail_thread", "odoo.sql_db")
    def test_failing_mail_is_kept_raw_and_fetch_goes_on(self):
        tickets_before = self.env["ticket.ticket"].search_count([])
        with self.mock_mail_gateway():
            self.assertFalse(self._fetch(NUL_SUBJECT))
        failure = self.env["ticket.mail.failure"].search(
            [("message_id", "=", "<nul-subject-1@example.com>")]
        )
        self.assertEqual(len(failure), 1)
        self.assertEqual(base64.b64decode(failure.raw), NUL_SUBJECT, "kept byte for byte")
        self.assertIn("NUL", failure.error)
        self.assertEqual(failure.fetchmail_server_id, self.server)
        self.assertEqual(failure.queue_id, self.queue)
        self.assertEqual(failure.state, "failed")
        self.assertEqual(failure.subject, "Bestellung kaputt")
        self.assertEqual(
            self.env["ticket.ticket"].search_count([]), tickets_before, "partial writes rolled back"
        )
        self.assertFalse(self._new_mails, "no autoresponse for a ticket that does not exist")
        # the next mail of the mailbox is processed normally
        with self.mock_mail_gateway():
            self._fetch(NUL_SUBJECT.replace(b"\x00", b"").replace(b"nul-subject-1", b"ok-2"))
        self.assertEqual(self.env["ticket.ticket"].search_count([]), tickets_before + 1)

    @mute_logger("odoo.addons.ticket_system.models.mail_thread", "odoo.sql_db")
    def test_parser_failure_is_kept(self):
        self.assertFalse(self._fetch(LYING_CHARSET))
        failure = self.env["ticket.mail.failure"].search(
            [("message_id", "=", "<charset-1@example.com>")]
        )
        self.assertEqual(base64.b64decode(failure.raw), LYING_CHARSET)

    @mute_logger("odoo.addons.ticket_system.models.mail_thread", "odoo.sql_db")
    def test_same_failure_twice_is_one_record(self):
        self._fetch(NUL_SUBJECT)
        self._fetch(NUL_SUBJECT)
        failure = self.env["ticket.mail.failure"].search(
            [("message_id", "=", "<nul-subject-1@example.com>")]
        )
        self.assertEqual(len(failure), 1)
        self.assertEqual(failure.attempt_count, 2)

    @mute_logger("odoo.addons.ticket_system.models.mail_thread", "odoo.sql_db")
    def test_kilobyte_message_id(self):
        long_id = b"<" + b"x" * 5000 + b"@example.com>"
        raw = NUL_SUBJECT.replace(b"<nul-subject-1@example.com>", long_id)
        self.assertFalse(self._fetch(raw))
        failure = self.env["ticket.mail.failure"].search([("message_hash", "!=", False)], limit=1)
        self.assertTrue(failure.message_id.startswith("<xxxx"))
        self.assertEqual(base64.b64decode(failure.raw), raw)
        self._fetch(raw)
        self.assertEqual(failure.attempt_count, 2, "found again by its hash")

    @mute_logger(
        "odoo.addons.ticket_system.models.mail_thread",
        "odoo.addons.ticket_system.models.ticket_mail_failure",
    )
    def test_configuration_error_then_reprocess(self):
        """A ticket sequence broken by hand: mails fail until it is fixed, then
        a manager processes them again."""
        raw = (
            b"From: Kunde <kunde.gateway@example.com>\r\n"
            b"To: service@shop.example\r\n"
            b"Subject: =?utf-8?q?R=C3=BCckfrage?=\r\n"
            b"Message-ID: <config-1@example.com>\r\n"
            b"\r\n"
            b"Wann kommt meine Ware?\r\n"
        )
        sequence = self._break_ticket_sequence()
        self.assertFalse(self._fetch(raw))
        failure = self.env["ticket.mail.failure"].search(
            [("message_id", "=", "<config-1@example.com>")]
        )
        self.assertIn("no_such_placeholder", failure.error)
        # still failing: stays, with one more attempt
        failure.with_user(self.manager).action_reprocess()
        self.assertEqual(failure.state, "failed")
        self.assertEqual(failure.attempt_count, 2)
        sequence.prefix = "T"
        with self.mock_mail_gateway():
            self.assertTrue(failure.with_user(self.manager).action_reprocess())
        self.assertEqual(failure.state, "done")
        self.assertEqual(failure.ticket_id.name, "Rückfrage")
        self.assertEqual(failure.ticket_id.queue_id, self.queue)
        self.assertEqual(failure.ticket_id.fetchmail_server_id, self.server)

    def test_mail_from_mta_keeps_odoo_behaviour(self):
        with self.assertRaises(ValueError), mute_logger("odoo.sql_db"):
            self.env["mail.thread"].sudo().message_process("ticket.ticket", NUL_SUBJECT)
        self.assertFalse(
            self.env["ticket.mail.failure"].search([("message_id", "=", "<nul-subject-1@example.com>")])
        )

    @mute_logger("odoo.addons.ticket_system.models.mail_thread", "odoo.sql_db")
    def test_only_managers_see_failures(self):
        self._fetch(NUL_SUBJECT)
        failure = self.env["ticket.mail.failure"].search([], limit=1)
        with self.assertRaises(AccessError):
            failure.with_user(self.agent).read(["subject"])
        self.assertEqual(failure.with_user(self.manager).subject, "Bestellung kaputt")

    @mute_logger("odoo.addons.mail.models.fetchmail")
    def test_archived_queue_mailbox_not_fetched(self):
        # the mailbox host does not exist: fetching it raises
        with self.assertRaises(Exception):
            self.server.fetch_mail()
        self.queue.active = False
        self.assertTrue(self.server.fetch_mail(), "skipped, no connection tried")

    @mute_logger(
        "odoo.addons.ticket_system.models.mail_thread",
        "odoo.addons.ticket_system.models.ticket_mail_failure",
    )
    def test_failed_alias_mail_is_not_bounced(self):
        """Kept, not refused: no bounce to the sender, the queue address stays valid."""
        raw = (
            b"From: Kunde <kunde.gateway@example.com>\r\n"
            b"To: " + self.queue_address.encode() + b"\r\n"
            b"Subject: Bitte nicht abweisen\r\n"
            b"Message-ID: <no-bounce-1@example.com>\r\n"
            b"\r\n"
            b"Hallo\r\n"
        )
        self._break_ticket_sequence()
        with self.mock_mail_gateway():
            self.assertFalse(self._fetch(raw))
            failure = self.env["ticket.mail.failure"].search(
                [("message_id", "=", "<no-bounce-1@example.com>")]
            )
            self.assertEqual(len(failure), 1)
            failure.with_user(self.manager).action_reprocess()
        self.assertFalse(self._mails, "no bounce, neither on fetch nor on reprocess")
        self.assertNotEqual(self.queue.alias_id.alias_status, "invalid")

    def test_store_never_fails_on_odd_input(self):
        Failure = self.env["ticket.mail.failure"]
        for raw, error in (
            (b"", "empty mail"),
            (b"\xff\xfe\x00garbage without headers", "binary"),
            ("Subject: surrogate \udcff\r\n\r\nx", "error with surrogate \udcff and NUL \x00"),
        ):
            with self.subTest(raw=raw[:20]):
                failure = Failure._store(raw, error)
                self.assertTrue(failure.exists())
                self.assertNotIn("\x00", failure.error)

    @mute_logger(
        "odoo.addons.ticket_system.models.mail_thread",
        "odoo.addons.ticket_system.models.ticket_mail_failure",
    )
    def test_cron_retries_a_few_times_an_hour_apart(self):
        raw = (
            b"From: kunde.gateway@example.com\r\n"
            b"To: service@shop.example\r\n"
            b"Subject: Spaeter nochmal\r\n"
            b"Message-ID: <retry-1@example.com>\r\n"
            b"\r\n"
            b"Hallo\r\n"
        )
        sequence = self._break_ticket_sequence()
        self._fetch(raw)
        failure = self.env["ticket.mail.failure"].search([("message_id", "=", "<retry-1@example.com>")])
        Failure = self.env["ticket.mail.failure"]
        Failure._cron_reprocess()
        self.assertEqual(failure.attempt_count, 1, "not again within the hour")
        failure.date_last_attempt = fields.Datetime.subtract(fields.Datetime.now(), hours=2)
        Failure._cron_reprocess()
        self.assertEqual(failure.attempt_count, 2, "retried after an hour, failed again")
        failure.write({"attempt_count": 5, "date_last_attempt": "2020-01-01 00:00:00"})
        Failure._cron_reprocess()
        self.assertEqual(failure.attempt_count, 5, "given up: waits for a manager")
        sequence.prefix = "T"
        failure.attempt_count = 3
        with self.mock_mail_gateway():
            Failure._cron_reprocess()
        self.assertEqual(failure.state, "done")
        self.assertEqual(failure.ticket_id.name, "Spaeter nochmal")
