from datetime import datetime

from odoo import Command
from odoo.tests import Form, freeze_time, tagged, users, warmup
from odoo.tools.safe_eval import safe_eval

from .common import TicketCommon

NOW = datetime(2026, 3, 2, 10, 0, 0)  # a Monday, 10:00 UTC


@tagged("post_install", "-at_install", "ticket_system")
class TestTicketDeadline(TicketCommon):
    """Deadlines with pre-warning (Catura "Terminüberwachung"): green before the
    pre-warning, yellow inside it, red when overdue; an activity once per
    deadline when a ticket turns yellow."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.queue_support.deadline_warning_hours = 24.0
        cls.queue_billing.deadline_warning_hours = 48.0
        cls.type_express = cls.env["ticket.type"].create(
            {"name": "Express", "deadline_warning_hours": 4.0}
        )
        cls.type_plain = cls.env["ticket.type"].create({"name": "Plain"})
        cls.queue_support.member_ids = [
            Command.set((cls.user_agent | cls.user_agent_2).ids)
        ]
        cls.user_agent.tz = "Europe/Berlin"
        cls.user_agent_2.tz = "America/New_York"

    def _ticket(self, deadline, **values):
        return self.env["ticket.ticket"].create(
            {
                "name": "Deadline test",
                "queue_id": self.queue_support.id,
                "partner_id": self.customer_contact.id,
                "date_deadline": deadline,
                **values,
            }
        )

    def _state_at(self, ticket, when):
        with freeze_time(when):
            ticket.invalidate_recordset(["deadline_state"])
            return ticket.deadline_state

    def _deadline_activities(self, tickets):
        return self.env["mail.activity"].search(
            [("res_model", "=", "ticket.ticket"), ("res_id", "in", tickets.ids)]
        )

    # ------------------------------------------------------------
    # TRAFFIC LIGHT
    # ------------------------------------------------------------

    def test_state_across_time(self):
        ticket = self._ticket("2026-03-10 12:00:00")
        self.assertEqual(ticket.date_deadline_warning, datetime(2026, 3, 9, 12, 0))
        self.assertEqual(self._state_at(ticket, "2026-03-02 10:00:00"), "green")
        self.assertEqual(self._state_at(ticket, "2026-03-09 11:59:59"), "green")
        self.assertEqual(self._state_at(ticket, "2026-03-09 12:00:00"), "yellow")
        self.assertEqual(self._state_at(ticket, "2026-03-10 11:59:59"), "yellow")
        self.assertEqual(self._state_at(ticket, "2026-03-10 12:00:00"), "red")
        self.assertEqual(self._state_at(ticket, "2026-04-01 08:00:00"), "red")
        ticket.stage_id = self.stage_closed
        self.assertEqual(self._state_at(ticket, "2026-04-01 08:00:00"), "none")
        self.assertEqual(self._state_at(ticket, "2026-03-02 10:00:00"), "none")
        ticket.stage_id = self.stage_in_progress
        ticket.date_deadline = False
        self.assertFalse(ticket.date_deadline_warning)
        self.assertEqual(self._state_at(ticket, "2026-03-02 10:00:00"), "none")

    def test_warning_hours_type_wins_over_queue(self):
        ticket = self._ticket("2026-03-10 12:00:00", type_id=self.type_express.id)
        self.assertEqual(ticket.date_deadline_warning, datetime(2026, 3, 10, 8, 0))
        self.assertEqual(self._state_at(ticket, "2026-03-10 07:00:00"), "green")
        self.assertEqual(self._state_at(ticket, "2026-03-10 09:00:00"), "yellow")
        # a type without pre-warning: the queue's applies
        ticket.type_id = self.type_plain
        self.assertEqual(ticket.date_deadline_warning, datetime(2026, 3, 9, 12, 0))
        self.assertEqual(self._state_at(ticket, "2026-03-10 07:00:00"), "yellow")
        # moving to another queue, and changing the queue's setting, follow
        ticket.queue_id = self.queue_billing
        self.assertEqual(ticket.date_deadline_warning, datetime(2026, 3, 8, 12, 0))
        self.queue_billing.deadline_warning_hours = 0.0
        self.assertEqual(ticket.date_deadline_warning, ticket.date_deadline)
        self.assertEqual(self._state_at(ticket, "2026-03-10 11:00:00"), "green")
        self.type_plain.deadline_warning_hours = 2.5
        self.assertEqual(ticket.date_deadline_warning, datetime(2026, 3, 10, 9, 30))

    @freeze_time(NOW)
    def test_search_filters(self):
        green = self._ticket("2026-03-05 10:00:00")
        yellow = self._ticket("2026-03-02 20:00:00")
        red = self._ticket("2026-03-02 09:00:00")
        no_deadline = self._ticket(False)
        closed = self._ticket("2026-03-01 10:00:00", stage_id=self.stage_closed.id)
        ours = green | yellow | red | no_deadline | closed
        self.env.flush_all()

        def search(domain):
            return self.env["ticket.ticket"].search([("id", "in", ours.ids)] + domain)

        # the filters of the search view
        arch = self.env.ref("ticket_system.ticket_ticket_view_search").arch
        filters = {
            name: safe_eval(
                arch.split(f'name="{name}"')[1].split('domain="')[1].split('"')[0]
            )
            for name in ("filter_overdue", "filter_due_soon", "filter_on_time")
        }
        self.assertEqual(search(filters["filter_overdue"]), red)
        self.assertEqual(search(filters["filter_due_soon"]), yellow)
        self.assertEqual(search(filters["filter_on_time"]), green)
        self.assertEqual(
            search([("deadline_state", "=", "none")]), no_deadline | closed
        )
        self.assertEqual(search([("deadline_state", "=", False)]), no_deadline | closed)
        self.assertEqual(search([("deadline_state", "!=", "red")]), ours - red)
        self.assertEqual(
            search([("deadline_state", "in", ["red", "yellow"])]), red | yellow
        )
        self.assertEqual(
            search([("deadline_state", "not in", ["green", "none"])]), red | yellow
        )
        # the search agrees with the computed light of each ticket
        for ticket in ours:
            self.assertEqual(
                search([("deadline_state", "=", ticket.deadline_state)]) & ticket,
                ticket,
            )
        # at its deadline the yellow ticket turns red
        with freeze_time("2026-03-02 20:00:00"):
            self.assertEqual(search([("deadline_state", "=", "red")]), red | yellow)
        # sorting by urgency: the deadline, overdue first, no deadline last
        self.assertEqual(
            self.env["ticket.ticket"].search(
                [("id", "in", ours.ids), ("is_closed", "=", False)],
                order="date_deadline",
            ),
            red + yellow + green + no_deadline,
        )

    @users("ticket_manager")
    @freeze_time(NOW)
    def test_queue_overdue_count(self):
        self._ticket("2026-03-02 09:00:00")
        self._ticket("2026-03-02 12:00:00")
        self._ticket("2026-03-01 09:00:00", stage_id=self.stage_closed.id)
        queue = self.queue_support.with_env(self.env)
        self.assertEqual(queue.ticket_overdue_count, 1)

    # ------------------------------------------------------------
    # PRE-WARNING ACTIVITIES
    # ------------------------------------------------------------

    @freeze_time(NOW)
    def test_cron_activity_for_agent_once(self):
        yellow = self._ticket("2026-03-02 20:00:00", user_id=self.user_agent.id)
        green = self._ticket("2026-03-05 10:00:00", user_id=self.user_agent.id)
        with self.mock_mail_gateway(), self.mock_mail_app():
            self.env["ticket.ticket"]._cron_deadline_warning()
        activity = self._deadline_activities(yellow)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.user_agent)
        self.assertEqual(
            activity.activity_type_id, self.env.ref("mail.mail_activity_data_todo")
        )
        self.assertEqual(activity.summary, f"Deadline in 10 h: {yellow.display_name}")
        # 20:00 UTC is 21:00 in Berlin: the same day
        self.assertEqual(str(activity.date_deadline), "2026-03-02")
        self.assertTrue(yellow.deadline_warning_notified)
        self.assertFalse(self._deadline_activities(green))
        self.assertFalse(green.deadline_warning_notified)
        # nothing goes to the customer
        self.assertNotSentEmail([self.customer_contact])
        self.assertNotIn(self.customer_contact, self._new_notifs.res_partner_id)
        # once: the next runs add nothing
        self.env["ticket.ticket"]._cron_deadline_warning()
        with freeze_time("2026-03-02 19:00:00"):
            self.env["ticket.ticket"]._cron_deadline_warning()
        self.assertEqual(self._deadline_activities(yellow), activity)

    @freeze_time(NOW)
    def test_cron_activity_for_queue_members_when_unassigned(self):
        ticket = self._ticket("2026-03-03 04:00:00")
        self.env["ticket.ticket"]._cron_deadline_warning()
        activities = self._deadline_activities(ticket)
        self.assertEqual(activities.user_id, self.user_agent | self.user_agent_2)
        self.assertEqual(len(activities), 2)
        # each in their own timezone: 04:00 UTC is 05:00 in Berlin, 23:00 in New York
        by_user = {activity.user_id: activity for activity in activities}
        self.assertEqual(str(by_user[self.user_agent].date_deadline), "2026-03-03")
        self.assertEqual(str(by_user[self.user_agent_2].date_deadline), "2026-03-02")
        self.assertEqual(
            by_user[self.user_agent].summary, f"Deadline in 18 h: {ticket.display_name}"
        )

    @freeze_time(NOW)
    def test_cron_summary_in_agent_language(self):
        self.env["res.lang"]._activate_lang("de_DE")
        self.user_agent.lang = "de_DE"
        ticket = self._ticket("2026-03-02 20:00:00", user_id=self.user_agent.id)
        self.env["ticket.ticket"]._cron_deadline_warning()
        self.assertEqual(
            self._deadline_activities(ticket).summary,
            f"Frist in 10 Std.: {ticket.display_name}",
        )

    def test_cron_rearmed_when_deadline_moves(self):
        with freeze_time(NOW):
            ticket = self._ticket("2026-03-02 20:00:00", user_id=self.user_agent.id)
            self.env["ticket.ticket"]._cron_deadline_warning()
            self.assertEqual(len(self._deadline_activities(ticket)), 1)
            # the deadline moves a week later: green again, armed again
            ticket.date_deadline = "2026-03-09 20:00:00"
            self.assertFalse(ticket.deadline_warning_notified)
            self.env["ticket.ticket"]._cron_deadline_warning()
            self.assertEqual(len(self._deadline_activities(ticket)), 1)
        with freeze_time("2026-03-08 21:00:00"):
            self.env["ticket.ticket"]._cron_deadline_warning()
            activities = self._deadline_activities(ticket)
            self.assertEqual(len(activities), 2)
            self.assertEqual(
                activities.sorted("id")[-1].summary,
                f"Deadline in 23 h: {ticket.display_name}",
            )
            self.env["ticket.ticket"]._cron_deadline_warning()
            self.assertEqual(len(self._deadline_activities(ticket)), 2)

    @freeze_time(NOW)
    def test_cron_ignores_closed_green_red_and_no_deadline(self):
        closed = self._ticket(
            "2026-03-02 20:00:00",
            user_id=self.user_agent.id,
            stage_id=self.stage_closed.id,
        )
        green = self._ticket("2026-03-04 20:00:00", user_id=self.user_agent.id)
        # already overdue when the deadline was set: red, never yellow
        red = self._ticket("2026-03-02 09:00:00", user_id=self.user_agent.id)
        no_deadline = self._ticket(False, user_id=self.user_agent.id)
        self.env["ticket.ticket"]._cron_deadline_warning()
        self.assertFalse(self._deadline_activities(closed | green | red | no_deadline))
        # reopened inside the pre-warning: warned
        closed.stage_id = self.stage_in_progress
        self.env["ticket.ticket"]._cron_deadline_warning()
        self.assertEqual(len(self._deadline_activities(closed)), 1)

    @freeze_time(NOW)
    def test_cron_works_in_batches(self):
        tickets = self.env["ticket.ticket"]
        for hour in (12, 13, 14):
            tickets |= self._ticket(
                f"2026-03-02 {hour}:00:00", user_id=self.user_agent.id
            )
        Ticket = self.env["ticket.ticket"]
        self.assertEqual(Ticket._cron_deadline_warning(batch_size=2), tickets[:2])
        self.assertEqual(Ticket._cron_deadline_warning(batch_size=2), tickets[2:])
        self.assertFalse(Ticket._cron_deadline_warning(batch_size=2) & tickets)
        self.assertEqual(len(self._deadline_activities(tickets)), 3)

    def test_cron_record(self):
        cron = self.env.ref("ticket_system.ir_cron_ticket_deadline_warning")
        self.assertEqual((cron.interval_number, cron.interval_type), (15, "minutes"))
        self.assertEqual(cron.model_id.model, "ticket.ticket")
        with freeze_time(NOW):
            ticket = self._ticket("2026-03-02 20:00:00", user_id=self.user_agent.id)
            cron.method_direct_trigger()
        self.assertEqual(len(self._deadline_activities(ticket)), 1)

    # ------------------------------------------------------------
    # FORMS
    # ------------------------------------------------------------

    @users("admin")
    def test_forms_queue_and_type(self):
        # admin: Form also loads the queue's mail account subview (Settings right)
        with Form(self.env["ticket.queue"]) as queue_form:
            queue_form.name = "Deadline Queue"
            self.assertEqual(
                queue_form.deadline_warning_hours, 24.0, "a day by default"
            )
            queue_form.deadline_warning_hours = 8.0
        self.assertEqual(queue_form.record.deadline_warning_hours, 8.0)
        with Form(self.env["ticket.type"]) as type_form:
            type_form.name = "Deadline Type"
            self.assertEqual(
                type_form.deadline_warning_hours, 0.0, "the queue's applies"
            )
            type_form.deadline_warning_hours = 2.0
        self.assertEqual(type_form.record.deadline_warning_hours, 2.0)

    @users("ticket_agent")
    @freeze_time(NOW)
    def test_form_ticket_traffic_light(self):
        form = Form(self.env["ticket.ticket"])
        form.name = "Call back before Friday"
        form.queue_id = self.queue_support.with_env(self.env)
        self.assertEqual(form.deadline_state, "none")
        form.date_deadline = datetime(2026, 3, 6, 16, 0)
        self.assertEqual(form.deadline_state, "green")
        self.assertEqual(form.date_deadline_warning, datetime(2026, 3, 5, 16, 0))
        form.date_deadline = datetime(2026, 3, 2, 16, 0)
        self.assertEqual(form.deadline_state, "yellow")
        form.type_id = self.type_express.with_env(self.env)
        self.assertEqual(form.deadline_state, "green")
        ticket = form.save()
        self.assertEqual(ticket.date_deadline, datetime(2026, 3, 2, 16, 0))
        self.assertEqual(ticket.date_deadline_warning, datetime(2026, 3, 2, 12, 0))
        self.assertEqual(ticket.deadline_state, "green")

    def test_deadline_tracked(self):
        ticket = self.ticket_support
        ticket.date_deadline = datetime(2026, 3, 3, 16, 0)
        self.flush_tracking()
        tracked = ticket.message_ids.tracking_value_ids.field_id.mapped("name")
        self.assertIn("date_deadline", tracked)

    def test_views_show_the_traffic_light(self):
        Ticket = self.env["ticket.ticket"]
        for view_type in ("list", "kanban", "form"):
            arch = Ticket.get_view(view_type=view_type)["arch"]
            self.assertIn('name="deadline_state"', arch, view_type)
            self.assertIn('widget="ticket_traffic_light"', arch, view_type)

    # ------------------------------------------------------------
    # PERFORMANCE
    # ------------------------------------------------------------

    @users("ticket_agent")
    @warmup
    def test_read_traffic_light_does_not_grow(self):
        Ticket = self.env["ticket.ticket"]
        spec = {
            "number": {},
            "name": {},
            "date_deadline": {},
            "date_deadline_warning": {},
            "deadline_state": {},
            "is_closed": {},
        }
        queue = (
            self.env["ticket.queue"]
            .sudo()
            .create(
                {
                    "name": "Deadline Perf",
                    "member_ids": [Command.set(self.user_agent.ids)],
                }
            )
        )

        def grow(count, start):
            Ticket.sudo().create(
                [
                    {
                        "name": f"Frist {i}",
                        "queue_id": queue.id,
                        "date_deadline": f"2026-03-{1 + i % 28:02d} 12:00:00",
                    }
                    for i in range(start, start + count)
                ]
            )
            self.env.invalidate_all()

        domain = [("queue_id", "=", queue.id), ("deadline_state", "!=", "none")]
        # a queue with members clears the rules' cache (the agents' rules name
        # their queues by id): one read to warm it up again, as @warmup does
        Ticket.web_search_read(domain, spec, limit=200)
        grow(8, 0)
        with freeze_time(NOW), self.assertQueryCount(ticket_agent=6):
            result = Ticket.web_search_read(domain, spec, limit=200)
        self.assertEqual(result["length"], 8)
        grow(72, 8)
        with freeze_time(NOW), self.assertQueryCount(ticket_agent=6):
            result = Ticket.web_search_read(domain, spec, limit=200)
        self.assertEqual(result["length"], 80)
        self.assertEqual(
            {record["deadline_state"] for record in result["records"]},
            {"red", "yellow", "green"},
        )
