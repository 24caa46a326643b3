from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from odoo.addons.mail.tests.common import MailCommon, mail_new_test_user


@tagged("post_install", "-at_install")
class TestTicketReassign(MailCommon):
    """A sick agent's open tickets move at once (Catura "Krankheit oder
    Urlaub"): to a colleague, back to the queue, or spread over the queue."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        new_user = mail_new_test_user
        cls.sick = new_user(
            cls.env, login="ra_sick", groups="ticket_system.group_ticket_user"
        )
        cls.anna = new_user(
            cls.env, login="ra_anna", groups="ticket_system.group_ticket_user"
        )
        cls.ben = new_user(
            cls.env, login="ra_ben", groups="ticket_system.group_ticket_user"
        )
        cls.manager = new_user(
            cls.env, login="ra_manager", groups="ticket_system.group_ticket_manager"
        )
        cls.queue = cls.env["ticket.queue"].create(
            {
                "name": "Krankheit",
                "assign_method": "round_robin",
                "member_ids": [Command.set((cls.sick | cls.anna | cls.ben).ids)],
            }
        )
        cls.other_queue = cls.env["ticket.queue"].create(
            {
                "name": "Manuell",
                "assign_method": "manual",
                "member_ids": [Command.set((cls.sick | cls.ben).ids)],
            }
        )
        Ticket = cls.env["ticket.ticket"]
        cls.open_tickets = Ticket.create(
            [
                {"name": f"Offen {i}", "queue_id": cls.queue.id, "user_id": cls.sick.id}
                for i in range(4)
            ]
        )
        cls.other_ticket = Ticket.create(
            {"name": "Anderes", "queue_id": cls.other_queue.id, "user_id": cls.sick.id}
        )
        cls.closed_ticket = Ticket.create(
            {
                "name": "Erledigt",
                "queue_id": cls.queue.id,
                "user_id": cls.sick.id,
                "stage_id": cls.env.ref("ticket_system.ticket_stage_closed").id,
            }
        )
        cls.colleague_ticket = Ticket.create(
            {"name": "Annas", "queue_id": cls.queue.id, "user_id": cls.anna.id}
        )

    def _wizard(self, mode, user=None, **values):
        wizard_form = Form(
            self.env["ticket.reassign"]
            .with_user(user or self.manager)
            .with_context(default_user_id=self.sick.id)
        )
        wizard_form.mode = mode
        for name, value in values.items():
            setattr(wizard_form, name, value)
        return wizard_form

    def test_to_colleague(self):
        wizard_form = self._wizard("user", target_user_id=self.ben)
        self.assertEqual(wizard_form.ticket_count, 5, "open tickets of all queues")
        wizard_form.save().action_reassign()
        self.assertEqual((self.open_tickets | self.other_ticket).user_id, self.ben)
        self.assertEqual(self.closed_ticket.user_id, self.sick, "closed tickets stay")
        self.assertEqual(self.colleague_ticket.user_id, self.anna)

    def test_to_colleague_needs_one(self):
        wizard = self._wizard("user", target_user_id=self.ben).save()
        wizard.target_user_id = False
        with self.assertRaises(UserError):
            wizard.action_reassign()
        self.assertEqual(self.open_tickets.user_id, self.sick)

    def test_back_to_queue_of_one_queue_only(self):
        wizard_form = self._wizard("queue")
        wizard_form.queue_ids.add(self.queue)
        self.assertEqual(wizard_form.ticket_count, 4)
        wizard_form.save().action_reassign()
        self.assertFalse(self.open_tickets.user_id)
        self.assertEqual(self.other_ticket.user_id, self.sick, "other queue untouched")

    def test_spread_over_available_members(self):
        """Round robin over Anna and Ben (the sick agent excluded); the manual
        queue is spread in turn too; an absent member gets nothing."""
        wizard_form = self._wizard("spread")
        self.assertEqual(wizard_form.ticket_count, 5)
        wizard_form.save().action_reassign()
        users = [ticket.user_id.login for ticket in self.open_tickets]
        self.assertEqual(
            sorted(users), ["ra_anna", "ra_anna", "ra_ben", "ra_ben"], "in turn"
        )
        self.assertEqual(self.other_ticket.user_id, self.ben)
        # the same once more, with Ben absent
        (self.open_tickets | self.other_ticket).user_id = self.sick
        now = fields.Datetime.now()
        self.ben.write(
            {
                "ticket_absent_from": now - timedelta(hours=1),
                "ticket_absent_to": now + timedelta(days=3),
            }
        )
        self._wizard("spread").save().action_reassign()
        self.assertEqual(self.open_tickets.user_id, self.anna)
        self.assertFalse(
            self.other_ticket.user_id, "nobody available: back to the queue"
        )

    def test_wizard_sets_the_absence(self):
        """A ticket manager who is no user administrator records the absence
        in the wizard; the absent agent then gets no new tickets."""
        now = fields.Datetime.now()
        wizard_form = self._wizard(
            "queue",
            absent_from=now - timedelta(minutes=5),
            absent_to=now + timedelta(days=7),
        )
        wizard_form.save().action_reassign()
        self.assertTrue(self.sick.ticket_is_absent)
        new = self.env["ticket.ticket"].create(
            [{"name": f"Neu {i}", "queue_id": self.queue.id} for i in range(3)]
        )
        self.assertNotIn(self.sick, new.user_id)

    def test_from_user_form_button(self):
        action = self.sick.with_user(self.manager).action_ticket_reassign()
        self.assertEqual(action["res_model"], "ticket.reassign")
        self.assertEqual(action["context"]["default_user_id"], self.sick.id)

    def test_agents_cannot_reassign(self):
        with self.assertRaises(AccessError):
            self.env["ticket.reassign"].with_user(self.anna).create(
                {"user_id": self.sick.id, "mode": "queue"}
            )
        wizard = self._wizard("queue").save()
        with self.assertRaises(AccessError):
            wizard.with_user(self.anna).action_reassign()
        self.assertEqual(self.open_tickets.user_id, self.sick)
