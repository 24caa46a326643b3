import email
import email.policy
import hashlib
import logging
import random
import re
import time
import traceback

from odoo import api, models, tools
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools.mail import decode_message_header, html2plaintext

from . import mail_fallback

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
# ---- DELIVERY REPORTS AND AUTO-REPLIES ----
# local parts of the senders of delivery reports (mailer-daemon, MAILER_DAEMON,
# postmaster, Mail-Daemon ...)
REPORT_SENDER = re.compile(r"^(?:mailer|mail)[-_.]?daemon$|^postmaster$", re.I)
# subjects of delivery reports: qmail, Exim, Postfix, Sendmail, Exchange,
# Lotus Notes, X.400 gateways, Gmail, German servers; they count only for mail
# from an automatic sender, so "Paket unzustellbar" from a customer is a ticket
REPORT_SUBJECT = re.compile(
    r"failure notice"
    r"|mail delivery failed"
    r"|undelivered mail returned to sender"
    r"|returned mail\s*:"
    r"|undeliverable\s*:"
    # Lotus Notes and other postmasters, without a colon
    r"|undeliverable (?:mail|message)\b"
    r"|undelivered mail"
    r"|non remis\s*:"
    r"|unzustellbar"
    r"|nicht zustellbar"
    r"|delivery[ _]failure"
    r"|delivery status notification \((?:failure|delay)\)"
    r"|non-?delivery"
    r"|mail system error"
    r"|warning: could not send message",
    re.I,
)
# typical subjects of out-of-office and other automatic replies, at the start
# of the subject (after reply prefixes)
AUTO_REPLY_SUBJECT = re.compile(
    r"^\s*(?:(?:re|aw|wg|fw|fwd|antw)\s*:\s*)*"
    r"(?:abwesenheitsnotiz|abwesenheitsmeldung|automatische antwort"
    r"|out of (?:the )?office"
    r"|automatic reply|auto-?reply|autoreply|abwesend|urlaubsnotiz"
    r"|r[ée]ponse automatique|absence du bureau|risposta automatica"
    r"|respuesta autom[áa]tica|ich bin nicht im b[üu]ro)"
    r"\b",
    re.I,
)
# where a report copies the returned mail into its text (qmail, Exim, ...)
RETURNED_COPY = re.compile(
    r"^\s*-*\s*(?:below this line is a copy of the message"
    r"|this is a copy of the message"
    # 1&1 and GMX; Exchange Online
    r"|the header of the original message is following"
    r"|original message headers\s*:)"
    # the returned headers' part of a report whose multipart is degraded to text
    r"|^content-type:[ \t]*(?:text/rfc822-headers|message/rfc822)"
    r"|^\s*-+\s*(?:original message|the original message|message headers follow"
    r"|undelivered message|headers of the original message|returned message)",
    re.I | re.M,
)
HEADER_LINE = re.compile(r"^(message-id|subject|to)[ \t]*:[ \t]*(.+)$", re.I | re.M)
ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
SMTP_ERROR = re.compile(
    r"\b[45]\d\d\b|\b[45]\.\d{1,3}\.\d{1,3}\b|user unknown|unknown user|does not exist"
    r"|not listed|mailbox (?:full|unavailable)|unbekannt|existiert nicht|quota"
    r"|\breason\b|diagnostic|because|\bgrund\b",
    re.I,
)
# a fetched mail meeting a concurrent transaction is processed again at once,
# in a fresh transaction, up to this many times in all (pauses: random, up to
# TRANSIENT_PAUSE * 2, * 4, ... seconds) before it is kept as failed
TRANSIENT_TRIES = 4
TRANSIENT_PAUSE = 0.05
# advisory lock namespace ("tick") for one incoming mail, keyed by a hash of
# the Message-Id starting its conversation: two transactions processing the
# same mail, or mails of one conversation, take turns
MESSAGE_LOCK_NAMESPACE = 0x7469636B
# the headers that name a mail's conversation, read from the raw mail
THREAD_HEADER = re.compile(
    rb"^(message-id|in-reply-to|references):[ \t]*(.*(?:\r?\n[ \t].*)*)", re.I | re.M
)
MESSAGE_ID_TOKEN = re.compile(rb"<[^<>\s]+>|[^<>\s]+")
# name of the original attached to a mail that needed a fallback to be read
ORIGINAL_FILENAME = "original.eml"


