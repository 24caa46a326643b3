import functools
import logging

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

_logger = logging.getLogger(__name__)

# advisory lock namespace ("ticf") for one mailbox being fetched, keyed by the
# id of its fetchmail.server
MAILBOX_LOCK_NAMESPACE = 0x74696366


class AfterCommitConnection:
    """An IMAP or POP3 connection of a fetch that changes the mailbox only
    once the mail's transaction is committed.

    Odoo's fetch marks a mail seen (IMAP) or deletes it (POP3) before the
    commit that follows each mail: if the database connection drops or the
    commit fails, the mail is gone from the mailbox and from the database.
    Here the mail is read without marking it seen (BODY.PEEK), and \\Seen or
    DELE is sent after the commit: a mail whose transaction is lost stays on
    the server and is fetched again; one whose flag could not be set after
    the commit is recognised by its Message-Id next time."""

    def __init__(self, connection, cr, server_name):
        self._connection = connection
        self._cr = cr
        self._server_name = server_name
        self._closed = False

    def __getattr__(self, name):
        return getattr(self._connection, name)

    # the end of the fetch: what still waits for a commit (one that failed,
    # so the fetch stopped) must not reach the server later
    def close(self):
        self._closed = True
        return self._connection.close()

    def logout(self):
        self._closed = True
        return self._connection.logout()

    def quit(self):
        self._closed = True
        return self._connection.quit()

    def fetch(self, message_set, message_parts):
        if message_parts == "(RFC822)":
            message_parts = "(BODY.PEEK[])"
        return self._connection.fetch(message_set, message_parts)

    def store(self, message_set, command, flags):
        if command == "+FLAGS" and flags == "\\Seen":
            self._after_commit("store", message_set, command, flags)
            return "OK", [None]
        return self._connection.store(message_set, command, flags)

    def dele(self, which):
        self._after_commit("dele", which)
        return b"+OK"

    def _after_commit(self, method, *args):
        if self._cr.cache.pop("ticket_mail_unkept", False):
            _logger.warning(
                "Mail %s of mailbox %s could not be processed nor kept: "
                "it stays on the server",
                args[0],
                self._server_name,
            )
            return
        self._cr.postcommit.add(functools.partial(self._run, method, *args))

    def _run(self, method, *args):
        if self._closed:
            return
        try:
            getattr(self._connection, method)(*args)
        except Exception:  # noqa: BLE001 - committed: found as a duplicate next time
            _logger.warning(
                "Mail %s of mailbox %s is processed but could not be marked "
                "on the server (%s); the next fetch skips it as a duplicate",
                args[0],
                self._server_name,
                method,
                exc_info=True,
            )


