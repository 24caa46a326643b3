from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import TicketStockCommon


@tagged("post_install", "-at_install")
class TestTicketDeliverySlip(TicketStockCommon):
    """Catura: the delivery slip of a linked order (Odoo's delivery slip
    report) attached to a reply in one click."""

    def _composer(self, action, user):
        return Form(
            self.env["mail.compose.message"]
            .with_user(user)
            .with_context(**action["context"])
        )

    def test_delivery_slip_attached_for_agent_without_inventory_rights(self):
        agent = self.sales_agent
        self.assertFalse(
            self.env["stock.return.picking"].with_user(agent).has_access("create")
        )
        action = (
            self.order.with_user(agent)
            .with_context(ticket_reply_ticket_id=self.ticket.id)
            .action_ticket_delivery_slip()
        )
        composer = self._composer(action, agent)
        self.assertEqual(len(composer.attachment_ids), 1)
        attachment = composer.attachment_ids[0]
        self.assertEqual(attachment.raw[:4], b"%PDF")
        self.assertIn(self.delivery.name.replace("/", "_"), attachment.name)
        self.assertTrue(attachment.name.endswith(".pdf"))
        self.assertEqual(composer.partner_ids[:], self.customer)
        self.assertIn(f"[{self.ticket.number}]", composer.subject)

    def test_slip_of_a_delivery_not_on_the_ticket_is_refused(self):
        other = self._delivered_order(self.customer, {self.scarf: 1})
        with self.assertRaises(UserError):
            self.ticket.with_user(self.plain_agent)._action_reply_with_documents(
                other.picking_ids
            )
        with self.assertRaises(UserError):
            other.with_user(self.sales_agent).with_context(
                ticket_reply_ticket_id=self.ticket.id
            ).action_ticket_delivery_slip()

    def test_order_not_delivered_yet(self):
        pending = self._order(self.customer, {self.scarf: 1})
        self.ticket.sale_order_ids = [(4, pending.id)]
        with self.assertRaises(UserError):
            pending.with_user(self.sales_agent).with_context(
                ticket_reply_ticket_id=self.ticket.id
            ).action_ticket_delivery_slip()
        self.assertEqual(self.order.delivery_status, "full")
        self.assertNotEqual(pending.delivery_status, "full")
