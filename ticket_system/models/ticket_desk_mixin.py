from markupsafe import Markup

from odoo import api, fields, models, tools
from odoo.exceptions import UserError

OTHER_TICKETS_LIMIT = 80


class TicketDeskMixin(models.AbstractModel):
    """What the ticket form shows around the conversation, as M-Ticket does:
    "Dieses Ticket beobachten", all attachments of the conversation, the
    history of field changes apart from the mails, and the customer's other
    tickets (computed when a form is read, never for lists); and "Neuanlage
    (E-Mail)", a ticket typed in by an agent mailed to the customer."""

    _name = "ticket.desk.mixin"
    _description = "Ticket Desk Panels"

    is_watching = fields.Boolean(
        string="Watch This Ticket",
        compute="_compute_is_watching",
        inverse="_inverse_is_watching",
        help="Follow the ticket: you are notified of its messages and find it "
        "in your tickets even when it is assigned to someone else.",
    )
    conversation_attachment_ids = fields.Many2many(
        "ir.attachment",
        string="All Attachments",
        compute="_compute_conversation_attachment_ids",
        help="Every file of the conversation: received, sent and added by hand.",
    )
    history_html = fields.Html(string="History", compute="_compute_history_html")
    partner_other_ticket_ids = fields.Many2many(
        "ticket.ticket",
        string="Other Tickets of the Customer",
        compute="_compute_partner_other_ticket_ids",
    )

    @api.depends("message_partner_ids")
    @api.depends_context("uid")
    def _compute_is_watching(self):
        partner = self.env.user.partner_id
        for ticket in self:
            ticket.is_watching = partner in ticket.message_partner_ids

    def _inverse_is_watching(self):
        partner = self.env.user.partner_id
        for ticket in self:
            if ticket.is_watching:
                ticket.message_subscribe(partner_ids=partner.ids)
            else:
                ticket.message_unsubscribe(partner_ids=partner.ids)

    def _compute_conversation_attachment_ids(self):
        attachments = self.env["ir.attachment"].search(
            [("res_model", "=", self._name), ("res_id", "in", self.ids)],
            order="id desc",
        )
        by_ticket = attachments.grouped("res_id")
        for ticket in self:
            ticket.conversation_attachment_ids = by_ticket.get(
                ticket.id, self.env["ir.attachment"]
            )

    def _compute_history_html(self):
        for ticket in self:
            ticket.history_html = ticket._history_html() if ticket.id else False

    def _history_html(self):
        """Field changes of the ticket, newest first, as far as the user may
        see the fields (tracking values are admin-only records)."""
        self.ensure_one()
        # sudo: tracking values are readable by administrators only; the
        # field access of the current user is checked below
        messages = (
            self.env["mail.message"]
            .sudo()
            .search(
                [
                    ("model", "=", self._name),
                    ("res_id", "=", self.id),
                    ("tracking_value_ids", "!=", False),
                ],
                order="date desc, id desc",
            )
        )
        rows = []
        for message in messages:
            trackings = message.tracking_value_ids._filter_has_field_access(self.env)
            for change in trackings._tracking_value_format():
                rows.append(
                    Markup(
                        "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>"
                    )
                    % (
                        fields.Datetime.context_timestamp(self, message.date).strftime(
                            "%Y-%m-%d %H:%M"
                        ),
                        message.author_id.name or "",
                        change["changedField"],
                        change["oldValue"]["value"] or "",
                        change["newValue"]["value"] or "",
                    )
                )
        if not rows:
            return Markup("<p>%s</p>") % self.env._("No field was changed yet.")
        header = Markup(
            "<tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>"
        ) % (
            self.env._("Date"),
            self.env._("By"),
            self.env._("Field"),
            self.env._("Before"),
            self.env._("After"),
        )
        return Markup(
            '<table class="table table-sm"><thead>%s</thead><tbody>%s</tbody></table>'
        ) % (header, Markup("").join(rows))

    @api.depends("partner_id")
    def _compute_partner_other_ticket_ids(self):
        for ticket in self:
            commercial = ticket.partner_id.commercial_partner_id
            ticket.partner_other_ticket_ids = (
                self.search(
                    [
                        ("partner_id", "child_of", commercial.id),
                        ("id", "!=", ticket._origin.id),
                    ],
                    order="id desc",
                    limit=OTHER_TICKETS_LIMIT,
                )
                if commercial
                else False
            )

    def action_send_to_customer(self):
        """M-Ticket "Neuanlage (E-Mail)": the summary of a ticket an agent typed
        in goes to the customer as its first message, from the queue's
        address with the number in the subject. Saving alone ("Neuanlage
        (Kommentar)") mails nobody."""
        self.ensure_one()
        if not (self.partner_email or self.partner_id.email):
            raise UserError(self.env._("Enter the customer's e-mail address first."))
        if tools.is_html_empty(self.description):
            raise UserError(
                self.env._("Write the summary the customer is to receive first.")
            )
        self.message_post(
            body=self.description,
            subject=self.name,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        return True
