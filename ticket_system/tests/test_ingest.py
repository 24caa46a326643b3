from .common_mail import TicketMailCommon


class TestTicketIngest(TicketMailCommon):
    """What the mail path does once per mail instead of several times, or
    not at all, gives the same answers as before."""

    def test_own_addresses_in_one_query(self):
        domain = self.mail_alias_domain
        domain.default_from = "shop-absender"
        company = self.env["res.company"].create(
            {"name": "Zweitfirma", "email": "Zentrale@Zweitfirma.example"}
        )
        archived = self.env["res.company"].create(
            {"name": "Altfirma", "email": "info@altfirma.example"}
        )
        archived.active = False
        self._create_mailbox("Postfach@Shop.example")
        queue = self.env["ticket.queue"].create(
            {"name": "Retouren", "alias_name": "retouren-gw"}
        )
        own = {
            f"{domain.catchall_alias}@{domain.name}",
            f"{domain.bounce_alias}@{domain.name}",
            f"shop-absender@{domain.name}",
            "zentrale@zweitfirma.example",
            "postfach@shop.example",
            queue.alias_email,
        }
        foreign = {"kunde@example.net", "info@altfirma.example"}
        Ticket = self.env["ticket.ticket"]
        self.env.flush_all()
        with self.assertQueryCount(1):
            found = Ticket._own_addresses(own | foreign)
        self.assertEqual(found, own)
        # a default sender given as a whole address is taken as it is
        domain.default_from = "absender@anderswo.example"
        self.assertEqual(
            Ticket._own_addresses(["absender@anderswo.example"]),
            {"absender@anderswo.example"},
        )
        self.assertEqual(company.email, "Zentrale@Zweitfirma.example")
        self.assertEqual(Ticket._own_addresses([]), set())

    def test_field_descriptions_after_a_new_ticket(self):
        """The short cut for the gateway's field check is taken once and
        leaves the full descriptions to every other caller."""
        with self.mock_mail_gateway():
            ticket = self._receive("neu@kunden.example", "Frage zur Lieferung")
        self.assertEqual(ticket.name, "Frage zur Lieferung")
        self.assertNotIn("ticket_gateway_new", self.env.cr.cache)
        description = self.env["ticket.ticket"].fields_get()["stage_id"]
        self.assertEqual(description["relation"], "ticket.stage")
        self.assertIn("sortable", self.env["ticket.ticket"].fields_get()["queue_id"])
