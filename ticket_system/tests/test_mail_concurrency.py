"""Two mail workers at once, on real database connections.

fetchmail commits after each mail, and PostgreSQL only reports a conflict
between transactions that really run side by side: these tests open their own
cursors and commit, like two cron workers, instead of the rolled-back test
transaction, and remove what they created afterwards.
"""

import threading
import uuid

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, tagged
from odoo.tools import mute_logger

from .common_committed import CommittedCase

MAIL = """\
From: Kunde <{sender}>
To: service@shop.example
Subject: {subject}
Message-ID: <{message_id}@kunde.example>
Date: Mon, 10 Mar 2025 09:13:58 +0100
Content-Type: text/plain; charset="utf-8"

Guten Tag, wo bleibt meine Bestellung?
"""


@tagged("post_install", "-at_install", "mail_gateway")
class TestMailConcurrency(CommittedCase, BaseCase):
    def setUp(self):
        super().setUp()
        self.registry = Registry(get_db_name())
        self.tag = uuid.uuid4().hex[:8]
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            members = env.ref("base.user_admin") | env.ref("base.user_demo")
            queue = env["ticket.queue"].create(
                {
                    "name": f"Concurrency {self.tag}",
                    "assign_method": "round_robin",
                    "autoresponder": True,
                    "member_ids": [(6, 0, members.ids)],
                }
            )
            server = env["fetchmail.server"].create(
                {
                    "name": f"Concurrency {self.tag}",
                    "server_type": "imap",
                    "server": "imap.shop.invalid",
                    "user": "service@shop.example",
                    "password": "secret",
                    "queue_id": queue.id,
                }
            )
            self.queue_id, self.server_id, self.member_ids = (
                queue.id,
                server.id,
                members.ids,
            )
        self.addCleanup(self._remove_records)

    def _raw(self, name):
        return MAIL.format(
            sender=f"kunde-{self.tag}@kunde.example",
            subject=f"{name} {self.tag}",
            message_id=f"{name}-{self.tag}",
        ).encode()

    def _fetch(self, cr, raw):
        """message_process as fetchmail.server.fetch_mail calls it, then the
        commit it makes after each mail."""
        env = api.Environment(cr, SUPERUSER_ID, {})
        result = (
            env["mail.thread"]
            .with_context(
                fetchmail_cron_running=True, default_fetchmail_server_id=self.server_id
            )
            .message_process("ticket.ticket", raw)
        )
        # a worker's own transaction, committed as fetchmail does after each mail
        cr.commit()  # pylint: disable=invalid-commit
        return result

    def _queue_state(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            tickets = env["ticket.ticket"].search(
                [("queue_id", "=", self.queue_id)], order="id"
            )
            failures = env["ticket.mail.failure"].search(
                [("email_from", "ilike", self.tag)]
            )
            confirmations = env["mail.mail"].search(
                [
                    ("model", "=", "ticket.ticket"),
                    ("res_id", "in", tickets.ids),
                    ("email_to", "ilike", self.tag),
                ]
            )
            return (
                [(ticket.name, ticket.user_id.id) for ticket in tickets],
                failures.mapped("error"),
                len(confirmations),
            )

    @mute_logger("odoo.sql_db")
    def test_conflict_with_another_worker_is_retried_at_once(self):
        """Worker A's transaction starts; worker B assigns a ticket of the same
        round-robin queue and commits first. A's write of the queue's rotation
        meets a serialization failure: A processes its mail again in a fresh
        transaction instead of parking it as failed for an hour."""
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            cr_a.execute("SELECT 1")  # A's snapshot is taken
            self.assertTrue(self._fetch(cr_b, self._raw("Erste")))
            self.assertTrue(self._fetch(cr_a, self._raw("Zweite")))
        tickets, errors, confirmations = self._queue_state()
        self.assertEqual(errors, [], "nothing parked as failed")
        self.assertEqual(
            [name for name, _user in tickets],
            [f"Erste {self.tag}", f"Zweite {self.tag}"],
        )
        self.assertEqual(
            sorted(user for _name, user in tickets),
            sorted(self.member_ids),
            "the rotation went on: one ticket for each member",
        )
        self.assertEqual(confirmations, 2, "one confirmation per ticket")

    @mute_logger("odoo.sql_db", "odoo.addons.ticket_system.models.mail_thread")
    def test_lasting_conflict_is_kept_then_processed(self):
        """A lock that outlasts every retry: the mail is kept as failed, and
        processed once the lock is gone."""
        with self.registry.cursor() as cr_lock, self.registry.cursor() as cr_mail:
            cr_lock.execute(
                "SELECT id FROM ticket_queue WHERE id = %s FOR NO KEY UPDATE",
                [self.queue_id],
            )
            # for the connection, not the transaction: each retry starts a new one
            cr_mail.execute("SET lock_timeout = '100ms'")
            cr_mail.commit()
            try:
                self.assertFalse(self._fetch(cr_mail, self._raw("Gesperrt")))
            finally:
                cr_mail.execute("RESET lock_timeout")
                cr_mail.commit()
            cr_lock.rollback()
        tickets, errors, _confirmations = self._queue_state()
        self.assertEqual(tickets, [])
        self.assertEqual(len(errors), 1)
        self.assertIn("LockNotAvailable", errors[0])
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            failure = env["ticket.mail.failure"].search(
                [("email_from", "ilike", self.tag)]
            )
            failure.action_reprocess()
            self.assertEqual(failure.state, "done")
        tickets, _errors, confirmations = self._queue_state()
        self.assertEqual([name for name, _user in tickets], [f"Gesperrt {self.tag}"])
        self.assertEqual(confirmations, 1)

    @mute_logger("odoo.sql_db", "odoo.addons.ticket_system.models.mail_thread")
    def test_two_workers_do_not_pick_the_same_member(self):
        """Worker A assigns a ticket and has not committed yet; worker B (the
        mail gateway) assigns in the same queue meanwhile. B waits for A
        instead of reading the same rotation pointer, then continues after A's
        member: one ticket for each member, the pointer on B's member."""
        result = {}

        def worker_b():
            with self.registry.cursor() as cr_b:
                result["pid"] = cr_b._cnx.get_backend_pid()
                env = api.Environment(cr_b, SUPERUSER_ID, {})
                result["ticket"] = (
                    env["mail.thread"]
                    .with_context(
                        fetchmail_cron_running=True,
                        default_fetchmail_server_id=self.server_id,
                    )
                    .message_process("ticket.ticket", self._raw("Zweiter Worker"))
                )
                cr_b.commit()  # pylint: disable=invalid-commit

        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_watch:
            env_a = api.Environment(cr_a, SUPERUSER_ID, {})
            ticket_a = env_a["ticket.ticket"].create(
                {"name": f"Erster Worker {self.tag}", "queue_id": self.queue_id}
            )
            env_a.flush_all()
            thread = threading.Thread(target=worker_b)
            thread.start()
            waited = self._wait_for_lock_wait(thread, result, cr_watch, 20)
            user_a = ticket_a.user_id.id
            cr_a.commit()  # pylint: disable=invalid-commit
            thread.join(30)
        self.assertFalse(thread.is_alive())
        self.assertTrue(waited, "worker B waited for worker A's assignment")
        self.assertIn(
            "FOR NO KEY UPDATE",
            waited,
            "B waits before it reads the pointer, not after it chose a member",
        )
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            tickets = env["ticket.ticket"].search(
                [("queue_id", "=", self.queue_id)], order="id"
            )
            failures = env["ticket.mail.failure"].search(
                [("email_from", "ilike", self.tag)]
            )
            self.assertFalse(failures.mapped("error"), "nothing parked as failed")
            self.assertEqual(len(tickets), 2)
            self.assertEqual(tickets[0].user_id.id, user_a)
            self.assertEqual(
                sorted(tickets.user_id.ids),
                sorted(self.member_ids),
                "one ticket for each member",
            )
            queue = env["ticket.queue"].browse(self.queue_id)
            self.assertEqual(queue.assign_last_user_id, tickets[1].user_id)

    def _side_by_side(self, raw_a, raw_b):
        """Worker A processes ``raw_a`` and has not committed yet when worker
        B processes ``raw_b``; A commits once B waits for a lock (or is done).
        Returns the statement B waited in, and B's result."""
        result = {}

        def worker_b():
            with self.registry.cursor() as cr_b:
                result["pid"] = cr_b._cnx.get_backend_pid()
                result["ticket"] = self._fetch(cr_b, raw_b)

        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_watch:
            env_a = api.Environment(cr_a, SUPERUSER_ID, {})
            self.assertTrue(
                env_a["mail.thread"]
                .with_context(
                    fetchmail_cron_running=True,
                    default_fetchmail_server_id=self.server_id,
                )
                .message_process("ticket.ticket", raw_a)
            )
            env_a.flush_all()
            thread = threading.Thread(target=worker_b)
            thread.start()
            waited = self._wait_for_lock_wait(thread, result, cr_watch, 20)
            cr_a.commit()  # pylint: disable=invalid-commit
            thread.join(30)
        self.assertFalse(thread.is_alive())
        return waited, result.get("ticket")

    def _manual_assignment(self):
        """No round-robin pointer: no other lock orders the two workers."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["ticket.queue"].browse(self.queue_id).assign_method = "manual"

    def _stored(self, name):
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT count(*) FROM mail_message WHERE message_id = %s",
                [f"<{name}-{self.tag}@kunde.example>"],
            )
            return cr.fetchone()[0]

    @mute_logger("odoo.sql_db", "odoo.addons.ticket_system.models.mail_thread")
    def test_same_mail_in_two_workers_makes_one_ticket(self):
        """The same mail in two workers at once (a mailbox fetched twice, the
        failure cron and a fetch): B waits for A instead of missing A's
        uncommitted message in the duplicate check, then finds it: one
        ticket, one message, one confirmation."""
        self._manual_assignment()
        raw = self._raw("Doppelt")
        waited, result_b = self._side_by_side(raw, raw)
        tickets, errors, confirmations = self._queue_state()
        self.assertEqual(errors, [], "nothing parked as failed")
        self.assertEqual([name for name, _user in tickets], [f"Doppelt {self.tag}"])
        self.assertEqual(confirmations, 1, "one confirmation")
        self.assertEqual(self._stored("Doppelt"), 1, "the mail is stored once")
        self.assertIn("advisory", waited or "", "worker B waited for worker A")
        self.assertFalse(result_b, "B found A's message: a duplicate")

    @mute_logger("odoo.sql_db", "odoo.addons.ticket_system.models.mail_thread")
    def test_first_mail_and_reply_in_two_workers_make_one_ticket(self):
        """A customer's first mail and their reply to it (In-Reply-To,
        References) in two workers at once: the reply waits for the first
        mail's ticket and joins it instead of opening a second one."""
        self._manual_assignment()
        first = self._raw("Anfang")
        parent = f"<Anfang-{self.tag}@kunde.example>".encode()
        reply = self._raw("Nachtrag").replace(
            b"Date:",
            b"In-Reply-To: " + parent + b"\nReferences: " + parent + b"\nDate:",
        )
        waited, result_b = self._side_by_side(first, reply)
        tickets, errors, confirmations = self._queue_state()
        self.assertEqual(errors, [], "nothing parked as failed")
        self.assertEqual([name for name, _user in tickets], [f"Anfang {self.tag}"])
        self.assertEqual(confirmations, 1, "one confirmation")
        self.assertEqual(self._stored("Anfang"), 1)
        self.assertEqual(self._stored("Nachtrag"), 1)
        self.assertIn("advisory", waited or "", "the reply waited for the first mail")
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            ticket = env["ticket.ticket"].search([("queue_id", "=", self.queue_id)])
            self.assertEqual(result_b, ticket.id, "the reply joined the ticket")
            self.assertEqual(
                len(ticket.message_ids.filtered(lambda m: m.message_type == "email")),
                2,
            )
