{
    "name": "Ticket System: Odoo's mail tests as fetched mail (test only)",
    "summary": "Runs Odoo's own mail gateway tests the way fetchmail delivers "
    "mail; never install it in a real database",
    "version": "18.0.1.0.0",
    "category": "Hidden/Tests",
    "website": "https://github.com/ticket-system/ticket_system",
    "author": "ticket_system developers",
    "license": "LGPL-3",
    # after ticket_system: our message_process must wrap its one
    "depends": ["ticket_system"],
    "data": ["data/fetchmail_server_data.xml"],
    "installable": True,
}
