"""Faults and concurrency while fetching from a real IMAP or POP3 server.

A private Dovecot instance holds the mailbox (see test_mail_servers); Odoo's
fetchmail account fetches from it on real database connections that commit
after each mail, as the cron does. Every test runs twice: over IMAP (a mail
waits unseen, fetched means marked seen) and over POP3 (a mail waits on the
server, fetched means deleted). These tests commit, and remove what they
created afterwards.
"""

import threading
import uuid

from odoo import SUPERUSER_ID, api
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, tagged
from odoo.tools import mute_logger

from ..models.fetchmail_server import MAILBOX_LOCK_NAMESPACE
from . import test_mail_servers as servers
from .common_committed import CommittedCase

USER = "lager@shop.example"
PASSWORD = "Geheim-456"

MAIL = """\
From: Kunde <{sender}>
To: {user}
Subject: {subject}
Message-ID: <{message_id}@kunde.example>
Date: Mon, 10 Mar 2025 09:13:58 +0100
Content-Type: text/plain; charset="utf-8"

Guten Tag, die Lieferung ist unvollstaendig.
"""

LOGGERS = (
    "odoo.sql_db",
    "odoo.addons.mail.models.fetchmail",
    "odoo.addons.ticket_system.models.mail_thread",
    "odoo.addons.ticket_system.models.fetchmail_server",
)


