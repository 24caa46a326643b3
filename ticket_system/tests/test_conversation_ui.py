from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install", "ticket_system")
class TestConversationUi(HttpCase):
    def test_conversation_tour(self):
        """A demo ticket's conversation: customer, agent and internal comment
        each marked as such, with a legend, beside the form."""
        # the tour reads English labels; the demo shop's admin works in German
        self.env.ref("base.user_admin").lang = "en_US"
        ticket = self.env.ref("ticket_system.ticket_ticket_02_demo")
        self.start_tour(
            f"/odoo/action-ticket_system.ticket_ticket_action/{ticket.id}",
            "ticket_system_conversation_tour",
            login="admin",
        )
