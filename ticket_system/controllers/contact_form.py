import logging

from odoo import http, tools
from odoo.http import request
from odoo.tools import plaintext2html

_logger = logging.getLogger(__name__)

# lengths of the one-line fields (characters)
FIELD_MAX_LENGTH = {"name": 128, "email": 254, "subject": 200}
# files per submission
MAX_FILES = 10
# the honeypot: a field people never see and robots gladly fill in
HONEYPOT = "homepage"
SESSION_KEY = "ticket_contact_form_done"


def _request_size_limit(controller):
    """The largest request body accepted at all: the attachment budget plus
    room for the text fields. Larger requests are cut off by werkzeug (413)
    before anything is read into memory."""
    return controller._contact_form_max_bytes() + 2 * 1024 * 1024


class TicketContactForm(http.Controller):
    """The public contact form at /ticket/submit: a visitor (or a logged-in
    portal customer) opens a ticket in one of the public queues.

    Abuse protection: Odoo's CSRF token (checked before this code runs), a
    honeypot field, size limits, per-address and per-IP rate limits counted
    on the tickets themselves (``submitter_ip``, ``partner_email``) and a cap
    of submissions per hour in all; rejected input stores nothing. The IP is
    erased after a few hours (ticket_system.contact_form_ip_retention_hours)."""

    # ------------------------------------------------------------
    # SETTINGS (system parameters)
    # ------------------------------------------------------------

    def _contact_form_param(self, key, default):
        return request.env["ticket.ticket"]._mail_volume_param(key, default)

    def _contact_form_max_bytes(self):
        return (
            self._contact_form_param("ticket_system.contact_form_max_mb", 10)
            * 1024
            * 1024
        )

    def _contact_form_max_chars(self):
        return self._contact_form_param("ticket_system.contact_form_max_chars", 20000)

    # ------------------------------------------------------------
    # ROUTES
    # ------------------------------------------------------------

    @http.route(
        "/ticket/submit",
        type="http",
        auth="public",
        methods=["GET", "POST"],
        website=True,
        sitemap=False,
        max_content_length=_request_size_limit,
    )
    def ticket_submit(self, **post):
        """GET: the empty form. POST (CSRF-checked by Odoo): validate, open
        the ticket, confirm it to the submitter, then the thank-you page."""
        if request.httprequest.method != "POST":
            return self._contact_form_render({}, {})
        if post.get(HONEYPOT):
            # a robot: look as if it worked, keep nothing
            _logger.info(
                "Contact form: honeypot filled from %s, nothing stored",
                request.httprequest.remote_addr,
            )
            request.session[SESSION_KEY] = {}
            return request.redirect("/ticket/submit/thanks")
        values, errors = self._contact_form_validate(post)
        if errors:
            return self._contact_form_render(post, errors)
        ticket = self._contact_form_create_ticket(values)
        request.session[SESSION_KEY] = {
            "number": ticket.number,
            "email": values["email"],
            "ticket_id": ticket.id,
        }
        return request.redirect("/ticket/submit/thanks")

    @http.route(
        "/ticket/submit/thanks",
        type="http",
        auth="public",
        methods=["GET"],
        website=True,
        sitemap=False,
    )
    def ticket_submit_thanks(self, **kw):
        done = request.session.get(SESSION_KEY)
        if done is None:
            return request.redirect("/ticket/submit")
        ticket_url = False
        if done.get("ticket_id") and not request.env.user._is_public():
            ticket = request.env["ticket.ticket"].browse(done["ticket_id"])
            if ticket.has_access("read"):
                ticket_url = ticket.access_url
        return request.render(
            "ticket_system.contact_form_thanks",
            {
                "number": done.get("number"),
                "email": done.get("email"),
                "ticket_url": ticket_url,
            },
        )

    # ------------------------------------------------------------
    # FORM
    # ------------------------------------------------------------

    def _contact_form_queues(self):
        """The queues a customer may choose: active and public."""
        # sudo: visitors cannot read queues; only name and id are shown
        return request.env["ticket.queue"].sudo().search([("is_public", "=", True)])

    def _contact_form_render(self, post, errors):
        user = request.env.user
        logged_in = not user._is_public()
        queues = self._contact_form_queues()
        values = {
            "name": post.get("name", ""),
            "email": post.get("email", ""),
            "subject": post.get("subject", ""),
            "message": post.get("message", ""),
            "queue_id": post.get("queue_id", ""),
        }
        if logged_in:
            values["name"] = user.partner_id.name
            values["email"] = user.partner_id.email or user.email or ""
        return request.render(
            "ticket_system.contact_form",
            {
                "form": values,
                "errors": errors,
                "queues": queues,
                "logged_in": logged_in,
                "max_mb": self._contact_form_max_bytes() // (1024 * 1024),
                "max_files": MAX_FILES,
                "max_chars": self._contact_form_max_chars(),
                "field_max_length": FIELD_MAX_LENGTH,
                "honeypot": HONEYPOT,
                "page_name": "ticket_submit",
            },
        )

    def _contact_form_validate(self, post):  # noqa: C901 - one check per field, in order
        """(values, errors): the cleaned submission, and the messages for
        what is wrong with it, by field (``_form`` for the whole form)."""
        _ = request.env._
        errors = {}
        user = request.env.user
        logged_in = not user._is_public()
        if logged_in:
            # a customer writes as themselves, whatever the form says
            name = user.partner_id.name
            email = user.partner_id.email_normalized or tools.email_normalize(
                user.email or ""
            )
            if not email:
                errors["email"] = _(
                    "Your account has no e-mail address: please add one in your "
                    "account settings first."
                )
        else:
            name = " ".join((post.get("name") or "").split())
            raw_email = (post.get("email") or "").strip()
            email = tools.email_normalize(raw_email)
            if not name:
                errors["name"] = _("Please enter your name.")
            if not raw_email:
                errors["email"] = _("Please enter your e-mail address.")
            elif (
                # one bare address, nothing around it (no list, no name part)
                not email
                or email != raw_email.lower()
                or "." not in email.rpartition("@")[2]
            ):
                errors["email"] = _("Please enter one valid e-mail address.")
                email = False
        subject = " ".join((post.get("subject") or "").split())
        message = (post.get("message") or "").strip()
        if not subject:
            errors["subject"] = _("Please enter a subject.")
        if not message:
            errors["message"] = _("Please describe your request.")
        for field, value in (
            ("name", name),
            ("email", email or ""),
            ("subject", subject),
        ):
            if len(value) > FIELD_MAX_LENGTH[field]:
                errors[field] = _(
                    "At most %(count)s characters, please.",
                    count=FIELD_MAX_LENGTH[field],
                )
        max_chars = self._contact_form_max_chars()
        if len(message) > max_chars:
            errors["message"] = _(
                "Your message is too long: at most %(count)s characters, please.",
                count=max_chars,
            )

        queues = self._contact_form_queues()
        queue = queues.browse()
        try:
            queue_id = int(post.get("queue_id") or 0)
        except ValueError:
            queue_id = 0
        if queue_id:
            queue = queues.filtered(lambda q: q.id == queue_id)
        elif len(queues) == 1:
            queue = queues
        if not queue:
            errors["queue_id"] = _("Please choose a department.")

        files = [
            f
            for f in request.httprequest.files.getlist("attachments")
            if f and f.filename
        ]
        attachments = []
        max_bytes = self._contact_form_max_bytes()
        total = 0
        if len(files) > MAX_FILES:
            errors["attachments"] = _(
                "At most %(count)s files, please.", count=MAX_FILES
            )
        else:
            for file in files:
                content = file.read(max_bytes + 1 - total)
                total += len(content)
                if total > max_bytes:
                    errors["attachments"] = _(
                        "The attachments are too large: at most %(size)s MB in total.",
                        size=max_bytes // (1024 * 1024),
                    )
                    break
                attachments.append((file.filename, content))

        limited = not errors and self._contact_form_rate_limited(
            email, self._remote_addr()
        )
        if limited == "volume":
            errors["_form"] = _(
                "We are receiving an unusually large number of requests right now. "
                "Please try again in an hour, or write to us by e-mail."
            )
        elif limited:
            errors["_form"] = _(
                "You have sent us several requests within the last hour already. "
                "Please wait a while before you send another one, or reply to the "
                "confirmation you received."
            )
        values = {
            "name": name,
            "email": email,
            "subject": subject,
            "message": message,
            "queue": queue,
            "attachments": attachments,
        }
        return values, errors

    @staticmethod
    def _remote_addr():
        """The visitor's address (the client's one behind a proxy when Odoo
        runs with ``proxy_mode``)."""
        return request.httprequest.remote_addr or False

    def _contact_form_rate_limited(self, email, ip):
        """Whether the address or the IP sent the allowed number of forms
        within the last hour already ("sender"), or all visitors together
        did ("volume"); False if not (system parameters
        ticket_system.contact_form_limit_per_email / _per_ip / _per_hour;
        0 = no limit). Race-free: see ticket.mail.volume.mixin."""
        # sudo: counting recent tickets of everybody, no content is read
        return (
            request.env["ticket.ticket"].sudo()._contact_form_limit_reached(email, ip)
        )

    def _contact_form_create_ticket(self, values):
        """Open the ticket as the mail gateway would: customer found by
        address, the message in the chatter as theirs, the confirmation to
        the submitter."""
        user = request.env.user
        portal_user = not user._is_public() and user.share
        # sudo: visitors may not create tickets; only the validated values go in
        Ticket = (
            request.env["ticket.ticket"]
            .sudo()
            .with_context(mail_create_nosubscribe=True, default_user_id=False)
        )
        if not user._is_public():
            customer = user.partner_id
        else:
            customer = Ticket._find_customer(values["email"])
        description = plaintext2html(values["message"])
        ticket = Ticket.create(
            {
                "name": values["subject"],
                "description": description,
                "queue_id": values["queue"].id,
                "channel": "portal" if portal_user else "web",
                "partner_id": customer.id,
                "partner_name": customer.name or values["name"],
                "partner_email": values["email"],
                "submitter_ip": self._remote_addr(),
                "last_action_by": "customer",
                "last_action_author": values["name"],
            }
        )
        # the customer's message, posted by them: an internal user trying the
        # form must not be taken for an agent answering (mails, sender address)
        poster = user if user.share else request.env.ref("base.public_user")
        message = (
            ticket.with_user(poster)
            .sudo()
            .message_post(
                body=description,
                subject=values["subject"],
                author_id=customer.id or False,
                email_from=tools.formataddr((values["name"], values["email"])),
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                attachments=values["attachments"],
            )
        )
        ticket._send_autoresponse_guarded(message)
        return ticket
