from datetime import datetime

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, TransactionCase, freeze_time, tagged
from odoo.tools import SQL

from .common import TicketCommon

# 11:00 in Berlin; the test tickets of TicketCommon (created "now", months
# earlier) are outside every period
NOW = "2027-03-10 10:00:00"


@tagged("post_install", "-at_install")
class TestTicketDashboard(TicketCommon):
    """The statistics dashboard: each figure against known tickets, counted
    with the user's record rules, and the tickets a click opens."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        (cls.user_agent | cls.user_agent_2 | cls.user_manager).tz = "Europe/Berlin"

    def _ticket(self, name, created, queue=None, **values):
        """A ticket created at ``created`` (UTC), with ``values`` written in
        the database as they would have been stored back then."""
        dates = {
            fname: values.pop(fname)
            for fname in ("date_first_response", "date_closed", "sla_state")
            if fname in values
        }
        ticket = self.env["ticket.ticket"].create(
            {
                "name": name,
                "queue_id": (queue or self.queue_support).id,
                "partner_email": "kunde@dashboard.example",
                **values,
            }
        )
        self.env.flush_all()
        assignments = [SQL("create_date = %s", created)] + [
            SQL("%s = %s", SQL.identifier(fname), value)
            for fname, value in dates.items()
        ]
        self.env.cr.execute(
            SQL(
                "UPDATE ticket_ticket SET %s WHERE id = %s",
                SQL(", ").join(assignments),
                ticket.id,
            )
        )
        ticket.invalidate_recordset()
        return ticket

    def _data(self, user, period_days=30):
        return (
            self.env["ticket.ticket"]
            .with_user(user)
            .with_context(tz=user.tz)
            .get_dashboard_data(period_days)
        )

    def _search(self, user, domain):
        return self.env["ticket.ticket"].with_user(user).search(domain)

    @freeze_time(NOW)
    def test_opened_per_day_last_7_days_today_last(self):
        """Seven days in the user's time zone, today last; a click opens the
        tickets of that day."""
        today_early = self._ticket("Heute früh", datetime(2027, 3, 10, 8, 0))
        # 00:30 in Berlin: today, although yesterday in UTC
        after_midnight = self._ticket("Nach Mitternacht", datetime(2027, 3, 9, 23, 30))
        first_day = self._ticket("Vor sechs Tagen", datetime(2027, 3, 4, 9, 0))
        self._ticket("Vor sieben Tagen", datetime(2027, 3, 3, 12, 0))
        days = self._data(self.user_agent)["opened_per_day"]
        self.assertEqual(
            [day["date"] for day in days],
            [f"2027-03-{day:02d}" for day in range(4, 11)],
        )
        self.assertEqual([day["count"] for day in days], [1, 0, 0, 0, 0, 0, 2])
        self.assertEqual(
            self._search(self.user_agent, days[-1]["domain"]),
            today_early | after_midnight,
        )
        self.assertEqual(self._search(self.user_agent, days[0]["domain"]), first_day)

    @freeze_time(NOW)
    def test_response_and_resolution_times_in_the_period(self):
        """Average and median in plain hours, over the tickets answered or
        closed in the chosen period."""
        created = datetime(2027, 3, 1, 8, 0)
        answered = self.env["ticket.ticket"]
        for hours in (2, 4, 9):
            answered |= self._ticket(
                f"Beantwortet nach {hours} h",
                created,
                date_first_response=created.replace(hour=8 + hours),
            )
        closed = self.env["ticket.ticket"]
        for hours in (10, 20):
            closed |= self._ticket(
                f"Gelöst nach {hours} h",
                created,
                stage_id=self.stage_closed.id,
                date_closed=datetime(2027, 3, 1, 18, 0)
                if hours == 10
                else datetime(2027, 3, 2, 4, 0),
            )
        old = self._ticket(
            "Vor 40 Tagen gelöst",
            datetime(2027, 1, 29, 8, 0),
            stage_id=self.stage_closed.id,
            date_closed=datetime(2027, 1, 29, 14, 0),
        )

        data = self._data(self.user_agent)
        response = data["first_response"]
        self.assertEqual(response["count"], 3)
        self.assertAlmostEqual(response["average"], 5.0)
        self.assertAlmostEqual(response["median"], 4.0)
        self.assertEqual(self._search(self.user_agent, response["domain"]), answered)
        resolution = data["resolution"]
        self.assertEqual(resolution["count"], 2)
        self.assertAlmostEqual(resolution["average"], 15.0)
        self.assertAlmostEqual(resolution["median"], 15.0)
        self.assertEqual(self._search(self.user_agent, resolution["domain"]), closed)

        resolution = self._data(self.user_agent, 90)["resolution"]
        self.assertEqual(resolution["count"], 3)
        self.assertAlmostEqual(resolution["median"], 10.0)
        self.assertEqual(
            self._search(self.user_agent, resolution["domain"]), closed | old
        )

    @freeze_time(NOW)
    def test_open_tickets_sla_and_time(self):
        """Open tickets per queue, status and agent; SLA reached and failed;
        hours logged and billable tickets: each with the tickets behind it."""
        created = datetime(2027, 3, 5, 8, 0)
        mine = self._ticket(
            "Meins", created, user_id=self.user_agent.id, sla_state="reached"
        )
        unassigned = self._ticket(
            "Offen",
            created,
            stage_id=self.stage_in_progress.id,
            sla_state="failed",
            billable=True,
        )
        self._ticket(
            "Erledigt", created, stage_id=self.stage_closed.id, sla_state="failed"
        )
        self.env["ticket.time.entry"].create(
            [
                {"ticket_id": mine.id, "hours": 1.5, "date": "2027-03-06"},
                {"ticket_id": unassigned.id, "hours": 2.0, "date": "2027-03-07"},
                {"ticket_id": unassigned.id, "hours": 0.5, "date": "2027-03-08"},
                # before the period of 7 days
                {"ticket_id": mine.id, "hours": 4.0, "date": "2027-03-01"},
            ]
        )
        data = self._data(self.user_agent, 7)
        agent = self.user_agent
        open_ = data["open"]
        # TicketCommon's ticket of the queue is open too
        expected_open = mine | unassigned | self.ticket_support
        self.assertEqual(open_["count"], 3)
        self.assertEqual(self._search(agent, open_["domain"]), expected_open)
        by_queue = {row["id"]: row for row in open_["by_queue"]}
        self.assertEqual(list(by_queue), [self.queue_support.id])
        self.assertEqual(by_queue[self.queue_support.id]["count"], 3)
        by_stage = {row["id"]: row["count"] for row in open_["by_stage"]}
        self.assertEqual(by_stage, {self.stage_new.id: 2, self.stage_in_progress.id: 1})
        by_user = {row["id"]: row for row in open_["by_user"]}
        self.assertEqual(by_user[agent.id]["count"], 1)
        self.assertEqual(by_user[False]["count"], 2)
        self.assertEqual(by_user[False]["name"], "Unassigned")
        for rows in (open_["by_queue"], open_["by_stage"], open_["by_user"]):
            for row in rows:
                self.assertEqual(
                    len(self._search(agent, row["domain"])), row["count"], row
                )
        self.assertEqual(self._search(agent, by_user[agent.id]["domain"]), mine)

        sla = data["sla"]
        self.assertEqual(sla["reached"]["count"], 1)
        self.assertEqual(sla["failed"]["count"], 2)
        self.assertEqual(self._search(agent, sla["reached"]["domain"]), mine)
        self.assertEqual(len(self._search(agent, sla["failed"]["domain"])), 2)

        time = data["time"]
        self.assertAlmostEqual(time["hours"], 4.0)
        self.assertEqual(time["count"], 2)
        self.assertEqual(self._search(agent, time["domain"]), mine | unassigned)
        self.assertAlmostEqual(time["billable_hours"], 2.5)
        self.assertEqual(time["billable_count"], 1)
        self.assertEqual(self._search(agent, time["billable_domain"]), unassigned)

    @freeze_time(NOW)
    def test_agents_count_their_queues_managers_all(self):
        """The record rules apply: an agent of one queue does not see the
        figures of another queue; a manager counts both."""
        created = datetime(2027, 3, 9, 8, 0)
        support = self._ticket(
            "Support",
            created,
            date_first_response=datetime(2027, 3, 9, 9, 0),
            sla_state="reached",
        )
        billing = self._ticket(
            "Buchhaltung",
            created,
            queue=self.queue_billing,
            date_first_response=datetime(2027, 3, 9, 14, 0),
            sla_state="failed",
        )
        self.env["ticket.time.entry"].create(
            {
                "ticket_id": billing.id,
                "user_id": self.user_agent_2.id,
                "hours": 3.0,
                "date": "2027-03-09",
            }
        )
        agent = self._data(self.user_agent)
        self.assertNotIn(
            self.queue_billing.id, [row["id"] for row in agent["open"]["by_queue"]]
        )
        self.assertEqual(agent["opened_per_day"][-2]["count"], 1)
        self.assertEqual(agent["first_response"]["count"], 1)
        self.assertAlmostEqual(agent["first_response"]["median"], 1.0)
        self.assertEqual(agent["sla"]["failed"]["count"], 0)
        self.assertEqual(agent["time"]["hours"], 0.0)
        self.assertEqual(
            self._search(self.user_agent, agent["opened_per_day"][-2]["domain"]),
            support,
        )

        manager = self._data(self.user_manager)
        queues = {row["id"]: row["count"] for row in manager["open"]["by_queue"]}
        self.assertEqual(queues[self.queue_billing.id], 2)
        self.assertEqual(queues[self.queue_support.id], 2)
        self.assertEqual(
            self._search(self.user_manager, manager["opened_per_day"][-2]["domain"]),
            support | billing,
        )
        self.assertEqual(manager["first_response"]["count"], 2)
        self.assertAlmostEqual(manager["first_response"]["average"], 3.5)
        self.assertEqual(manager["sla"]["failed"]["count"], 1)
        self.assertAlmostEqual(manager["time"]["hours"], 3.0)

    def test_agents_only(self):
        """Portal customers do not get the desk's figures."""
        with self.assertRaises(AccessError):
            self._data(self.user_portal_customer)

    def test_unknown_period_falls_back_to_30_days(self):
        data = self._data(self.user_agent, 12345)
        self.assertEqual(data["period_days"], 30)
        self.assertEqual(data["periods"], [7, 30, 90])

    def test_query_count_does_not_grow_with_tickets(self):
        """One query per figure: 80 tickets cost what 8 cost."""
        Ticket = self.env["ticket.ticket"].with_user(self.user_manager)
        users = self.user_agent | self.user_agent_2
        stages = self.stage_new | self.stage_in_progress | self.stage_closed

        def grow(count, offset):
            tickets = self.env["ticket.ticket"].create(
                [
                    {
                        "name": f"Last {offset + i}",
                        "queue_id": (self.queue_support, self.queue_billing)[i % 2].id,
                        "user_id": users[i % 2].id,
                        "stage_id": stages[i % 3].id,
                        "billable": bool(i % 2),
                        "partner_email": "last@dashboard.example",
                        "time_entry_ids": [
                            Command.create({"hours": 0.25, "user_id": users[i % 2].id})
                        ],
                    }
                    for i in range(count)
                ]
            )
            tickets.date_first_response = self.env.cr.now()
            self.env.flush_all()

        def queries():
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            data = Ticket.get_dashboard_data(30)
            return self.env.cr.sql_log_count - before, data

        grow(8, 0)
        Ticket.get_dashboard_data(30)  # warm the caches (record rules, views)
        few, few_data = queries()
        grow(72, 8)
        many, many_data = queries()
        self.assertEqual(
            many_data["opened_per_day"][-1]["count"] - 72,
            few_data["opened_per_day"][-1]["count"],
        )
        self.assertEqual(many, few)
        self.assertLessEqual(few, 12, "one query per figure, names batched")


