from odoo.tests import tagged
from odoo.tools import SQL

from odoo.addons.mail.tests.common import mail_new_test_user

from .common_mail import MAIL_TEMPLATE, TicketMailCommon


@tagged("post_install", "-at_install", "ticket_system")
class TestContentSearch(TicketMailCommon):
    """The search view's "Content" finds a word of the description or of any
    mail of the ticket, from trigram indexes (the description's and a partial
    one on the ticket messages' bodies), with the record rules applied."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.outsider = mail_new_test_user(
            cls.env,
            login="cs_outsider",
            email="cs.outsider@example.com",
            groups="ticket_system.group_ticket_user",
            name="Otto Outsider",
        )
        Ticket = cls.env["ticket.ticket"]
        cls.by_description = Ticket.create(
            {
                "name": "Paket",
                "queue_id": cls.queue.id,
                "description": "<p>Bitte eine Lieferscheinkopie senden</p>",
            }
        )
        cls.plain = Ticket.create({"name": "Paket 2", "queue_id": cls.queue.id})

    def _mail(self, body, subject="Frage", msg_id="<cs-1@kunden.example>"):
        return self.format_and_process(
            MAIL_TEMPLATE.replace(
                "Guten Tag, meine Bestellung ist noch nicht angekommen.", body
            ),
            "kunde@kunden.example",
            self.queue_address,
            subject=subject,
            msg_id=msg_id,
            target_model="ticket.ticket",
        )

    def _search(self, value, operator="ilike", user=None):
        Ticket = self.env["ticket.ticket"].with_user(user or self.agent)
        return Ticket.search([("content_search", operator, value)])

    def _old_domain(self, value):
        """The search view's former "Content": description OR message bodies."""
        return (
            self.env["ticket.ticket"]
            .with_user(self.agent)
            .search(
                [
                    "|",
                    ("description", "ilike", value),
                    ("message_ids.body", "ilike", value),
                ]
            )
        )

    def test_word_of_description_and_of_mail(self):
        by_mail = self._mail("Wo bleibt die Lieferscheinkopie vom Montag?")
        by_reply = self._mail("Nur eine Frage", subject="Andere", msg_id="<cs-2@k.ex>")
        by_reply.message_post(
            body="Die Seriennummer XZ-4711 steht auf dem Karton.",
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        found = self._search("lieferscheinkopie")
        self.assertIn(self.by_description, found)
        self.assertIn(by_mail, found)
        self.assertNotIn(by_reply, found)
        self.assertNotIn(self.plain, found)
        self.assertEqual(self._search("xz-4711"), by_reply)
        # the same answer as the former OR over the message join; negated:
        # the tickets whose content does not have it
        everything = self.env["ticket.ticket"].with_user(self.agent).search([])
        for word in ("lieferscheinkopie", "xz-4711", "Bestellung", "Paket"):
            found = self._search(word)
            self.assertEqual(found, self._old_domain(word), word)
            self.assertEqual(self._search(word, "not ilike"), everything - found, word)

    def test_messages_of_other_models_ignored(self):
        """The chatter of a partner whose id is a ticket's id is no hit."""
        tickets = self.env["ticket.ticket"].search([])
        partner = self.env["res.partner"].search([("id", "in", tickets.ids)], limit=1)
        if not partner:
            self.skipTest("no partner with a ticket's id")
        partner.message_post(body="Kassenbon-Duplikat 77", message_type="comment")
        self.assertFalse(self._search("kassenbon-duplikat", user=self.env.user))

    def test_record_rules_apply(self):
        ticket = self._mail("Wo bleibt die Lieferscheinkopie?")
        self.assertIn(ticket, self._search("lieferscheinkopie"))
        self.assertFalse(self._search("lieferscheinkopie", user=self.outsider))

    def test_plan_uses_trigram_indexes(self):
        """The lookups are answered from the trigram indexes (the partial one
        on ticket messages included): no sequential scan of either table
        when the planner is told they are expensive (the test database is
        too small for the planner to prefer the indexes on its own)."""
        if not self.env.registry.has_trigram:
            self.skipTest("pg_trgm is not installed")
        query = self.env["ticket.ticket"]._search(
            [("content_search", "ilike", "lieferscheinkopie")]
        )
        self.env.cr.execute("SET LOCAL enable_seqscan = off")
        self.env.cr.execute(SQL("EXPLAIN %s", query.select()))
        plan = "\n".join(row[0] for row in self.env.cr.fetchall())
        self.assertIn("ticket_ticket_description_trigram_index", plan)
        self.assertNotIn("Seq Scan on mail_message", plan)
        self.assertNotIn("Seq Scan on ticket_ticket", plan)
        # the bodies' index covers the tickets' messages, as the query asks
        self.env.cr.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = %s",
            ["mail_message_ticket_body_trigram_index"],
        )
        (indexdef,) = self.env.cr.fetchone()
        self.assertIn("gin_trgm_ops", indexdef)
        self.assertIn("WHERE ((model)::text = 'ticket.ticket'::text)", indexdef)
