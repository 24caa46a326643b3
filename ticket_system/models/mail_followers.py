from odoo import api, models
from odoo.osv import expression


class MailFollowers(models.Model):
    _inherit = "mail.followers"

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        """Core lets every employee read every follower row: for tickets that
        tells who follows a ticket the user may not read (the customer, a
        colleague). Follower rows of tickets are readable with the ticket
        only; reads by id go through here as well."""
        if not self.env.su:
            Ticket = self.env["ticket.ticket"]
            visible = (
                [("res_id", "in", Ticket._search([]))]
                if Ticket.has_access("read")
                else expression.FALSE_DOMAIN
            )
            domain = expression.AND(
                [
                    domain,
                    expression.OR([[("res_model", "!=", "ticket.ticket")], visible]),
                ]
            )
        return super()._search(domain, offset, limit, order)