@tagged("post_install", "-at_install")
class TestTicketDashboardDemo(TransactionCase):
    """`make run` shows real figures: the demo tickets are spread over the
    last weeks, in step with their conversation."""

    def test_demo_tickets_spread_over_the_last_weeks(self):
        tickets = self.env["ticket.ticket"].search(
            [("id", "in", self._demo_ticket_ids())]
        )
        self.assertGreater(len(tickets), 30)
        now = fields.Datetime.now()
        ages = {(now - ticket.create_date).days for ticket in tickets}
        self.assertGreaterEqual(max(ages), 21, "created over several weeks")
        self.assertGreater(len(ages), 10, "on many different days")
        per_day = self.env["ticket.ticket"].get_dashboard_data(7)["opened_per_day"]
        self.assertGreaterEqual(
            len([day for day in per_day if day["count"]]), 5, "the chart has bars"
        )
        for ticket in tickets:
            first = min(ticket.message_ids.mapped("date"), default=None)
            if first:
                self.assertEqual(ticket.create_date, first, ticket.name)
            if ticket.date_first_response:
                self.assertGreaterEqual(
                    ticket.date_first_response, ticket.create_date, ticket.name
                )
            if ticket.is_closed:
                self.assertGreater(ticket.date_closed, ticket.create_date)
        answered = tickets.filtered("date_first_response")
        self.assertGreater(len(answered), 10)
        # the SLA was planned from the dates moved back: demo tickets answered
        # late failed, those answered in time reached it
        states = set(tickets.mapped("sla_state"))
        self.assertTrue({"reached", "failed"} <= states, states)
        for ticket in tickets.filtered("sla_response_deadline"):
            self.assertGreater(ticket.sla_response_deadline, ticket.create_date)

    def _demo_ticket_ids(self):
        return (
            self.env["ir.model.data"]
            .search(
                [
                    ("module", "=", "ticket_system"),
                    ("model", "=", "ticket.ticket"),
                    ("name", "=like", "ticket_ticket_%_demo"),
                ]
            )
            .mapped("res_id")
        )


@tagged("post_install", "-at_install")
class TestTicketDashboardUi(HttpCase):
    def test_dashboard_tour(self):
        """The dashboard opens from the menu's action, shows its figures, and
        a figure opens the tickets behind it."""
        self.env.ref("base.user_admin").lang = "en_US"
        self.start_tour(
            "/odoo/action-ticket_system.ticket_dashboard_action",
            "ticket_system_dashboard_tour",
            login="admin",
        )
