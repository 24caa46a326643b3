from odoo import models
from odoo.exceptions import UserError


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def _ticket_delivered_pickings(self):
        """The done deliveries to the customer of these orders."""
        return self.picking_ids.filtered(
            lambda picking: picking.picking_type_code == "outgoing"
            and picking.state == "done"
        )

    def _ticket_from_context(self, key):
        ticket = self.env["ticket.ticket"].browse(self.env.context.get(key)).exists()
        if not ticket:
            raise UserError(self.env._("Open the ticket to start this from it."))
        return ticket

    def action_ticket_return(self):
        """Odoo's return wizard for this order's delivery, for the ticket it
        is linked to (a button in the ticket's linked orders, context
        ``ticket_return_ticket_id``)."""
        self.ensure_one()
        ticket = self._ticket_from_context("ticket_return_ticket_id")
        return ticket._action_return_wizard(self)

    def action_ticket_delivery_slip(self):
        """Reply from the ticket with the delivery slips of this order's
        deliveries attached (context ``ticket_reply_ticket_id``)."""
        self.ensure_one()
        ticket = self._ticket_from_context("ticket_reply_ticket_id")
        # sudo: the slips of an order linked to the ticket, also for agents
        # without inventory rights (checked again when the PDFs are made)
        pickings = self.sudo()._ticket_delivered_pickings()
        if not pickings:
            raise UserError(
                self.env._(
                    "%(order)s has not been delivered yet.", order=self.display_name
                )
            )
        return ticket._action_reply_with_documents(pickings.with_env(self.env))
