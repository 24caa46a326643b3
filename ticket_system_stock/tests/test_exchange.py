from odoo.tests import Form, tagged

from .common import TicketStockCommon


@tagged("post_install", "-at_install")
class TestTicketExchange(TicketStockCommon):
    """DiVA "Umtauschaufträge": *Return for Exchange* in Odoo's return wizard
    started from a ticket links the return and the new delivery to it."""

    def _exchange(self, user, quantities):
        action = self.ticket.with_user(user).action_ticket_return()
        form = Form(
            self.env["stock.return.picking"]
            .with_user(user)
            .with_context(**action["context"])
        )
        for index in range(len(form.product_return_moves)):
            with form.product_return_moves.edit(index) as line:
                line.quantity = quantities.get(line.product_id, 0)
        wizard = form.save()
        action = wizard.action_create_exchanges()
        return self.env["stock.picking"].browse(action["res_id"])

    def test_exchange_delivery_linked_both_ways(self):
        returned = self._exchange(self.stock_agent, {self.jacket: 1})
        self.assertEqual(returned.return_id, self.delivery)
        # Odoo's procurement made a new delivery of the same order
        exchange = self.order.picking_ids.filtered(
            lambda picking: picking.picking_type_code == "outgoing"
            and picking != self.delivery
        )
        self.assertEqual(len(exchange), 1)
        self.assertEqual(exchange.move_ids.product_id, self.jacket)
        self.assertEqual(exchange.move_ids.product_uom_qty, 1)
        self.assertEqual(exchange.partner_id, self.delivery.partner_id)
        # both on the ticket, the ticket on both
        self.assertEqual(self.ticket.return_picking_ids, returned | exchange)
        self.assertEqual(self.ticket.return_picking_count, 2)
        self.assertEqual(exchange.ticket_ids, self.ticket)
        self.assertEqual(exchange.ticket_count, 1)
        # noted on the ticket (after the return's note) and on the delivery
        note = self.ticket.message_ids[0]
        self.assertEqual(note.author_id, self.stock_agent.partner_id)
        self.assertIn(
            f'data-oe-model="stock.picking" data-oe-id="{exchange.id}"', note.body
        )
        self.assertIn(returned.name, note.body)
        self.assertRegex(note.body, r"<li>1[.,]00 \S+ × Regenjacke</li>")
        self.assertIn(returned.name, self.ticket.message_ids[1].body)
        self.assertTrue(
            any(self.ticket.number in msg.body for msg in exchange.message_ids)
        )
        # read-only summary names it an exchange delivery
        kinds = {
            number: kind
            for kind, number, *_rest in self.ticket._linked_document_rows(
                self.ticket.return_picking_ids
            )
        }
        self.assertEqual(kinds[exchange.name], "Exchange Delivery")
        self.assertEqual(kinds[returned.name], "Return")

    def test_plain_return_links_no_delivery(self):
        action = self.ticket.with_user(self.stock_agent).action_ticket_return()
        form = Form(
            self.env["stock.return.picking"]
            .with_user(self.stock_agent)
            .with_context(**action["context"])
        )
        with form.product_return_moves.edit(0) as line:
            line.quantity = 1
        returned = self.env["stock.picking"].browse(
            form.save().action_create_returns()["res_id"]
        )
        self.assertEqual(self.ticket.return_picking_ids, returned)
