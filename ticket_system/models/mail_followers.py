from odoo import api, models
from odoo.tools import SQL


class MailFollowers(models.Model):
    _inherit = "mail.followers"

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        """Core lets every employee read every follower row: for tickets that
        tells who follows a ticket the user may not read (the customer, a
        colleague). Follower rows of tickets are readable with the ticket
        only; reads by id go through here as well.

        The check is a correlated EXISTS (one probe of the ticket's primary
        key per follower row), not ``res_id IN (all readable tickets)``,
        which PostgreSQL would evaluate for the whole ticket table on every
        chatter load."""
        query = super()._search(domain, offset, limit, order)
        if self.env.su or query.is_empty():
            return query
        Ticket = self.env["ticket.ticket"]
        if Ticket.has_access("read"):
            tickets = Ticket.with_context(active_test=False)._search([])
            tickets.add_where(
                SQL(
                    "%s = %s",
                    SQL.identifier(tickets.table, "id"),
                    SQL.identifier(query.table, "res_id"),
                )
            )
            readable = SQL("EXISTS(%s)", tickets.select(SQL("1")))
        else:
            readable = SQL("FALSE")
        query.add_where(
            SQL(
                "(%s != 'ticket.ticket' OR %s)",
                SQL.identifier(query.table, "res_model"),
                readable,
            )
        )
        return query
