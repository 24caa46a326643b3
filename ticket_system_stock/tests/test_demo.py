from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestStockDemo(TransactionCase):
    """The demo database has a delivered order on the ticket "Rücksendung:
    Jacke zu klein", so Return… and Delivery Slip can be tried there."""

    def test_demo_ticket_has_a_delivery_to_return(self):
        order = self.env.ref(
            "ticket_system_stock.sale_order_braun_demo", raise_if_not_found=False
        )
        if not order:
            self.skipTest("installed without demo data")
        ticket = self.env.ref("ticket_system.ticket_ticket_15_demo")
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.picking_ids.mapped("state"), ["done"])
        self.assertEqual(ticket.sale_order_ids, order)
        self.assertEqual(ticket.partner_id, order.partner_id)
        self.assertEqual(ticket.returnable_picking_ids, order.picking_ids)
        action = ticket.action_ticket_return()
        self.assertEqual(action["context"]["active_id"], order.picking_ids.id)
        action = order.with_context(
            ticket_reply_ticket_id=ticket.id
        ).action_ticket_delivery_slip()
        self.assertEqual(action["res_model"], "mail.compose.message")
