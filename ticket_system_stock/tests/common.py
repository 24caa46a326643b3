from odoo import Command
from odoo.tests import TransactionCase

from odoo.addons.mail.tests.common import mail_new_test_user


class TicketStockCommon(TransactionCase):
    """A customer with two delivered orders, a ticket linked to the first,
    and agents with and without inventory or sales rights."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stock_agent = mail_new_test_user(
            cls.env,
            login="return_stock_agent",
            groups="ticket_system.group_ticket_user,stock.group_stock_user",
        )
        cls.sales_agent = mail_new_test_user(
            cls.env,
            login="return_sales_agent",
            groups="ticket_system.group_ticket_user,sales_team.group_sale_salesman_all_leads",
        )
        cls.plain_agent = mail_new_test_user(
            cls.env,
            login="return_plain_agent",
            groups="ticket_system.group_ticket_user",
        )
        cls.queue = cls.env["ticket.queue"].create(
            {
                "name": "Retouren",
                "member_ids": [
                    Command.set(
                        (cls.stock_agent | cls.sales_agent | cls.plain_agent).ids
                    )
                ],
            }
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Versandkunde GmbH", "email": "kunde@versand.example.com"}
        )
        cls.jacket, cls.cap, cls.scarf = cls.env["product.product"].create(
            [
                {"name": "Regenjacke", "list_price": 79.0},
                {"name": "Mütze", "list_price": 15.0},
                {"name": "Schal", "list_price": 25.0},
            ]
        )
        cls.order = cls._delivered_order(cls.customer, {cls.jacket: 2, cls.cap: 1})
        cls.delivery = cls.order.picking_ids
        cls.ticket = cls.env["ticket.ticket"].create(
            {
                "name": "Jacke zu klein",
                "partner_id": cls.customer.id,
                "queue_id": cls.queue.id,
                "sale_order_ids": [Command.link(cls.order.id)],
            }
        )

    @classmethod
    def _order(cls, partner, quantities):
        order = cls.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [
                    Command.create({"product_id": product.id, "product_uom_qty": qty})
                    for product, qty in quantities.items()
                ],
            }
        )
        order.action_confirm()
        return order

    @classmethod
    def _delivered_order(cls, partner, quantities):
        order = cls._order(partner, quantities)
        for move in order.picking_ids.move_ids:
            move.write({"quantity": move.product_uom_qty, "picked": True})
        order.picking_ids.button_validate()
        assert order.picking_ids.state == "done"
        return order
