{
    "name": "Ticket System - Returns",
    "summary": "Returns of delivered orders from tickets, delivery slips in replies",
    "version": "18.0.1.0.0",
    "category": "Services/Helpdesk",
    "website": "https://github.com/ticket-system/ticket_system",
    "author": "ticket_system developers",
    "license": "LGPL-3",
    # sale_stock: the deliveries of an order (it installs itself with sale
    # and stock, so this bridge comes with stock and ticket_system_sale)
    "depends": ["ticket_system_sale", "sale_stock"],
    "data": [
        "views/stock_picking_views.xml",
        "views/ticket_ticket_views.xml",
        "wizard/stock_return_picking_views.xml",
    ],
    "demo": ["demo/sale_order_demo.xml"],
    "auto_install": True,
    "installable": True,
}
