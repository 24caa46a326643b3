import base64

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common_mail import TicketMailCommon

# NUL bytes in subject and body are read since hostile mail is made harmless
# (test_mail_hostile); one in an RFC 2231 charset still fails in Python's parser
NUL_SUBJECT = (
    b"From: Kunde <kunde.gateway@example.com>\r\n"
    b"To: service@shop.example\r\n"
    b"Subject: Bestellung\x00 kaputt\r\n"
    b"Message-ID: <nul-subject-1@example.com>\r\n"
    b'Content-Type: multipart/mixed; boundary="t"\r\n'
    b"\r\n"
    b"--t\r\nContent-Type: text/plain; name*=utf-8\x00''lieferschein.txt\r\n\r\n"
    b"Die Ware kam besch\xc3\xa4digt an.\r\n--t--\r\n"
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
# a parameter whose RFC 2231 charset holds a NUL byte: Python's parser itself
# raises (ValueError inside email.feedparser), before any fallback can help
UNPARSEABLE = (
    b"From: kunde.gateway@example.com\r\n"
    b"To: service@shop.example\r\n"
    b"Subject: Unlesbar\r\n"
    b"Message-ID: <unparseable-1@example.com>\r\n"
    b"Content-Type: text/plain; name*=utf-8\x00''rechnung.txt\r\n"
    b"\r\n"
    b"Gr\xfc\xdfe\r\n"
)


@tagged("post_install", "-at_install", "mail_gateway")
class TestTicketMailFailure(TicketMailCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = cls._create_mailbox("service@shop.example", cls.queue)
        cls.manager = cls._create_manager("failure_manager", "Mia Manager")

    def _break_ticket_sequence(self):
        """A configuration error a manager can make and fix: ticket creation
        fails until the sequence prefix is repaired."""
        sequence = self.env["ir.sequence"].search(
            [
                ("code", "=", "ticket.ticket"),
                ("company_id", "=", self.queue.company_id.id),
            ]
        )
        sequence.prefix = "T%(no_such_placeholder)s"
        return sequence

    def _fetch(self, raw, server=None):
        """message_process as fetchmail.server.fetch_mail calls it."""
        server = server or self.server
        return (
            self.env["mail.thread"]
            .with_context(
                fetchmail_cron_running=True, default_fetchmail_server_id=server.id
            )
            .sudo()
            .message_process(server.object_id.model, raw)
        )

    def _domain_mailbox(self):
        """A mailbox collecting the mail of the whole domain: no queue, no
        model; the aliases among the recipients route each mail."""
        return self._create_mailbox("alles@shop.example")

    def _alias_mail(self, message_id, email_from="kunde.gateway@example.com"):
        return (
            f"From: Kunde <{email_from}>\r\n"
            f"To: {self.queue_address}\r\n"
            "Subject: Wo bleibt meine Bestellung?\r\n"
            f"Message-ID: <{message_id}@example.com>\r\n"
            "\r\n"
            "Hallo\r\n"
        ).encode()

    def _assert_refused_with_bounce(self, raw, sender, reason):
        """The alias refused a fetched mail: no ticket, nothing kept as failed,
        and the sender was told why (a bounce, which Odoo sends at once)."""
        with self.mock_mail_gateway():
            self.assertFalse(self._fetch(raw, self._domain_mailbox()))
        self.assertFalse(
            self.env["ticket.ticket"].search(
                [("name", "=", "Wo bleibt meine Bestellung?")]
            )
        )
        self.assertFalse(
            self.env["ticket.mail.failure"].search([("email_from", "ilike", sender)])
        )
        bounces = [mail for mail in self._mails if sender in str(mail["email_to"])]
        self.assertEqual(len(bounces), 1, "the sender learns the mail was refused")
        self.assertIn(reason, bounces[0]["body"])
        self.assertEqual(bounces[0]["subject"], "Re: Wo bleibt meine Bestellung?")
        self.assertNotEqual(
            self.queue.alias_id.alias_status, "invalid", "a refusal is no fault"
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
        self.assertEqual(
            base64.b64decode(failure.raw), NUL_SUBJECT, "kept byte for byte"
        )
        self.assertIn("null character", failure.error)
        self.assertEqual(failure.fetchmail_server_id, self.server)
        self.assertEqual(failure.queue_id, self.queue)
        self.assertEqual(failure.state, "failed")
        self.assertEqual(failure.subject, "Bestellung kaputt")
        self.assertEqual(
            self.env["ticket.ticket"].search_count([]),
            tickets_before,
            "partial writes rolled back",
        )
        self.assertFalse(
            self._new_mails, "no autoresponse for a ticket that does not exist"
        )
        # the next mail of the mailbox is processed normally
        with self.mock_mail_gateway():
            self._fetch(
                NUL_SUBJECT.replace(b"\x00", b"").replace(b"nul-subject-1", b"ok-2")
            )
        self.assertEqual(self.env["ticket.ticket"].search_count([]), tickets_before + 1)

    @mute_logger("odoo.addons.ticket_system.models.mail_thread", "odoo.sql_db")
    def test_parser_failure_is_kept(self):
        """What even the fallbacks cannot read is kept raw (a charset with a
        NUL byte in the body is read: test_mail_robust)."""
        self.assertFalse(self._fetch(UNPARSEABLE))
        failure = self.env["ticket.mail.failure"].search(
            [("message_id", "=", "<unparseable-1@example.com>")]
        )
        self.assertEqual(base64.b64decode(failure.raw), UNPARSEABLE)
        self.assertIn("embedded null character", failure.error)

    @mute_logger("odoo.addons.ticket_system.models.mail_thread", "odoo.sql_db")
    def test_lying_charset_is_read(self):
        ticket_id = self._fetch(LYING_CHARSET)
        self.assertTrue(ticket_id, "read with a fallback charset, not kept as failed")
        message = (
            self.env["ticket.ticket"]
            .browse(ticket_id)
            .message_ids.filtered(lambda m: m.message_id == "<charset-1@example.com>")
        )
        self.assertIn("Grüße", message.body)
        self.assertFalse(
            self.env["ticket.mail.failure"].search(
                [("message_id", "=", "<charset-1@example.com>")]
            )
        )

    @mute_logger("odoo.addons.ticket_system.models.mail_thread", "odoo.sql_db")
    def test_mail_read_with_fallback_still_kept_when_failing(self):
        """A mail read with a fallback that fails later on (the ticket
        sequence is broken) is kept raw as received, not as repaired."""
        self._break_ticket_sequence()
        self.assertFalse(self._fetch(LYING_CHARSET))
        failure = self.env["ticket.mail.failure"].search(
            [("message_id", "=", "<charset-1@example.com>")]
        )
        self.assertEqual(base64.b64decode(failure.raw), LYING_CHARSET)
        self.assertIn("no_such_placeholder", failure.error)

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
        failure = self.env["ticket.mail.failure"].search(
            [("message_hash", "!=", False)], limit=1
        )
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
            self.env["ticket.mail.failure"].search(
                [("message_id", "=", "<nul-subject-1@example.com>")]
            )
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
        with self.assertRaises(ValidationError):
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

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_fetched_mail_to_archived_queue_is_bounced(self):
        """design.md: an archived queue's address refuses mail with a clear
        bounce, also when the mail is fetched from a mailbox (it was neither
        bounced nor kept: lost)."""
        self.queue.active = False
        self._assert_refused_with_bounce(
            self._alias_mail("archived-fetch-1"),
            "kunde.gateway@example.com",
            "is closed and receives no more mail",
        )

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_fetched_mail_refused_by_contact_policy_is_bounced(self):
        self.queue.alias_contact = "partners"
        self._assert_refused_with_bounce(
            self._alias_mail(
                "policy-fetch-1", email_from="fremder.absender@example.net"
            ),
            "fremder.absender@example.net",
            "addresses linked to registered partners",
        )
        # a known customer still gets through
        with self.mock_mail_gateway():
            ticket_id = self._fetch(
                self._alias_mail("policy-fetch-2"), self._domain_mailbox()
            )
        self.assertEqual(
            self.env["ticket.ticket"].browse(ticket_id).partner_id, self.customer
        )

    @mute_logger(
        "odoo.addons.ticket_system.models.mail_thread",
        "odoo.addons.ticket_system.models.ticket_mail_failure",
        "odoo.addons.mail.models.mail_thread",
    )
    def test_reprocess_uses_the_mailbox_route_only(self):
        """A failed mail from a mailbox that feeds no queue gets Odoo's "no
        possible route" again when processed again, not a ticket without a
        queue; one whose mailbox was deleted goes to the mailbox's queue."""
        raw = (
            b"From: kunde.gateway@example.com\r\n"
            b"To: niemand@shop.example\r\n"
            b"Subject: Ohne Adresse\r\n"
            b"Message-ID: <no-route-1@example.com>\r\n"
            b"\r\n"
            b"Hallo\r\n"
        )
        self.assertFalse(self._fetch(raw, self._domain_mailbox()))
        failure = self.env["ticket.mail.failure"].search(
            [("message_id", "=", "<no-route-1@example.com>")]
        )
        self.assertIn("No possible route", failure.error)
        failure.with_user(self.manager).action_reprocess()
        self.assertEqual(failure.state, "failed")
        self.assertIn("No possible route", failure.error)
        self.assertFalse(
            self.env["ticket.ticket"].search([("name", "=", "Ohne Adresse")])
        )

        sequence = self._break_ticket_sequence()
        self.assertFalse(self._fetch(raw.replace(b"no-route-1", b"no-route-2")))
        failure = self.env["ticket.mail.failure"].search(
            [("message_id", "=", "<no-route-2@example.com>")]
        )
        self.assertEqual(failure.queue_id, self.queue)
        self.server.unlink()
        sequence.prefix = "T"
        with self.mock_mail_gateway():
            failure.with_user(self.manager).action_reprocess()
        self.assertEqual(failure.state, "done")
        self.assertEqual(failure.ticket_id.queue_id, self.queue)

    def test_store_never_fails_on_odd_input(self):
        Failure = self.env["ticket.mail.failure"]
        for raw, error in (
            (b"", "empty mail"),
            (b"\xff\xfe\x00garbage without headers", "binary"),
            (
                "Subject: surrogate \udcff\r\n\r\nx",
                "error with surrogate \udcff and NUL \x00",
            ),
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
        failure = self.env["ticket.mail.failure"].search(
            [("message_id", "=", "<retry-1@example.com>")]
        )
        Failure = self.env["ticket.mail.failure"]
        Failure._cron_reprocess()
        self.assertEqual(failure.attempt_count, 1, "not again within the hour")
        failure.date_last_attempt = fields.Datetime.subtract(
            fields.Datetime.now(), hours=2
        )
        Failure._cron_reprocess()
        self.assertEqual(
            failure.attempt_count, 2, "retried after an hour, failed again"
        )
        failure.write({"attempt_count": 5, "date_last_attempt": "2020-01-01 00:00:00"})
        Failure._cron_reprocess()
        self.assertEqual(failure.attempt_count, 5, "given up: waits for a manager")
        sequence.prefix = "T"
        failure.attempt_count = 3
        with self.mock_mail_gateway():
            Failure._cron_reprocess()
        self.assertEqual(failure.state, "done")
        self.assertEqual(failure.ticket_id.name, "Spaeter nochmal")
