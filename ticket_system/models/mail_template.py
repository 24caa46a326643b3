from markupsafe import Markup

from odoo import fields, models


class MailTemplate(models.Model):
    _inherit = "mail.template"

    # answer templates of the ticket composer: offered first in the tickets
    # of these queues and types (both empty: in every ticket)
    ticket_queue_ids = fields.Many2many(
        "ticket.queue",
        "mail_template_ticket_queue_rel",
        "template_id",
        "queue_id",
        string="Ticket Queues",
        help="Offered as answer in the tickets of these queues. Empty (and no "
        "type): offered in every ticket.",
    )
    ticket_type_ids = fields.Many2many(
        "ticket.type",
        "mail_template_ticket_type_rel",
        "template_id",
        "type_id",
        string="Ticket Types",
        help="Offered as answer in the tickets of these types. Empty (and no "
        "queue): offered in every ticket.",
    )

    def send_mail_batch(
        self,
        res_ids,
        force_send=False,
        raise_exception=False,
        email_values=None,
        email_layout_xmlid=False,
    ):
        """A ticket template mailed directly (server action "Send Email",
        code), without a message_post that would fill its placeholders."""
        if self.model == "ticket.ticket":
            self = self.with_context(ticket_placeholder_fill=True)
        return super().send_mail_batch(
            res_ids,
            force_send=force_send,
            raise_exception=raise_exception,
            email_values=email_values,
            email_layout_xmlid=email_layout_xmlid,
        )

    def _generate_template(self, res_ids, render_fields, find_or_create_partners=False):
        results = super()._generate_template(
            res_ids, render_fields, find_or_create_partners=find_or_create_partners
        )
        if not (
            self.env.context.get("ticket_placeholder_fill")
            and self.model == "ticket.ticket"
        ):
            return results
        # no agent writes these mails: what cannot be filled is left empty and noted
        for ticket in self.env["ticket.ticket"].browse(list(results)):
            values = results[ticket.id]
            unfilled = {}
            for fname in ("subject", "body_html"):
                if values.get(fname):
                    text = values[fname]
                    if fname == "body_html" and not isinstance(text, Markup):
                        text = Markup(text)
                    values[fname], missing = ticket._placeholder_fill(
                        text, user=self.env["res.users"]
                    )
                    unfilled.update(missing)
            ticket._placeholder_log_unfilled(unfilled)
        return results
