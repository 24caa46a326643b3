from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged, users
from odoo.tools import mute_logger

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import TicketCommon
from .common_mail import TicketMailCommon

XSS = '<img src=x onerror="alert(1)">'


@tagged("post_install", "-at_install", "ticket_system")
class TestAgentAccessPaths(TicketCommon):
    """A ticket outside the agent's queues (not assigned, not followed) stays
    out of reach through every way the client reads data, not only read()."""

    @users("ticket_agent")
    @mute_logger("odoo.addons.base.models.ir_rule", "odoo.models")
    def test_foreign_ticket_out_of_every_path(self):
        Ticket = self.env["ticket.ticket"]
        foreign = self.ticket_billing
        domain = [("id", "in", (self.ticket_support | foreign).ids)]
        self.assertEqual(Ticket.search_count(domain), 1)
        self.assertEqual(
            [row["id"] for row in Ticket.search_read(domain, ["name"])],
            self.ticket_support.ids,
        )
        groups = Ticket.read_group(domain, ["queue_id"], ["queue_id"])
        self.assertEqual([group["queue_id_count"] for group in groups], [1])
        self.assertNotIn(
            foreign.id,
            [row[0] for row in Ticket.name_search(foreign.number, limit=100)],
        )
        # exporting needs its own right in Odoo 18; with it, still nothing foreign
        self.env.user.sudo().groups_id = [
            Command.link(self.env.ref("base.group_allow_export").id)
        ]
        self.assertNotIn(foreign.name, str(Ticket.search(domain).export_data(["name"])))
        with self.assertRaises(AccessError):
            Ticket.browse(foreign.id).export_data(["name"])
        with self.assertRaises(AccessError):
            Ticket.browse(foreign.id).message_post(body="Hallo", message_type="comment")

    @users("ticket_agent")
    def test_customer_counts_and_panels_show_visible_tickets_only(self):
        customer = self.ticket_support.partner_id.with_env(self.env)
        self.ticket_billing.sudo().partner_id = customer
        own = self.ticket_support.with_env(self.env)
        self.assertNotIn(self.ticket_billing, own.partner_other_ticket_ids)
        self.assertEqual(
            customer.ticket_count, 1, "the smart button counts what the agent sees"
        )
        self.assertEqual(own.partner_ticket_count, 1)

    @users("ticket_agent")
    @mute_logger("odoo.addons.base.models.ir_rule", "odoo.models")
    def test_agent_sees_no_failed_or_quarantined_mail(self):
        for model in ("ticket.mail.failure", "ticket.mail.quarantine"):
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].search([])


@tagged("post_install", "-at_install", "mail_gateway")
class TestMarkupStaysText(TicketMailCommon):
    """Stored XSS: what a stranger writes is text everywhere we show or mail it."""

    def test_subject_with_markup_is_escaped_in_mails(self):
        with self.mock_mail_gateway():
            ticket = self._receive(
                f'"{XSS}" <kunde.gateway@example.com>', f"Frage {XSS}"
            )
        self.assertIn(XSS, ticket.name, "kept as the text it is")
        # the status mail shows the subject in its text
        with self.mock_mail_gateway():
            ticket.with_user(self.agent).stage_id = self.stage_solved
            self.flush_tracking()
        (status,) = (
            mail for mail in self._mails if "kunde.gateway" in str(mail["email_to"])
        )
        self.assertNotIn("<img", status["body"])
        self.assertIn("&lt;img src=x onerror=", status["body"])

    def test_html_body_is_sanitized(self):
        body = (
            "<p>Hallo</p><script>alert(1)</script>"
            '<iframe src="https://evil.example"></iframe>'
            '<a href="javascript:alert(1)">Klick</a>'
        )
        with self.mock_mail_gateway():
            ticket = self.format_and_process(
                "From: {email_from}\nTo: {to}\nSubject: {subject}\nMessage-ID: {msg_id}\n"
                "Content-Type: text/html; charset=utf-8\n\n"
                + body.replace("{", "{{").replace("}", "}}"),
                "kunde.gateway@example.com",
                self.queue_address,
                subject="Skript",
                msg_id="<xss-body@example.com>",
                target_model="ticket.ticket",
            )
        stored = str(
            ticket.message_ids.filtered(lambda m: m.message_type == "email").body
        )
        for dangerous in ("<script", "<iframe", "javascript:"):
            self.assertNotIn(dangerous, stored)
        self.assertIn("Hallo", stored)
        self.assertNotIn("<script", str(ticket.description))


