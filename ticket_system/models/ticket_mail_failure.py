import base64
import hashlib
import logging
import re
import traceback
from email import policy
from email.parser import BytesParser

from odoo import api, fields, models
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools.mail import decode_message_header

_logger = logging.getLogger(__name__)

# a mail failing for a passing reason (a lock, a timeout, a server briefly
# down) is retried by the cron, at most this often, an hour apart
AUTO_RETRY_ATTEMPTS = 5
AUTO_RETRY_BATCH = 50

MESSAGE_ID_HEADER = re.compile(rb"^message-id:[ \t]*(.*(?:\r?\n[ \t].*)*)", re.I | re.M)


def _clean_text(value, limit=None):
    """Text PostgreSQL accepts whatever a mail contained: no NUL, bounded."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    # lone surrogates (from surrogateescape decoding) cannot be encoded either
    value = (value or "").encode("utf-8", "replace").decode("utf-8").replace("\x00", "")
    return value[:limit] if limit else value


class TicketMailFailure(models.Model):
    """An incoming mail that could not be processed, kept as received.

    Fetching goes on with the next mail; a manager sees the failure in
    Tickets > Configuration > Failed Mails and processes it again once the
    cause is fixed."""

    _name = "ticket.mail.failure"
    _description = "Failed Incoming Mail"
    _order = "id desc"
    _rec_name = "subject"

    raw = fields.Binary(string="Raw Mail", attachment=False, readonly=True)
    raw_filename = fields.Char(compute="_compute_raw_filename")
    error = fields.Text(readonly=True)
    message_id = fields.Char(string="Message-Id", readonly=True)
    message_hash = fields.Char(readonly=True, required=True)
    subject = fields.Char(readonly=True)
    email_from = fields.Char(string="From", readonly=True)
    fetchmail_server_id = fields.Many2one(
        "fetchmail.server", string="Mailbox", readonly=True, ondelete="set null"
    )
    queue_id = fields.Many2one("ticket.queue", readonly=True, ondelete="set null")
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    attempt_count = fields.Integer(string="Attempts", default=1, readonly=True)
    date_last_attempt = fields.Datetime(default=fields.Datetime.now, readonly=True)
    state = fields.Selection(
        [("failed", "Failed"), ("done", "Processed")],
        default="failed",
        required=True,
        readonly=True,
        index=True,
    )
    ticket_id = fields.Many2one(
        "ticket.ticket",
        string="Resulting Ticket",
        readonly=True,
        ondelete="set null",
        help="The ticket the mail went to when it was processed again.",
    )

    _sql_constraints = [
        # a hash: a Message-Id can be kilobytes long, too long for a btree entry
        ("message_hash_uniq", "unique (message_hash)", "This mail is stored already."),
    ]

    def _compute_raw_filename(self):
        for failure in self:
            failure.raw_filename = f"mail-{failure.id}.eml"

    # ------------------------------------------------------------
    # STORE
    # ------------------------------------------------------------

    @api.model
    def _store(self, message, error):
        """Keep ``message`` (bytes, str or EmailMessage, as received) with its
        error. Runs after the failed processing was rolled back; reads nothing
        from the mail that could raise again."""
        raw = self._raw_bytes(message)
        message_id = self._raw_message_id(raw)
        message_hash = hashlib.sha256(
            message_id.encode() if message_id else raw
        ).hexdigest()
        headers = self._raw_headers(raw)
        server = (
            self.env["fetchmail.server"]
            .browse(self.env.context.get("default_fetchmail_server_id"))
            .exists()
        )
        queue = server.queue_id
        error_text = _clean_text(error, 20000)
        existing = self.search([("message_hash", "=", message_hash)], limit=1)
        if existing:
            existing.write(
                {
                    "error": error_text,
                    "attempt_count": existing.attempt_count + 1,
                    "date_last_attempt": fields.Datetime.now(),
                    "state": "failed",
                }
            )
            return existing
        return self.create(
            {
                "raw": base64.b64encode(raw) if raw else False,
                "error": error_text,
                "message_id": _clean_text(message_id, 4000) or False,
                "message_hash": message_hash,
                "subject": _clean_text(headers.get("subject"), 1000) or False,
                "email_from": _clean_text(headers.get("from"), 1000) or False,
                "fetchmail_server_id": server.id,
                "queue_id": queue.id,
                "company_id": queue.company_id.id,
            }
        )

    @api.model
    def _raw_bytes(self, message):
        if isinstance(message, bytes):
            return message
        if isinstance(message, str):
            return message.encode("utf-8", "surrogateescape")
        try:
            return message.as_bytes(policy=policy.SMTP)
        except Exception:  # noqa: BLE001 - a broken message object: keep its text
            return str(message).encode("utf-8", "replace")

    @api.model
    def _raw_message_id(self, raw):
        match = MESSAGE_ID_HEADER.search(
            raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
        )
        if not match:
            return ""
        return _clean_text(re.sub(rb"\s+", b" ", match.group(1)).strip())

    @api.model
    def _raw_headers(self, raw):
        """Subject and From for display, decoded if the mail allows it."""
        try:
            # the headers only: a body Python's parser fails on keeps them readable
            parsed = BytesParser(policy=policy.default).parsebytes(
                raw, headersonly=True
            )
            return {
                "subject": decode_message_header(parsed, "Subject"),
                "from": decode_message_header(parsed, "From"),
            }
        except Exception:  # noqa: BLE001 - the mail is broken: that is why it is here
            return {}

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_reprocess(self):
        """Process the stored mails again; what fails again stays here with its
        new error."""
        errors = []
        for failure in self.filtered(lambda f: f.state == "failed"):
            raw = base64.b64decode(failure.raw)
            # sudo: the gateway processes mail with administrative rights, as the
            # fetchmail cron does; the mailbox settings are technical
            server = failure.fetchmail_server_id.sudo()
            MailThread = (
                self.env["mail.thread"]
                .sudo()
                .with_context(
                    default_fetchmail_server_id=server.id,
                    ticket_mail_keep_failures=True,
                )
            )
            model, custom_values = failure._fallback_route()
            try:
                with self.env.cr.savepoint():
                    MailThread.message_process(
                        model,
                        raw,
                        custom_values=custom_values,
                        save_original=server.original,
                        strip_attachments=bool(server) and not server.attach,
                    )
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                # a passing conflict: Odoo retries the whole request or cron run
                raise
            except Exception as exc:  # noqa: BLE001 - kept, shown to the manager
                _logger.info("Failed mail %s failed again", failure.id, exc_info=True)
                failure.write(
                    {
                        "error": _clean_text(traceback.format_exc(), 20000),
                        "attempt_count": failure.attempt_count + 1,
                        "date_last_attempt": fields.Datetime.now(),
                    }
                )
                errors.append(f"{failure.subject or failure.message_id}: {exc}")
                continue
            ticket = failure._resulting_ticket()
            failure.write(
                {
                    "state": "done",
                    "ticket_id": ticket.id,
                    "attempt_count": failure.attempt_count + 1,
                    "date_last_attempt": fields.Datetime.now(),
                }
            )
        if errors:
            # no exception: the new errors written above must be kept
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "warning",
                    "sticky": True,
                    "title": self.env._("Some mails failed again"),
                    "message": "\n".join(errors),
                    "next": {"type": "ir.actions.client", "tag": "soft_reload"},
                },
            }
        return True

    @api.model
    def _cron_reprocess(self):
        """Try failed mails again, an hour apart: passing causes heal by
        themselves; what still fails after a few attempts waits for a manager."""
        failures = self.search(
            [
                ("state", "=", "failed"),
                ("attempt_count", "<", AUTO_RETRY_ATTEMPTS),
                (
                    "date_last_attempt",
                    "<=",
                    fields.Datetime.subtract(self.env.cr.now(), hours=1),
                ),
            ],
            order="date_last_attempt",
            limit=AUTO_RETRY_BATCH,
        )
        failures.action_reprocess()

    def _fallback_route(self):
        """Model and default values for a mail no alias or reply claims, as
        the mailbox it came from would have given them: its model (tickets of
        its queue), or none, so that Odoo finds "no possible route" as it did
        on the first attempt. A deleted mailbox leaves its queue."""
        self.ensure_one()
        server = self.fetchmail_server_id.sudo()
        if server:
            return server.object_id.model or None, None
        if self.queue_id:
            return "ticket.ticket", {"queue_id": self.queue_id.id}
        return None, None

    def _resulting_ticket(self):
        """The ticket that received the mail, found by its Message-Id."""
        if not self.message_id:
            return self.env["ticket.ticket"]
        message = (
            self.env["mail.message"]
            .sudo()
            .search(
                [("message_id", "=", self.message_id), ("model", "=", "ticket.ticket")],
                limit=1,
            )
        )
        return self.env["ticket.ticket"].browse(message.res_id)
