import json
import re

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons.mail.tests.common import mail_new_test_user

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@tagged("post_install", "-at_install", "ticket_system")
class ContactFormCase(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param(
            "ticket_system.contact_form_max_mb", 1
        )
        for key in ("limit_per_email", "limit_per_ip"):
            cls.env["ir.config_parameter"].sudo().set_param(
                f"ticket_system.contact_form_{key}", 5
            )
        Queue = cls.env["ticket.queue"]
        cls.queue_public = Queue.create(
            {
                "name": "Kontaktformular Service",
                "is_public": True,
                "autoresponder": True,
            }
        )
        cls.queue_internal = Queue.create({"name": "Interne Revision"})
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Karla Kundin",
                "email": "Karla.Kundin@kontakt.example",
                "ref": "K-4711",
            }
        )
        cls.Ticket = cls.env["ticket.ticket"].with_context(active_test=False)

    def _csrf(self, url="/ticket/submit"):
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200)
        tokens = CSRF.findall(page.text)
        self.assertTrue(tokens, "the form carries a CSRF token")
        return tokens[0]

    def _data(self, **values):
        data = {
            "name": "Karla Kundin",
            "email": "karla.kundin@kontakt.example",
            "queue_id": str(self.queue_public.id),
            "subject": "Paket beschädigt angekommen",
            "message": "Der Karton war nass. <b>Bitte</b> um Ersatz.",
            "homepage": "",
        }
        data.update(values)
        return data

    def _submit(self, files=None, csrf=True, **values):
        data = self._data(**values)
        if csrf is True:
            data["csrf_token"] = self._csrf()
        elif csrf:
            data["csrf_token"] = csrf
        return self.url_open("/ticket/submit", data=data, files=files)

    def _tickets(self, subject="Paket beschädigt angekommen"):
        return self.Ticket.search([("name", "=", subject)])


