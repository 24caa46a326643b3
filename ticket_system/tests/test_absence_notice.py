import ast
from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common_mail import TicketMailCommon


@tagged("post_install", "-at_install", "mail_gateway")
class TestTicketAbsenceNotice(TicketMailCommon):
    """M-Ticket "Abwesenheitsnotiz": a customer writing into the ticket of an
    absent agent is told so, once per ticket and absence."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.queue.absence_notice = True
        cls.customer.lang = "en_US"

    def setUp(self):
        super().setUp()
        with self.mock_mail_gateway():
            self.ticket = self._receive(
                "kunde.gateway@example.com",
                "Lieferung fehlt",
                msg_id="<fehlt-1@example.com>",
            )
        self.ticket.user_id = self.agent
        self.return_day = fields.Datetime.now() + timedelta(days=3)
        self.agent.write(
            {
                "ticket_absent_from": fields.Datetime.now() - timedelta(days=1),
                "ticket_absent_to": self.return_day,
            }
        )

    def _reply(self, n, email_from="kunde.gateway@example.com", **kwargs):
        with self.mock_mail_gateway():
            self._receive(
                email_from,
                "Re: Lieferung fehlt",
                msg_id=f"<fehlt-reply-{n}@example.com>",
                extra="In-Reply-To: <fehlt-1@example.com>\n" + kwargs.pop("extra", ""),
                **kwargs,
            )
        return self._new_mails.filtered(
            lambda mail: "auto-replied" in (mail.headers or "")
        )

    def test_notice_once_per_absence(self):
        notice = self._reply(1)
        self.assertEqual(len(notice), 1)
        self.assertEqual(notice.email_to, '"Kunde Gateway" <kunde.gateway@example.com>')
        headers = ast.literal_eval(notice.headers)
        self.assertEqual(headers["In-Reply-To"], "<fehlt-reply-1@example.com>")
        self.assertIn(f"[{self.ticket.number}]", notice.subject)
        self.assertIn("Gina Agent", notice.body_html, "@Bearbeiter@ is the agent")
        self.assertIn("out of the office", notice.body_html)
        self.assertNotIn("@Briefanrede@", notice.body_html)
        message = notice.mail_message_id
        self.assertEqual(
            (message.model, message.res_id), ("ticket.ticket", self.ticket.id)
        )
        self.assertFalse(self._reply(2), "one notice per ticket and absence")
        # the last notice went out in an earlier absence: told again
        self.ticket.absence_notice_date = fields.Datetime.now() - timedelta(days=2)
        self.assertEqual(len(self._reply(3)), 1)

    def test_notice_in_customers_language(self):
        self.env["res.lang"]._activate_lang("de_DE")
        self.customer.lang = "de_DE"
        notice = self._reply(1)
        self.assertIn("nicht im Haus", notice.body_html)
        self.assertIn("Sehr geehrte", notice.body_html)

    def test_no_notice(self):
        """Present agent, queue without notices, automatic mail, a CC writing,
        a new ticket: no notice."""
        self.agent.ticket_absent_from = fields.Datetime.now() + timedelta(days=1)
        self.assertFalse(self._reply(1), "agent present")
        self.agent.ticket_absent_from = fields.Datetime.now() - timedelta(days=1)
        self.assertFalse(
            self._reply(2, extra="Auto-Submitted: auto-replied"), "automatic mail"
        )
        self.assertFalse(self._reply(3, extra="Precedence: bulk"), "bulk mail")
        self.ticket.email_cc = "kollege@kunde.example"
        self.assertFalse(
            self._reply(4, email_from="kollege@kunde.example"), "not the customer"
        )
        self.queue.absence_notice = False
        self.assertFalse(self._reply(5), "queue sends no notices")
        self.assertFalse(self.ticket.absence_notice_date)
        self.queue.absence_notice = True
        self.assertEqual(len(self._reply(6)), 1, "…and now it does")
