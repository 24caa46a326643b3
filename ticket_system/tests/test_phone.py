from urllib.parse import unquote

from odoo.tests import Form, HttpCase, TransactionCase, tagged
from odoo.tools import SQL, mute_logger

from odoo.addons.mail.tests.common import mail_new_test_user

CALL_ACTION = "ticket_system.ticket_ticket_action_phone_call"


class PhoneCommon:
    """A German merchant: customers with numbers written the many ways
    people write them, one number shared by two customers."""

    @classmethod
    def _phone_setup(cls):
        cls.company = cls.env.ref("base.main_company")
        cls.company.country_id = cls.env.ref("base.de")
        cls.agent = mail_new_test_user(
            cls.env,
            login="phone_agent",
            name="Paula Phone",
            email="paula.phone@example.com",
            groups="ticket_system.group_ticket_user",
            company_id=cls.company.id,
        )
        cls.queue = cls.env["ticket.queue"].create(
            {"name": "Telefon", "member_ids": [(4, cls.agent.id)]}
        )
        Partner = cls.env["res.partner"]
        cls.bremen = Partner.create(
            {"name": "Bremer Kaffeehaus GmbH", "is_company": True, "ref": "K-0421"}
        )
        cls.bremen_contact = Partner.create(
            {
                "name": "Hanna Bremer",
                "parent_id": cls.bremen.id,
                "phone": "0421 / 98 76 54",
            }
        )
        cls.mobile = Partner.create(
            {"name": "Moritz Mobil", "mobile": "+49 (0)171 555-66-77"}
        )
        cls.shared = Partner.create(
            [
                {"name": "Zentrale Nord", "phone": "+49 40 1234567"},
                {"name": "Zentrale Süd", "mobile": "0049 40 123 45 67"},
            ]
        )


