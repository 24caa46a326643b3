from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import TicketStockCommon


@tagged("post_install", "-at_install")
class TestTicketReturn(TicketStockCommon):
    """DiVA "Folgeprozesse": a return of chosen delivered lines starts from
    the ticket in Odoo's own return wizard and is linked back to it."""

    def _return_form(self, action, user=None):
        self.assertEqual(action["res_model"], "stock.return.picking")
        return Form(
            self.env["stock.return.picking"]
            .with_user(user or self.stock_agent)
            .with_context(**action["context"])
        )

    @staticmethod
    def _set_quantities(form, quantities):
        for index in range(len(form.product_return_moves)):
            with form.product_return_moves.edit(index) as line:
                line.quantity = quantities.get(line.product_id, 0)

    def _create_return(self, form):
        wizard = form.save()
        action = wizard.action_create_returns()
        return self.env["stock.picking"].browse(action["res_id"])

    def test_return_of_chosen_lines_linked_both_ways(self):
        ticket = self.ticket.with_user(self.stock_agent)
        self.assertEqual(ticket.returnable_picking_ids, self.delivery)
        form = self._return_form(ticket.action_ticket_return())
        self.assertEqual(form.picking_id, self.delivery)
        self.assertEqual(form.ticket_id, self.ticket)
        self.assertEqual(
            {
                form.product_return_moves.edit(i).product_id
                for i in range(len(form.product_return_moves))
            },
            {self.jacket, self.cap},
        )
        # the customer sends back one of the two jackets, keeps the cap
        self._set_quantities(form, {self.jacket: 1})
        returned = self._create_return(form)

        # created by Odoo's wizard: a receipt returning the delivery
        self.assertEqual(returned.return_id, self.delivery)
        self.assertEqual(returned.picking_type_code, "incoming")
        self.assertEqual(returned.partner_id, self.delivery.partner_id)
        self.assertEqual(returned.move_ids.product_id, self.jacket)
        self.assertEqual(returned.move_ids.product_uom_qty, 1)
        self.assertEqual(
            returned.move_ids.origin_returned_move_id.picking_id, self.delivery
        )
        # linked both ways
        self.assertEqual(self.ticket.return_picking_ids, returned)
        self.assertEqual(ticket.return_picking_count, 1)
        self.assertEqual(returned.ticket_ids, self.ticket)
        self.assertEqual(returned.ticket_count, 1)
        # noted on the ticket with a link, and on the return
        note = self.ticket.message_ids[0]
        self.assertEqual(note.author_id, self.stock_agent.partner_id)
        self.assertIn(
            f'data-oe-model="stock.picking" data-oe-id="{returned.id}"', note.body
        )
        self.assertIn(returned.name, note.body)
        self.assertIn(self.delivery.name, note.body)
        self.assertIn(self.order.name, note.body)
        self.assertRegex(note.body, r"<li>1[.,]00 \S+ × Regenjacke</li>")
        self.assertTrue(
            any(self.ticket.number in msg.body for msg in returned.message_ids)
        )
        # the smart button opens it
        action = ticket.action_view_return_pickings()
        self.assertEqual(action["res_id"], returned.id)

    def test_return_from_the_linked_order(self):
        second = self._delivered_order(self.customer, {self.scarf: 3})
        self.ticket.sale_order_ids = [Command.link(second.id)]
        # from the ticket: the latest delivery first
        form = self._return_form(
            self.ticket.with_user(self.stock_agent).action_ticket_return()
        )
        self.assertEqual(form.picking_id, second.picking_ids)
        # from the first order's row: its own delivery
        action = (
            self.order.with_user(self.stock_agent)
            .with_context(ticket_return_ticket_id=self.ticket.id)
            .action_ticket_return()
        )
        form = self._return_form(action)
        self.assertEqual(form.picking_id, self.delivery)
        self._set_quantities(form, {self.cap: 1})
        returned = self._create_return(form)
        self.assertEqual(returned.move_ids.product_id, self.cap)
        self.assertEqual(self.ticket.return_picking_ids, returned)

    def test_switch_to_another_delivery_of_the_ticket(self):
        second = self._delivered_order(self.customer, {self.scarf: 3})
        self.ticket.sale_order_ids = [Command.link(second.id)]
        form = self._return_form(
            self.ticket.with_user(self.stock_agent).action_ticket_return()
        )
        self.assertEqual(form.ticket_picking_ids[:], self.delivery | second.picking_ids)
        form.picking_id = self.delivery
        self.assertEqual(
            {
                form.product_return_moves.edit(i).product_id
                for i in range(len(form.product_return_moves))
            },
            {self.jacket, self.cap},
        )
        self._set_quantities(form, {self.jacket: 2, self.cap: 1})
        returned = self._create_return(form)
        self.assertEqual(returned.return_id, self.delivery)
        self.assertEqual(
            {move.product_id: move.product_uom_qty for move in returned.move_ids},
            {self.jacket: 2, self.cap: 1},
        )

    def test_delivery_of_an_order_not_on_the_ticket_is_refused(self):
        other = self._delivered_order(self.customer, {self.scarf: 1})
        form = self._return_form(
            self.ticket.with_user(self.stock_agent).action_ticket_return()
        )
        form.picking_id = other.picking_ids
        self._set_quantities(form, {self.scarf: 1})
        wizard = form.save()
        with self.assertRaises(UserError):
            wizard.action_create_returns()
        self.assertFalse(self.ticket.return_picking_ids)
        self.assertFalse(other.picking_ids.return_ids)

    def test_no_delivered_order(self):
        pending = self._order(self.customer, {self.scarf: 1})
        ticket = self.env["ticket.ticket"].create(
            {
                "name": "Wo bleibt meine Lieferung?",
                "partner_id": self.customer.id,
                "queue_id": self.queue.id,
                "sale_order_ids": [Command.link(pending.id)],
            }
        )
        self.assertFalse(ticket.with_user(self.stock_agent).returnable_picking_ids)
        with self.assertRaises(UserError):
            ticket.with_user(self.stock_agent).action_ticket_return()

    def test_return_in_odoo_without_ticket_is_not_linked(self):
        form = Form(
            self.env["stock.return.picking"]
            .with_user(self.stock_agent)
            .with_context(
                active_model="stock.picking",
                active_id=self.delivery.id,
                active_ids=self.delivery.ids,
            )
        )
        self._set_quantities(form, {self.jacket: 1})
        returned = self._create_return(form)
        self.assertFalse(returned.ticket_ids)
        self.assertFalse(self.ticket.return_picking_ids)

    def test_agent_without_inventory_rights_sees_the_return_read_only(self):
        form = self._return_form(
            self.ticket.with_user(self.stock_agent).action_ticket_return()
        )
        self._set_quantities(form, {self.jacket: 1})
        returned = self._create_return(form)
        for agent in (self.plain_agent, self.sales_agent):
            ticket = self.ticket.with_user(agent)
            # may not create a return: no button, and Odoo's wizard refuses
            arch = ticket.get_views([(False, "form")])["views"]["form"]["arch"]
            self.assertNotIn('name="action_ticket_return"', arch)
            with self.assertRaises(AccessError):
                ticket.action_ticket_return()
            with self.assertRaises(AccessError):
                self._return_form(
                    self.ticket.with_user(self.stock_agent).action_ticket_return(),
                    user=agent,
                )
            # sees what it is
            self.assertEqual(ticket.return_picking_count, 1)
        # sales rights read transfers: the returns' list and smart button
        ticket = self.ticket.with_user(self.sales_agent)
        arch = ticket.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="return_picking_ids"', arch)
        self.assertIn('name="action_view_return_pickings"', arch)
        self.assertEqual(ticket.return_picking_ids.name, returned.name)
        self.assertFalse(ticket.linked_document_info)
        self.assertEqual(ticket.action_view_return_pickings()["res_id"], returned.id)
        # without any stock.picking right, in the linked documents' summary
        ticket = self.ticket.with_user(self.plain_agent)
        arch = ticket.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertNotIn('name="return_picking_ids"', arch)
        self.assertNotIn('name="action_view_return_pickings"', arch)
        self.assertFalse(
            self.env["stock.picking"].with_user(self.plain_agent).has_access("read")
        )
        self.assertIn(returned.name, ticket.linked_document_info)
        self.assertIn("Return", ticket.linked_document_info)
        arch = ticket.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="linked_document_info"', arch)

    def test_inventory_agent_sees_the_return_button(self):
        arch = self.ticket.with_user(self.stock_agent).get_views([(False, "form")])[
            "views"
        ]["form"]["arch"]
        self.assertIn('name="action_ticket_return"', arch)
        self.assertIn('name="action_view_return_pickings"', arch)

    def test_link_an_existing_return_by_number(self):
        form = Form(
            self.env["stock.return.picking"].with_context(
                active_model="stock.picking",
                active_id=self.delivery.id,
                active_ids=self.delivery.ids,
            )
        )
        self._set_quantities(form, {self.cap: 1})
        returned = self._create_return(form)
        # the delivery itself is no return: not found by its number
        self.assertFalse(self.ticket._link_candidates(self.delivery.name))
        link = Form(
            self.env["ticket.link.document"]
            .with_user(self.plain_agent)
            .with_context(default_ticket_id=self.ticket.id)
        )
        link.reference = returned.name
        link.save().action_link()
        self.assertEqual(self.ticket.return_picking_ids, returned)

    def test_merge_keeps_returns(self):
        form = self._return_form(
            self.ticket.with_user(self.stock_agent).action_ticket_return()
        )
        self._set_quantities(form, {self.jacket: 1})
        returned = self._create_return(form)
        other = self.env["ticket.ticket"].create(
            {
                "name": "Nochmal wegen der Jacke",
                "partner_id": self.customer.id,
                "queue_id": self.queue.id,
            }
        )
        merge = Form(
            self.env["ticket.merge"].with_context(
                active_model="ticket.ticket", active_ids=(self.ticket | other).ids
            )
        )
        merge.dest_ticket_id = other
        merge.save().action_merge()
        self.assertIn(returned, other.return_picking_ids)
