from markupsafe import Markup

from odoo import models


class MailAlias(models.Model):
    _inherit = "mail.alias"

    def _alias_bounce_incoming_email(self, message, message_dict, set_invalid=True):
        """A fetched mail that failed is kept in ticket.mail.failure and will be
        processed again: telling the sender it was refused would be wrong, and
        so would flagging the queue address as broken. A mail the alias
        refuses (archived queue, contact policy) still gets its bounce."""
        if self.env.context.get("ticket_mail_failure_kept"):
            return
        return super()._alias_bounce_incoming_email(
            message, message_dict, set_invalid=set_invalid
        )

    def _get_alias_bounced_body_fallback(self, message_dict):
        """Say plainly why the address of an archived queue refuses mail."""
        if self.alias_parent_model_id.model == "ticket.queue":
            queue = self.env["ticket.queue"].browse(self.alias_parent_thread_id)
            if queue.exists() and not queue.active:
                company = queue.company_id
                contact = company.email_formatted or company.name
                return Markup("<p>%s</p>") % self.env._(
                    "Dear Sender, the address %(address)s (%(queue)s) is closed and "
                    "receives no more mail. Your message below was not processed. "
                    "Please write to %(contact)s instead.",
                    address=self.display_name,
                    queue=queue.name,
                    contact=contact,
                )
        return super()._get_alias_bounced_body_fallback(message_dict)
