from markupsafe import Markup

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import TicketCommon

BODY_EN = (
    "<div><p>@Briefanrede@</p>"
    "<p>thank you for your order <t t-out=\"object.number or ''\"/>.</p>"
    '<p>Kind regards<br/>@Bearbeiter@ <a href="https://shop.example.com">Our shop</a>'
    "</p></div>"
)
BODY_DE = (
    "<div><p>@Briefanrede@</p>"
    "<p>vielen Dank für Ihre Bestellung <t t-out=\"object.number or ''\"/>.</p>"
    '<p>Mit freundlichen Grüßen<br/>@Bearbeiter@ <a href="https://shop.example.com">'
    "Unser Shop</a></p></div>"
)


@tagged("post_install", "-at_install")
class TestTicketAnswerTemplate(TicketCommon):
    """Answer templates in the reply box: those of the ticket's queue and type
    first, rendered in the customer's language, placeholders filled only when
    the answer is sent."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("de_DE")
        cls.env.ref("base.module_ticket_system")._update_translations(["de_DE"])
        cls.type_complaint = cls.env["ticket.type"].create({"name": "Test Complaint"})
        Template = cls.env["mail.template"]
        model_id = cls.env["ir.model"]._get_id("ticket.ticket")

        def template(name, **vals):
            return Template.create(
                {
                    "name": name,
                    "model_id": model_id,
                    "subject": "[{{ object.number }}] {{ object.name }}",
                    "body_html": BODY_EN,
                    **vals,
                }
            )

        cls.tpl_queue = template(
            "Test answer: support",
            ticket_queue_ids=[Command.set(cls.queue_support.ids)],
        )
        cls.tpl_type = template(
            "Test answer: complaint",
            ticket_type_ids=[Command.set(cls.type_complaint.ids)],
        )
        cls.tpl_general = template("Test answer: general")
        cls.tpl_other_queue = template(
            "Test answer: billing",
            ticket_queue_ids=[Command.set(cls.queue_billing.ids)],
        )
        cls.tpl_general.with_context(lang="de_DE").write(
            {"name": "Testantwort: allgemein", "body_html": BODY_DE}
        )
        cls.ticket_support.type_id = cls.type_complaint

    def _offered(self, ticket, user=None):
        return ticket.with_user(user or self.user_agent).answer_template_list()

    def test_templates_of_the_queue_and_type_come_first(self):
        offered = self._offered(self.ticket_support)
        ids = [t["id"] for t in offered]
        self.assertEqual(ids[:2], [self.tpl_queue.id, self.tpl_type.id])
        self.assertIn(self.tpl_general.id, ids)
        self.assertNotIn(self.tpl_other_queue.id, ids, "another queue's template")
        scopes = {t["id"]: t["scope"] for t in offered}
        self.assertEqual(scopes[self.tpl_queue.id], "queue")
        self.assertEqual(scopes[self.tpl_type.id], "type")
        self.assertEqual(scopes[self.tpl_general.id], "general")
        self.assertEqual(offered[0]["scope_label"], "Queue Test Support")
        # the mails the desk sends by itself are no answers
        for xmlid in (
            "ticket_system.mail_template_ticket_autoresponder",
            "ticket_system.mail_template_ticket_solved",
        ):
            self.assertNotIn(self.env.ref(xmlid).id, ids)

        # the billing ticket (other queue, no type) sees its own and the general
        ids = [t["id"] for t in self._offered(self.ticket_billing, self.user_agent_2)]
        self.assertEqual(ids[0], self.tpl_other_queue.id)
        self.assertIn(self.tpl_general.id, ids)
        self.assertNotIn(self.tpl_queue.id, ids)
        self.assertNotIn(self.tpl_type.id, ids)

    def test_queue_and_type_forms_assign_templates(self):
        # the queue form shows mailboxes: only settings administrators open it
        with Form(self.queue_billing) as queue_form:
            queue_form.answer_template_ids.add(self.tpl_general)
        self.assertIn(self.queue_billing, self.tpl_general.ticket_queue_ids)
        with Form(self.type_complaint.with_user(self.user_manager)) as type_form:
            type_form.answer_template_ids.add(self.tpl_other_queue)
        self.assertEqual(
            self.tpl_other_queue.ticket_type_ids, self.type_complaint, "one relation"
        )
        self.assertEqual(
            self.type_complaint.answer_template_ids,
            self.tpl_type | self.tpl_other_queue,
        )

    def test_rendered_in_the_customer_language(self):
        ticket = self.ticket_support.with_user(self.user_agent)
        self.customer_contact.lang = "de_DE"
        rendered = ticket.answer_template_render(self.tpl_general.id)
        self.assertEqual(rendered["lang"], "de_DE")
        self.assertIn("vielen Dank für Ihre Bestellung", rendered["body_html"])
        self.assertIn(self.ticket_support.number, rendered["body_html"])
        self.assertEqual(
            rendered["subject"],
            f"[{self.ticket_support.number}] {self.ticket_support.name}",
        )
        self.assertEqual(
            rendered["body"],
            f"@Briefanrede@\n\nvielen Dank für Ihre Bestellung "
            f"{self.ticket_support.number}.\n\nMit freundlichen Grüßen\n"
            "@Bearbeiter@ Unser Shop (https://shop.example.com)",
        )

        # an English customer gets English, also from a German-speaking agent
        self.customer_contact.lang = "en_US"
        self.user_agent.lang = "de_DE"
        rendered = ticket.answer_template_render(self.tpl_general.id)
        self.assertEqual(rendered["lang"], "en_US")
        self.assertIn("thank you for your order", rendered["body"])
        self.assertNotIn("vielen Dank", rendered["body"])

        # an unknown sender gets the queue's language
        self.queue_support.lang = "de_DE"
        self.ticket_support.partner_id = False
        self.ticket_support.partner_email = "neu@example.net"
        rendered = ticket.answer_template_render(self.tpl_general.id)
        self.assertIn("vielen Dank für Ihre Bestellung", rendered["body"])

    def test_placeholders_are_kept_and_filled_when_sent(self):
        self.customer_contact.write(
            {"lang": "de_DE", "title": self.env.ref("base.res_partner_title_mister").id}
        )
        ticket = self.ticket_support.with_user(self.user_agent)
        rendered = ticket.answer_template_render(self.tpl_general.id)
        self.assertIn("@Briefanrede@", rendered["body"], "filled when sent, not now")
        self.assertIn("@Bearbeiter@", rendered["body_html"])
        with self.mock_mail_gateway():
            message = ticket.message_post(
                body=Markup(rendered["body_html"]),
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        self.assertIn("Sehr geehrter Herr Kunde,", message.body)
        self.assertIn("Anna Agent", message.body)
        self.assertNotIn("@Briefanrede@", message.body)
        self.assertNotIn("@Bearbeiter@", message.body)

    def test_render_checks_access(self):
        # Bert is no member of the support queue: he may not read its ticket
        with self.assertRaises(AccessError):
            self.ticket_support.with_user(self.user_agent_2).answer_template_render(
                self.tpl_general.id
            )
        with self.assertRaises(AccessError):
            self.ticket_support.with_user(self.user_agent_2).answer_template_list()
        other = self.env["mail.template"].create(
            {
                "name": "Partner template",
                "model_id": self.env["ir.model"]._get_id("res.partner"),
                "body_html": "<p>Hello</p>",
            }
        )
        with self.assertRaises(UserError):
            self.ticket_support.with_user(self.user_agent).answer_template_render(
                other.id
            )

    def test_plaintext_of_a_body(self):
        text = self.env["ticket.ticket"]._answer_plaintext(
            Markup(
                "<div>\n  <p>Line   one<br/>line two</p>\n<ul><li>first</li>"
                "<li>second</li></ul><p>A &amp; B <a href='mailto:x@example.com'>"
                "x@example.com</a></p><!-- hidden --></div>"
            )
        )
        self.assertEqual(
            text, "Line one\nline two\n\n- first\n- second\n\nA & B x@example.com"
        )