@tagged("post_install", "-at_install")
class TestPortalSeesNoInternals(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        customer = cls.env["res.partner"].create(
            {"name": "Petra Portal", "email": "petra@portal.example"}
        )
        cls.portal_user = mail_new_test_user(
            cls.env,
            login="petra_portal",
            groups="base.group_portal",
            partner_id=customer.id,
        )
        queue = cls.env["ticket.queue"].create({"name": "Portal Intern"})
        cls.own, cls.foreign = cls.env["ticket.ticket"].create(
            [
                {
                    "name": f"Eigene {XSS}",
                    "queue_id": queue.id,
                    "partner_id": customer.id,
                },
                {"name": "Fremde Anfrage", "queue_id": queue.id},
            ]
        )
        cls.own.message_post(
            body="INTERN-GEHEIM", message_type="comment", subtype_xmlid="mail.mt_note"
        )
        cls.own.message_post(
            body="Öffentliche Antwort",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )

    def test_notes_never_reach_the_portal(self):
        messages = (
            self.env["mail.message"]
            .with_user(self.portal_user)
            .search([("model", "=", "ticket.ticket"), ("res_id", "=", self.own.id)])
        )
        bodies = " ".join(str(body) for body in messages.mapped("body"))
        self.assertIn("Öffentliche Antwort", bodies)
        self.assertNotIn("INTERN-GEHEIM", bodies)

    def test_wrong_token_and_foreign_id_are_refused_and_markup_is_escaped(self):
        self.authenticate("petra_portal", "petra_portal")
        page = self.url_open(f"/my/tickets/{self.own.id}")
        self.assertEqual(page.status_code, 200)
        self.assertNotIn(XSS, page.text)
        self.assertIn("&lt;img", page.text)
        self.assertNotIn("INTERN-GEHEIM", page.text)
        # another ticket with this ticket's token: refused
        foreign = self.url_open(
            f"/my/tickets/{self.foreign.id}?access_token={self.own._portal_ensure_token()}",
            allow_redirects=False,
        )
        self.assertEqual(foreign.status_code, 404)
        self.assertNotIn("Fremde Anfrage", foreign.text)
        # logged out, a made-up token: refused as well
        self.logout()
        guess = self.url_open(
            f"/my/tickets/{self.own.id}?access_token=0000-guess", allow_redirects=False
        )
        self.assertEqual(guess.status_code, 404)


@tagged("post_install", "-at_install", "ticket_system")
class TestAgentStatistics(TicketCommon):
    """Every agent opens the statistics, of the tickets they may see."""

    def test_agent_reporting_counts_own_queues(self):
        Menu = self.env["ir.ui.menu"].with_user(self.user_agent)
        visible = Menu._visible_menu_ids()
        for xmlid in (
            "ticket_menu_reporting",
            "ticket_ticket_menu_report",
            "ticket_ticket_menu_opened_per_day",
        ):
            self.assertIn(self.env.ref(f"ticket_system.{xmlid}").id, visible)
        groups = (
            self.env["ticket.ticket"]
            .with_user(self.user_agent)
            .read_group([], ["queue_id"], ["queue_id"])
        )
        self.assertEqual(
            {group["queue_id"][0] for group in groups}, set(self.queue_support.ids)
        )
