"""Helpers for tests with real, committing database connections (two workers
at once): what they commit is removed afterwards, and a test can wait until
the other worker waits for a lock."""

import time

from odoo import SUPERUSER_ID, api


class CommittedCase:
    """Mixin for a ``BaseCase`` that sets ``tag`` (in the senders' addresses),
    ``queue_id`` and ``server_id`` to what it committed."""

    def _remove_records(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"active_test": False})
            env["ticket.mail.failure"].search(
                [("email_from", "ilike", self.tag)]
            ).unlink()
            env["ticket.ticket"].search([("queue_id", "=", self.queue_id)]).unlink()
            env["fetchmail.server"].browse(self.server_id).unlink()
            env["ticket.queue"].browse(self.queue_id).unlink()
            env["res.partner"].search([("email", "ilike", self.tag)]).unlink()

    def _waiting_for_lock(self, cr, pid):
        """The statement worker ``pid`` waits in for a lock, if it does."""
        cr.execute(
            "SELECT query FROM pg_stat_activity WHERE pid = %s AND wait_event_type = 'Lock'",
            [pid],
        )
        row = cr.fetchone()
        return row and row[0]

    def _wait_for_lock_wait(self, thread, result, cr_watch, timeout):
        """Wait until the worker running in ``thread`` (its backend pid in
        ``result["pid"]``) waits for a lock; return the statement it waits
        in, or None when it ended or ``timeout`` seconds passed first."""
        waited = None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and thread.is_alive() and not waited:
            time.sleep(0.05)
            pid = result.get("pid")
            waited = pid and self._waiting_for_lock(cr_watch, pid)
            cr_watch.rollback()
        return waited
