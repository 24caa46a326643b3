from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestDemoShop(TransactionCase):
    """The demo data is a German mail-order shop that can receive mail: what a
    newcomer sees after `make run` (tests run on a database with demo data)."""

    def test_company_is_a_german_shop_in_eur(self):
        company = self.env.ref("base.main_company")
        self.assertEqual(company.name, "Versandhaus Muster GmbH")
        self.assertEqual(company.country_id, self.env.ref("base.de"))
        self.assertEqual(company.currency_id, self.env.ref("base.EUR"))
        self.assertTrue(company.zip and company.city and company.street)
        self.assertTrue(company.phone and company.email and company.website)
        self.assertEqual(company.partner_id.lang, "de_DE")

    def test_accounting_follows_the_currency(self):
        company = self.env.ref("base.main_company")
        eur = self.env.ref("base.EUR")
        lines = self.env["account.move.line"].search([("company_id", "=", company.id)])
        self.assertTrue(lines)
        self.assertEqual(
            lines.company_currency_id, eur, "stored company currency recomputed"
        )
        invoice = self.env.ref("ticket_system.account_move_invoice_gartenwelt_demo")
        self.assertEqual(invoice.currency_id, eur)
        pricelists = self.env["product.pricelist"].search(
            [("company_id", "in", [company.id, False])]
        )
        self.assertFalse(pricelists.filtered(lambda p: p.currency_id != eur))

    def test_each_queue_shows_its_address(self):
        company = self.env.ref("base.main_company")
        self.assertEqual(company.alias_domain_id.name, "shop.example")
        for xmlid in ("vertrieb", "reklamation", "buchhaltung"):
            queue = self.env.ref(f"ticket_system.ticket_queue_{xmlid}_demo")
            self.assertEqual(queue.alias_email, f"{xmlid}@shop.example")
            self.assertTrue(queue.autoresponder, "the demo confirms every new ticket")

    def test_german_for_agents_and_most_customers(self):
        self.assertTrue(self.env["res.lang"]._lang_get("de_DE").active)
        for xmlid in (
            "base.user_admin",
            "base.user_demo",
            "ticket_system.res_users_agent_anna_demo",
            "ticket_system.res_users_agent_ben_demo",
            "ticket_system.res_users_agent_clara_demo",
        ):
            self.assertEqual(self.env.ref(xmlid).lang, "de_DE", xmlid)
        customers = self.env["res.partner"].search([("ref", "like", "100__")])
        self.assertGreater(len(customers), 10)
        english = customers.filtered(lambda p: p.lang == "en_US")
        self.assertTrue(english, "some customers write in English")
        self.assertGreater(
            len(customers.filtered(lambda p: p.lang == "de_DE")), 2 * len(english)
        )

    def test_statuses_have_german_names(self):
        stage = self.env.ref("ticket_system.ticket_stage_new")
        self.assertEqual(stage.with_context(lang="de_DE").name, "Neu")
        self.assertEqual(stage.with_context(lang="en_US").name, "New")
