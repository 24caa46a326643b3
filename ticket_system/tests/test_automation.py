from odoo.tests import Form, tagged

from .common import TicketCommon
from .common_mail import TicketMailCommon


@tagged("post_install", "-at_install", "ticket_system")
class TestTicketAutomationHighPriority(TicketCommon):
    """The shipped rule "high priority → activity for the queue manager",
    switched on as a manager would, fires on a real change of priority."""

    def test_high_priority_gives_the_queue_manager_an_activity(self):
        rule = self.env.ref("ticket_system.base_automation_ticket_high_priority")
        self.assertFalse(rule.active, "shipped switched off")
        self.queue_support.manager_id = self.user_manager
        self.ticket_support.priority = "2"
        self.assertFalse(self.ticket_support.activity_ids, "off: nothing happens")
        self.ticket_support.priority = "0"
        rule.active = True
        with Form(self.ticket_support.with_user(self.user_agent)) as form:
            form.priority = "1"
        self.assertFalse(self.ticket_support.activity_ids, "medium: nothing")
        with Form(self.ticket_support.with_user(self.user_agent)) as form:
            form.priority = "2"
        activity = self.ticket_support.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.user_manager)
        self.assertEqual(
            activity.activity_type_id, self.env.ref("mail.mail_activity_data_todo")
        )


@tagged("post_install", "-at_install", "mail_gateway")
class TestTicketAutomationReopen(TicketMailCommon):
    """The shipped rule "customer replied to a closed ticket → reopen with the
    last agent" fires on a real incoming mail."""

    def _closed_ticket(self):
        with self.mock_mail_gateway():
            ticket = self._receive(
                "kunde.gateway@example.com",
                "Retoure",
                msg_id="<retoure-1@example.com>",
            )
            ticket.with_user(self.agent).message_post(
                body="Die Gutschrift ist unterwegs.",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        ticket.write(
            {
                "stage_id": self.env.ref("ticket_system.ticket_stage_closed").id,
                "user_id": False,
            }
        )
        return ticket

    def _reply(self, n):
        with self.mock_mail_gateway():
            self._receive(
                "kunde.gateway@example.com",
                "Re: Retoure",
                msg_id=f"<retoure-reply-{n}@example.com>",
                extra="In-Reply-To: <retoure-1@example.com>",
            )

    def test_reply_to_closed_ticket_reopens_with_last_agent(self):
        rule = self.env.ref("ticket_system.base_automation_ticket_reopen")
        ticket = self._closed_ticket()
        self._reply(1)
        self.assertTrue(ticket.is_closed, "rule off: stays closed")
        rule.active = True
        self._reply(2)
        self.assertFalse(ticket.is_closed)
        self.assertEqual(ticket.stage_id, self.stage_in_progress)
        self.assertEqual(ticket.user_id, self.agent)
        # an agent's note or answer is no customer reply
        ticket.stage_id = self.env.ref("ticket_system.ticket_stage_closed")
        ticket.with_user(self.agent).message_post(
            body="Nachtrag", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        self.assertTrue(ticket.is_closed)
