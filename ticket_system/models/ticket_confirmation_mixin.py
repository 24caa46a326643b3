import logging

from odoo import api, fields, models, tools
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# pending confirmations sent at most at once (one render per template)
PENDING_BATCH = 500


class TicketConfirmationMixin(models.AbstractModel):
    """Automatic answers to the sender (the confirmation of a new ticket, the
    absence notice), one or many at once.

    A mailbox fetch (``fetchmail.server.fetch_mail``, context
    ``ticket_confirm_later``) does not render and queue the confirmation of
    each new ticket in its mail's transaction: the mail's transaction decides
    that a confirmation leaves (the loop guards and the hourly caps, counted
    at once as before) and marks the ticket with the incoming mail to answer
    (``autoresponse_pending_message_id``), committed with the ticket. After
    the fetch, all pending confirmations are rendered at once (one template
    render per template and language, one INSERT of their messages and one
    of their mails) and unmarked in the same transaction. A process that
    dies in between leaves the marks: the scheduled action
    ``ir_cron_ticket_confirmation_pending`` sends them. Mail piped from an
    MTA (mailgate) is confirmed at once."""

    _name = "ticket.confirmation.mixin"
    _description = "Ticket Confirmations"

    autoresponse_pending_message_id = fields.Many2one(
        "mail.message",
        string="Confirmation Pending For",
        readonly=True,
        copy=False,
        ondelete="set null",
        # the pending ones are found by this index, the others are NULL
        index="btree_not_null",
        groups="base.group_system",
        help="The incoming mail whose confirmation is decided and waits to be "
        "sent after the mailbox fetch (or by the scheduled action).",
    )

    def _autoresponse_deliver(self, incoming, template):
        """Send the confirmation of ``incoming`` now, or mark it pending when
        a mailbox fetch sends all of its confirmations at once."""
        self.ensure_one()
        if self.env.context.get("ticket_confirm_later"):
            # sudo: the mark is technical (only administrators read it)
            self.sudo().autoresponse_pending_message_id = incoming
            return
        self._send_automatic_reply(incoming, template)

    @api.model
    def _autoresponse_send_pending(self, limit=PENDING_BATCH):
        """Send the pending confirmations (up to ``limit``, oldest first);
        those another transaction is sending right now are skipped. Returns
        the tickets taken (confirmed, or skipped: their queue confirms no
        more, their template broke)."""
        Ticket = self.env["ticket.ticket"].sudo()
        Ticket.flush_model(["autoresponse_pending_message_id"])
        self.env.cr.execute(
            SQL(
                """SELECT id FROM %s
                    WHERE autoresponse_pending_message_id IS NOT NULL
                    ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED""",
                SQL.identifier(Ticket._table),
                limit,
            )
        )
        tickets = Ticket.browse(row[0] for row in self.env.cr.fetchall())
        if not tickets:
            return tickets
        default = self.env.ref(
            "ticket_system.mail_template_ticket_autoresponder", raise_if_not_found=False
        )
        by_template = {}
        for ticket in tickets:
            queue = ticket.queue_id
            template = queue.autoresponder and (
                queue.autoresponder_template_id or default
            )
            if template:
                by_template.setdefault(template, Ticket)
                by_template[template] |= ticket
        for template, group in by_template.items():
            group._autoresponse_send_group(template)
        # the same UPDATE for all: unmarked with the mails queued (a
        # technical mark: no tracking to prepare)
        tickets.with_context(tracking_disable=True).write(
            {"autoresponse_pending_message_id": False}
        )
        return tickets

    def _autoresponse_send_group(self, template):
        """Confirm these tickets with ``template``: all at once, else (one of
        them breaks the template) one by one; a ticket whose confirmation
        cannot be rendered is logged and skipped, as when sent at once."""
        try:
            with self.env.cr.savepoint():
                self._send_automatic_replies(
                    self.autoresponse_pending_message_id, template
                )
            return self
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            raise
        except Exception:  # noqa: BLE001 - find the ticket that breaks it
            if len(self) == 1:
                _logger.exception("Confirmation of ticket %s failed", self.number)
                return self.browse()
        sent = self.browse()
        for ticket in self:
            sent |= ticket._autoresponse_send_group(template)
        return sent

    @api.model
    def _cron_autoresponse_send_pending(self):
        """The safety net: confirmations left pending by a fetch that did not
        end (a process that died after committing the mails). Returns how
        many were taken."""
        taken = 0
        while batch := self._autoresponse_send_pending():
            taken += len(batch)
        return taken

    def _send_automatic_reply(self, incoming, template, agent=None):
        """Mail ``template`` to the sender's address as an automatic answer to
        ``incoming``: a customer-visible message in the chatter, marked
        ``Auto-Submitted: auto-replied``. ``agent`` fills @Bearbeiter@. The
        caller decides whether an answer is right (automatic mail, loops)."""
        self.ensure_one()
        self._send_automatic_replies(incoming, template, agent=agent)

    def _send_automatic_replies(self, incomings, template, agent=None):
        """``_send_automatic_reply`` for many tickets: ``incomings`` are the
        mails to answer, one per ticket in the order of ``self``. The
        template is rendered once for all (per language), the messages and
        the mails are created in one INSERT each."""
        # sudo: the template is configuration, rendered for these tickets
        rendered = template.sudo()._generate_template(
            self.ids, ("subject", "body_html")
        )
        # automatic: what cannot be filled is left empty and noted
        agent = agent or self.env["res.users"]
        reply_to = self._notify_get_reply_to()
        xmlid_to_id = self.env["ir.model.data"]._xmlid_to_res_id
        subtype_id = xmlid_to_id("mail.mt_comment")
        author_id = xmlid_to_id("base.partner_root")
        email_from = {}
        message_values, mail_values, unfilled_by_ticket = [], [], []
        for ticket, incoming in zip(self, incomings, strict=True):
            queue = ticket.queue_id
            if queue not in email_from:
                email_from[queue] = queue._ticket_email_from()
            values = rendered[ticket.id]
            body, unfilled = ticket._placeholder_fill(
                values.get("body_html") or "", user=agent
            )
            subject, unfilled_subject = ticket._placeholder_fill(
                values.get("subject") or ticket.name, user=agent
            )
            unfilled.update(unfilled_subject)
            unfilled_by_ticket.append(unfilled)
            message_values.append(
                {
                    "model": ticket._name,
                    "res_id": ticket.id,
                    "body": body,
                    "subject": ticket._ticket_subject(subject),
                    "message_type": "auto_comment",
                    "subtype_id": subtype_id,
                    "author_id": author_id,
                    "email_from": email_from[queue],
                    "reply_to": reply_to[ticket.id],
                    "parent_id": incoming.id,
                    "partner_ids": ticket.partner_id.ids,
                }
            )
            email = tools.email_normalize(ticket.partner_email or "")
            mail_values.append(
                {
                    "body_html": body,
                    "email_to": tools.formataddr((ticket.partner_name or "", email)),
                    "references": incoming.message_id,
                    "headers": repr(
                        {
                            "Auto-Submitted": "auto-replied",
                            "X-Auto-Response-Suppress": "All",
                            "In-Reply-To": incoming.message_id,
                        }
                    ),
                    "mail_server_id": queue.mail_server_id.id,
                    "auto_delete": False,
                }
            )
        messages = self._message_create(message_values)
        for values, message in zip(mail_values, messages, strict=True):
            values["mail_message_id"] = message.id
        # sudo: the gateway user queues the mail; mail.mail is technical
        self.env["mail.mail"].sudo().create(mail_values)
        # the mail queue runs hourly: have it run now, so that the confirmation
        # leaves while the customer still waits for it (as event does)
        # (by id: the cached XML id lookup, no existence check on this path)
        self.env["ir.cron"].browse(
            xmlid_to_id("mail.ir_cron_mail_scheduler_action")
        )._trigger()
        for ticket, unfilled in zip(self, unfilled_by_ticket, strict=True):
            ticket._placeholder_log_unfilled(unfilled)
