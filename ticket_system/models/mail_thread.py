from odoo import api, models


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

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
