from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import freeze_time, tagged

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
        cls.anna, cls.ben, cls.clara = cls.agents
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
            [
                {"name": f"Anfrage {i}", "queue_id": self.queue.id, **values}
                for i in range(count)
            ]
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

    # ---- ABSENCE ----

    def _absent(self, user, days_from=-1, days_to=1):
        now = fields.Datetime.now()
        user.write(
            {
                "ticket_absent_from": days_from is not None
                and now + timedelta(days=days_from),
                "ticket_absent_to": days_to is not None
                and now + timedelta(days=days_to),
            }
        )

    def test_absent_and_archived_members_are_skipped_by_round_robin(self):
        self._absent(self.ben)
        self.assertTrue(self.ben.ticket_is_absent)
        tickets = self._create(3)
        self.assertEqual(tickets.user_id, self.anna | self.clara)
        self.assertEqual(
            [t.user_id for t in tickets], [self.anna, self.clara, self.anna]
        )
        self.clara.active = False
        self.assertEqual(self._create(2).user_id, self.anna)

    def test_absence_bounds(self):
        """Absent between 'from' and 'to'; an open end on either side counts."""
        self._absent(self.ben, days_from=1, days_to=2)
        self.assertFalse(self.ben.ticket_is_absent, "absence in the future")
        self._absent(self.ben, days_from=-2, days_to=-1)
        self.assertFalse(self.ben.ticket_is_absent, "absence over")
        self._absent(self.ben, days_from=None, days_to=1)
        self.assertTrue(self.ben.ticket_is_absent, "until tomorrow")
        self._absent(self.ben, days_from=-1, days_to=None)
        self.assertTrue(self.ben.ticket_is_absent, "since yesterday, open end")
        self.assertEqual(self._create(2).user_id, self.anna | self.clara)
        with self.assertRaises(ValidationError):
            self._absent(self.ben, days_from=2, days_to=1)

    def test_nobody_available_stays_unassigned(self):
        for user in self.agents:
            self._absent(user)
        for method in ("round_robin", "next_free", "shift"):
            self.queue.assign_method = method
            self.assertFalse(self._create(1).user_id, method)

    def test_agent_sets_own_absence_only(self):
        tomorrow = fields.Datetime.now() + timedelta(days=1)
        self.anna.with_user(self.anna).write({"ticket_absent_to": tomorrow})
        self.assertEqual(self.anna.ticket_absent_to, tomorrow)
        self.assertTrue(self.anna.with_user(self.anna).ticket_is_absent)
        with self.assertRaises(AccessError):
            self.ben.with_user(self.anna).write({"ticket_absent_to": tomorrow})

    # ---- NEXT FREE AGENT ----

    def test_next_free_picks_least_loaded_ties_in_turn(self):
        closed = self.env["ticket.stage"].search([("is_closed", "=", True)], limit=1)
        self._create(2, user_id=self.anna.id)
        self._create(1, user_id=self.clara.id)
        # closed tickets and other queues' tickets are no load
        self._create(3, user_id=self.ben.id, stage_id=closed.id)
        other = self.env["ticket.queue"].create({"name": "Andere"})
        self.env["ticket.ticket"].create(
            {"name": "x", "queue_id": other.id, "user_id": self.ben.id}
        )
        self.queue.assign_method = "next_free"
        tickets = self._create(5)
        # loads anna 2, ben 0, clara 1: ben; ben 1 = clara 1: in turn after
        # ben, clara; ben 1: ben; all 2: after ben, clara; anna 2 = ben 2: in
        # turn after clara, anna
        self.assertEqual(
            [t.user_id for t in tickets],
            [self.ben, self.clara, self.ben, self.clara, self.anna],
        )

    def test_next_free_skips_absent(self):
        self.queue.assign_method = "next_free"
        self._create(3, user_id=self.anna.id)
        self._absent(self.ben)
        self._absent(self.clara)
        self.assertEqual(self._create(1).user_id, self.anna, "the only one present")

    # ---- SHIFTS ----

    def _shift_queue(self):
        """Catura's example: Monday 8-12 Anna, 13-17 Ben (Berlin time)."""
        calendar = self.env["resource.calendar"].create(
            {"name": "Berlin", "tz": "Europe/Berlin"}
        )
        self.queue.write(
            {
                "assign_method": "shift",
                "resource_calendar_id": calendar.id,
                "shift_ids": [
                    Command.create(
                        {
                            "user_id": self.anna.id,
                            "weekday": "0",
                            "hour_from": 8,
                            "hour_to": 12,
                        }
                    ),
                    Command.create(
                        {
                            "user_id": self.ben.id,
                            "weekday": "0",
                            "hour_from": 13,
                            "hour_to": 17,
                        }
                    ),
                ],
            }
        )

    def test_shift_agent_on_duty(self):
        self._shift_queue()
        # Monday 10 March 2025; Berlin is UTC+1 then
        for utc, expected in (
            ("2025-03-10 08:00:00", self.anna),  # 9:00
            ("2025-03-10 06:59:00", self.env["res.users"]),  # 7:59
            ("2025-03-10 10:59:00", self.anna),  # 11:59
            ("2025-03-10 11:30:00", self.env["res.users"]),  # 12:30, UTC would say Anna
            ("2025-03-10 13:00:00", self.ben),  # 14:00
            ("2025-03-10 19:00:00", self.env["res.users"]),  # 20:00
            ("2025-03-11 08:00:00", self.env["res.users"]),  # Tuesday 9:00
        ):
            with self.subTest(utc=utc), freeze_time(utc):
                self.assertEqual(self._create(1).user_id, expected)

    def test_shift_ties_in_turn_and_absence(self):
        self._shift_queue()
        self.env["ticket.queue.shift"].create(
            {
                "queue_id": self.queue.id,
                "user_id": self.clara.id,
                "weekday": "0",
                "hour_from": 9,
                "hour_to": 10,
            }
        )
        with freeze_time("2025-03-10 08:30:00"):  # 9:30: Anna and Clara
            tickets = self._create(3)
            self.assertEqual(
                [t.user_id for t in tickets], [self.anna, self.clara, self.anna]
            )
            self._absent(self.anna)
            self.assertEqual(self._create(2).user_id, self.clara)
            self._absent(self.clara)
            self.assertFalse(self._create(1).user_id, "on duty but absent: nobody")

    def test_shift_validation(self):
        Shift = self.env["ticket.queue.shift"]
        values = {"queue_id": self.queue.id, "user_id": self.anna.id, "weekday": "0"}
        for hour_from, hour_to in ((12, 8), (8, 8), (-1, 8), (20, 25)):
            with (
                self.subTest(hours=(hour_from, hour_to)),
                self.assertRaises(ValidationError),
            ):
                Shift.create({**values, "hour_from": hour_from, "hour_to": hour_to})
        outsider = mail_new_test_user(
            self.env, login="rr_outsider", groups="ticket_system.group_ticket_user"
        )
        with self.assertRaises(ValidationError):
            Shift.create({**values, "user_id": outsider.id})
        shift = Shift.create({**values, "hour_from": 0, "hour_to": 24})
        self.queue.member_ids = [Command.unlink(self.anna.id)]
        self.assertFalse(shift.exists(), "a member leaving loses their shifts")

    def test_shift_needs_manager_rights(self):
        shift_values = {
            "queue_id": self.queue.id,
            "user_id": self.anna.id,
            "weekday": "0",
            "hour_from": 8,
            "hour_to": 12,
        }
        with self.assertRaises(AccessError):
            self.env["ticket.queue.shift"].with_user(self.anna).create(shift_values)

    # ---- SHIFT CHANGE, MY TICKETS ----

    def test_shift_handover(self):
        self._shift_queue()
        self.queue.shift_handover = True
        closed = self.env["ticket.stage"].search([("is_closed", "=", True)], limit=1)
        with freeze_time("2025-03-10 08:30:00"):  # Monday 9:30: Anna's shift
            tickets = self._create(2)
            done = self._create(1, stage_id=closed.id)
            # not a member: a manager took it; stays theirs
            outsider = self._create(1, user_id=self.env.user.id)
        self.assertEqual((tickets | done).user_id, self.anna)
        with freeze_time("2025-03-10 11:30:00"):  # 12:30: nobody on shift
            self.env["ticket.queue"]._cron_shift_handover()
            self.assertEqual(tickets.user_id, self.anna, "nobody to hand over to")
        with freeze_time("2025-03-10 13:30:00"):  # 14:30: Ben's shift
            self.env["ticket.queue"]._cron_shift_handover()
        self.assertEqual(tickets.user_id, self.ben)
        self.assertEqual(done.user_id, self.anna, "closed tickets stay")
        self.assertEqual(outsider.user_id, self.env.user)

    def test_shift_without_handover_keeps_tickets(self):
        self._shift_queue()
        with freeze_time("2025-03-10 08:30:00"):
            tickets = self._create(2)
        with freeze_time("2025-03-10 13:30:00"):
            self.env["ticket.queue"]._cron_shift_handover()
        self.assertEqual(tickets.user_id, self.anna)

    def test_unassigned_tickets_are_mine_on_shift(self):
        self._shift_queue()
        Ticket = self.env["ticket.ticket"]
        with freeze_time("2025-03-10 11:30:00"):  # 12:30: nobody on shift
            waiting = self._create(1)
            mine = self._create(1, user_id=self.ben.id)
        self.assertFalse(waiting.user_id)
        other_queue = self.env["ticket.queue"].create(
            {"name": "Andere", "member_ids": [Command.set(self.agents.ids)]}
        )
        elsewhere = Ticket.create({"name": "x", "queue_id": other_queue.id})
        with freeze_time("2025-03-10 13:30:00"):  # 14:30: Ben's shift
            as_ben = Ticket.with_user(self.ben)
            self.assertEqual(
                as_ben.search([("is_my_ticket", "=", True)]), waiting | mine
            )
            self.assertNotIn(waiting, as_ben.search([("is_my_ticket", "=", False)]))
            self.assertIn(elsewhere, as_ben.search([("is_my_ticket", "=", False)]))
            as_anna = Ticket.with_user(self.anna)
            self.assertFalse(as_anna.search([("is_my_ticket", "=", True)]))
            self.assertFalse(waiting.with_user(self.anna).take_on_open)
            self.assertFalse(waiting.with_user(self.anna).action_take_on_open())
            self.assertFalse(waiting.user_id, "Anna is not on shift: not hers")
            self.assertTrue(waiting.with_user(self.ben).take_on_open)
            self.assertTrue(waiting.with_user(self.ben).action_take_on_open())
            self.assertEqual(waiting.user_id, self.ben)
            self._absent(self.ben)
            self.assertEqual(
                as_ben.search([("is_my_ticket", "=", True)]),
                waiting | mine,
                "absent: only the own tickets",
            )
