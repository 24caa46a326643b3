from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged

from odoo.addons.mail.tests.common import mail_new_test_user


@tagged("post_install", "-at_install")
class TestTicketPortal(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.company = Partner.create({"name": "Portal Kunde GmbH", "is_company": True})
        cls.contact = Partner.create(
            {
                "name": "Paula Portal",
                "parent_id": cls.company.id,
                "email": "paula@portal.example",
            }
        )
        cls.colleague = Partner.create(
            {"name": "Kollege Klaus", "parent_id": cls.company.id}
        )
        cls.stranger = Partner.create({"name": "Fremd AG", "is_company": True})
        cls.portal_user = mail_new_test_user(
            cls.env,
            login="paula_portal",
            groups="base.group_portal",
            partner_id=cls.contact.id,
        )
        queue = cls.env["ticket.queue"].create({"name": "Portal Service"})
        cls.own, cls.colleagues, cls.foreign = cls.env["ticket.ticket"].create(
            [
                {
                    "name": "Meine Rücksendung",
                    "queue_id": queue.id,
                    "partner_id": cls.contact.id,
                },
                {
                    "name": "Sammelrechnung",
                    "queue_id": queue.id,
                    "partner_id": cls.colleague.id,
                },
                {
                    "name": "Geheime Anfrage",
                    "queue_id": queue.id,
                    "partner_id": cls.stranger.id,
                },
            ]
        )

    def test_my_tickets_lists_company_tickets_only(self):
        self.authenticate("paula_portal", "paula_portal")
        response = self.url_open("/my/tickets?filterby=all")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.own.number, response.text)
        self.assertIn("Sammelrechnung", response.text, "tickets of the same company")
        self.assertNotIn("Geheime Anfrage", response.text)

    def test_ticket_page_and_foreign_ticket(self):
        self.authenticate("paula_portal", "paula_portal")
        response = self.url_open(f"/my/tickets/{self.own.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Meine Rücksendung", response.text)
        self.assertIn(self.own.number, response.text)
        response = self.url_open(
            f"/my/tickets/{self.foreign.id}", allow_redirects=False
        )
        self.assertEqual(response.status_code, 404)
        self.assertNotIn("Geheime Anfrage", response.text)

    def test_access_url(self):
        self.assertEqual(self.own.access_url, f"/my/tickets/{self.own.id}")

    def test_portal_user_cannot_read_internal_fields(self):
        ticket = self.own.with_user(self.portal_user)
        self.assertEqual(ticket.name, "Meine Rücksendung")
        for field in (
            "time_spent",
            "billable",
            "tag_ids",
            "owner_ids",
            "fetchmail_server_id",
        ):
            with self.subTest(field=field), self.assertRaises(AccessError):
                ticket.read([field])
