from odoo import api, models


class TicketIngestMixin(models.AbstractModel):
    """Mail ingest speed: work the mail gateway does for every new ticket
    that the ticket does not need."""

    _name = "ticket.ingest.mixin"
    _description = "Ticket Mail Ingest"

    @api.model
    def fields_get(self, allfields=None, attributes=None):
        """mail.thread.message_new describes every field of the model (some
        80 ms of CPU for a ticket) only to ask whether the name field exists;
        the ticket's message_new always fills the name. For that one call,
        marked by message_new in the cursor's cache, the names suffice."""
        if (
            allfields is None
            and attributes is None
            and self.env.cr.cache.pop("ticket_gateway_new", False)
        ):
            return {
                name: {"type": field.type, "string": field.string}
                for name, field in self._fields.items()
                if not field.groups
            }
        return super().fields_get(allfields=allfields, attributes=attributes)
