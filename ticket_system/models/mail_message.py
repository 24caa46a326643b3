from odoo import models

from odoo.addons.mail.tools.discuss import Store

# messages an author writes (by mail or in the chatter); the other types are
# written by the system: tracking, status mails, autoresponder confirmations
WRITTEN_MESSAGE_TYPES = ("email", "comment", "email_outgoing")


class MailMessage(models.Model):
    _inherit = "mail.message"

    def _to_store(self, store: Store, /, *, fields=None, **kwargs):
        """Ticket messages tell the web client who wrote them in the ticket's
        terms (M-Ticket "Kommunikation"), so that every agent sees the same
        colours, whoever is looking."""
        res = super()._to_store(store, fields=fields, **kwargs)
        if fields is None or "ticket_role" in fields:
            for message, role in self._ticket_roles().items():
                store.add(message, {"ticket_role": role})
        return res

    def _ticket_roles(self):
        """{message: role} for the ticket messages of ``self``:

        * ``customer``: written by someone who is not an internal user (a mail
          from outside, a portal user's message);
        * ``agent``: sent to the customer by an internal user;
        * ``internal``: a note, never sent to the customer;
        * ``system``: tracking, status mails and confirmations sent
          automatically.

        The same queries for any number of messages."""
        messages = self.filtered(lambda message: message.model == "ticket.ticket")
        if not messages:
            return {}
        # sudo: authors and subtypes of messages the user may read already
        messages = messages.sudo()
        authors = messages.author_id
        internal_partner_ids = set()
        if authors:
            # archived users (colleagues who left) wrote as agents all the same
            internal_partner_ids = set(
                self.env["res.users"]
                .sudo()
                .with_context(active_test=False)
                .search_fetch(
                    [("partner_id", "in", authors.ids), ("share", "=", False)],
                    ["partner_id"],
                )
                .partner_id.ids
            )
        root_id = self.env["ir.model.data"]._xmlid_to_res_id("base.partner_root")
        roles = {}
        for message in messages:
            if message.message_type not in WRITTEN_MESSAGE_TYPES:
                role = "system"
            elif message.is_internal or message.subtype_id.internal:
                role = "internal"
            elif message.author_id.id == root_id:
                role = "system"
            elif message.author_id.id in internal_partner_ids:
                role = "agent"
            else:
                role = "customer"
            roles[message.with_env(self.env)] = role
        return roles