def report_text_reason(text):
    """The reason a delivery report gives in its text: the first lines that
    look like an error (an SMTP code, "user unknown" ...), else its first
    lines. A heading ("For the following reason:") takes the next line."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    errors = []
    for index, line in enumerate(lines):
        if not SMTP_ERROR.search(line):
            continue
        if line.endswith(":") and index + 1 < len(lines):
            line = f"{line} {lines[index + 1]}"
        errors.append(line)
    return " ".join(errors[:2] or lines[:3])


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
        # the mail as received, for the quarantine of reports and auto-replies
        # (Odoo parses it into an object and changes some of its parts)
        cache = self.env.cr.cache
        previous_raw = cache.get("ticket_mail_raw")
        cache["ticket_mail_raw"] = message
        try:
            result = self._ticket_message_process(model, message, options)
        finally:
            cache["ticket_mail_raw"] = previous_raw
        # the mail health view's counts: the fetch of a mailbox passes a dict
        stats = self.env.context.get("ticket_fetch_stats")
        if stats is not None:
            stats["fetched"] += 1
        return result

    @api.model
    def _ticket_note_suppressed_confirmation(self, ticket, email, incoming, reason):
        """A confirmation not sent: the sender had too many of them within the
        hour (``reason`` "sender": an autoresponder ping-pong, a mail loop) or
        the database sent its hourly cap of them ("volume": mass mail with
        forged senders). Noted on the ticket, counted for the mail health view
        and logged with what identifies the mail."""
        stats = self.env.context.get("ticket_fetch_stats")
        if stats is not None:
            stats["suppressed"] += 1
        ticket._autoresponse_note_suppressed(reason, email)
        _logger.warning(
            "Confirmation to %s suppressed (%s): ticket %s, queue %s, Message-Id %s",
            email,
            "hourly cap of all confirmations reached"
            if reason == "volume"
            else "too many this hour; a mail loop?",
            ticket.number,
            ticket.queue_id.name,
            incoming.message_id,
        )

    @api.model
    def _ticket_message_process(self, model, message, options):
        self.env.cr.cache.pop("ticket_mail_unkept", None)
        lock_key = self._ticket_message_lock_key(message)
        if not self.env.context.get("fetchmail_cron_running"):
            self._ticket_lock_message(lock_key)
            return super().message_process(model, message, **options)
        self = self.with_context(ticket_mail_keep_failures=True)
        for attempt in range(1, TRANSIENT_TRIES + 1):
            try:
                # outside the savepoint: held until the commit, failure included
                self._ticket_lock_message(lock_key)
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
                self.env["ticket.mail.failure"].sudo()._store(
                    self._ticket_original_bytes(message), error
                )
            stats = self.env.context.get("ticket_fetch_stats")
            if stats is not None:
                stats["failed"] += 1
        except Exception:
            # last resort: Odoo's own handling of the original error; the
            # mailbox keeps the mail (see fetchmail.server)
            _logger.exception("Could not keep the failed mail")
            self.env.cr.cache["ticket_mail_unkept"] = True
            raise
        return False

    @api.model
    def _ticket_message_lock_key(self, message):
        """The advisory lock key of an incoming mail: a hash of the Message-Id
        that starts its conversation (the first of its References, else its
        In-Reply-To, else its own Message-Id), so that the same mail twice,
        and a first mail and a reply to it, never run side by side. None for
        a mail without any of them (Odoo invents a Message-Id for it: no
        other transaction can know it)."""
        failures = self.env["ticket.mail.failure"]
        raw = getattr(message, "data", message)  # xmlrpc.client.Binary (mailgate)
        headers = failures._raw_bytes(raw).split(b"\r\n\r\n", 1)[0]
        headers = headers.split(b"\n\n", 1)[0]
        found = {}
        for match in THREAD_HEADER.finditer(headers):
            name = match.group(1).lower()
            ids = MESSAGE_ID_TOKEN.findall(match.group(2))
            if ids and name not in found:
                found[name] = ids[0]
        root = found.get(b"references") or found.get(b"in-reply-to")
        root = root or found.get(b"message-id")
        if not root:
            return None
        digest = hashlib.sha256(root.strip()).digest()
        return int.from_bytes(digest[:4], "big", signed=True)

    @api.model
    def _ticket_lock_message(self, key):
        """Make sure no other transaction processes the same mail, or another
        mail of its conversation, right now. Odoo's duplicate check (a search
        for the Message-Id) and its routing of replies cannot see a mail
        another transaction is processing and has not committed yet: without
        the lock, two workers make two tickets of one mail, or of a first
        mail and the reply to it.

        One query when nobody else has the mail. Otherwise wait until the
        other transaction ends, then fail with a serialization failure: the
        snapshot of this transaction predates the other's commit, so the
        mail is processed again in a fresh transaction (by the retry in
        _ticket_message_process when fetching, by Odoo's retry for mail piped
        over RPC), where the
        duplicate check sees the other's message."""
        if key is None:
            return
        cr = self.env.cr
        cr.execute(
            "SELECT pg_try_advisory_xact_lock(%s, %s)", [MESSAGE_LOCK_NAMESPACE, key]
        )
        if cr.fetchone()[0]:
            return
        _logger.info("Incoming mail is being processed by another worker: waiting")
        cr.execute(
            "SELECT pg_advisory_xact_lock(%s, %s)", [MESSAGE_LOCK_NAMESPACE, key]
        )
        cr.execute(
            """DO $$ BEGIN RAISE EXCEPTION USING
                ERRCODE = 'serialization_failure',
                MESSAGE = 'the same mail was processed by a concurrent transaction';
            END $$""",
            log_exceptions=False,
        )

    @api.model
    def _ticket_new_transaction(self, attempt):
        """Start over in a fresh transaction after a conflict with a concurrent
        one (serialization failure, deadlock, lock timeout): in the same
        transaction the same snapshot would conflict again. fetchmail commits
        after each mail, so the transaction holds only this mail's work; the
        short random pause lets the other transaction finish."""
        self.env.cr.rollback()
        time.sleep(random.uniform(0, TRANSIENT_PAUSE * 2**attempt))

    # ------------------------------------------------------------
    # PARSING: READ WHAT CAN BE READ
    # ------------------------------------------------------------

    @api.model
    def message_parse(self, message, save_original=False):
        """A mail Python's parser or Odoo's gateway cannot read (unknown or
        lying charset, multipart without its boundary, a header the parser
        trips over, an unreadable date) is read as far as possible (see
        mail_fallback) instead of failing; the original is attached to the
        message as .eml. Normal mail: one walk over its parts, one substring
        search and one date check."""
        broken = mail_fallback.broken_multiparts(message)
        if broken:
            return self._ticket_parse_fallback(
                message, save_original, ["multipart without boundary"]
            )
        try:
            msg_dict = super().message_parse(message, save_original=save_original)
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            raise
        except Exception as exc:  # noqa: BLE001 - read what can be read, below
            return self._ticket_parse_fallback(
                message, save_original, [f"{type(exc).__name__}: {exc}"]
            )
        if mail_fallback.has_replacement_characters(msg_dict):
            raw = self._ticket_original_bytes(message)
            reasons = mail_fallback.repair_charsets(message, only_replaced=True)
            if reasons:
                return self._ticket_parse_fallback(
                    message, save_original, reasons, raw=raw
                )
        reason = mail_fallback.repair_date(msg_dict, arrival=self.env.cr.now())
        if reason:
            self._ticket_keep_original(
                msg_dict, self._ticket_original_bytes(message), [reason]
            )
        mail_fallback.repair_windows_1252(msg_dict)
        return msg_dict

    @api.model
    def _ticket_parse_fallback(self, message, save_original, reasons, raw=None):
        """Parse ``message`` again after repairing what can be repaired; if
        that fails too, once more with the whole body as plain text. What
        still fails raises (and is kept in ticket.mail.failure)."""
        raw = raw or self._ticket_original_bytes(message)
        reasons = list(reasons)
        mail_fallback.use_lenient_headers(message)
        if mail_fallback.degrade_multiparts(mail_fallback.broken_multiparts(message)):
            reasons.append("multipart degraded to text")
        reasons += mail_fallback.repair_charsets(message)
        try:
            msg_dict = super().message_parse(message, save_original=save_original)
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            raise
        except Exception as exc:  # noqa: BLE001 - last try: the body as text
            reasons.append(f"{type(exc).__name__}: {exc}; body degraded to text")
            mail_fallback.degrade_to_text(message, raw)
            msg_dict = super().message_parse(message, save_original=save_original)
        reason = mail_fallback.repair_date(msg_dict, arrival=self.env.cr.now())
        if reason:
            reasons.append(reason)
        mail_fallback.repair_windows_1252(msg_dict)
        self._ticket_keep_original(msg_dict, raw, reasons)
        return msg_dict

    @api.model
    def _ticket_original_bytes(self, message):
        """The mail as received (kept by message_process), else as parsed."""
        raw = self.env.cr.cache.get("ticket_mail_raw")
        raw = getattr(raw, "data", raw)  # xmlrpc.client.Binary from odoo-mailgate
        failures = self.env["ticket.mail.failure"]
        return failures._raw_bytes(raw if raw is not None else message)

    @api.model
    def _ticket_keep_original(self, msg_dict, raw, reasons):
        """Attach the original to the message (in _message_route_process:
        also when the mailbox strips attachments) and say why."""
        _logger.warning(
            "Incoming mail %s read with fallbacks (%s); original attached",
            msg_dict.get("message_id"),
            "; ".join(reasons),
        )
        msg_dict["ticket_original"] = raw

    @api.model
    def message_route(
        self, message, message_dict, model=None, thread_id=None, custom_values=None
    ):
        """A ticket number tag in the subject ([T00042]) threads a mail into its
        ticket even without reply headers, ahead of aliases and the catchall
        (a header-less reply to the catchall is bounced inside super()).

        Delivery reports (bounces) and automatic replies never open a ticket:
        a report is noted on the ticket it refers to, else quarantined; an
        automatic reply joins the ticket it answers, else is quarantined."""
        options = {
            "model": model,
            "thread_id": thread_id,
            "custom_values": custom_values,
        }
        if message_dict.get("is_bounce"):
            # Odoo counts the bounce on the partners of the failed address
            routes = super().message_route(message, message_dict, **options)
            self._ticket_handle_report(message, message_dict)
            return routes
        if not thread_id:
            self._ticket_relay_customer(message, message_dict, custom_values)
        auto_reply = not thread_id and self._ticket_is_auto_reply(message, message_dict)
        route = False
        if not thread_id:
            route = self.env["ticket.ticket"]._routing_subject_tag(
                message, message_dict, custom_values
            )
        if route:
            # super() resets the bounce counter of every sender: the address
            # works (again); here only the ticket's customer, read already
            partner = self.env["ticket.ticket"].sudo().browse(route[1]).partner_id
            sender = tools.email_normalize(message_dict.get("email_from") or "")
            if partner.message_bounce and partner.email_normalized == sender:
                partner._message_reset_bounce(sender)
            routes = [route]
        else:
            routes = super().message_route(message, message_dict, **options)
            # super() looked the sender up (author_id) while checking the
            # routes: without a result, the ticket's customer match need not
            # search again (ticket.ticket.message_new)
            self.env.cr.cache["ticket_author_searched"] = (
                message_dict.get("message_id"),
                message_dict.get("email_from"),
            )
        if auto_reply:
            kept = [r for r in routes if r[0] != "ticket.ticket" or r[1]]
            if len(kept) < len(routes) and not kept:
                _logger.info(
                    "Automatic reply %s from %s opens no ticket: quarantined",
                    message_dict.get("message_id"),
                    message_dict.get("email_from"),
                )
                self.env["ticket.mail.quarantine"].sudo()._store(
                    message, message_dict, "auto_reply"
                )
            routes = kept
        return routes

    @api.model
    def _ticket_relay_customer(self, message, message_dict, custom_values=None):
        """Mail a relay sender (webshop contact form, form mailer,
        marketplace) sent for a customer named in Reply-To is the customer's:
        from here on the customer is its sender, for the routing (subject
        tag, contact policy), Odoo's per-sender loop limit, the ticket's
        address, the confirmation and the answers. The relay's address is
        kept for the ticket (relay_email)."""
        reply_to = self.env["ticket.ticket"]._relay_reply_to(
            message, message_dict, custom_values
        )
        if not reply_to:
            return
        _logger.info(
            "Mail %s from relay %s taken as the customer's: %s",
            message_dict.get("message_id"),
            message_dict.get("email_from"),
            reply_to,
        )
        message_dict["ticket_relay_email"] = tools.email_normalize(
            message_dict["email_from"]
        )
        message_dict["email_from"] = message_dict["from"] = reply_to
        # found again for the customer by the routing (_routing_check_route)
        message_dict.pop("author_id", None)

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
        message_dict.pop("ticket_report", None)
        original = message_dict.pop("ticket_original", None)
        if original:
            message_dict["attachments"] = list(
                message_dict.get("attachments") or []
            ) + [self._Attachment(ORIGINAL_FILENAME, original, {})]
        reason = self._ticket_no_autoreply_reason(message, message_dict)
        relay_email = message_dict.pop("ticket_relay_email", False)
        if relay_email and reason == "auto-submitted":
            # the form mailer's Auto-Submitted, not the customer's: confirm
            reason = False
        server_id = self.env.context.get("default_fetchmail_server_id")
        keep = bool(self.env.context.get("ticket_mail_keep_failures"))
        return super(
            MailThread,
            self.with_context(
                ticket_no_autoreply=reason,
                ticket_fetchmail_server_id=server_id,
                ticket_mail_failure_kept=keep,
                ticket_relay_email=relay_email,
            ),
        )._message_route_process(message, message_dict, routes)

    @api.model
    def _ticket_auto_submitted(self, message):
        """The Auto-Submitted value of ``message`` (RFC 3834), lower case;
        empty for a person's mail ("no" or no header)."""
        value = str(message.get("Auto-Submitted") or "").strip().lower()
        return "" if value == "no" else value

    @api.model
    def _ticket_no_autoreply_reason(self, message, message_dict):
        """Why an automatic answer to this mail would be wrong, or False."""
        if self._ticket_auto_submitted(message):
            return "auto-submitted"
        if (message.get("Precedence") or "").strip().lower() in BULK_PRECEDENCES:
            return "bulk"
        if any(message.get(header) is not None for header in AUTO_REPLY_HEADERS):
            return "automatic"
        return_path = message.get("Return-Path")
        if return_path is not None and not tools.email_split(return_path):
            return "empty return path"
        sender = tools.email_normalize(message_dict.get("email_from") or "") or ""
        if not sender or REPORT_SENDER.match(sender.split("@")[0]):
            return "system sender"
        if message_dict.get("is_bounce"):
            return "bounce"
        return False

    # ------------------------------------------------------------
    # DELIVERY REPORTS AND AUTO-REPLIES
    # ------------------------------------------------------------

    @api.model
    def _detect_is_bounce(self, message, message_dict):
        """Besides Odoo's rules (bounce address, mailer-daemon, multipart/report):
        an X-Failed-Recipients header, and the subjects of the usual mail
        servers' reports when the sender is automatic. Header lookups only:
        this runs for every incoming mail. A quarantined mail opened as a
        ticket by a manager is no report."""
        if self.env.context.get("ticket_mail_release"):
            return False
        if super()._detect_is_bounce(message, message_dict):
            return True
        if message.get("X-Failed-Recipients") is not None:
            return True
        subject = message_dict.get("subject") or ""
        return bool(
            REPORT_SUBJECT.search(subject)
            and self._ticket_automatic_sender(message, message_dict)
        )

    @api.model
    def _ticket_automatic_sender(self, message, message_dict):
        """Whether the mail comes from a machine: postmaster or mailer-daemon,
        an empty Return-Path (<>), or an Auto-Submitted header."""
        sender = (tools.email_split(message_dict.get("email_from") or "") or [""])[0]
        if REPORT_SENDER.match(sender.split("@", 1)[0]):
            return True
        if self._ticket_auto_submitted(message):
            return True
        return_path = message.get("Return-Path")
        return return_path is not None and not tools.email_split(str(return_path))

    @api.model
    def _ticket_is_auto_reply(self, message, message_dict):
        """An out-of-office or other automatic reply (RFC 3834), as opposed to
        automatic mail that carries a request (Auto-Submitted: auto-generated,
        a shop's contact form). A typical subject counts only with another
        sign of a machine: a customer may well write "Abwesend: bitte beim
        Nachbarn abgeben"."""
        if self.env.context.get("ticket_mail_release"):
            return False
        auto_submitted = self._ticket_auto_submitted(message)
        if auto_submitted.startswith("auto-replied"):
            return True
        if (
            message.get("X-Autoreply") is not None
            or message.get("X-Autorespond") is not None
        ):
            return True
        if str(message.get("Precedence") or "").strip().lower() == "auto_reply":
            return True
        match = AUTO_REPLY_SUBJECT.match(message_dict.get("subject") or "")
        if not match:
            return False
        return message.get(
            "X-Auto-Response-Suppress"
        ) is not None or self._ticket_automatic_sender(message, message_dict)

    def _message_parse_extract_bounce(self, email_message, message_dict):
        """Odoo's bounce values, plus what our note and quarantine show: the
        failed address (where Odoo found none, it is also the one whose
        partners Odoo flags), the reason, and the subjects and Message-Ids of
        the returned mail (copied inline by qmail, Exim ...)."""
        values = super()._message_parse_extract_bounce(email_message, message_dict)
        if not values.get("is_bounce"):
            return values
        sender = tools.email_normalize(message_dict.get("email_from") or "") or ""
        try:
            report = self._ticket_parse_report(email_message, sender)
        except Exception:  # noqa: BLE001 - an unreadable report is still a report
            _logger.warning(
                "Could not read the delivery report %s",
                message_dict.get("message_id"),
                exc_info=True,
            )
            report = {"address": "", "reason": "", "subjects": [], "message_ids": []}
        if report["address"] and not values.get("bounced_email"):
            values["bounced_email"] = report["address"]
            values["bounced_partner"] = (
                self.env["res.partner"]
                .sudo()
                .search([("email_normalized", "=", report["address"])])
            )
        elif not report["address"] and values.get("bounced_email"):
            report["address"] = values["bounced_email"]
        values["ticket_report"] = report
        return values

    @api.model
    def _ticket_parse_report(self, message, sender=""):
        """Failed address, reason, and the subjects and Message-Ids of the
        returned mail, read from a delivery report of any common format:
        the DSN fields (RFC 3464), X-Failed-Recipients, the returned mail's
        headers, else the report's text."""
        address, reason = "", ""
        texts, returned = [], []
        self._ticket_report_parts(message, texts, returned)
        for part in message.walk():
            if part.get_content_type() != "message/delivery-status":
                continue
            blocks = part.get_payload()
            for block in blocks if isinstance(blocks, list) else []:
                for name in ("Final-Recipient", "Original-Recipient"):
                    value = str(block.get(name) or "")
                    address = (
                        address
                        or tools.email_normalize(value.split(";", 1)[-1].strip())
                        or ""
                    )
                diagnostic = " ".join(str(block.get("Diagnostic-Code") or "").split())
                status = str(block.get("Status") or "").strip()
                if not reason and diagnostic:
                    reason = diagnostic.split(";", 1)[-1].strip()
                elif not reason and status and status[:1] in "45":
                    reason = f"Status {status}"
        failed = message.get("X-Failed-Recipients")
        if not address and failed is not None:
            address = (tools.email_normalize_all(str(failed)) or [""])[0]

        text = "\n".join(texts)
        marker = RETURNED_COPY.search(text)
        human, copy = (
            (text[: marker.start()], text[marker.end() :]) if marker else (text, "")
        )
        subjects, message_ids, returned_to = [], [], []
        for returned_message in returned:
            subjects.append(decode_message_header(returned_message, "Subject"))
            message_ids.extend(
                decode_message_header(returned_message, "Message-Id").split()
            )
            returned_to.extend(
                tools.email_normalize_all(decode_message_header(returned_message, "To"))
            )
        for name, value in HEADER_LINE.findall(copy):
            name = name.lower()
            if name == "subject":
                subjects.append(value.strip())
            elif name == "message-id":
                message_ids.extend(value.split())
            else:
                returned_to.extend(tools.email_normalize_all(value))
        if not address:
            for candidate in ADDRESS.findall(human):
                candidate = tools.email_normalize(candidate) or ""
                if (
                    candidate
                    and candidate != sender
                    and not REPORT_SENDER.match(candidate.split("@", 1)[0])
                ):
                    address = candidate
                    break
        address = address or (returned_to[:1] or [""])[0]
        return {
            "address": address,
            "reason": (reason or report_text_reason(human))[:500],
            "subjects": [subject for subject in subjects if subject],
            "message_ids": [mid.strip() for mid in message_ids if mid.strip()],
        }

    @api.model
    def _ticket_report_parts(self, part, texts, returned):
        """Collect the readable text of a report and the mails it returns,
        without descending into the returned mails."""
        content_type = part.get_content_type()
        if content_type == "message/rfc822":
            payload = part.get_payload()
            returned.extend(payload[:1] if isinstance(payload, list) else [])
            return
        if content_type == "text/rfc822-headers":
            returned.append(
                email.message_from_string(part.get_content(), policy=email.policy.SMTP)
            )
            return
        if content_type == "message/delivery-status":
            return
        if part.is_multipart():
            for sub_part in part.get_payload():
                self._ticket_report_parts(sub_part, texts, returned)
            return
        if content_type not in ("text/plain", "text/html") or part.get_filename():
            return
        try:
            content = part.get_content()
        except Exception:  # noqa: BLE001 - unknown charset: read what can be read
            content = (part.get_payload(decode=True) or b"").decode("latin-1")
        if not isinstance(content, str):
            return
        texts.append(
            html2plaintext(content) if content_type == "text/html" else content
        )

    @api.model
    def _ticket_handle_report(self, message, message_dict):
        """Note a delivery report on the ticket it refers to, else keep it in
        the quarantine; never a new ticket, never a confirmation."""
        report = message_dict.get("ticket_report") or {}
        ticket = self.env["ticket.ticket"]._report_ticket(message_dict, report)
        if ticket:
            ticket._note_delivery_failure(message_dict, report)
            return
        _logger.info(
            "Delivery report %s from %s refers to no ticket: quarantined",
            message_dict.get("message_id"),
            message_dict.get("email_from"),
        )
        self.env["ticket.mail.quarantine"].sudo()._store(
            message, message_dict, "bounce"
        )
