from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install", "ticket_system")
class TestTicketUi(HttpCase):
    def test_ticket_tour(self):
        """Kanban -> new ticket -> save -> list view shows it."""
        # the tour reads English labels; the demo shop's admin works in German
        self.env.ref("base.user_admin").lang = "en_US"
        self.start_tour(
            "/odoo/action-ticket_system.ticket_ticket_action",
            "ticket_system_tour",
            login="admin",
        )
        ticket = self.env["ticket.ticket"].search(
            [("name", "=", "Tour: parcel lost in transit")]
        )
        self.assertEqual(len(ticket), 1)
        self.assertRegex(ticket.number, r"^T\d{5}$")
        self.assertEqual(
            ticket.stage_id, self.env.ref("ticket_system.ticket_stage_new")
        )
        self.assertEqual(ticket.owner_ids.user_id, self.env.ref("base.user_admin"))
