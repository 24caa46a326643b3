from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common_mail import MAIL_TEMPLATE, TicketMailCommon


@tagged("post_install", "-at_install", "mail_gateway")
class TestTicketMailHealth(TicketMailCommon):
    """The manager's mail health view: per mailbox last fetch and error, the
    day's fetched / failed / quarantined mails and suppressed confirmations
    (the autoresponder ping-pong counter)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = cls._create_mailbox("health@shop.example", cls.queue)
        cls.manager = cls._create_manager("health_manager", "Hanna Health")

    def _health(self):
        self.env.flush_all()
        self.env.invalidate_all()
        return (
            self.env["ticket.mail.health"]
            .with_user(self.manager)
            .search([("id", "=", self.server.id)])
        )

    def _fetch_mails(self, mails):
        """Process ``mails`` (email_from, subject) as the fetch of this mailbox
        does, then keep the counts as it does at its end."""
        stats = {"fetched": 0, "failed": 0, "suppressed": 0}
        Thread = self.env["mail.thread"].with_context(
            fetchmail_cron_running=True,
            default_fetchmail_server_id=self.server.id,
            ticket_fetch_stats=stats,
        )
        with self.mock_mail_gateway():
            for n, (email_from, subject) in enumerate(mails):
                raw = MAIL_TEMPLATE.format(
                    return_path=email_from,
                    to="health@shop.example",
                    cc="",
                    email_from=email_from,
                    subject=subject,
                    msg_id=f"<health-{n}-{subject.replace(' ', '')}@example.com>",
                    extra="",
                )
                Thread.message_process("ticket.ticket", raw)
        self.server._ticket_keep_stats(stats, False)
        return stats

    @mute_logger("odoo.addons.ticket_system.models.mail_thread")
    def test_autoresponder_ping_pong_is_counted(self):
        """A robot without Auto-Submitted headers writing again and again:
        5 confirmations an hour, the rest suppressed, counted and logged."""
        self.env["ir.config_parameter"].set_param(
            "ticket_system.autoresponder_limit_per_hour", 5
        )
        stats = self._fetch_mails(
            [("robot@partner.example", f"Abwesend {n}") for n in range(8)]
        )
        self.assertEqual(stats, {"fetched": 8, "failed": 0, "suppressed": 3})
        confirmations = self._new_mails.filtered(
            lambda m: "auto-replied" in (m.headers or "")
        )
        self.assertEqual(len(confirmations), 5)
        health = self._health()
        self.assertEqual(health.fetched_today, 8)
        self.assertEqual(health.suppressed_today, 3)
        self.assertEqual(health.failed_today, 0)
        # the next fetch adds to the day
        self._fetch_mails([("kunde.gateway@example.com", "Noch eine Frage")])
        self.assertEqual(self._health().fetched_today, 9)

    @mute_logger(
        "odoo.addons.ticket_system.models.mail_thread",
        "odoo.addons.ticket_system.models.ticket_mail_failure",
    )
    def test_failed_mails_are_counted(self):
        sequence = self.env["ir.sequence"].search(
            [
                ("code", "=", "ticket.ticket"),
                ("company_id", "=", self.queue.company_id.id),
            ]
        )
        sequence.prefix = "T%(no_such_placeholder)s"
        self._fetch_mails([("kunde.gateway@example.com", "Wird scheitern")])
        health = self._health()
        self.assertEqual((health.fetched_today, health.failed_today), (1, 1))
        self.assertEqual(health.failed_open, 1)
        action = health.action_open_failures()
        failures = self.env["ticket.mail.failure"].search(action["domain"])
        self.assertEqual(failures.subject, "Wird scheitern")

    @mute_logger("odoo.addons.ticket_system.models.fetchmail_server")
    def test_last_error_of_the_fetch(self):
        """The mailbox host does not exist: the cron's fetch goes on, the
        health view shows the error."""
        self.assertTrue(self.server.fetch_mail(raise_exception=False))
        health = self._health()
        self.assertTrue(health.has_error)
        self.assertTrue(health.last_error_date)
        # in the language of the mailbox's queue, like the notes of the fetch
        self.assertEqual(self.queue.lang, "de_DE")
        self.assertIn("Ihre E-Mails konnten nicht empfangen werden", health.last_error)

    def test_managers_only(self):
        self.assertEqual(len(self._health()), 1)
        self.assertNotIn("password", self.env["ticket.mail.health"]._fields)
        with self.assertRaises(AccessError):
            self.env["ticket.mail.health"].with_user(self.agent).search([])

    def test_out_of_office_answering_the_confirmation_joins_the_ticket(self):
        """Another system's out-of-office, without any automatic header,
        answering our confirmation: it joins the ticket; no new ticket, no
        second confirmation."""
        with self.mock_mail_gateway():
            ticket = self._receive(
                "kunde.gateway@example.com",
                "Kaffeemaschine Z-4711",
                msg_id="<ooo-1@example.com>",
            )
        confirmation = self._new_mails.filtered(
            lambda m: "auto-replied" in (m.headers or "")
        )
        self.assertEqual(len(confirmation), 1)
        with self.mock_mail_gateway():
            self._receive(
                "kunde.gateway@example.com",
                f"Abwesend: {confirmation.subject}",
                msg_id="<ooo-2@example.com>",
                extra=f"In-Reply-To: {confirmation.message_id}",
            )
            self._receive(
                "kunde.gateway@example.com",
                f"Abwesend: {confirmation.subject}",
                msg_id="<ooo-3@example.com>",
            )
        self.assertFalse(
            self._new_mails.filtered(lambda m: "auto-replied" in (m.headers or ""))
        )
        self.assertEqual(
            self.env["ticket.ticket"].search_count([("name", "ilike", "Z-4711")]),
            1,
        )
        self.assertEqual(
            len(ticket.message_ids.filtered(lambda m: m.message_type == "email")), 3
        )

    def test_duplicate_is_no_failure(self):
        """The same mail fetched twice (a lost \\Seen flag): counted as
        fetched, not as failed."""
        self._fetch_mails([("kunde.gateway@example.com", "Doppelt")])
        self._fetch_mails([("kunde.gateway@example.com", "Doppelt")])
        health = self._health()
        self.assertEqual((health.fetched_today, health.failed_today), (2, 0))
