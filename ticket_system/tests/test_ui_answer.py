from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install", "ticket_system")
class TestTicketAnswerUi(HttpCase):
    def test_answer_template_and_text_block_tour(self):
        """A demo ticket: insert the queue's answer template and a text block
        into the reply box, send; the customer gets the filled German text."""
        self.env.ref("base.user_admin").lang = "en_US"
        self.env["res.lang"]._activate_lang("de_DE")
        queue = self.env.ref("ticket_system.ticket_queue_vertrieb_demo")
        ticket = self.env["ticket.ticket"].search(
            [
                ("queue_id", "=", queue.id),
                ("partner_id", "!=", False),
                ("stage_id.is_closed", "=", False),
            ],
            limit=1,
        )
        self.assertTrue(ticket, "a demo ticket of the queue Vertrieb")
        ticket.partner_id.lang = "de_DE"
        self.start_tour(
            f"/odoo/action-ticket_system.ticket_ticket_action/{ticket.id}",
            "ticket_system_answer_tour",
            login="admin",
        )
        message = ticket.message_ids.filtered(
            lambda m: "Die Sendungsnummer erhalten Sie" in (m.body or "")
        )
        self.assertEqual(len(message), 1)
        self.assertEqual(message.subtype_id, self.env.ref("mail.mt_comment"))
        self.assertIn("vielen Dank für Ihre Anfrage zu Ihrer Bestellung", message.body)
        self.assertIn(ticket.number, message.body)
        self.assertIn("Sehr geehrte", message.body)
        self.assertIn("Mitchell Admin", message.body)
        self.assertNotIn("@Briefanrede@", message.body)
        self.assertNotIn("@Bearbeiter@", message.body)
        self.assertIn(ticket.partner_id, message.partner_ids, "sent to the customer")
        self.assertTrue(
            self.env.ref("ticket_system.mail_canned_response_shipped_demo").last_used,
            "the text block counts as used",
        )
