from odoo import tools
from odoo.tests import HttpCase, tagged

from odoo.addons.mail.tests.common import mail_new_test_user


@tagged("post_install", "-at_install", "ticket_system")
class TestTicketComposerUi(HttpCase):
    """The chatter's "Reply" and "Comment" in the browser."""

    def setUp(self):
        super().setUp()
        self.admin = self.env.ref("base.user_admin")
        # the tours read English labels; the demo shop's admin works in German
        self.admin.write({"lang": "en_US", "ticket_attachment_warning": True})
        self.ticket = self.env["ticket.ticket"].create(
            {
                "name": "Tour: where is my parcel?",
                "partner_email": "tour.kunde@example.com",
                "partner_name": "Tina Tour",
                "email_cc": "tour.cc@example.com",
            }
        )
        # assigned, but no longer following: Odoo would suggest (and mail) the
        # agent; a ticket reply goes to the addresses shown, no one else
        self.agent = mail_new_test_user(
            self.env,
            login="tour_agent",
            name="Tara Agent",
            email="tour.agent@example.com",
            groups="ticket_system.group_ticket_user",
            notification_type="email",
        )
        self.ticket.user_id = self.agent
        self.ticket.message_unsubscribe(partner_ids=self.agent.partner_id.ids)
        self.url = f"/odoo/action-ticket_system.ticket_ticket_action/{self.ticket.id}"

    def _message(self, text):
        return self.ticket.message_ids.filtered(
            lambda m: text in tools.html2plaintext(m.body or "")
        )

    def _mailed_to(self, message):
        return set(
            message.notification_ids.filtered(
                lambda n: n.notification_type == "email"
            ).res_partner_id.mapped("email_normalized")
        )

    def test_reply_comment_tour(self):
        self.start_tour(self.url, "ticket_system_reply_comment_tour", login="admin")
        comment = self._message("Tour comment: Kunde ruft morgen an.")
        self.assertEqual(len(comment), 1)
        self.assertEqual(comment.subtype_id, self.env.ref("mail.mt_note"))
        self.assertFalse(self._mailed_to(comment), "a comment is mailed to nobody")
        reply = self._message("Tour reply draft: Ihre Bestellung ist unterwegs.")
        self.assertEqual(len(reply), 1, "the reply was sent once, not as a comment")
        self.assertEqual(reply.subtype_id, self.env.ref("mail.mt_comment"))
        self.assertEqual(
            self._mailed_to(reply),
            {"tour.kunde@example.com", "tour.cc@example.com", "tour.cc2@example.com"},
            "mailed to exactly the addresses the reply box named",
        )

    def test_attachment_warning_tour(self):
        self.start_tour(
            self.url, "ticket_system_attachment_warning_tour", login="admin"
        )
        for text in (
            "Danke für Ihre Nachricht.",
            "Danke für den Hinweis.",
            "Anbei die Rechnung",
            "Im Anhang die Gutschrift",
            "Anbei die Gutschrift",
            "Anbei der Lieferschein",
        ):
            with self.subTest(text=text):
                message = self._message(text)
                self.assertEqual(len(message), 1)
                self.assertIn("tour.kunde@example.com", self._mailed_to(message))
        with_file = self._message("Anbei die Auftragsbestätigung")
        self.assertEqual(with_file.attachment_ids.mapped("name"), ["rechnung.pdf"])
        self.assertFalse(
            (self.ticket.message_ids - with_file).attachment_ids,
            "the file went with the reply it was attached to, nowhere else",
        )
        self.assertFalse(
            self.admin.ticket_attachment_warning, "switched off in the dialog"
        )
