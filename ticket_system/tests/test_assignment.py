from odoo import Command
from odoo.tests import tagged

from odoo.addons.mail.tests.common import MailCommon, mail_new_test_user

from .common_mail import MAIL_TEMPLATE


@tagged("post_install", "-at_install")
class TestTicketAssignment(MailCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agents = cls.env["res.users"]
        for login in ("rr_anna", "rr_ben", "rr_clara"):
            cls.agents |= mail_new_test_user(
                cls.env, login=login, groups="ticket_system.group_ticket_user"
            )
        cls.queue = cls.env["ticket.queue"].create(
            {
                "name": "Verteilung",
                "alias_name": "verteilung-rr",
                "assign_method": "round_robin",
                "member_ids": [Command.set(cls.agents.ids)],
            }
        )

    def _create(self, count, **values):
        return self.env["ticket.ticket"].create(
            [{"name": f"Anfrage {i}", "queue_id": self.queue.id, **values} for i in range(count)]
        )

    def test_round_robin_in_turn_across_batches(self):
        first = self._create(2)
        second = self._create(2)
        # each member once before anyone twice, and the turn survives batches
        self.assertEqual(
            [t.user_id for t in first + second],
            [self.agents[0], self.agents[1], self.agents[2], self.agents[0]],
        )

    def test_explicit_agent_and_manual_queue_untouched(self):
        ticket = self._create(1, user_id=self.agents[2].id)
        self.assertEqual(ticket.user_id, self.agents[2])
        self.queue.assign_method = "manual"
        self.assertFalse(self._create(1).user_id)

    def test_shift_only_online_members(self):
        self.queue.assign_method = "shift"
        self.assertFalse(self._create(1).user_id, "nobody online: stays unassigned")
        self.env["bus.presence"].create(
            [{"user_id": user.id, "status": "online"} for user in self.agents[1:]]
        )
        tickets = self._create(3)
        self.assertEqual(
            [t.user_id for t in tickets], [self.agents[1], self.agents[2], self.agents[1]]
        )

    def test_mail_ticket_is_assigned(self):
        with self.mock_mail_gateway():
            ticket = self.format_and_process(
                MAIL_TEMPLATE,
                "kunde@example.net",
                f"verteilung-rr@{self.alias_domain}",
                subject="Per Mail verteilt",
                target_model="ticket.ticket",
            )
        self.assertEqual(ticket.user_id, self.agents[0])
