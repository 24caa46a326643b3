{
    "name": "Ticket System - Sales",
    "summary": "Link tickets to sale orders",
    "version": "18.0.1.1.0",
    "category": "Services/Helpdesk",
    "website": "https://github.com/ticket-system/ticket_system",
    "author": "ticket_system developers",
    "license": "LGPL-3",
    "depends": ["ticket_system", "sale"],
    "data": [
        "security/ir.model.access.csv",
        "views/sale_order_views.xml",
        "views/ticket_ticket_views.xml",
        "wizard/ticket_sale_exchange_views.xml",
    ],
    "auto_install": True,
    "installable": True,
}
