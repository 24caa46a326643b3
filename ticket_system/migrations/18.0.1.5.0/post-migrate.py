# the open tickets' indexes now cover the columns of the desk's counts (new
# names: the old ones are dropped); is_closed and ticket_owner.user_id lost
# their own indexes (Odoo keeps a column's index when `index` is removed);
# the contact form's counts use the index of create_date now
INDEXES = (
    "ticket_ticket_open_order_index",
    "ticket_ticket_open_stage_order_index",
    "ticket_ticket__is_closed_index",
    "ticket_owner__user_id_index",
    "ticket_ticket_form_create_date_index",
)


def migrate(cr, version):
    for index in INDEXES:
        cr.execute(f'DROP INDEX IF EXISTS "{index}"')
