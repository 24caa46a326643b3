from markupsafe import Markup

from odoo import models


class MailAlias(models.Model):
    _inherit = "mail.alias"

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
