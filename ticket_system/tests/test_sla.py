from datetime import datetime
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import Form, freeze_time, tagged, users
from odoo.tools.safe_eval import safe_eval

from .common import TicketCommon
from .common_mail import TicketMailCommon

# Working hours Mon-Fri 8-12 and 13-17 in Berlin (UTC+1 in March 2026, before
# summer time): 7-11 and 12-16 UTC. 2026-03-02 is a Monday.
MONDAY_9 = datetime(2026, 3, 2, 8, 0)  # 09:00 Berlin
FRIDAY_15 = datetime(2026, 3, 6, 14, 0)  # 15:00 Berlin


def working_calendar(env, name):
    """A 40-hour week in Berlin: 8-12 and 13-17, Monday to Friday."""
    return env["resource.calendar"].create(
        {
            "name": name,
            "tz": "Europe/Berlin",
            "attendance_ids": [
                Command.create(
                    {
                        "name": f"{day} {hour_from}",
                        "dayofweek": str(day),
                        "hour_from": hour_from,
                        "hour_to": hour_from + 4,
                        "day_period": "morning" if hour_from == 8 else "afternoon",
                    }
                )
                for day in range(5)
                for hour_from in (8, 13)
            ],
        }
    )


class SlaCase:
    """Time travel for tickets: the ORM stamps create_date with the
    transaction's time, fields.Datetime.now() follows freeze_time."""

    def _at(self, when):
        return _Moment(self.env.cr, when)


class _Moment:
    def __init__(self, cr, when):
        self.patcher = patch.object(cr, "now", lambda: when)
        self.freezer = freeze_time(when)

    def __enter__(self):
        self.patcher.start()
        self.freezer.__enter__()

    def __exit__(self, *args):
        self.freezer.__exit__(*args)
        self.patcher.stop()


