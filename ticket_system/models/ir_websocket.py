from odoo import models


class IrWebsocket(models.AbstractModel):
    _inherit = "ir.websocket"

    def _build_bus_channel_list(self, channels):
        """A ticket form listens to ``ticket_system.edit_presence_<id>``: who
        else has the ticket open. Granted only to users who may read it."""
        channels = list(channels)  # do not alter the client's list
        if self.env.uid and not self.env.user._is_public():
            tickets = self.env["ticket.ticket"]._edit_channel_tickets(channels)
            channels.extend((ticket, "edit_presence") for ticket in tickets)
        return super()._build_bus_channel_list(channels)