class TestContactForm(ContactFormCase):
    def test_form_is_public_and_offers_public_queues(self):
        page = self.url_open("/ticket/submit")
        self.assertEqual(page.status_code, 200)
        self.assertRegex(page.text, CSRF)
        self.assertIn('name="homepage"', page.text, "the honeypot is there")
        self.assertIn("Kontaktformular Service", page.text)
        self.assertNotIn("Interne Revision", page.text)

    def test_valid_submission_opens_ticket_and_confirms(self):
        ticket_before = self.Ticket.search([], order="id desc", limit=1)
        response = self._submit(
            files=[
                (
                    "attachments",
                    ("foto.jpg", b"\xff\xd8 Foto vom Karton", "image/jpeg"),
                ),
                (
                    "attachments",
                    ("lieferschein.pdf", b"%PDF-1.4 Lieferschein", "application/pdf"),
                ),
            ]
        )
        self.assertEqual(response.status_code, 200)
        ticket = self._tickets()
        self.assertEqual(len(ticket), 1)
        self.assertGreater(ticket.id, ticket_before.id)
        self.assertIn(
            ticket.number, response.text, "the thank-you page names the ticket"
        )
        self.assertEqual(ticket.channel, "web")
        self.assertEqual(ticket.queue_id, self.queue_public)
        self.assertEqual(
            ticket.partner_id, self.customer, "matched by normalized e-mail"
        )
        self.assertEqual(ticket.submitter_ip, "127.0.0.1")
        self.assertEqual(ticket.last_action_by, "customer")
        self.assertIn(
            "&lt;b&gt;Bitte&lt;/b&gt;", str(ticket.description), "text, not markup"
        )
        attachments = self.env["ir.attachment"].search(
            [("res_model", "=", "ticket.ticket"), ("res_id", "=", ticket.id)]
        )
        self.assertEqual(
            sorted(attachments.mapped("name")), ["foto.jpg", "lieferschein.pdf"]
        )
        self.assertEqual(
            attachments.filtered(lambda a: a.name == "foto.jpg").raw,
            b"\xff\xd8 Foto vom Karton",
        )
        # the customer's message in the chatter, in their name, with the files
        message = ticket.message_ids.filtered(lambda m: m.message_type == "comment")
        self.assertEqual(len(message), 1)
        self.assertEqual(message.author_id, self.customer)
        self.assertIn("Der Karton war nass.", str(message.body))
        self.assertEqual(message.attachment_ids, attachments)
        self.assertFalse(message.subtype_id.internal)
        # one confirmation, to the submitter only, marked automatic
        mails = self.env["mail.mail"].search(
            [("model", "=", "ticket.ticket"), ("res_id", "=", ticket.id)]
        )
        to_customer = mails.filtered(
            lambda m: (
                "karla.kundin@kontakt.example" in (m.email_to or "").lower()
                or self.customer in m.recipient_ids
            )
        )
        self.assertEqual(
            len(to_customer), 1, "one mail to the submitter: the confirmation"
        )
        self.assertIn("Auto-Submitted", to_customer.headers)
        self.assertIn(f"[{ticket.number}]", to_customer.subject)
        self.assertEqual(mails, to_customer, "nobody else gets a mail about it")

    def test_unknown_sender_is_kept_on_the_ticket(self):
        self._submit(
            name="Neue Kundin", email="Neu@Kontakt.example", subject="Erste Frage"
        )
        ticket = self._tickets("Erste Frage")
        self.assertEqual(len(ticket), 1)
        self.assertFalse(ticket.partner_id)
        self.assertEqual(ticket.partner_email, "neu@kontakt.example")
        self.assertEqual(ticket.partner_name, "Neue Kundin")
        message = ticket.message_ids.filtered(lambda m: m.message_type == "comment")
        self.assertFalse(message.author_id)
        self.assertIn("neu@kontakt.example", message.email_from.lower())
        self.assertIn("Neue Kundin", message.email_from)
        mail = self.env["mail.mail"].search(
            [("res_id", "=", ticket.id), ("model", "=", "ticket.ticket")]
        )
        self.assertEqual(len(mail), 1)
        self.assertIn("neu@kontakt.example", mail.email_to.lower())

    def test_missing_fields_keep_input_and_store_nothing(self):
        response = self._submit(subject="", email="", message="Mein Text bleibt stehen")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Please enter a subject.", response.text)
        self.assertIn("Please enter your e-mail address.", response.text)
        self.assertIn("Mein Text bleibt stehen", response.text, "the input is kept")
        self.assertIn('value="Karla Kundin"', response.text)
        self.assertFalse(
            self.Ticket.search([("description", "ilike", "Mein Text bleibt")])
        )

    def test_invalid_email_is_refused(self):
        response = self._submit(email="karla@, zweite@example.com")
        self.assertIn("Please enter one valid e-mail address.", response.text)
        self.assertFalse(self._tickets())

    def test_errors_in_german(self):
        self.env["res.lang"]._activate_lang("de_DE")
        # the visitor's language comes from the frontend_lang cookie
        self.opener.cookies["frontend_lang"] = "de_DE"
        response = self._submit(subject="")
        self.assertIn("Bitte geben Sie einen Betreff ein.", response.text)
        self.assertFalse(self._tickets())

    def test_oversize_attachment_is_refused(self):
        big = b"x" * (1024 * 1024 + 1)
        response = self._submit(
            files=[("attachments", ("gross.bin", big, "application/octet-stream"))]
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("The attachments are too large", response.text)
        self.assertFalse(self._tickets())
        self.assertFalse(self.env["ir.attachment"].search([("name", "=", "gross.bin")]))

    def test_message_too_long_is_refused(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "ticket_system.contact_form_max_chars", 50
        )
        response = self._submit(message="x" * 51)
        self.assertIn("Your message is too long", response.text)
        self.assertFalse(self._tickets())

    @mute_logger("odoo.http")
    def test_missing_or_wrong_csrf_token_is_refused(self):
        self._csrf()  # a session exists, its token is not sent
        for csrf in (False, "0123456789abcdefo9999999999"):
            with self.subTest(csrf=csrf):
                response = self._submit(csrf=csrf)
                self.assertIn(response.status_code, (400, 403))
                self.assertFalse(self._tickets())

    def test_honeypot_shows_neutral_page_and_stores_nothing(self):
        response = self._submit(homepage="http://spam.example")
        self.assertEqual(response.status_code, 200)
        self.assertIn("We have received your request.", response.text)
        self.assertNotRegex(response.text, r"T\d{5}")
        self.assertFalse(self._tickets())

    def test_non_public_queue_is_refused(self):
        response = self._submit(queue_id=str(self.queue_internal.id))
        self.assertIn("Please choose a department.", response.text)
        self.assertFalse(self._tickets())

    def test_rate_limit_per_address(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "ticket_system.contact_form_limit_per_ip", 0
        )
        for i in range(5):
            self._submit(subject=f"Anfrage {i}")
        self.assertEqual(len(self.Ticket.search([("name", "=like", "Anfrage _")])), 5)
        response = self._submit(subject="Anfrage 6")
        self.assertIn("several requests within the last hour", response.text)
        self.assertFalse(self._tickets("Anfrage 6"))
        # another address from the same IP still passes (no IP limit set)
        self._submit(subject="Anfrage 7", email="andere@kontakt.example")
        self.assertTrue(self._tickets("Anfrage 7"))

    def test_rate_limit_per_ip(self):
        for i in range(5):
            self._submit(subject=f"Anfrage {i}", email=f"absender{i}@kontakt.example")
        self.assertEqual(len(self.Ticket.search([("name", "=like", "Anfrage _")])), 5)
        response = self._submit(subject="Anfrage 6", email="absender6@kontakt.example")
        self.assertIn("several requests within the last hour", response.text)
        self.assertFalse(self._tickets("Anfrage 6"))


class TestPortalTickets(ContactFormCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.firm = Partner.create({"name": "Portalfirma GmbH", "is_company": True})
        cls.contact = Partner.create(
            {
                "name": "Piet Portal",
                "parent_id": cls.firm.id,
                "email": "piet@portalfirma.example",
            }
        )
        cls.portal_user = mail_new_test_user(
            cls.env,
            login="piet_portal",
            groups="base.group_portal",
            partner_id=cls.contact.id,
            name="Piet Portal",
            email="piet@portalfirma.example",
        )
        cls.stranger = Partner.create({"name": "Fremdfirma AG", "is_company": True})
        cls.own, cls.foreign = cls.env["ticket.ticket"].create(
            [
                {
                    "name": "Eigene Reklamation",
                    "queue_id": cls.queue_public.id,
                    "partner_id": cls.contact.id,
                },
                {
                    "name": "Fremde Reklamation",
                    "queue_id": cls.queue_public.id,
                    "partner_id": cls.stranger.id,
                },
            ]
        )
        cls.stage_solved = cls.env.ref("ticket_system.ticket_stage_solved")

    def test_portal_list_links_to_new_ticket_form(self):
        self.authenticate("piet_portal", "piet_portal")
        page = self.url_open("/my/tickets")
        self.assertIn('href="/ticket/submit"', page.text)
        form = self.url_open("/ticket/submit")
        self.assertIn('value="Piet Portal"', form.text, "prefilled with the customer")
        self.assertIn('value="piet@portalfirma.example"', form.text)
        self.assertIn("Kontaktformular Service", form.text)
        self.assertNotIn("Interne Revision", form.text, "only public queues")

    def test_portal_user_opens_ticket(self):
        self.authenticate("piet_portal", "piet_portal")
        response = self._submit(
            name="Jemand Anders",
            email="karla.kundin@kontakt.example",
            subject="Neue Frage aus dem Portal",
            files=[("attachments", ("bild.png", b"\x89PNG Bild", "image/png"))],
        )
        ticket = self._tickets("Neue Frage aus dem Portal")
        self.assertEqual(len(ticket), 1)
        self.assertIn(ticket.number, response.text)
        self.assertIn(f'href="/my/tickets/{ticket.id}"', response.text)
        self.assertEqual(ticket.channel, "portal")
        self.assertEqual(
            ticket.partner_id, self.contact, "the customer writes as themselves"
        )
        self.assertEqual(ticket.partner_email, "piet@portalfirma.example")
        self.assertEqual(
            self.env["ir.attachment"]
            .search([("res_model", "=", "ticket.ticket"), ("res_id", "=", ticket.id)])
            .mapped("name"),
            ["bild.png"],
        )
        self.assertIn(
            ticket, self.env["ticket.ticket"].with_user(self.portal_user).search([])
        )

    def test_portal_user_marks_own_ticket_solved(self):
        self.authenticate("piet_portal", "piet_portal")
        page = self.url_open(f"/my/tickets/{self.own.id}")
        self.assertIn("Mark as solved", page.text)
        csrf = CSRF.findall(page.text)[0]
        response = self.url_open(
            f"/my/tickets/{self.own.id}/solve", data={"csrf_token": csrf}
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.own.stage_id, self.stage_solved)
        message = self.own.message_ids.filtered(
            lambda m: m.message_type == "comment" and "Marked as solved" in str(m.body)
        )
        self.assertEqual(message.author_id, self.contact, "logged as the customer")
        self.assertEqual(
            self.own.stage_id, self.stage_solved, "not reopened by the message"
        )
        tracking = self.own.message_ids.filtered("tracking_value_ids")[:1]
        self.assertEqual(
            tracking.author_id, self.contact, "the status change is theirs too"
        )
        self.assertTrue(self.stage_solved.template_id, "Solved mails the customer...")
        self.assertEqual(
            self.own.message_ids.filtered(lambda m: m.message_type != "notification"),
            message,
            "...but not when the customer closed the ticket themselves",
        )
        self.assertNotIn(
            "Mark as solved", self.url_open(f"/my/tickets/{self.own.id}").text
        )

    @mute_logger("odoo.http")
    def test_portal_user_cannot_close_foreign_ticket(self):
        self.authenticate("piet_portal", "piet_portal")
        stage = self.foreign.stage_id
        csrf = self._csrf(f"/my/tickets/{self.own.id}")
        response = self.url_open(
            f"/my/tickets/{self.foreign.id}/solve",
            data={"csrf_token": csrf},
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 404)
        self.assertNotIn(
            f"/my/tickets/{self.foreign.id}", response.headers.get("Location", "")
        )
        self.assertEqual(self.foreign.stage_id, stage)
        # nor their own without the CSRF token
        response = self.url_open(f"/my/tickets/{self.own.id}/solve", data={"x": "1"})
        self.assertEqual(response.status_code, 400)
        self.assertNotEqual(self.own.stage_id, self.stage_solved)

    def test_access_token_opens_exactly_that_ticket(self):
        token = self.own._portal_ensure_token()
        page = self.url_open(f"/my/tickets/{self.own.id}?access_token={token}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Eigene Reklamation", page.text)
        other = self.url_open(
            f"/my/tickets/{self.foreign.id}?access_token={token}", allow_redirects=False
        )
        self.assertEqual(other.status_code, 404)
        self.assertNotIn("Fremde Reklamation", other.text)

    def test_home_entry_without_tickets(self):
        newcomer = self.env["res.partner"].create(
            {"name": "Nina Neu", "email": "nina@neu.example"}
        )
        mail_new_test_user(
            self.env,
            login="nina_portal",
            groups="base.group_portal",
            partner_id=newcomer.id,
            name="Nina Neu",
            email="nina@neu.example",
        )
        self.authenticate("nina_portal", "nina_portal")
        home = self.url_open("/my")
        self.assertIn('data-placeholder_count="ticket_count"', home.text)
        counters = self.url_open(
            "/my/counters",
            data=json.dumps({"params": {"counters": ["ticket_count"]}}),
            headers={"Content-Type": "application/json"},
        ).json()["result"]
        self.assertEqual(counters, {"ticket_count": 0})
        # the entry shows in the browser although the count is 0
        self.start_tour("/my", "ticket_system_portal_home_tour", login="nina_portal")