@tagged("post_install", "-at_install", "ticket_system")
class TestPhoneLookup(PhoneCommon, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._phone_setup()
        cls.Ticket = cls.env["ticket.ticket"].with_user(cls.agent)

    def test_spellings_find_the_same_customer(self):
        for number in (
            "0421 987654",
            "+49 421 987654",
            "0049421987654",
            "+49 (0)421 98 76 54",
            "0421-987654",
        ):
            with self.subTest(number=number):
                self.assertEqual(
                    self.Ticket._phone_find_partners(number), self.bremen_contact
                )
        for number in ("0171 5556677", "+491715556677", "0049 171 555 66 77"):
            with self.subTest(number=number):
                self.assertEqual(self.Ticket._phone_find_partners(number), self.mobile)
        self.assertEqual(self.Ticket._phone_find_partners("040 1234567"), self.shared)
        # a part of a number, a short one, an empty one: nobody
        for number in ("987654", "0421", "", False, "0421 9876540"):
            with self.subTest(number=number):
                self.assertFalse(self.Ticket._phone_find_partners(number))

    def test_lookup_uses_the_phone_indexes(self):
        """One query, which PostgreSQL answers from the indexes Odoo's phone
        mixin keeps on res_partner's phone and mobile."""
        self.Ticket._phone_find_partners("+49 421 987654").ids  # noqa: B018
        with self.assertQueryCount(1):
            self.Ticket._phone_find_partners("0049 421 987654").ids  # noqa: B018
        query = self.Ticket._phone_partner_query("0421 987654")
        # the test database is small: ask how PostgreSQL would do it at scale
        self.env.cr.execute("SET LOCAL enable_seqscan = off")
        self.env.cr.execute(SQL("EXPLAIN %s", query.select()))
        plan = "\n".join(row[0] for row in self.env.cr.fetchall())
        self.assertIn("Index Scan on res_partner_phone_partial", plan)
        self.assertIn("Index Scan on res_partner_mobile_partial", plan)
        self.assertNotIn("Seq Scan on res_partner", plan)

    def test_phone_ticket_form_finds_the_customer(self):
        for number in ("0421 987654", "+49 421 987654", "0049421987654"):
            with self.subTest(number=number):
                with Form(self.Ticket.with_context(default_channel="phone")) as form:
                    form.name = "Rückruf erbeten"
                    form.queue_id = self.queue
                    form.partner_phone = number
                    self.assertEqual(form.partner_id, self.bremen_contact)
                ticket = form.save()
                self.assertEqual(ticket.channel, "phone")
                self.assertEqual(ticket.partner_id, self.bremen_contact)
                self.assertEqual(ticket.partner_phone, number)

    def test_phone_ticket_form_shared_number_leaves_the_choice(self):
        with Form(self.Ticket.with_context(default_channel="phone")) as form:
            form.name = "Anruf Zentrale"
            form.queue_id = self.queue
            with mute_logger("odoo.tests.form.onchange"):
                form.partner_phone = "040 1234567"
            self.assertFalse(form.partner_id)
            form.partner_id = self.shared[1]
        self.assertEqual(form.record.partner_id, self.shared[1])
        self.assertEqual(form.record.partner_phone, "040 1234567")

    def test_customer_fills_the_phone(self):
        with Form(self.Ticket) as form:
            form.name = "Frage"
            form.partner_id = self.mobile
            self.assertEqual(form.partner_phone, "+49 (0)171 555-66-77")

    def test_quick_create_with_number(self):
        ticket = self.Ticket.create(
            {
                "name": "Anruf",
                "queue_id": self.queue.id,
                "channel": "phone",
                "partner_phone": "+49 171 5556677",
            }
        )
        self.assertEqual(ticket.partner_id, self.mobile)
        unknown = self.Ticket.create(
            {"name": "Anruf", "channel": "phone", "partner_phone": "030 111 222"}
        )
        self.assertFalse(unknown.partner_id)
        self.assertEqual(unknown.partner_phone, "030 111 222")


@tagged("post_install", "-at_install", "ticket_system")
class TestPhoneCallUrl(PhoneCommon, HttpCase):
    """/ticket_system/call?phone=… for telephony systems, as the browser
    follows it: the redirect, then the server action the web client runs."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._phone_setup()
        cls.open_ticket = cls.env["ticket.ticket"].create(
            {
                "name": "Lieferung fehlt",
                "queue_id": cls.queue.id,
                "partner_id": cls.bremen.id,
            }
        )
        cls.portal = mail_new_test_user(
            cls.env,
            login="phone_portal",
            name="Petra Portal",
            email="petra.portal@example.com",
            groups="base.group_portal",
        )
        cls.internal = mail_new_test_user(
            cls.env,
            login="phone_internal",
            name="Ingo Intern",
            email="ingo.intern@example.com",
            groups="base.group_user",
        )

    def _call(self, number):
        """The action the web client shows for a call from ``number``."""
        response = self.url_open(
            f"/ticket_system/call?phone={number}", allow_redirects=False
        )
        self.assertEqual(response.status_code, 303)
        location = response.headers["Location"]
        self.assertIn(f"/odoo/action-{CALL_ACTION}?phone=", location)
        self.assertNotIn("+", location.split("?phone=", 1)[1])
        action = self.env.ref(CALL_ACTION)
        phone = location.split("?phone=", 1)[1]
        return self.make_jsonrpc_request(
            "/web/action/run",
            {
                "action_id": action.id,
                "context": {"params": {"phone": unquote(phone)}},
            },
        )

    def test_known_caller_with_open_tickets(self):
        self.authenticate("phone_agent", "phone_agent")
        action = self._call("%2B49%20421%20987654")
        self.assertEqual(action["res_model"], "ticket.ticket")
        self.assertEqual(action["views"][0][1], "list")
        self.assertEqual(
            self.env["ticket.ticket"].search(action["domain"]), self.open_ticket
        )
        self.assertEqual(action["context"]["search_default_filter_open"], 1)
        # "New" from the list: a phone ticket of the caller
        self.assertEqual(
            action["context"]["default_partner_id"], self.bremen_contact.id
        )
        self.assertEqual(action["context"]["default_channel"], "phone")
        self.assertIn("Hanna Bremer", action["name"])

    def test_known_caller_without_open_tickets(self):
        self.authenticate("phone_agent", "phone_agent")
        action = self._call("0171%205556677")
        self.assertEqual(action["res_model"], "ticket.ticket")
        self.assertEqual(action["views"], [[False, "form"]])
        self.assertEqual(action["context"]["default_partner_id"], self.mobile.id)
        self.assertEqual(action["context"]["default_channel"], "phone")

    def test_several_customers_show_the_choice(self):
        self.authenticate("phone_agent", "phone_agent")
        action = self._call("040%201234567")
        self.assertEqual(action["tag"], "display_notification")
        self.assertIn("2", action["params"]["message"])
        choice = action["params"]["next"]
        self.assertEqual(choice["res_model"], "res.partner")
        self.assertEqual(self.env["res.partner"].search(choice["domain"]), self.shared)

    def test_unknown_number_opens_a_new_phone_ticket(self):
        self.authenticate("phone_agent", "phone_agent")
        action = self._call("030%20111222")
        self.assertEqual(action["res_model"], "ticket.ticket")
        self.assertEqual(action["views"], [[False, "form"]])
        self.assertNotIn("default_partner_id", action["context"])
        self.assertEqual(action["context"]["default_partner_phone"], "030 111222")
        self.assertEqual(action["context"]["default_channel"], "phone")

    @mute_logger("odoo.http")
    def test_refused_for_others(self):
        # anonymous: to the login page
        response = self.url_open(
            "/ticket_system/call?phone=0421987654", allow_redirects=False
        )
        self.assertIn(response.status_code, (302, 303))
        self.assertIn("/web/login", response.headers["Location"])
        # portal user and an employee without ticket rights: refused
        for login in ("phone_portal", "phone_internal"):
            with self.subTest(login=login):
                self.authenticate(login, login)
                response = self.url_open(
                    "/ticket_system/call?phone=0421987654", allow_redirects=False
                )
                self.assertEqual(response.status_code, 403)
