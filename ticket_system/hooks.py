from odoo.tools import SQL


def post_init_hook(env):
    """Tickets loaded with the module (demo data) name who acted last."""
    env["ticket.ticket"]._fill_last_action_author()


def uninstall_hook(env):
    """Indexes the addon made on Odoo's own tables go with it."""
    from .models.ticket_access_mixin import FOLLOWER_INDEX
    from .models.ticket_content_search_mixin import MESSAGE_INDEX

    for index in (FOLLOWER_INDEX, MESSAGE_INDEX):
        env.cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(index)))
