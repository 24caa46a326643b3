from odoo.tests import tagged

from odoo.addons.ticket_system.tests.common_mail import TicketMailCommon


@tagged("post_install", "-at_install")
class TestAutolinkSale(TicketMailCommon):
    """An unknown sender naming their own order (number or their own
    reference) gets the order's customer when the customer has the sender's
    address; someone else's order proves nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shop = cls.env["res.partner"].create(
            {
                "name": "Zwei Adressen GmbH",
                "is_company": True,
                "email": "info@zwei.example; versand@zwei.example",
            }
        )
        cls.order = cls.env["sale.order"].create(
            {"partner_id": cls.shop.id, "client_order_ref": "BESTELL-2026-17"}
        )

    def test_own_order_reference_proves_the_customer(self):
        with self.mock_mail_gateway():
            ticket = self._receive(
                "versand@zwei.example",
                "Unsere Bestellung BESTELL-2026-17",
                msg_id="<autolink-sale-1@example.com>",
            )
        self.assertEqual(ticket.partner_id, self.shop)
        self.assertEqual(ticket.sale_order_ids, self.order)

    def test_someone_elses_order_proves_nothing(self):
        with self.mock_mail_gateway():
            ticket = self._receive(
                "jemand@anders.example",
                f"Bestellung {self.order.name}",
                msg_id="<autolink-sale-2@example.com>",
            )
        self.assertFalse(ticket.partner_id)
        self.assertFalse(ticket.sale_order_ids)
