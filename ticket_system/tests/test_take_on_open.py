from odoo import Command
from odoo.tests import HttpCase, tagged

from odoo.addons.mail.tests.common import mail_new_test_user


@tagged("post_install", "-at_install", "ticket_system")
class TestTakeOnOpen(HttpCase):
    def test_agent_on_shift_takes_ticket_by_opening_it(self):
        agent = mail_new_test_user(
            self.env,
            login="shift_tour_agent",
            name="Schicht Agentin",
            groups="ticket_system.group_ticket_user",
        )
        queue = self.env["ticket.queue"].create(
            {"name": "Schichtdienst", "member_ids": [Command.set(agent.ids)]}
        )
        ticket = self.env["ticket.ticket"].create(
            {"name": "Wartet auf die Schicht", "queue_id": queue.id}
        )
        self.assertFalse(ticket.user_id)
        # on shift around the clock, every day
        queue.write(
            {
                "assign_method": "shift",
                "shift_ids": [
                    Command.create(
                        {
                            "user_id": agent.id,
                            "weekday": str(day),
                            "hour_from": 0,
                            "hour_to": 24,
                        }
                    )
                    for day in range(7)
                ],
            }
        )
        self.start_tour(
            f"/odoo/action-ticket_system.ticket_ticket_action/{ticket.id}",
            "ticket_system_take_on_open_tour",
            login="shift_tour_agent",
        )
        self.assertEqual(ticket.user_id, agent)