class FetchmailServer(models.Model):
    _inherit = "fetchmail.server"

    queue_id = fields.Many2one(
        "ticket.queue",
        string="Ticket Queue",
        index="btree_not_null",
        help="Mail fetched from this account becomes tickets of this queue.",
    )

    # the health view (ticket.mail.health): the day's counts, kept by the fetch
    ticket_stats_date = fields.Date(readonly=True, copy=False)
    ticket_fetched_today = fields.Integer(readonly=True, copy=False)
    ticket_failed_today = fields.Integer(readonly=True, copy=False)
    ticket_suppressed_today = fields.Integer(readonly=True, copy=False)
    ticket_last_error = fields.Text(readonly=True, copy=False)
    ticket_last_error_date = fields.Datetime(readonly=True, copy=False)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._set_ticket_model(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._set_ticket_model(vals)
        return super().write(vals)

    @api.model
    def _set_ticket_model(self, vals):
        if vals.get("queue_id"):
            vals["object_id"] = self.env["ir.model"]._get_id("ticket.ticket")

    def fetch_mail(self, raise_exception=True):
        """Mailboxes of archived queues are not fetched: their mail waits on
        the server until the queue is active again.

        One mailbox is fetched by one worker at a time: a second fetch of a
        mailbox being fetched (two cron workers, the cron and "Fetch now")
        skips it. A mail is marked seen or deleted on the server only after
        its transaction is committed (see AfterCommitConnection)."""
        open_servers = self.filtered(
            lambda server: not server.queue_id or server.queue_id.active
        )
        for server in open_servers:
            if not server._ticket_lock_mailbox():
                _logger.info(
                    "Mailbox %s is being fetched by another worker: skipped",
                    server.name,
                )
                if raise_exception:
                    raise UserError(
                        self.env._(
                            "The mailbox %(name)s is being fetched right now. "
                            "Its new mail arrives in a moment.",
                            name=server.name,
                        )
                    )
                continue
            try:
                server.with_context(
                    ticket_fetch_after_commit=True, ticket_confirm_later=True
                )._ticket_fetch(raise_exception)
            finally:
                server._ticket_unlock_mailbox()
                server._ticket_send_pending_confirmations()
        return True

    def _ticket_send_pending_confirmations(self):
        """The confirmations of the mails just fetched, all at once (see
        ticket.confirmation.mixin), committed with the next mail's commit or
        the cron's. A failure, or a rollback, leaves them pending for the
        scheduled action: their mails and unmarking go together."""
        try:
            with self.env.cr.savepoint():
                self.env["ticket.ticket"]._cron_autoresponse_send_pending()
        except Exception:  # noqa: BLE001 - the scheduled action sends them
            _logger.warning(
                "Pending confirmations not sent after fetching %s; the "
                "scheduled action sends them",
                self.name,
                exc_info=True,
            )

    def _ticket_fetch(self, raise_exception):
        """Fetch this mailbox, keeping the day's counts and the last error
        for the health view."""
        self.ensure_one()
        stats = {"fetched": 0, "failed": 0, "suppressed": 0}
        error = False
        try:
            super(
                FetchmailServer,
                self.with_context(
                    ticket_fetch_stats=stats, lang=self._ticket_gateway_lang()
                ),
            ).fetch_mail(raise_exception=True)
        except ValidationError as exc:
            error = exc
        try:
            self._ticket_keep_stats(stats, error)
        except Exception:  # noqa: BLE001 - the counts never stop the fetch
            _logger.warning(
                "Could not keep the mail counts of %s", self.name, exc_info=True
            )
        if error:
            if raise_exception:
                raise error
            _logger.info("Fetching mail from %s failed: %s", self.name, error)
        return not error

    def _ticket_gateway_lang(self):
        """The language of what the gateway writes on tickets (notes about
        refused attachments, failed deliveries, suppressed confirmations):
        the queue's, else the company's, not the language of whoever runs
        the fetch (the cron's OdooBot writes English)."""
        return self.queue_id.lang or self.env.company.partner_id.lang or self.env.lang

    def _ticket_keep_stats(self, stats, error):
        today = fields.Date.context_today(self)
        vals = {}
        if self.ticket_stats_date != today:
            vals = {
                "ticket_stats_date": today,
                "ticket_fetched_today": 0,
                "ticket_failed_today": 0,
                "ticket_suppressed_today": 0,
            }
        if any(stats.values()):
            for key in ("fetched", "failed", "suppressed"):
                field = f"ticket_{key}_today"
                vals[field] = vals.get(field, self[field]) + stats[key]
        if error:
            vals.update(
                {
                    "ticket_last_error": str(error),
                    "ticket_last_error_date": fields.Datetime.now(),
                }
            )
        if vals:
            # kept by the cron's commit; a manual fetch that fails shows the
            # error at once instead
            self.write(vals)

    def _ticket_lock_mailbox(self):
        """Take the mailbox for this worker's session (fetching commits after
        each mail: a transaction lock would not outlast the first mail). It
        ends with the fetch, or with the database connection."""
        self.ensure_one()
        self.env.cr.execute(
            "SELECT pg_try_advisory_lock(%s, %s)", [MAILBOX_LOCK_NAMESPACE, self.id]
        )
        return self.env.cr.fetchone()[0]

    def _ticket_unlock_mailbox(self):
        self.ensure_one()
        try:
            self.env.cr.execute(
                "SELECT pg_advisory_unlock(%s, %s)", [MAILBOX_LOCK_NAMESPACE, self.id]
            )
        except Exception:  # noqa: BLE001 - a lost connection has released it
            _logger.warning(
                "Could not release mailbox %s (connection lost?)",
                self.name,
                exc_info=True,
            )

    def connect(self, allow_archived=False):
        connection = super().connect(allow_archived=allow_archived)
        if self.env.context.get("ticket_fetch_after_commit"):
            return AfterCommitConnection(connection, self.env.cr, self.name)
        return connection

    @api.onchange("queue_id")
    def _onchange_queue_id(self):
        if self.queue_id:
            self.object_id = self.env["ir.model"]._get("ticket.ticket")
