from odoo import tools
from odoo.exceptions import AccessError
from odoo.tests import Form, tagged

from odoo.addons.mail.tests.common import mail_new_test_user

from .common_mail import TicketMailCommon


@tagged("post_install", "-at_install", "ticket_system")
class TestTicketComposer(TicketMailCommon):
    """The reply's recipients line and the missing-attachment check (server
    side of the chatter's "Reply" / "Comment")."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cc_known = cls.env["res.partner"].create(
            {"name": "Clara Copy", "email": "clara.copy@example.com"}
        )
        cls.ticket = cls.env["ticket.ticket"].create(
            {
                "name": "Rechnung fehlt",
                "queue_id": cls.queue.id,
                "partner_email": "neu.kunde@example.com",
                "partner_name": "Nina Neukunde",
                "email_cc": f"Clara Copy <clara.copy@example.com>, "
                f"unbekannt@example.com, {cls.queue_address}",
            }
        )

    # ---- REPLY RECIPIENTS ----

    def test_recipients_of_unknown_sender_and_cc(self):
        partners_before = self.env["res.partner"].search_count([])
        result = self.ticket.with_user(self.agent).ticket_reply_recipients()
        self.assertEqual(
            [(r["kind"], r["email"]) for r in result["recipients"]],
            [
                ("customer", "neu.kunde@example.com"),
                ("cc", "clara.copy@example.com"),
                ("cc", "unbekannt@example.com"),
            ],
            "sender and CC addresses, never the queue's own address",
        )
        self.assertEqual(result["recipients"][0]["name"], "Nina Neukunde")
        self.assertEqual(
            self.env["res.partner"].search_count([]),
            partners_before,
            "showing the recipients creates no contact",
        )

    def test_recipients_of_customer_contact(self):
        ticket = self.env["ticket.ticket"].create(
            {
                "name": "Lieferzeit",
                "queue_id": self.queue.id,
                "partner_id": self.customer.id,
            }
        )
        result = ticket.with_user(self.agent).ticket_reply_recipients()
        self.assertEqual(
            [(r["kind"], r["email"]) for r in result["recipients"]],
            [("customer", "kunde.gateway@example.com")],
        )

    def test_recipients_not_for_portal_users(self):
        portal = mail_new_test_user(
            self.env,
            login="composer_portal",
            email="neu.kunde@example.com",
            groups="base.group_portal",
        )
        self.ticket.message_subscribe(partner_ids=portal.partner_id.ids)
        with self.assertRaises(AccessError):
            self.ticket.with_user(portal).ticket_reply_recipients()

    def test_recipients_are_what_the_reply_mails(self):
        """The line names exactly the addresses the posted reply is mailed to;
        a comment mails none of them."""
        ticket = self.ticket.with_user(self.agent)
        expected = {r["email"] for r in ticket.ticket_reply_recipients()["recipients"]}
        with self.mock_mail_gateway():
            ticket.message_post(
                body="Ihre Rechnung folgt.",
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )
        self.assertFalse(self._new_mails, "a comment is mailed to nobody")
        with self.mock_mail_gateway():
            ticket.message_post(
                body="Ihre Rechnung folgt.",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        sent = set()
        for mail in self._new_mails:
            sent |= set(mail.recipient_ids.mapped("email_normalized"))
            sent |= set(tools.email_normalize_all(mail.email_to or ""))
        self.assertEqual(sent, expected)
        self.assertEqual(
            ticket.ticket_reply_recipients()["recipients"][0]["email"],
            "neu.kunde@example.com",
            "after the reply the sender is a contact and still listed first",
        )

    # ---- MISSING ATTACHMENT ----

    def test_attachment_keywords(self):
        Ticket = self.env["ticket.ticket"].with_user(self.agent)
        cases = {
            "Anbei die Rechnung": "Anbei",
            "Siehe Anhang: Rechnung.pdf": "Anhang",
            "Die ANHÄNGE kommen gleich": "ANHÄNG",
            "Ich habe es angehängt.": "angehängt",
            "Ist angehangen": "angehangen",
            "In der Anlage finden Sie": "Anlage",
            "Bitte einen Screenshot schicken": "Screenshot",
            "Please find the invoice attached": "attached",
            "See the attachment": "attachment",
            "Enclosed you find": "Enclosed",
            "<p>Hallo,</p><p>anbei das Foto</p>": "anbei",
            "Vielen Dank für Ihre Nachricht.": False,
            "": False,
        }
        for body, keyword in cases.items():
            with self.subTest(body=body):
                self.assertEqual(Ticket.ticket_attachment_keyword(body), keyword)

    def test_attachment_keyword_not_in_quote_or_signature(self):
        self.agent.signature = "<p>Gina Agent<br/>Anlagen: AGB</p>"
        Ticket = self.env["ticket.ticket"].with_user(self.agent)
        for body in (
            "Danke.\n\n> Anbei die Rechnung",
            "Danke.\n-- \nAnlage: AGB",
            "Danke.\n\nAm 01.12.2026 schrieb Max Muster:\nAnbei die Rechnung",
            "Thanks.\nOn Mon, Dec 1, 2026 Max wrote:\nattached the invoice",
            "Danke.\n-----Ursprüngliche Nachricht-----\nAnbei",
            "Danke.\nVon: Max <max@example.com>\nGesendet: Montag\nAnbei",
            "<p>Danke.</p><blockquote>Anbei die Rechnung</blockquote>",
            '<p>Danke.</p><div data-o-mail-quote="1">Anhang</div>',
            "<p>Danke.</p><br/><p>Gina Agent<br/>Anlagen: AGB</p>",
        ):
            with self.subTest(body=body):
                self.assertFalse(Ticket.ticket_attachment_keyword(body))
        self.assertEqual(
            Ticket.ticket_attachment_keyword("Anbei\n> alt"),
            "Anbei",
            "the agent's own text above the quote counts",
        )

    def test_attachment_warning_preference(self):
        """The agent switches the check off in their own preferences."""
        self.assertTrue(self.agent.ticket_attachment_warning, "on by default")
        agent = self.agent.with_user(self.agent)
        with Form(agent, view="base.view_users_form_simple_modif") as prefs:
            prefs.ticket_attachment_warning = False
        self.assertFalse(self.agent.ticket_attachment_warning)
        self.assertFalse(
            self.env["ticket.ticket"]
            .with_user(self.agent)
            .ticket_attachment_keyword("Anbei die Rechnung")
        )
        # "Don't ask again" in the dialog writes the same field
        agent.write({"ticket_attachment_warning": True})
        self.assertTrue(self.agent.ticket_attachment_warning)
