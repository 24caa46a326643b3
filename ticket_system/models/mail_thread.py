import logging
import random
import time
import traceback

from odoo import api, models, tools
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

_logger = logging.getLogger(__name__)

# headers by which mail announces itself as automatic (RFC 3834, RFC 2369 and
# the conventions of common mail servers); Odoo's gateway does not read them
AUTO_REPLY_HEADERS = (
    "X-Autoreply",
    "X-Autorespond",
    "X-Auto-Response-Suppress",
    "List-Id",
    "List-Unsubscribe",
)
BULK_PRECEDENCES = ("bulk", "junk", "list", "auto_reply")
SYSTEM_SENDERS = ("mailer-daemon", "postmaster")
# a fetched mail meeting a concurrent transaction is processed again at once,
# in a fresh transaction, up to this many times in all (pauses: random, up to
# TRANSIENT_PAUSE * 2, * 4, ... seconds) before it is kept as failed
TRANSIENT_TRIES = 4
TRANSIENT_PAUSE = 0.05


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    @api.model
    def message_process(
        self,
        model,
        message,
        custom_values=None,
        save_original=False,
        strip_attachments=False,
        thread_id=None,
    ):
        """No fetched mail is lost. A mail fetched from a mailbox that fails to
        process (in the parser, the routing or the ticket) is rolled back and
        kept raw in ticket.mail.failure; returning False lets the fetch go on.
        A conflict with a concurrent transaction is no failure: the mail is
        processed again at once in a fresh transaction. Mail piped from an MTA
        keeps Odoo's behaviour: the error goes back to the MTA, which retries."""
        options = {
            "custom_values": custom_values,
            "save_original": save_original,
            "strip_attachments": strip_attachments,
            "thread_id": thread_id,
        }
        if not self.env.context.get("fetchmail_cron_running"):
            return super().message_process(model, message, **options)
        self = self.with_context(ticket_mail_keep_failures=True)
        for attempt in range(1, TRANSIENT_TRIES + 1):
            try:
                with self.env.cr.savepoint():
                    return super().message_process(model, message, **options)
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY as exc:
                error = traceback.format_exc()
                if attempt == TRANSIENT_TRIES:
                    break
                failures = self.env["ticket.mail.failure"]
                _logger.info(
                    "Incoming mail %s met a concurrent transaction (%s), trying again",
                    failures._raw_message_id(failures._raw_bytes(message)),
                    exc.pgcode,
                )
                self._ticket_new_transaction(attempt)
            except Exception:  # noqa: BLE001 - any failure: keep the mail, go on
                error = traceback.format_exc()
                break
        _logger.warning("Incoming mail failed, kept in ticket.mail.failure: %s", error)
        self.env.invalidate_all()
        try:
            with self.env.cr.savepoint():
                # sudo: storing a raw mail must not depend on the fetching user
                self.env["ticket.mail.failure"].sudo()._store(message, error)
        except Exception:
            # last resort: Odoo's own handling of the original error
            _logger.exception("Could not keep the failed mail")
            raise
        return False

    @api.model
    def _ticket_new_transaction(self, attempt):
        """Start over in a fresh transaction after a conflict with a concurrent
        one (serialization failure, deadlock, lock timeout): in the same
        transaction the same snapshot would conflict again. fetchmail commits
        after each mail, so the transaction holds only this mail's work; the
        short random pause lets the other transaction finish."""
        self.env.cr.rollback()
        time.sleep(random.uniform(0, TRANSIENT_PAUSE * 2**attempt))

    @api.model
    def message_route(
        self, message, message_dict, model=None, thread_id=None, custom_values=None
    ):
        """A ticket number tag in the subject ([T00042]) threads a mail into its
        ticket even without reply headers, ahead of aliases and the catchall
        (a header-less reply to the catchall is bounced inside super())."""
        if not thread_id and not message_dict.get("is_bounce"):
            route = self.env["ticket.ticket"]._routing_subject_tag(
                message, message_dict, custom_values
            )
            if route:
                return [route]
        return super().message_route(
            message,
            message_dict,
            model=model,
            thread_id=thread_id,
            custom_values=custom_values,
        )

    @api.model
    def _message_route_process(self, message, message_dict, routes):
        """Tell the ticket whether this mail may get an automatic answer, and
        which mailbox it came from: the route runs as the sender's user in
        sudo mode, and entering sudo drops the default_* keys of the context
        (odoo/api.py Environment.__call__), default_fetchmail_server_id
        included.

        A mail whose ticket cannot be created is bounced by Odoo from here;
        when failures are kept, it is kept instead (see mail.alias). A mail
        an alias refuses was bounced before, in the routing: that bounce
        stays."""
        reason = self._ticket_no_autoreply_reason(message, message_dict)
        server_id = self.env.context.get("default_fetchmail_server_id")
        keep = bool(self.env.context.get("ticket_mail_keep_failures"))
        return super(
            MailThread,
            self.with_context(
                ticket_no_autoreply=reason,
                ticket_fetchmail_server_id=server_id,
                ticket_mail_failure_kept=keep,
            ),
        )._message_route_process(message, message_dict, routes)

    @api.model
    def _ticket_no_autoreply_reason(self, message, message_dict):
        """Why an automatic answer to this mail would be wrong, or False."""
        auto_submitted = (message.get("Auto-Submitted") or "").strip().lower()
        if auto_submitted and auto_submitted != "no":
            return "auto-submitted"
        if (message.get("Precedence") or "").strip().lower() in BULK_PRECEDENCES:
            return "bulk"
        if any(message.get(header) is not None for header in AUTO_REPLY_HEADERS):
            return "automatic"
        return_path = message.get("Return-Path")
        if return_path is not None and not tools.email_split(return_path):
            return "empty return path"
        sender = tools.email_normalize(message_dict.get("email_from") or "") or ""
        if not sender or sender.split("@")[0] in SYSTEM_SENDERS:
            return "system sender"
        if message_dict.get("is_bounce"):
            return "bounce"
        return False