@tagged("post_install", "-at_install", "mail_gateway")
class TestMailFetchFaults(CommittedCase, BaseCase):
    """Over IMAP: Odoo marks a fetched mail seen and leaves it there."""

    server_type = "imap"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if servers.dovecot_missing():
            raise RuntimeError(servers.dovecot_missing())
        cls.dovecot = servers.DovecotServer(USER, PASSWORD)
        cls.addClassCleanup(cls.dovecot.stop)
        cls.dovecot.start()

    def setUp(self):
        super().setUp()
        self.registry = Registry(get_db_name())
        self.tag = uuid.uuid4().hex[:8]
        self._empty_mailbox()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            members = env.ref("base.user_admin") | env.ref("base.user_demo")
            queue = env["ticket.queue"].create(
                {
                    "name": f"Lager {self.tag}",
                    "assign_method": "round_robin",
                    "member_ids": [(6, 0, members.ids)],
                }
            )
            server = env["fetchmail.server"].create(
                {
                    "name": f"Lager {self.tag}",
                    "server_type": self.server_type,
                    "server": "127.0.0.1",
                    "port": self._port(),
                    "is_ssl": False,
                    "user": USER,
                    "password": PASSWORD,
                    "queue_id": queue.id,
                }
            )
            self.queue_id, self.server_id = queue.id, server.id
        self.addCleanup(self._remove_records)

    # ---- the mailbox ----

    def _port(self):
        return self.dovecot.port

    def _empty_mailbox(self):
        imap = self.dovecot.connect()
        try:
            _, count = imap.select("INBOX")
            if int(count[0]):
                imap.store("1:*", "+FLAGS", "\\Deleted")
                imap.expunge()
        finally:
            imap.logout()

    def _deliver(self, name):
        raw = MAIL.format(
            sender=f"kunde-{self.tag}@kunde.example",
            user=USER,
            subject=f"{name} {self.tag}",
            message_id=f"{name}-{self.tag}",
        ).encode()
        imap = self.dovecot.connect()
        try:
            self.assertEqual(imap.append("INBOX", None, None, raw)[0], "OK")
        finally:
            imap.logout()
        return f"<{name}-{self.tag}@kunde.example>"

    def _unseen(self):
        """Number of mails in the mailbox, number of them not seen."""
        imap = self.dovecot.connect()
        try:
            imap.select("INBOX", readonly=True)
            _, every = imap.search(None, "ALL")
            _, unseen = imap.search(None, "UNSEEN")
            return len(every[0].split()), len(unseen[0].split())
        finally:
            imap.logout()

    def _assert_waiting(self, msg=None):
        """The one mail still waits on the server for a fetch."""
        self.assertEqual(self._unseen(), (1, 1), msg)

    def _assert_fetched(self, msg=None):
        """The one mail is done with on the server (IMAP: seen, kept)."""
        self.assertEqual(self._unseen(), (1, 0), msg)

    # ---- the database ----

    def _fetch(self, raise_exception=False):
        """A cron run: fetch_mail on a cursor of its own, committed."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["fetchmail.server"].browse(self.server_id).fetch_mail(
                raise_exception=raise_exception
            )

    def _state(self, message_id):
        """Tickets of the queue, stored copies of the mail, failed mails."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            tickets = env["ticket.ticket"].search_count(
                [("queue_id", "=", self.queue_id)]
            )
            messages = env["mail.message"].search_count(
                [("message_id", "=", message_id)]
            )
            failures = env["ticket.mail.failure"].search_count(
                [("email_from", "ilike", self.tag)]
            )
            return tickets, messages, failures

    # ---- the tests ----

    @mute_logger(*LOGGERS)
    def test_failed_commit_keeps_mail_on_server(self):
        """The mail is processed, then its commit fails (as when the database
        connection drops at that moment; here a deferred constraint trigger
        refuses the commit): the transaction is rolled back, so the mail must
        still be unseen on the IMAP server, and the next fetch turns it into
        exactly one ticket. Odoo alone marks it seen before the commit: the
        mail would be lost."""
        message_id = self._deliver("Commit")
        trigger = f"ticket_test_refuse_commit_{self.tag}"
        with self.registry.cursor() as cr:
            cr.execute(
                f"""CREATE FUNCTION {trigger}() RETURNS trigger LANGUAGE plpgsql
                AS $$ BEGIN RAISE EXCEPTION 'commit refused by the test'; END $$;
                CREATE CONSTRAINT TRIGGER {trigger} AFTER INSERT ON mail_message
                DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
                WHEN (NEW.message_id = %s) EXECUTE FUNCTION {trigger}()""",
                [message_id],
            )

        def drop_trigger():
            with self.registry.cursor() as cr:
                cr.execute(f"DROP TRIGGER IF EXISTS {trigger} ON mail_message")
                cr.execute(f"DROP FUNCTION IF EXISTS {trigger}()")

        self.addCleanup(drop_trigger)
        self._fetch()
        self.assertEqual(self._state(message_id), (0, 0, 0), "nothing committed")
        self._assert_waiting("the mail waits, unseen, on the server")
        drop_trigger()
        self._fetch()
        self.assertEqual(self._state(message_id), (1, 1, 0), "one ticket, one message")
        self._assert_fetched("seen once it is committed")
        self._fetch()
        self.assertEqual(self._state(message_id), (1, 1, 0), "processed exactly once")

    @mute_logger(*LOGGERS)
    def test_connection_lost_mid_fetch_keeps_mail_on_server(self):
        """The database connection of a fetch is killed while the mail is
        being processed (here while it waits for the queue's rotation, which
        another transaction holds). Nothing is committed for that mail, so
        it must not be marked seen: it stays unseen on the IMAP server, and
        the next fetch turns it into exactly one ticket. Odoo alone marks it
        seen before its commit: the mail would be lost."""
        message_id = self._deliver("Abbruch")
        self._assert_waiting()
        result = {}

        def worker():
            try:
                with self.registry.cursor() as cr:
                    result["pid"] = cr._cnx.get_backend_pid()
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    env["fetchmail.server"].browse(self.server_id).fetch_mail(
                        raise_exception=False
                    )
            except Exception as exc:  # noqa: BLE001 - the connection is gone
                result["error"] = exc

        with self.registry.cursor() as cr_lock, self.registry.cursor() as cr_watch:
            cr_lock.execute(
                "SELECT id FROM ticket_queue WHERE id = %s FOR NO KEY UPDATE",
                [self.queue_id],
            )
            thread = threading.Thread(target=worker)
            thread.start()
            waited = self._wait_for_lock_wait(thread, result, cr_watch, 30)
            self.assertTrue(waited, "the fetch was caught in the middle of the mail")
            cr_watch.execute("SELECT pg_terminate_backend(%s)", [result["pid"]])
            self.assertTrue(cr_watch.fetchone()[0])
            cr_watch.commit()  # pylint: disable=invalid-commit
            thread.join(30)
            cr_lock.rollback()
        self.assertFalse(thread.is_alive())
        self.assertIn("error", result, "the fetch lost its database connection")

        self.assertEqual(self._state(message_id), (0, 0, 0), "nothing committed")
        self._assert_waiting("the mail waits, unseen, on the server")

        self._fetch()
        self.assertEqual(self._state(message_id), (1, 1, 0), "one ticket, one message")
        self._assert_fetched("seen once it is committed")
        self._fetch()
        self.assertEqual(self._state(message_id), (1, 1, 0), "processed exactly once")

    @mute_logger(*LOGGERS)
    def test_mailbox_fetched_by_another_worker_is_skipped(self):
        """While one worker fetches a mailbox (it holds the mailbox's lock),
        a second fetch of the same mailbox leaves it alone: the cron skips
        it, "Fetch now" says so. Afterwards the mail is fetched once."""
        message_id = self._deliver("Zweimal")
        with self.registry.cursor() as cr_other:
            cr_other.execute(
                "SELECT pg_advisory_lock(%s, %s)",
                [MAILBOX_LOCK_NAMESPACE, self.server_id],
            )
            try:
                self._fetch()
                self.assertEqual(self._state(message_id), (0, 0, 0))
                self._assert_waiting()
                with self.assertRaisesRegex(UserError, "is being fetched right now"):
                    self._fetch(raise_exception=True)
            finally:
                cr_other.execute(
                    "SELECT pg_advisory_unlock(%s, %s)",
                    [MAILBOX_LOCK_NAMESPACE, self.server_id],
                )
        self._fetch()
        self.assertEqual(self._state(message_id), (1, 1, 0))
        self._assert_fetched()
        self._fetch()
        self.assertEqual(self._state(message_id), (1, 1, 0))