@tagged("post_install", "-at_install", "ticket_system", "ticket_sla")
class TestTicketSla(TicketCommon, SlaCase):
    """SLA policies (DiVA "Service-Level-Konzept"): targets for the first answer
    and the resolution in working hours of the queue's calendar, paused while
    the ticket waits for the customer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar = working_calendar(cls.env, "SLA Test Week")
        cls.queue_support.resource_calendar_id = cls.calendar
        cls.type_complaint = cls.env["ticket.type"].create({"name": "Complaint"})
        cls.type_question = cls.env["ticket.type"].create({"name": "Question"})
        cls.stage_waiting = cls.env.ref("ticket_system.ticket_stage_waiting")
        cls.policy = cls.env["ticket.sla.policy"].create(
            {
                "name": "Support",
                "queue_id": cls.queue_support.id,
                "response_hours": 4,
                "resolution_hours": 16,
            }
        )

    def _ticket(self, when, **values):
        with self._at(when):
            ticket = self.env["ticket.ticket"].create(
                {
                    "name": "SLA test",
                    "queue_id": self.queue_support.id,
                    "partner_id": self.customer_contact.id,
                    **values,
                }
            )
            self.env.flush_all()
        return ticket

    def _answer(self, ticket, when, note=False):
        with self._at(when):
            ticket.with_user(self.user_agent).message_post(
                body="Wir kümmern uns darum.",
                message_type="comment",
                subtype_xmlid="mail.mt_note" if note else "mail.mt_comment",
            )
            self.env.flush_all()

    def _set_stage(self, ticket, stage, when, user=None):
        with self._at(when):
            ticket.with_user(user or self.user_agent).stage_id = stage
            self.env.flush_all()

    def _cron(self, when, **kwargs):
        with self._at(when):
            tickets = self.env["ticket.ticket"]._cron_sla_state(**kwargs)
            self.env.flush_all()
        return tickets

    # ------------------------------------------------------------
    # DEADLINES IN WORKING HOURS
    # ------------------------------------------------------------

    def test_deadlines_skip_weekend_and_public_holiday(self):
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Feiertag",
                "calendar_id": self.calendar.id,
                # Monday 9 March, the whole day in Berlin
                "date_from": datetime(2026, 3, 8, 23, 0),
                "date_to": datetime(2026, 3, 9, 22, 59, 59),
            }
        )
        ticket = self._ticket(FRIDAY_15)
        self.assertEqual(ticket.create_date, FRIDAY_15)
        self.assertEqual(ticket.sla_policy_id, self.policy)
        # Friday 15-17 (2 h), weekend and holiday Monday off, Tuesday 8-10
        self.assertEqual(ticket.sla_response_deadline, datetime(2026, 3, 10, 9, 0))
        # 3.2 h: Friday 2 h, Tuesday 8:00-9:12
        self.assertEqual(ticket.sla_response_risk_date, datetime(2026, 3, 10, 8, 12))
        # 16 h: Friday 2 h, Tuesday 8 h, Wednesday 8-12 and 13-15
        self.assertEqual(ticket.sla_resolution_deadline, datetime(2026, 3, 11, 14, 0))
        self.assertEqual(ticket.sla_state, "running")

    def test_deadlines_without_holiday_and_company_calendar(self):
        ticket = self._ticket(FRIDAY_15)
        self.assertEqual(ticket.sla_response_deadline, datetime(2026, 3, 9, 9, 0))
        # a queue without working hours counts in the company's
        company_calendar = working_calendar(self.env, "Company Week")
        company_calendar.tz = "UTC"
        self.company_a.resource_calendar_id = company_calendar
        self.queue_billing.resource_calendar_id = False
        self.env["ticket.sla.policy"].create(
            {"name": "Billing", "queue_id": self.queue_billing.id, "response_hours": 4}
        )
        billing = self._ticket(FRIDAY_15, queue_id=self.queue_billing.id)
        # UTC hours: Friday 14-17 (3 h), Monday 8-9
        self.assertEqual(billing.sla_response_deadline, datetime(2026, 3, 9, 9, 0))
        self.assertFalse(billing.sla_resolution_deadline, "no resolution target")

    def test_pause_while_waiting_for_customer(self):
        self.assertTrue(
            self.stage_waiting.sla_pause, "shipped: the waiting status pauses"
        )
        ticket = self._ticket(MONDAY_9)
        # Monday 9-12, 13-17 (7 h), Tuesday 8 h, Wednesday 8-9
        self.assertEqual(ticket.sla_resolution_deadline, datetime(2026, 3, 4, 8, 0))
        self._answer(ticket, datetime(2026, 3, 2, 10, 0))
        # waiting from Monday 13:00 to Thursday 11:00 Berlin: 4 + 8 + 8 + 3 h
        self._set_stage(ticket, self.stage_waiting, datetime(2026, 3, 2, 12, 0))
        self.assertEqual(ticket.sla_paused_since, datetime(2026, 3, 2, 12, 0))
        # past the first resolution deadline, but the clock stands still
        self.assertFalse(self._cron(datetime(2026, 3, 5, 9, 0)) & ticket)
        self.assertEqual(ticket.sla_state, "running")
        self._set_stage(ticket, self.stage_in_progress, datetime(2026, 3, 5, 10, 0))
        self.assertFalse(ticket.sla_paused_since)
        self.assertAlmostEqual(ticket.sla_paused_hours, 23.0)
        # 23 working hours later: Wednesday 9-17, Thursday, Friday until 17:00
        self.assertEqual(ticket.sla_resolution_deadline, datetime(2026, 3, 6, 16, 0))
        # at risk from Friday 13:48 Berlin (12.8 + 23 working hours)
        self.assertEqual(ticket.sla_resolution_risk_date, datetime(2026, 3, 6, 12, 48))
        self.assertEqual(ticket.sla_state, "running")
        self._set_stage(ticket, self.stage_solved, datetime(2026, 3, 6, 15, 0))
        self.assertEqual(ticket.sla_state, "reached")

    def test_customer_reply_ends_pause(self):
        ticket = self._ticket(MONDAY_9)
        self._set_stage(ticket, self.stage_waiting, datetime(2026, 3, 2, 9, 0))
        with self._at(datetime(2026, 3, 2, 11, 0)):
            ticket.message_post(
                body="Hier die Fotos.",
                author_id=self.customer_contact.id,
                message_type="email",
                subtype_xmlid="mail.mt_comment",
            )
            self.env.flush_all()
        self.assertEqual(ticket.stage_id, self.stage_in_progress)
        self.assertFalse(ticket.sla_paused_since)
        # Berlin 10:00-12:00: two working hours
        self.assertAlmostEqual(ticket.sla_paused_hours, 2.0)
        self.assertEqual(ticket.sla_response_deadline, datetime(2026, 3, 2, 15, 0))

    def test_stage_flag_pauses_tickets_already_there(self):
        stage_on_hold = self.env["ticket.stage"].create({"name": "Rückfrage Lager"})
        ticket = self._ticket(MONDAY_9)
        self._set_stage(ticket, stage_on_hold, datetime(2026, 3, 2, 9, 0))
        self.assertFalse(ticket.sla_paused_since)
        with self._at(datetime(2026, 3, 2, 10, 0)):
            stage_on_hold.with_user(self.user_manager).sla_pause = True
        self.assertEqual(ticket.sla_paused_since, datetime(2026, 3, 2, 10, 0))
        with self._at(datetime(2026, 3, 2, 11, 0)):
            stage_on_hold.with_user(self.user_manager).sla_pause = False
        self.assertFalse(ticket.sla_paused_since)
        self.assertAlmostEqual(ticket.sla_paused_hours, 1.0)

    # ------------------------------------------------------------
    # FIRST RESPONSE AND STATES
    # ------------------------------------------------------------

    def test_first_response_by_answer_not_by_note(self):
        ticket = self._ticket(MONDAY_9)
        self._answer(ticket, datetime(2026, 3, 2, 9, 0), note=True)
        self.assertFalse(ticket.date_first_response, "a note does not answer")
        self._answer(ticket, datetime(2026, 3, 2, 10, 0))
        self.assertEqual(ticket.date_first_response, datetime(2026, 3, 2, 10, 0))
        self._answer(ticket, datetime(2026, 3, 2, 11, 0))
        self.assertEqual(
            ticket.date_first_response, datetime(2026, 3, 2, 10, 0), "the first stays"
        )
        self.assertEqual(ticket.sla_state, "running", "the resolution is pending")

    def test_cron_moves_states_with_time(self):
        late = self._ticket(MONDAY_9)
        answered = self._ticket(MONDAY_9)
        self._answer(answered, datetime(2026, 3, 2, 10, 0))
        # response due Monday 14:00 Berlin, at risk from 13:12
        self.assertEqual(late.sla_response_deadline, datetime(2026, 3, 2, 13, 0))
        self.assertEqual(late.sla_response_risk_date, datetime(2026, 3, 2, 12, 12))
        self.assertFalse(self._cron(datetime(2026, 3, 2, 12, 0)) & (late | answered))
        self.assertEqual(late.sla_state, "running")
        self.assertEqual(self._cron(datetime(2026, 3, 2, 12, 30)) & late, late)
        self.assertEqual(late.sla_state, "at_risk")
        self.assertEqual(answered.sla_state, "running")
        self.assertEqual(self._cron(datetime(2026, 3, 2, 13, 30)) & late, late)
        self.assertEqual(late.sla_state, "failed")
        self.assertEqual(answered.sla_state, "running")
        # a late answer keeps it failed
        self._answer(late, datetime(2026, 3, 2, 14, 0))
        self.assertEqual(late.sla_state, "failed")
        # solved in time: reached, and the cron leaves it alone
        self._set_stage(answered, self.stage_solved, datetime(2026, 3, 3, 10, 0))
        self.assertEqual(answered.sla_state, "reached")
        self.assertFalse(self._cron(datetime(2026, 3, 20, 10, 0)) & answered)
        self.assertEqual(answered.sla_state, "reached")

    def test_failed_sla_automation_rule(self):
        """The shipped rule "SLA failed → high priority and an activity for the
        agent", switched on, fires when the cron finds the SLA failed."""
        rule = self.env.ref("ticket_system.base_automation_ticket_sla_failed")
        self.assertFalse(rule.active, "shipped switched off")
        rule.active = True
        late = self._ticket(MONDAY_9, user_id=self.user_agent.id)
        self.assertEqual(late.priority, "0")
        self._cron(datetime(2026, 3, 2, 12, 30))
        self.assertEqual(late.sla_state, "at_risk")
        self.assertEqual(late.priority, "0", "at risk: not yet")
        self.assertFalse(late.activity_ids)
        self._cron(datetime(2026, 3, 2, 13, 30))
        self.assertEqual(late.sla_state, "failed")
        self.assertEqual(late.priority, "2")
        self.assertEqual(late.activity_ids.user_id, self.user_agent)

    def test_cron_batches_without_query_per_ticket(self):
        Ticket = self.env["ticket.ticket"]
        few = Ticket.browse([self._ticket(MONDAY_9).id for _i in range(2)])
        many = Ticket.browse([self._ticket(MONDAY_9).id for _i in range(8)])
        cr = self.env.cr
        self.env.invalidate_all()
        before = cr.sql_log_count
        done = self._cron(datetime(2026, 3, 2, 12, 30), batch_size=2)
        few_queries = cr.sql_log_count - before
        self.assertEqual(len(done), 2, "one batch per call")
        self.env.invalidate_all()
        before = cr.sql_log_count
        done = self._cron(datetime(2026, 3, 2, 12, 30), batch_size=100)
        many_queries = cr.sql_log_count - before
        self.assertEqual(len(done & (few | many)), 8, "the rest")
        self.assertEqual(set((few | many).mapped("sla_state")), {"at_risk"})
        self.assertLessEqual(
            many_queries, few_queries, "the same queries for 8 tickets as for 2"
        )
        cron = self.env.ref("ticket_system.ir_cron_ticket_sla_state")
        self.assertEqual(cron.code.strip(), "model._cron_sla_state()")

    def test_closed_before_answer_needs_no_answer(self):
        ticket = self._ticket(MONDAY_9)
        self._set_stage(ticket, self.stage_solved, datetime(2026, 3, 2, 9, 30))
        self.assertFalse(ticket.date_first_response)
        self.assertEqual(ticket.sla_state, "reached")
        late = self._ticket(MONDAY_9)
        self._answer(late, datetime(2026, 3, 2, 10, 0))
        self._set_stage(late, self.stage_solved, datetime(2026, 3, 5, 10, 0))
        self.assertEqual(late.sla_state, "failed", "solved after the deadline")

    # ------------------------------------------------------------
    # POLICIES
    # ------------------------------------------------------------

    def test_policy_matching_specificity(self):
        Policy = self.env["ticket.sla.policy"]
        by_type = Policy.create(
            {
                "name": "Complaints",
                "queue_id": self.queue_support.id,
                "type_id": self.type_complaint.id,
                "response_hours": 2,
            }
        )
        by_priority = Policy.create(
            {
                "name": "Urgent",
                "queue_id": self.queue_support.id,
                "priority": "2",
                "response_hours": 3,
            }
        )
        by_both = Policy.create(
            {
                "name": "Urgent complaints",
                "queue_id": self.queue_support.id,
                "type_id": self.type_complaint.id,
                "priority": "2",
                "response_hours": 1,
                # a higher sequence does not beat specificity
                "sequence": 99,
            }
        )
        Policy.create(
            {
                "name": "Other queue",
                "queue_id": self.queue_billing.id,
                "type_id": self.type_complaint.id,
                "priority": "2",
                "response_hours": 1,
            }
        )
        cases = [
            ({"type_id": self.type_complaint.id, "priority": "2"}, by_both),
            ({"type_id": self.type_complaint.id, "priority": "0"}, by_type),
            ({"type_id": self.type_question.id, "priority": "2"}, by_priority),
            ({"priority": "2"}, by_priority),
            ({"type_id": self.type_question.id, "priority": "1"}, self.policy),
        ]
        for values, policy in cases:
            with self.subTest(values=values):
                self.assertEqual(self._ticket(MONDAY_9, **values).sla_policy_id, policy)
        ticket = self._ticket(MONDAY_9, type_id=self.type_complaint.id, priority="2")
        ticket.priority = "0"
        self.assertEqual(ticket.sla_policy_id, by_type, "follows the priority")
        by_type.active = False
        self.assertEqual(ticket.sla_policy_id, self.policy, "archived: not used")
        billing = self._ticket(MONDAY_9, queue_id=self.queue_billing.id)
        self.assertFalse(billing.sla_policy_id)
        self.assertEqual(billing.sla_state, "none")

    def test_new_policy_applies_to_open_tickets_only(self):
        open_ticket = self._ticket(MONDAY_9, queue_id=self.queue_billing.id)
        closed = self._ticket(MONDAY_9, queue_id=self.queue_billing.id)
        self._set_stage(
            closed, self.stage_solved, datetime(2026, 3, 2, 9, 0), self.user_agent_2
        )
        self.assertEqual(open_ticket.sla_state, "none")
        with self._at(datetime(2026, 3, 2, 10, 0)):
            policy = (
                self.env["ticket.sla.policy"]
                .with_user(self.user_manager)
                .create(
                    {
                        "name": "Billing",
                        "queue_id": self.queue_billing.id,
                        "resolution_hours": 16,
                    }
                )
            )
        self.assertEqual(open_ticket.sla_policy_id, policy)
        self.assertEqual(open_ticket.sla_state, "running")
        self.assertFalse(closed.sla_policy_id, "measured against what applied")
        with self._at(datetime(2026, 3, 2, 10, 0)):
            policy.write({"resolution_hours": 0, "response_hours": 4})
        self.assertFalse(open_ticket.sla_resolution_deadline)
        self.assertEqual(open_ticket.sla_response_deadline, datetime(2026, 3, 2, 13, 0))

    def test_policy_form_and_access(self):
        with Form(self.env["ticket.sla.policy"].with_user(self.user_manager)) as form:
            form.name = "Form policy"
            form.queue_id = self.queue_support
            form.response_hours = 2
            self.assertEqual(form.resource_calendar_id, self.calendar)
        self.assertEqual(form.record.company_id, self.company_a)
        self.assertTrue(
            self.env["ticket.sla.policy"].with_user(self.user_agent).search([])
        )
        with self.assertRaises(AccessError):
            self.policy.with_user(self.user_agent).write({"response_hours": 1})

    # ------------------------------------------------------------
    # VIEWS AND REPORT
    # ------------------------------------------------------------

    @users("ticket_manager")
    def test_report_counts_tickets(self):
        Ticket = self.env["ticket.ticket"]
        reached = self._ticket(MONDAY_9, user_id=self.user_agent.id)
        self._answer(reached, datetime(2026, 3, 2, 9, 0))
        self._set_stage(reached, self.stage_solved, datetime(2026, 3, 2, 10, 0))
        failed = Ticket.browse([self._ticket(MONDAY_9).id for _i in range(2)])
        self._cron(datetime(2026, 3, 4, 12, 0))
        self.assertEqual(set(failed.mapped("sla_state")), {"failed"})
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "ticket_system.ticket_ticket_action_sla_report"
        )
        self.assertEqual(action["view_mode"].split(",")[0], "pivot")
        context = safe_eval(action["context"])
        self.assertEqual(context["pivot_measures"], ["__count"])
        self.assertEqual(context["pivot_row_groupby"], ["queue_id", "user_id"])
        search = self.env.ref("ticket_system.ticket_ticket_view_search")
        for key in context:
            if key.startswith("search_default_"):
                self.assertIn(f'name="{key[15:]}"', search.arch)
        domain = safe_eval(action["domain"]) + [
            ("sla_state", "in", ("reached", "failed")),
            ("queue_id", "=", self.queue_support.id),
        ]
        groups = self.env["ticket.ticket"]._read_group(
            domain, ["user_id", "sla_state"], ["__count"]
        )
        counts = {(user, state): count for user, state, count in groups}
        self.assertEqual(counts[(self.user_agent, "reached")], 1)
        self.assertEqual(counts[(self.env["res.users"], "failed")], 2)

    def test_filters_and_views(self):
        ticket = self._ticket(MONDAY_9)
        self._cron(datetime(2026, 3, 2, 12, 30))
        Ticket = self.env["ticket.ticket"].with_user(self.user_agent)
        self.assertIn(ticket, Ticket.search([("sla_state", "=", "at_risk")]))
        self.assertNotIn(ticket, Ticket.search([("sla_state", "=", "failed")]))
        for view in ("form", "list", "kanban"):
            arch = Ticket.get_view(view_type=view)["arch"]
            self.assertIn('name="sla_state"', arch, view)
        search = Ticket.get_view(view_type="search")["arch"]
        for name in ("filter_sla_at_risk", "filter_sla_failed", "filter_sla_reached"):
            self.assertIn(name, search)
        self.assertEqual(
            self.env.ref("ticket_system.ticket_sla_policy_menu").action,
            self.env.ref("ticket_system.ticket_sla_policy_action"),
        )


