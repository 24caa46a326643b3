{
    "name": "Ticket System",
    "summary": "E-mail ticket desk for merchants: queues, autoresponder, "
    "threading by ticket number, customers, invoices and orders",
    "version": "18.0.1.0.0",
    "category": "Services/Helpdesk",
    "website": "https://github.com/ticket-system/ticket_system",
    "author": "ticket_system developers",
    "license": "LGPL-3",
    "depends": ["mail", "portal", "account"],
    "data": [
        "security/ticket_security.xml",
        "security/ir.model.access.csv",
        "data/ir_sequence_data.xml",
        "data/ticket_role_data.xml",
        "data/ticket_stage_data.xml",
        "views/ticket_ticket_views.xml",
        "views/ticket_queue_views.xml",
        "views/ticket_stage_views.xml",
        "views/ticket_type_views.xml",
        "views/ticket_tag_views.xml",
        "views/ticket_role_views.xml",
        "views/res_partner_views.xml",
        "views/account_move_views.xml",
        "views/fetchmail_server_views.xml",
        "views/ticket_menus.xml",
    ],
    "demo": [
        "demo/ticket_demo.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "ticket_system/static/src/**/*",
        ],
    },
    "installable": True,
    "application": True,
}
