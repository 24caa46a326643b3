def post_init_hook(env):
    """Tickets loaded with the module (demo data) name who acted last."""
    env["ticket.ticket"]._fill_last_action_author()
