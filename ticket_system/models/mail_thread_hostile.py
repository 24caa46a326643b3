import logging

from markupsafe import Markup, escape

from odoo import api, models
from odoo.tools import is_html_empty

from . import mail_hostile
from .mail_thread import ORIGINAL_FILENAME

_logger = logging.getLogger(__name__)

# attachment limit (MB) where no queue says otherwise
DEFAULT_ATTACHMENT_LIMIT = 25
MEGABYTE = 1024 * 1024
# headers whose text is read again leniently when Python's reading of them
# shows replacement characters: msg_dict key -> header name
LENIENT_HEADERS = (
    ("subject", "Subject"),
    ("email_from", "From"),
    ("from", "From"),
    ("to", "To"),
    ("cc", "Cc"),
)


# its own room, as the brief for hostile mail asks: mail_thread.py is the
# gateway's main override and large already
class MailThread(models.AbstractModel):
    """Hostile mail stays harmless (see mail_hostile): what Python's parser
    or PostgreSQL would fail on is made readable before, what would flood
    the desk (recipients, oversized attachments) is cut, and the original
    mail is kept with the message whenever something was left out."""

    _inherit = "mail.thread"  # pylint: disable=consider-merging-classes-inherited

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
        """A mail nested deeper than any normal mail is flattened before
        Python's parser, which recurses once per level, reads it; the mail
        as received is what is kept (original.eml, failed mail)."""
        raw = getattr(message, "data", message)  # xmlrpc.client.Binary (mailgate)
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        flat = (
            mail_hostile.flatten_multiparts(raw)
            if (mail_hostile.deeply_nested(raw))
            else None
        )
        options = {
            "custom_values": custom_values,
            "save_original": save_original,
            "strip_attachments": strip_attachments,
            "thread_id": thread_id,
        }
        if not flat:
            return super().message_process(model, message, **options)
        cache = self.env.cr.cache
        previous = cache.get("ticket_mail_received")
        cache["ticket_mail_received"] = raw
        try:
            return super().message_process(model, flat, **options)
        finally:
            cache["ticket_mail_received"] = previous

    @api.model
    def _ticket_original_bytes(self, message):
        received = self.env.cr.cache.get("ticket_mail_received")
        if received is not None:
            return received
        return super()._ticket_original_bytes(message)

    @api.model
    def message_parse(self, message, save_original=False):
        notes = []
        overflow = mail_hostile.address_overflow(message)
        if overflow:
            notes.append(self._ticket_cap_recipients(message, overflow))
        calendar = self._ticket_name_calendar_parts(message)
        msg_dict = super().message_parse(message, save_original=save_original)
        reasons = []
        if self.env.cr.cache.get("ticket_mail_received") is not None:
            reasons.append("deeply nested multipart flattened")
        if overflow:
            reasons.append("recipients cut")
        if mail_hostile.strip_nul(msg_dict):
            reasons.append("NUL characters removed")
        self._ticket_read_headers_leniently(message, msg_dict)
        self._ticket_add_tnef_files(msg_dict)
        if calendar:
            self._ticket_calendar_body(message, msg_dict)
        if reasons and not msg_dict.get("ticket_original"):
            self._ticket_keep_original(
                msg_dict, self._ticket_original_bytes(message), reasons
            )
        if notes:
            msg_dict["ticket_hostile_notes"] = notes
        return msg_dict

    @api.model
    def _ticket_cap_recipients(self, message, overflow):
        """Cut To/Cc headers naming thousands of addresses to the first few
        (and our own aliases among the rest, which route the mail): Python's
        address parser needs seconds per thousand, the ticket would copy
        them all into its CC, and an answer would go to all of them."""
        addresses = {a.lower() for found in overflow.values() for a in found}
        # sudo: the gateway reads the aliases to keep the mail's routing
        aliases = (
            self.env["mail.alias"]
            .sudo()
            .search([("alias_full_name", "in", list(addresses))])
        )
        total = mail_hostile.cap_addresses(
            message, overflow, set(aliases.mapped("alias_full_name"))
        )
        _logger.warning(
            "Incoming mail %s names %s recipients: only the first %s kept",
            message.get("Message-Id"),
            total,
            mail_hostile.MAX_ADDRESSES,
        )
        return self.env._(
            "This mail was addressed to %(count)s recipients (To/Cc). Only the "
            "first %(kept)s of each header were taken over (CC of the ticket); "
            "all of them are in the original mail attached to the message.",
            count=total,
            kept=mail_hostile.MAX_ADDRESSES,
        )

    @api.model
    def _ticket_name_calendar_parts(self, message):
        """Give calendar parts without a file name the name invite.ics, so
        that they are kept as an .ics attachment (Odoo would call them
        'attachment', or show the whole calendar text as the body)."""
        found = False
        for part in message.walk():
            if part.get_content_type() != "text/calendar":
                continue
            found = True
            if part is not message and not part.get_filename():
                part.set_param("name", mail_hostile.ICS_FILENAME)
        return found

    @api.model
    def _ticket_calendar_body(self, message, msg_dict):
        """A mail that is only a calendar invitation: its text becomes the
        .ics attachment, the body a short summary. A mail with a calendar
        part and no text gets the summary as body."""
        attachments = list(msg_dict.get("attachments") or [])
        text = None
        if message.get_content_type() == "text/calendar":
            text = message.get_content()
            attachments.append(
                self._Attachment(mail_hostile.ICS_FILENAME, text, {"encoding": "utf-8"})
            )
            msg_dict["body"] = ""
        elif is_html_empty(msg_dict.get("body")):
            text = next(
                (
                    a.content
                    for a in attachments
                    if a.fname == mail_hostile.ICS_FILENAME
                ),
                None,
            )
        msg_dict["attachments"] = attachments
        if text is None:
            return
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        fields = mail_hostile.ics_fields(text)
        lines = [
            (self.env._("Invitation"), fields.get("SUMMARY", "")),
            (self.env._("Start"), mail_hostile.ics_date(fields.get("DTSTART"))),
            (self.env._("End"), mail_hostile.ics_date(fields.get("DTEND"))),
            (self.env._("Location"), fields.get("LOCATION", "")),
            (self.env._("Organizer"), fields.get("ORGANIZER", "")),
        ]
        msg_dict["body"] = Markup("<p>%s</p>") % Markup("<br/>").join(
            Markup("<b>%s:</b> %s") % (label, value) for label, value in lines if value
        )

    @api.model
    def _ticket_read_headers_leniently(self, message, msg_dict):
        """Subject and addresses that Python decoded with replacement
        characters (raw 8-bit text, broken or mislabelled RFC 2047 words)
        are decoded again from their raw text."""
        for key, name in LENIENT_HEADERS:
            if mail_hostile.REPLACEMENT not in (msg_dict.get(key) or ""):
                continue
            raw = [
                value
                for header, value in message.raw_items()
                if header.lower() == name.lower()
            ]
            if raw:
                separator = " " if key == "subject" else ", "
                msg_dict[key] = separator.join(
                    mail_hostile.decode_header_leniently(value) for value in raw
                )

    @api.model
    def _ticket_add_tnef_files(self, msg_dict):
        """The files inside a TNEF winmail.dat become attachments of their
        own; winmail.dat itself stays."""
        attachments = msg_dict.get("attachments") or []
        extracted = []
        for attachment in attachments:
            if not mail_hostile.is_tnef(attachment.content):
                continue
            files = mail_hostile.tnef_files(attachment.content)
            _logger.info(
                "winmail.dat of %s holds %s files",
                msg_dict.get("message_id"),
                len(files),
            )
            extracted += [self._Attachment(name, data, {}) for name, data in files]
        if extracted:
            msg_dict["attachments"] = list(attachments) + extracted

    # ------------------------------------------------------------
    # ROUTING: ATTACHMENT LIMIT AND NOTES
    # ------------------------------------------------------------

    @api.model
    def _message_route_process(self, message, message_dict, routes):
        """Attachments over the limit of the receiving queue are left out
        (the original mail is kept with the message); the notes about what
        was left out reach the ticket (see ticket.ticket message_new and
        message_update)."""
        notes = list(message_dict.pop("ticket_hostile_notes", None) or [])
        notes += self._ticket_drop_oversized(message, message_dict, routes)
        if notes:
            self = self.with_context(ticket_hostile_notes=tuple(notes))
        return super()._message_route_process(message, message_dict, routes)

    @api.model
    def _ticket_attachment_limit(self, message_dict, routes):
        """The smallest attachment limit (MB) of the queues the mail goes to:
        the queue of the ticket it joins, else of the alias or mailbox;
        None when it goes to no ticket, 0 when there is no limit."""
        limits = []
        for route in routes:
            if route[0] != "ticket.ticket":
                continue
            thread_id, custom_values = route[1], route[2] or {}
            # sudo: the gateway reads the queue's setting for a mail
            queue = self.env["ticket.queue"].sudo()
            if thread_id:
                queue = self.env["ticket.ticket"].sudo().browse(thread_id).queue_id
            elif custom_values.get("queue_id"):
                queue = queue.browse(custom_values["queue_id"])
            elif self.env.context.get("default_fetchmail_server_id"):
                server = (
                    self.env["fetchmail.server"]
                    .sudo()
                    .browse(self.env.context["default_fetchmail_server_id"])
                )
                queue = server.queue_id
            limits.append(queue.attachment_limit if queue else DEFAULT_ATTACHMENT_LIMIT)
        if not limits:
            return None
        positive = [limit for limit in limits if limit > 0]
        return min(positive) if positive else 0

    @api.model
    def _ticket_drop_oversized(self, message, message_dict, routes):
        attachments = message_dict.get("attachments") or []
        sizes = [mail_hostile.content_size(a.content) for a in attachments]
        # no limit is below 1 MB: most mail needs no look at its queue
        if max(sizes, default=0) <= MEGABYTE:
            return []
        limit = self._ticket_attachment_limit(message_dict, routes)
        if not limit:
            return []
        kept, notes = [], []
        for attachment, size in zip(attachments, sizes, strict=True):
            if size <= limit * MEGABYTE:
                kept.append(attachment)
                continue
            _logger.warning(
                "Attachment %r (%s bytes) of incoming mail %s over the limit of %s MB: "
                "left out, original kept",
                attachment.fname,
                size,
                message_dict.get("message_id"),
                limit,
            )
            notes.append(
                self.env._(
                    "Attachment %(name)s (%(size)s MB) exceeds the limit of "
                    "%(limit)s MB and was not taken over; the original mail is "
                    "kept as %(original)s on the message.",
                    name=attachment.fname,
                    size=mail_hostile.megabytes(size),
                    limit=limit,
                    original=ORIGINAL_FILENAME,
                )
            )
        if not notes:
            return []
        message_dict["attachments"] = kept
        if not message_dict.get("ticket_original"):
            self._ticket_keep_original(
                message_dict,
                self._ticket_original_bytes(message),
                ["attachment over the size limit"],
            )
        return notes


def format_notes(notes):
    """The notes as one HTML note body (each escaped)."""
    return Markup("<br/>").join(escape(note) for note in notes)
