import base64
import hashlib
import logging
import xmlrpc.client as xmlrpclib

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

from .ticket_mail_failure import _clean_text

_logger = logging.getLogger(__name__)


class TicketMailQuarantine(models.Model):
    """A delivery report or automatic reply that refers to no ticket.

    It opens no ticket and gets no confirmation, but it is not dropped
    either: managers see it in Tickets > Configuration > Quarantine, open a
    false positive as a ticket, and old entries are deleted after
    ``ticket_system.quarantine_days`` days."""

    _name = "ticket.mail.quarantine"
    _description = "Quarantined Incoming Mail"
    _order = "id desc"
    _rec_name = "subject"

    raw = fields.Binary(string="Raw Mail", attachment=False, readonly=True)
    raw_filename = fields.Char(compute="_compute_raw_filename")
    kind = fields.Selection(
        [("bounce", "Delivery Report"), ("auto_reply", "Automatic Reply")],
        required=True,
        readonly=True,
        index=True,
    )
    email_from = fields.Char(string="From", readonly=True)
    subject = fields.Char(readonly=True)
    failed_address = fields.Char(
        readonly=True, help="The recipient a delivery report says was not reached."
    )
    reason = fields.Text(readonly=True)
    date = fields.Datetime(
        readonly=True,
        default=fields.Datetime.now,
        help="Date of the mail, as its sender gave it.",
    )
    message_id = fields.Char(string="Message-Id", readonly=True)
    message_hash = fields.Char(readonly=True, required=True)
    fetchmail_server_id = fields.Many2one(
        "fetchmail.server", string="Mailbox", readonly=True, ondelete="set null"
    )
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    ticket_id = fields.Many2one(
        "ticket.ticket",
        string="Opened as Ticket",
        readonly=True,
        ondelete="set null",
        help="The ticket a manager opened from this mail.",
    )

    _sql_constraints = [
        # a hash: a Message-Id can be kilobytes long, too long for a btree entry
        (
            "message_hash_uniq",
            "unique (message_hash)",
            "This mail is quarantined already.",
        ),
    ]

    def _compute_raw_filename(self):
        for entry in self:
            entry.raw_filename = f"quarantine-{entry.id}.eml"

    # ------------------------------------------------------------
    # STORE
    # ------------------------------------------------------------

    @api.model
    def _store(self, message, message_dict, kind):
        """Keep ``message`` as received (the bytes message_process got, else
        the parsed message) with what the gateway read from it. The same mail
        delivered again is stored once."""
        Failure = self.env["ticket.mail.failure"]
        raw = self.env.cr.cache.get("ticket_mail_raw")
        if isinstance(raw, xmlrpclib.Binary):
            raw = bytes(raw.data)
        raw = Failure._raw_bytes(raw if raw is not None else message)
        message_id = _clean_text(message_dict.get("message_id"), 4000)
        message_hash = hashlib.sha256(
            message_id.encode() if message_id else raw
        ).hexdigest()
        existing = self.search([("message_hash", "=", message_hash)], limit=1)
        if existing:
            return existing
        report = message_dict.get("ticket_report") or {}
        server = (
            self.env["fetchmail.server"]
            .browse(self.env.context.get("default_fetchmail_server_id"))
            .exists()
        )
        return self.create(
            {
                "raw": base64.b64encode(raw) if raw else False,
                "kind": kind,
                "email_from": _clean_text(message_dict.get("email_from"), 1000)
                or False,
                "subject": _clean_text(message_dict.get("subject"), 1000) or False,
                "failed_address": _clean_text(report.get("address"), 1000) or False,
                "reason": _clean_text(report.get("reason"), 2000) or False,
                "date": message_dict.get("date") or fields.Datetime.now(),
                "message_id": message_id or False,
                "message_hash": message_hash,
                "fetchmail_server_id": server.id,
                "company_id": self.env["ticket.ticket"]
                ._routing_company(message_dict)
                .id,
            }
        )

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_open_as_ticket(self):
        """A false positive: process the mail again as an ordinary new mail
        (no report or auto-reply recognition). It still gets no confirmation
        when it came from a machine."""
        tickets = self.env["ticket.ticket"]
        for entry in self.filtered(lambda e: not e.ticket_id):
            # sudo: the gateway processes mail with administrative rights, as the
            # fetchmail cron does; the mailbox settings are technical
            server = entry.fetchmail_server_id.sudo()
            custom_values = (
                {"queue_id": server.queue_id.id} if server.queue_id else None
            )
            MailThread = (
                self.env["mail.thread"]
                .sudo()
                .with_context(
                    default_fetchmail_server_id=server.id, ticket_mail_release=True
                )
            )
            try:
                with self.env.cr.savepoint():
                    thread_id = MailThread.message_process(
                        "ticket.ticket",
                        base64.b64decode(entry.raw or b""),
                        custom_values=custom_values,
                    )
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                raise
            except Exception as exc:
                _logger.info(
                    "Quarantined mail %s could not be opened", entry.id, exc_info=True
                )
                raise UserError(
                    self.env._(
                        "The mail %(subject)s could not be opened as a ticket: "
                        "%(error)s",
                        subject=entry.subject or entry.message_id or entry.id,
                        error=exc,
                    )
                ) from exc
            ticket = self.env["ticket.ticket"].browse(thread_id).exists()
            if not ticket and entry.message_id:
                message = (
                    self.env["mail.message"]
                    .sudo()
                    .search(
                        [
                            ("message_id", "=", entry.message_id),
                            ("model", "=", "ticket.ticket"),
                        ],
                        limit=1,
                    )
                )
                ticket = self.env["ticket.ticket"].browse(message.res_id)
            entry.ticket_id = ticket
            tickets |= ticket
        if len(tickets) == 1 and tickets.has_access("read"):
            return {
                "type": "ir.actions.act_window",
                "res_model": "ticket.ticket",
                "res_id": tickets.id,
                "view_mode": "form",
            }
        return True

    @api.model
    def _cron_delete_old(self):
        """Delete entries older than ticket_system.quarantine_days (default 30)."""
        # sudo: a system parameter
        value = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("ticket_system.quarantine_days")
        )
        try:
            days = int(value or 30)
        except ValueError:
            _logger.warning("ticket_system.quarantine_days is no number: %r", value)
            days = 30
        if days <= 0:
            return
        limit = fields.Datetime.subtract(self.env.cr.now(), days=days)
        self.search([("create_date", "<", limit)]).unlink()