@tagged("post_install", "-at_install", "mail_gateway")
class TestMailFetchFaultsPop3(TestMailFetchFaults):
    """The same faults over POP3: Odoo deletes a fetched mail (DELE, carried
    out at QUIT). A DELE sent before the mail's commit would lose the mail
    when the commit fails; it must wait for the commit."""

    server_type = "pop"

    def _port(self):
        return self.dovecot.pop3_port

    def _on_server(self):
        """Number of mails a POP3 client finds in the mailbox."""
        pop = self.dovecot.connect_pop3()
        try:
            return pop.stat()[0]
        finally:
            pop.quit()

    def _assert_waiting(self, msg=None):
        self.assertEqual(self._on_server(), 1, msg)

    def _assert_fetched(self, msg=None):
        self.assertEqual(self._on_server(), 0, msg)

    @mute_logger(*LOGGERS)
    def test_pop3_fetch_end_to_end(self):
        """Plain POP3: three mails (a new request, another one, and a reply
        to the first by In-Reply-To) become two tickets, the reply joins the
        first; the mailbox is empty afterwards and a second fetch changes
        nothing."""
        first = self._deliver("Anfrage")
        other = self._deliver("Zweite")
        reply_id = f"<Antwort-{self.tag}@kunde.example>"
        reply = MAIL.format(
            sender=f"kunde-{self.tag}@kunde.example",
            user=USER,
            subject=f"Re: Anfrage {self.tag}",
            message_id=f"Antwort-{self.tag}",
        ).replace("Date:", f"In-Reply-To: {first}\nDate:", 1)
        imap = self.dovecot.connect()
        try:
            self.assertEqual(imap.append("INBOX", None, None, reply.encode())[0], "OK")
        finally:
            imap.logout()
        self.assertEqual(self._on_server(), 3)
        self._fetch(raise_exception=True)
        self.assertEqual(self._on_server(), 0, "POP3: a fetched mail is deleted")
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            tickets = env["ticket.ticket"].search(
                [("queue_id", "=", self.queue_id)], order="id"
            )
            self.assertEqual(len(tickets), 2)
            self.assertEqual(tickets.fetchmail_server_id.ids, [self.server_id])
            received = [
                sorted(
                    ticket.message_ids.filtered(
                        lambda m: m.message_type == "email"
                    ).mapped("message_id")
                )
                for ticket in tickets
            ]
            self.assertEqual(received, [sorted([first, reply_id]), [other]])
        self.assertEqual(self._state(reply_id), (2, 1, 0))
        self._fetch(raise_exception=True)
        self.assertEqual(self._state(first), (2, 1, 0), "nothing fetched twice")
