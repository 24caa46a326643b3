from odoo.tests import tagged

from .common_mail import TicketMailCommon


@tagged("post_install", "-at_install", "mail_gateway")
class TestTicketMailLanguage(TicketMailCommon):
    """Mail to the customer speaks the customer's language; an unknown sender
    gets the queue's. A German merchant's customers never get English mail
    by accident."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("de_DE")
        cls.env.ref("base.module_ticket_system")._update_translations(["de_DE"])
        cls.queue.autoresponder = True

    def _confirmation(self, email_from, subject):
        with self.mock_mail_gateway():
            ticket = self._receive(email_from, subject)
        mail = self._new_mails.filtered(lambda m: "auto-replied" in (m.headers or ""))
        self.assertEqual(len(mail), 1)
        return ticket, mail

    def test_queue_language_is_the_company_language_by_default(self):
        self.env.company.partner_id.lang = "de_DE"
        queue = self.env["ticket.queue"].create({"name": "Neue Queue"})
        self.assertEqual(queue.lang, "de_DE")

    def test_unknown_sender_gets_the_queue_language(self):
        self.queue.lang = "de_DE"
        ticket, mail = self._confirmation(
            "neu.kunde@example.net", "Frage zur Lieferung"
        )
        self.assertFalse(ticket.partner_id)
        self.assertEqual(ticket.customer_lang, "de_DE")
        self.assertIn("vielen Dank für Ihre Nachricht", mail.body_html)
        self.assertNotIn("thank you", mail.body_html)

        self.queue.lang = "en_US"
        _ticket, mail = self._confirmation(
            "new.customer@example.org", "Delivery question"
        )
        self.assertIn("thank you for your message", mail.body_html)

    def test_known_customer_keeps_their_language(self):
        self.queue.lang = "de_DE"
        self.customer.lang = "en_US"
        ticket, mail = self._confirmation("kunde.gateway@example.com", "Order status")
        self.assertEqual(ticket.partner_id, self.customer)
        self.assertEqual(ticket.customer_lang, "en_US")
        self.assertIn("thank you for your message", mail.body_html)

        self.queue.lang = "en_US"
        self.customer.lang = "de_DE"
        _ticket, mail = self._confirmation("kunde.gateway@example.com", "Lieferstatus")
        self.assertIn("vielen Dank für Ihre Nachricht", mail.body_html)

    def test_status_mail_and_answer_to_unknown_sender_in_queue_language(self):
        self.queue.lang = "de_DE"
        ticket, _mail = self._confirmation("neu.kunde@example.net", "Rückfrage")
        with self.mock_mail_gateway():
            ticket.with_user(self.agent).stage_id = self.stage_solved
            self.flush_tracking()
        status = [
            mail
            for mail in self._mails
            if any("neu.kunde@example.net" in to for to in mail["email_to"])
        ]
        self.assertEqual(len(status), 1, "the status mail reaches the sender")
        self.assertIn("als gelöst", status[0]["body"])

        with self.mock_mail_gateway():
            ticket.with_user(self.agent).message_post(
                body="Ihre Ware ist unterwegs.",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        recipient = self._new_mails.recipient_ids.filtered(
            lambda p: p.email_normalized == "neu.kunde@example.net"
        )
        self.assertEqual(len(recipient), 1, "the answer reaches the sender")
        self.assertEqual(
            recipient.lang, "de_DE", "the contact made for the answer speaks German"
        )

    def test_answer_creates_contact_in_queue_language(self):
        self.queue.lang = "de_DE"
        ticket, _mail = self._confirmation(
            "noch.ein.kunde@example.net", "Rechnung fehlt"
        )
        with self.mock_mail_gateway():
            ticket.with_user(self.agent).message_post(
                body="Die Rechnung kommt per Post.",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        contact = self.env["res.partner"].search(
            [("email_normalized", "=", "noch.ein.kunde@example.net")]
        )
        self.assertEqual(len(contact), 1)
        self.assertEqual(contact.lang, "de_DE")
        self.assertIn(contact, self._new_mails.recipient_ids)
