from markupsafe import Markup

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common_mail import TicketMailCommon


@tagged("post_install", "-at_install", "mail_gateway")
class TestTicketPlaceholder(TicketMailCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("de_DE")
        cls.env["res.lang"]._activate_lang("en_US")
        cls.meier_company = cls.env["res.partner"].create(
            {
                "name": "Meier Versand GmbH",
                "is_company": True,
                "ref": "K-1001",
                "street": "Musterstraße 12a",
                "zip": "12345",
                "city": "Musterstadt",
            }
        )
        cls.meier = cls.env["res.partner"].create(
            {
                "name": "Anna Meier",
                "parent_id": cls.meier_company.id,
                "title": cls.env.ref("base.res_partner_title_madam").id,
                "email": "anna.meier@example.com",
                "lang": "de_DE",
            }
        )
        cls.braun = cls.env["res.partner"].create(
            {
                "name": "Peter Braun",
                "title": cls.env.ref("base.res_partner_title_mister").id,
                "email": "peter.braun@example.com",
                "lang": "en_US",
                "street": "12 Main Street",
                "zip": "SW1A 1AA",
                "city": "London",
            }
        )

    def _reply(self, ticket, body, user=None, **kwargs):
        kwargs.setdefault("message_type", "comment")
        kwargs.setdefault("subtype_xmlid", "mail.mt_comment")
        return ticket.with_user(user or self.agent).message_post(body=body, **kwargs)

    def _composer(self, ticket):
        """The full composer of the chatter, answering ``ticket`` as the agent."""
        return Form(
            self.env["mail.compose.message"]
            .with_user(self.agent)
            .with_context(
                default_model="ticket.ticket",
                default_res_ids=ticket.ids,
                default_composition_mode="comment",
                default_subtype_xmlid="mail.mt_comment",
            )
        )

    def _mail_to(self, partner):
        mails = self._new_mails.filtered(lambda m: partner in m.recipient_ids)
        self.assertEqual(len(mails), 1, f"one mail to {partner.name}")
        return mails

    def test_reply_filled_in_message_and_mail(self):
        with self.mock_mail_gateway():
            ticket = self._receive("anna.meier@example.com", "Wo bleibt mein Paket?")
        self.assertEqual(ticket.partner_id, self.meier)
        body = Markup(
            "<p>@Briefanrede@</p>"
            "<p>@Anrede@ @Vorname@ @Nachname@, @Firma1@, @Strasse@ @HausNr@, "
            "@PLZ@ @Ort@, Kd-Nr. @Kundennummer@, Ticket @Ticketnummer@</p>"
            "<p>Ihr @Bearbeiter@</p>"
        )
        with self.mock_mail_gateway():
            message = self._reply(ticket, body, subject="Ihre Anfrage @Ticketnummer@")
        filled = (
            "<p>Sehr geehrte Frau Meier,</p>"
            "<p>Frau Anna Meier, Meier Versand GmbH, Musterstraße 12a, "
            f"12345 Musterstadt, Kd-Nr. K-1001, Ticket {ticket.number}</p>"
            "<p>Ihr Gina Agent</p>"
        )
        self.assertEqual(str(message.body), filled, "the stored message is filled")
        self.assertEqual(
            message.subject, f"[{ticket.number}] Ihre Anfrage {ticket.number}"
        )
        mail = self._mail_to(self.meier)
        self.assertIn(filled, mail.body_html)
        self.assertNotIn("@Briefanrede@", mail.body_html)
        self.assertEqual(
            mail.subject, f"[{ticket.number}] Ihre Anfrage {ticket.number}"
        )

    def test_english_customer_and_street_first(self):
        with self.mock_mail_gateway():
            ticket = self._receive("peter.braun@example.com", "Where is my parcel?")
        with self.mock_mail_gateway():
            message = self._reply(
                ticket,
                Markup("<p>@Briefanrede@ @Anrede@ @Vorname@: @HausNr@ / @Strasse@</p>"),
            )
        self.assertEqual(
            str(message.body), "<p>Dear Mr Braun, Mr Peter: 12 / Main Street</p>"
        )
        self.assertIn("Dear Mr Braun,", self._mail_to(self.braun).body_html)

    def test_neutral_letter_salutation(self):
        no_title = self.env["res.partner"].create(
            {"name": "Kim Berger", "email": "kim.berger@example.com", "lang": "de_DE"}
        )
        with self.mock_mail_gateway():
            ticket = self._receive("kim.berger@example.com", "Rückfrage")
            message = self._reply(ticket, Markup("<p>@Briefanrede@</p>"))
        self.assertEqual(str(message.body), "<p>Sehr geehrte Damen und Herren,</p>")
        no_title.lang = "en_US"
        with self.mock_mail_gateway():
            message = self._reply(ticket, Markup("<p>@Briefanrede@</p>"))
        self.assertEqual(str(message.body), "<p>Dear Sir or Madam,</p>")

    def test_values_are_escaped(self):
        evil = self.env["res.partner"].create(
            {"name": "<b>x</b> Böse", "email": "boese@example.com", "city": "A & B"}
        )
        with self.mock_mail_gateway():
            ticket = self._receive("boese@example.com", "Hallo")
        self.assertEqual(ticket.partner_id, evil)
        with self.mock_mail_gateway():
            message = self._reply(
                ticket, Markup("<p>@Vorname@ @Nachname@ in @Ort@</p>")
            )
        self.assertEqual(
            str(message.body), "<p>&lt;b&gt;x&lt;/b&gt; Böse in A &amp; B</p>"
        )
        mail = self._mail_to(evil)
        self.assertIn("&lt;b&gt;x&lt;/b&gt;", mail.body_html)
        self.assertNotIn("<b>x</b>", mail.body_html)

    def test_plain_text_body_escaped_once(self):
        with self.mock_mail_gateway():
            ticket = self._receive("anna.meier@example.com", "Text")
        self.meier_company.name = "Meier & Söhne"
        with self.mock_mail_gateway():
            message = self._reply(ticket, "Firma: @Firma1@ <3")
        self.assertEqual(str(message.body), "<p>Firma: Meier &amp; Söhne &lt;3</p>")

    def test_unfillable_placeholder_refuses_to_send(self):
        with self.mock_mail_gateway():
            ticket = self._receive("peter.braun@example.com", "No company")
        messages_before = ticket.message_ids
        with self.mock_mail_gateway():
            with self.assertRaises(UserError) as error:
                self._reply(ticket, Markup("<p>@Firma1@ @Kundennummer@ @Vorname@</p>"))
            self.assertFalse(self._new_mails)
            self.assertFalse(self._mails)
        self.assertIn("@Firma1@: the customer has no company", str(error.exception))
        self.assertIn(
            "@Kundennummer@: the customer has no customer number", str(error.exception)
        )
        self.assertNotIn("@Vorname@", str(error.exception))
        self.assertEqual(ticket.message_ids, messages_before, "nothing was stored")

    def test_error_in_agent_language(self):
        with self.mock_mail_gateway():
            ticket = self._receive("peter.braun@example.com", "Kein Firmenname")
        self.agent.lang = "de_DE"
        with self.assertRaises(UserError) as error:
            self._reply(
                ticket.with_user(self.agent).with_context(lang=self.agent.lang),
                Markup("<p>@Firma1@</p>"),
            )
        self.assertIn("@Firma1@: der Kunde hat keine Firma", str(error.exception))

    def test_ticket_without_customer(self):
        # unknown senders get the queue's language (default: the company's,
        # German in the demo shop)
        self.queue.lang = "en_US"
        with self.mock_mail_gateway():
            ticket = self._receive("Neu Kunde <neu.kunde@example.org>", "Unbekannt")
        self.assertFalse(ticket.partner_id)
        with self.mock_mail_gateway():
            with self.assertRaises(UserError) as error:
                self._reply(ticket, Markup("<p>@Nachname@</p>"))
            message = self._reply(ticket, Markup("<p>@Briefanrede@ @Ticketnummer@</p>"))
        self.assertIn("@Nachname@: the ticket has no customer", str(error.exception))
        self.assertEqual(
            str(message.body), f"<p>Dear Sir or Madam, {ticket.number}</p>"
        )

    def test_email_addresses_and_unknown_words_untouched(self):
        with self.mock_mail_gateway():
            ticket = self._receive("anna.meier@example.com", "Adressen")
        body = Markup(
            "<p>a@b.de info@Ort.de @ort@ @Unbekannt@ @ORT@ @Ort @Nachname@</p>"
        )
        with self.mock_mail_gateway():
            message = self._reply(ticket, body)
        self.assertEqual(
            str(message.body),
            "<p>a@b.de info@Ort.de @ort@ @Unbekannt@ @ORT@ @Ort Meier</p>",
        )

    def test_note_is_not_filled(self):
        with self.mock_mail_gateway():
            ticket = self._receive("peter.braun@example.com", "Note")
        note = self._reply(
            ticket,
            Markup("<p>Vorlage: @Firma1@ @Vorname@</p>"),
            subtype_xmlid="mail.mt_note",
        )
        self.assertEqual(str(note.body), "<p>Vorlage: @Firma1@ @Vorname@</p>")

    def test_customer_post_is_not_filled(self):
        portal = self.env["res.users"].create(
            {
                "name": "Portal Braun",
                "login": "portal_braun",
                "partner_id": self.braun.id,
                "groups_id": [(6, 0, self.env.ref("base.group_portal").ids)],
            }
        )
        with self.mock_mail_gateway():
            ticket = self._receive("peter.braun@example.com", "Portal")
        with self.mock_mail_gateway():
            message = (
                ticket.with_user(portal)
                .sudo()
                .message_post(
                    body="Mein @Vorname@",
                    message_type="comment",
                    subtype_xmlid="mail.mt_comment",
                )
            )
        self.assertEqual(str(message.body), "<p>Mein @Vorname@</p>")

    def test_incoming_mail_is_not_filled(self):
        """The gateway posts a customer's mail as OdooBot: not an agent's reply."""
        with self.mock_mail_gateway():
            ticket = self._receive("peter.braun@example.com", "Was ist @Kundennummer@?")
        incoming = ticket.message_ids.filtered(lambda m: m.message_type == "email")
        self.assertEqual(incoming.subject, "Was ist @Kundennummer@?")
        self.assertEqual(ticket.name, "Was ist @Kundennummer@?")

    def test_autoresponder_fills_and_notes_unfillable(self):
        template = self.env.ref("ticket_system.mail_template_ticket_autoresponder")
        self.assertIn(
            "@Briefanrede@", template.body_html, "the shipped template uses it"
        )
        self.queue.autoresponder_template_id = template.copy(
            {
                "subject": "@Ticketnummer@ received",
                "body_html": template.body_html
                + Markup("<p>@Firma1@|@Bearbeiter@</p>"),
            }
        )
        with self.mock_mail_gateway():
            ticket = self._receive("peter.braun@example.com", "Autoresponse")
        mail = self._new_mails.filtered(lambda m: "auto-replied" in (m.headers or ""))
        self.assertEqual(len(mail), 1, "an automatic mail never fails")
        self.assertIn("Dear Mr Braun,", mail.body_html)
        self.assertIn("<p>|</p>", mail.body_html, "unfillable: empty, never literal")
        self.assertNotIn("@Firma1@|", mail.body_html)
        self.assertEqual(mail.subject, f"[{ticket.number}] {ticket.number} received")
        self.assertIn("Dear Mr Braun,", mail.mail_message_id.body)
        note = ticket.message_ids.filtered(
            lambda m: (
                m.subtype_id == self.env.ref("mail.mt_note") and "@Firma1@" in m.body
            )
        )
        self.assertEqual(len(note), 1)
        self.assertIn("@Bearbeiter@", note.body, "no agent sends, none is assigned")

    def test_status_template_never_fails(self):
        template = self.env.ref("ticket_system.mail_template_ticket_solved").copy(
            {"body_html": "<p>@Briefanrede@ @Firma1@ Ende</p>"}
        )
        stage = self.env["ticket.stage"].create(
            {"name": "Placeholder stage", "template_id": template.id}
        )
        with self.mock_mail_gateway():
            ticket = self._receive("peter.braun@example.com", "Stage")
        with self.mock_mail_gateway():
            ticket.with_user(self.agent).stage_id = stage
            self.flush_tracking()
        mail = self._mail_to(self.braun)
        self.assertIn("Dear Mr Braun,  Ende", mail.body_html)
        self.assertTrue(
            ticket.message_ids.filtered(
                lambda m: (
                    m.subtype_id == self.env.ref("mail.mt_note")
                    and "@Firma1@" in m.body
                )
            )
        )

    def test_full_composer(self):
        with self.mock_mail_gateway():
            ticket = self._receive("anna.meier@example.com", "Composer")
        composer_form = self._composer(ticket)
        composer_form.body = (
            "<p>@Briefanrede@ Ihr Paket ist unterwegs, @Bearbeiter@</p>"
        )
        composer = composer_form.save()
        with self.mock_mail_gateway():
            __, messages = composer._action_send_mail()
        self.assertEqual(
            str(messages.body),
            "<p>Sehr geehrte Frau Meier, Ihr Paket ist unterwegs, Gina Agent</p>",
        )
        self.assertIn("Sehr geehrte Frau Meier,", self._mail_to(self.meier).body_html)

    def test_full_composer_refuses_unfillable(self):
        with self.mock_mail_gateway():
            ticket = self._receive("peter.braun@example.com", "Composer")
        composer_form = self._composer(ticket)
        composer_form.body = "<p>@Firma2@</p>"
        composer = composer_form.save()
        with self.mock_mail_gateway(), self.assertRaises(UserError):
            composer.action_send_mail()
        self.assertFalse(self._new_mails)

    def test_split_name_and_street(self):
        Ticket = self.env["ticket.ticket"]
        for name, expected in (
            ("Anna Meier", ("Anna", "Meier")),
            ("Hans Peter Müller", ("Hans Peter", "Müller")),
            ("Meier, Anna", ("Anna", "Meier")),
            ("Dr. Hans Meier", ("Hans", "Meier")),
            ("Johann Wolfgang von Goethe", ("Johann Wolfgang", "von Goethe")),
            ("Meier", ("", "Meier")),
        ):
            with self.subTest(name=name):
                self.assertEqual(Ticket._placeholder_split_name(name), expected)
        for street, expected in (
            ("Musterstraße 12a", ("Musterstraße", "12a")),
            ("Hauptstr. 5-7", ("Hauptstr.", "5-7")),
            ("Straße des 17. Juni 112", ("Straße des 17. Juni", "112")),
            ("12 Main Street", ("Main Street", "12")),
            ("Am Markt", ("Am Markt", "")),
        ):
            with self.subTest(street=street):
                partner = self.env["res.partner"].new({"street": street})
                self.assertEqual(Ticket._placeholder_split_street(partner), expected)

    def test_template_sent_directly(self):
        with self.mock_mail_gateway():
            ticket = self._receive("peter.braun@example.com", "Direct")
        template = self.env.ref("ticket_system.mail_template_ticket_solved").copy(
            {
                "subject": "@Ticketnummer@ solved",
                "body_html": "<p>@Briefanrede@ @Nachname@ @Firma1@!</p>",
            }
        )
        with self.mock_mail_gateway():
            template.send_mail(ticket.id, force_send=True)
        mail = self._new_mails.filtered(
            lambda m: m.subject == f"{ticket.number} solved"
        )
        self.assertEqual(len(mail), 1)
        self.assertIn("<p>Dear Mr Braun, Braun !</p>", mail.body_html)
        self.assertTrue(
            ticket.message_ids.filtered(
                lambda m: m.subtype_id == self.env.ref("mail.mt_note")
                and "@Firma1@" in m.body
            )
        )