@tagged("post_install", "-at_install", "ticket_system", "ticket_sla")
class TestTicketSlaMail(TicketMailCommon, SlaCase):
    """The first response is an agent's message to the customer: not the
    confirmation, not a status mail, not a note, not the customer's mail."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ticket.sla.policy"].create(
            {"name": "Service", "queue_id": cls.queue.id, "response_hours": 8}
        )
        cls.stage_info = cls.env["ticket.stage"].create(
            {
                "name": "Info sent",
                "template_id": cls.env.ref(
                    "ticket_system.mail_template_ticket_solved"
                ).id,
            }
        )

    def test_first_response_only_by_agent_message(self):
        with self.mock_mail_gateway():
            self._receive(self.customer.email, "Paket fehlt", msg_id="<sla-1@ex.com>")
        ticket = self.env["ticket.ticket"].search([("name", "=", "Paket fehlt")])
        self.assertEqual(ticket.sla_policy_id.name, "Service")
        self.assertTrue(
            ticket.message_ids.filtered(lambda m: m.message_type == "auto_comment"),
            "confirmed by the autoresponder",
        )
        self.assertFalse(ticket.date_first_response, "the confirmation is no answer")
        agent_ticket = ticket.with_user(self.agent)
        with self.mock_mail_gateway():
            agent_ticket.stage_id = self.stage_info
            self.flush_tracking()
        self.assertEqual(
            len(
                ticket.message_ids.filtered(lambda m: m.message_type == "auto_comment")
            ),
            2,
            "confirmation and status mail",
        )
        self.assertFalse(ticket.date_first_response, "a status mail is no answer")
        with self.mock_mail_gateway():
            agent_ticket.message_post(
                body="Intern: Lager fragen",
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )
        self.assertFalse(ticket.date_first_response, "a note is no answer")
        with self.mock_mail_gateway():
            self._receive(
                self.customer.email,
                f"AW: [{ticket.number}] Paket fehlt",
                msg_id="<sla-2@ex.com>",
            )
        self.assertFalse(ticket.date_first_response, "the customer is no agent")
        with freeze_time("2026-03-02 10:00:00"), self.mock_mail_gateway():
            agent_ticket.message_post(
                body="Das Paket ist unterwegs.",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        self.assertEqual(ticket.date_first_response, datetime(2026, 3, 2, 10, 0))
        self.assertEqual(ticket.last_action_by, "agent")
