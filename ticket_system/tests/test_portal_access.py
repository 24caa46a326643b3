"""Portal side of item 7: a customer reaches their commercial partner's
tickets only, and of those only what is meant for them: no internal note, no
internal attachment, no other customer's address, in the pages, the chatter
the pages load, the files behind them, and the mails we send."""

import base64

from odoo import Command
from odoo.tests import HttpCase, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import TicketCommon

OTHER_EMAIL = "geheim@andere-kundschaft.example"


class PortalAccessData:
    @classmethod
    def _portal_setup(cls):
        Partner = cls.env["res.partner"]
        customer = Partner.create({"name": "Paketkunde GmbH", "is_company": True})
        cls.contact = Partner.create(
            {
                "name": "Paul Paket",
                "parent_id": customer.id,
                "email": "paul@paketkunde.example",
            }
        )
        cls.other_customer = Partner.create(
            {"name": "Andere Kundschaft", "email": OTHER_EMAIL}
        )
        queue = cls.env["ticket.queue"].create({"name": "Portal Matrix"})
        Ticket = cls.env["ticket.ticket"]
        cls.own = Ticket.create(
            {
                "name": "Paket fehlt",
                "queue_id": queue.id,
                "partner_id": cls.contact.id,
            }
        )
        cls.foreign = Ticket.create(
            {
                "name": "Fremdes Paket",
                "queue_id": queue.id,
                "partner_id": cls.other_customer.id,
            }
        )
        # the other customer follows the customer's ticket (added by an agent)
        cls.own.message_subscribe(partner_ids=cls.other_customer.ids)

        def attachment(name, ticket):
            return cls.env["ir.attachment"].create(
                {
                    "name": name,
                    "datas": base64.b64encode(name.encode()),
                    "res_model": "ticket.ticket",
                    "res_id": ticket.id,
                }
            )

        cls.internal_file = attachment("intern-kalkulation.txt", cls.own)
        cls.public_file = attachment("lieferschein.txt", cls.own)
        cls.own.message_post(
            body=f"INTERN-GEHEIM {OTHER_EMAIL}",
            message_type="comment",
            subtype_xmlid="mail.mt_note",
            attachment_ids=cls.internal_file.ids,
        )
        cls.own.message_post(
            body="Öffentliche Antwort",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            attachment_ids=cls.public_file.ids,
        )


@tagged("post_install", "-at_install", "ticket_system")
class TestPortalAccessHttp(PortalAccessData, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._portal_setup()
        cls.portal_user = mail_new_test_user(
            cls.env,
            login="paul_paket",
            groups="base.group_portal",
            partner_id=cls.contact.id,
        )

    def _chatter(self, ticket, **kw):
        return self.make_jsonrpc_request(
            "/mail/chatter_fetch",
            {"thread_model": "ticket.ticket", "thread_id": ticket.id, **kw},
        )

    @mute_logger("odoo.http")
    def test_foreign_id_and_token_give_404(self):
        own_token = self.own._portal_ensure_token()
        foreign_token = self.foreign._portal_ensure_token()
        # logged out: the right token opens exactly its ticket
        self.assertEqual(
            self.url_open(
                f"/my/tickets/{self.own.id}?access_token={own_token}"
            ).status_code,
            200,
        )
        for url in (
            f"/my/tickets/{self.foreign.id}?access_token={own_token}",
            f"/my/tickets/{self.own.id}?access_token={foreign_token[:-1]}x",
        ):
            with self.subTest(url=url):
                response = self.url_open(url, allow_redirects=False)
                self.assertEqual(response.status_code, 404)
                self.assertNotIn("Fremdes Paket", response.text)
        # no token at all: an old link, the customer logs in first
        response = self.url_open(f"/my/tickets/{self.own.id}", allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.authenticate("paul_paket", "paul_paket")
        for url in (
            f"/my/tickets/{self.foreign.id}",
            f"/my/tickets/{self.foreign.id}?access_token={own_token}",
            "/my/tickets/999999999",
        ):
            with self.subTest(url=url):
                response = self.url_open(url, allow_redirects=False)
                self.assertEqual(response.status_code, 404)
                self.assertNotIn("Fremdes Paket", response.text)
        # the chatter of another ticket: not with this ticket's token either
        self.assertFalse(self._chatter(self.foreign)["messages"])
        with self.assertRaisesRegex(JsonRpcException, "Forbidden"):
            self._chatter(self.foreign, token=own_token)

    def test_page_chatter_and_files_hide_internals(self):
        self.authenticate("paul_paket", "paul_paket")
        page = self.url_open(f"/my/tickets/{self.own.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Paket fehlt", page.text)
        listing = self.url_open("/my/tickets?filterby=all")
        for response in (page, listing):
            self.assertNotIn("INTERN-GEHEIM", response.text)
            self.assertNotIn(OTHER_EMAIL, response.text)
            self.assertNotIn("intern-kalkulation", response.text)
            self.assertNotIn("Fremdes Paket", response.text)
        for kw in ({}, {"token": self.own._portal_ensure_token()}):
            with self.subTest(token=bool(kw)):
                data = self._chatter(self.own, **kw)
                messages = data["data"]["mail.message"]
                text = str(messages)
                self.assertIn("Öffentliche Antwort", text)
                self.assertNotIn("INTERN-GEHEIM", text)
                self.assertNotIn(OTHER_EMAIL, text)
                self.assertNotIn("intern-kalkulation", text)
                self.assertIn("lieferschein.txt", text)
        # the internal file is not served, by id or with a guessed token
        for url in (
            f"/web/content/{self.internal_file.id}",
            f"/web/content/{self.internal_file.id}?download=true",
            f"/web/content/{self.internal_file.id}?access_token=guess",
        ):
            with self.subTest(url=url):
                response = self.url_open(url, allow_redirects=False)
                self.assertIn(response.status_code, (403, 404))
                self.assertNotIn("intern-kalkulation.txt", response.text)


@tagged("post_install", "-at_install", "ticket_system")
class TestPortalAccessMails(PortalAccessData, TicketCommon):
    """The mails a customer gets carry neither internal notes nor another
    customer's address."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._portal_setup()
        cls.own.queue_id.member_ids = [Command.link(cls.user_agent.id)]

    def _mails_to(self, email):
        return [mail for mail in self._mails if email in str(mail["email_to"])]

    def test_mails_to_customer(self):
        ticket = self.own.with_user(self.user_agent)
        with self.mock_mail_gateway():
            ticket.message_post(
                body=f"Nur intern: {OTHER_EMAIL}",
                message_type="comment",
                subtype_xmlid="mail.mt_note",
                attachment_ids=self.internal_file.ids,
            )
        self.assertFalse(self._mails_to(self.contact.email), "a note mails no customer")
        with self.mock_mail_gateway():
            ticket.message_post(
                body="Ihr Paket ist unterwegs.",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                partner_ids=self.contact.ids,
            )
            ticket.sudo().stage_id = self.stage_solved
            self.flush_tracking()
        to_customer = self._mails_to(self.contact.email)
        self.assertTrue(to_customer)
        for mail in to_customer:
            text = " ".join(
                str(mail.get(key))
                for key in ("email_to", "email_cc", "reply_to", "body", "headers")
            )
            self.assertNotIn(OTHER_EMAIL, text)
            self.assertNotIn("Nur intern", text)
            self.assertNotIn("INTERN-GEHEIM", text)
            self.assertNotIn(
                "intern-kalkulation.txt",
                [attachment[0] for attachment in mail.get("attachments") or []],
            )
