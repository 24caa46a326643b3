from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import Form, tagged
from odoo.tools.safe_eval import safe_eval

from .common_mail import TicketMailCommon


@tagged("post_install", "-at_install", "mail_gateway")
class TestTicketDesk(TicketMailCommon):
    """The panels of the ticket form (M-Ticket "Ticket Bearbeiten"): watch,
    CC, attachments, history, the customer's other tickets, who acted last."""

    def _mail(self, subject, **kwargs):
        with self.mock_mail_gateway():
            return self._receive(
                "Kunde Gateway <kunde.gateway@example.com>", subject, **kwargs
            )

    def test_watch_this_ticket(self):
        ticket = self._mail("Beobachten")
        partner = self.agent.partner_id
        with Form(ticket.with_user(self.agent)) as form:
            self.assertFalse(form.is_watching)
            form.is_watching = True
        self.assertIn(partner, ticket.message_partner_ids)
        with Form(ticket.with_user(self.agent)) as form:
            self.assertTrue(form.is_watching)
            form.is_watching = False
        self.assertNotIn(partner, ticket.message_partner_ids)

    def test_cc_editable_without_cc(self):
        ticket = self._mail("Ohne CC")
        self.assertFalse(ticket.email_cc)
        with Form(ticket.with_user(self.agent)) as form:
            form.email_cc = "Buchhaltung <buchhaltung@kunde.example>"
        self.assertEqual(ticket.email_cc, "Buchhaltung <buchhaltung@kunde.example>")

    def test_all_attachments_of_the_conversation(self):
        ticket = self._mail("Mit Anhang")
        with self.mock_mail_gateway():
            ticket.with_user(self.agent).message_post(
                body="Anbei das Etikett.",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                attachments=[("etikett.pdf", b"%PDF-1.4 etikett")],
            )
        by_hand = self.env["ir.attachment"].create(
            {
                "name": "foto.jpg",
                "raw": b"jpeg",
                "res_model": "ticket.ticket",
                "res_id": ticket.id,
            }
        )
        other = self._mail("Anderes Ticket")
        self.env["ir.attachment"].create(
            {
                "name": "fremd.pdf",
                "raw": b"x",
                "res_model": "ticket.ticket",
                "res_id": other.id,
            }
        )
        ticket.invalidate_recordset()  # as the next request would see it
        names = ticket.with_user(self.agent).conversation_attachment_ids.mapped("name")
        self.assertEqual(sorted(names), ["etikett.pdf", "foto.jpg"])
        self.assertIn(by_hand, ticket.conversation_attachment_ids)

    def test_history_of_field_changes(self):
        ticket = self._mail("Historie")
        ticket.with_user(self.agent).write(
            {"stage_id": self.stage_in_progress.id, "priority": "2"}
        )
        self.flush_tracking()
        history = str(ticket.with_user(self.agent).history_html)
        self.assertIn(self.stage_in_progress.name, history)
        self.assertIn(ticket._fields["stage_id"].string, history)
        self.assertIn("No field was changed yet", str(self._mail("Neu").history_html))

    def test_other_tickets_of_the_customer(self):
        company = self.env["res.partner"].create(
            {"name": "Kunde GmbH", "is_company": True}
        )
        self.customer.parent_id = company
        colleague = self.env["res.partner"].create(
            {
                "name": "Kollegin",
                "parent_id": company.id,
                "email": "kollegin@example.com",
            }
        )
        first = self._mail("Erstes")
        second = self._mail("Zweites")
        Ticket = self.env["ticket.ticket"]
        colleagues = Ticket.create(
            {
                "name": "Von der Kollegin",
                "partner_id": colleague.id,
                "queue_id": self.queue.id,
            }
        )
        stranger = Ticket.create({"name": "Fremd", "queue_id": self.queue.id})
        others = first.partner_other_ticket_ids
        self.assertIn(second, others)
        self.assertIn(colleagues, others, "the whole company's tickets")
        self.assertNotIn(first, others)
        self.assertNotIn(stranger, others)

    def test_last_action_names_the_person(self):
        ticket = self._mail("Wer zuletzt", msg_id="<last-action-1@example.com>")
        self.assertEqual(ticket.last_action_author, "Kunde Gateway")
        with self.mock_mail_gateway():
            ticket.with_user(self.agent).message_post(
                body="Wir kümmern uns.",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        self.assertEqual(ticket.last_action_author, self.agent.name)
        ticket.with_user(self.agent).message_post(
            body="Nur intern", message_type="comment", subtype_xmlid="mail.mt_note"
        )
        self.assertEqual(
            ticket.last_action_author, self.agent.name, "notes do not count"
        )
        # tickets from before: filled from their last public message
        ticket.last_action_author = False
        self.env["ticket.ticket"]._fill_last_action_author()
        self.assertEqual(ticket.last_action_author, self.agent.name)

    def _new_ticket_form(
        self, partner_email, description="<p>Ihre Rücksendung ist da.</p>"
    ):
        form = Form(self.env["ticket.ticket"].with_user(self.agent))
        form.name = "Telefonat: Rücksendung"
        form.queue_id = self.queue
        form.partner_email = partner_email
        form.description = description
        return form

    def test_new_ticket_by_hand_comment_or_mail(self):
        # "create (comment)": saved, nobody mailed
        with self.mock_mail_gateway():
            ticket = self._new_ticket_form(
                "Max Neumann <max.neumann@example.org>"
            ).save()
        self.assertFalse(self._mails)
        self.assertEqual(
            (ticket.partner_name, ticket.partner_email),
            ("Max Neumann", "max.neumann@example.org"),
        )
        # "create (e-mail)": the summary is the first message to the customer
        with self.mock_mail_gateway():
            ticket.action_send_to_customer()
        self.assertSentEmail(
            f'"Gina Agent via Service" <{self.queue_address}>',
            ['"Max Neumann" <max.neumann@example.org>'],
            subject=f"[{ticket.number}] Telefonat: Rücksendung",
        )
        message = ticket.message_ids.filtered(lambda m: m.message_type == "comment")
        self.assertIn("Ihre Rücksendung ist da.", str(message.body))
        contact = self.env["res.partner"].search(
            [("email_normalized", "=", "max.neumann@example.org")]
        )
        self.assertEqual(contact.name, "Max Neumann", "the contact has the typed name")

    def test_new_ticket_by_hand_finds_the_customer(self):
        ticket = self._new_ticket_form("kunde.gateway@example.com").save()
        self.assertEqual(ticket.partner_id, self.customer)

    def test_mail_to_customer_needs_address_and_summary(self):
        ticket = self._new_ticket_form(
            "kunde.gateway@example.com", description=False
        ).save()
        with self.assertRaises(UserError):
            ticket.action_send_to_customer()
        ticket.write({"partner_id": False, "partner_email": False})
        ticket.description = "<p>Text</p>"
        with self.assertRaises(UserError):
            ticket.action_send_to_customer()

    def test_reports_count_tickets_and_show_the_last_7_days(self):
        """Statistics count tickets by default (not hours), and "Opened per
        Day" shows the last 7 days, today included."""
        pivot = self.env["ticket.ticket"].get_view(view_type="pivot")["arch"]
        self.assertNotIn('type="measure"', pivot, "no measure: Odoo counts")
        action = self.env.ref("ticket_system.ticket_ticket_action_opened_per_day")
        today = fields.Date.context_today(self.env.user)
        domain = safe_eval(
            action.domain,
            {"context_today": lambda: today, "relativedelta": relativedelta},
        )
        self.assertEqual(domain[0][2], str(today - relativedelta(days=6)))
        self.assertIn("create_date:day", action.context)
