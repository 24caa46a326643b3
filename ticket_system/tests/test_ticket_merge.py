from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common_mail import TicketMailCommon


@tagged("post_install", "-at_install", "mail_gateway")
class TestTicketMerge(TicketMailCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stage_closed = cls.env.ref("ticket_system.ticket_stage_closed")

    def _two_mails(self):
        """A customer writes twice about one matter, without the ticket number."""
        with self.mock_mail_gateway():
            first = self._receive(
                "Kunde <kunde.gateway@example.com>",
                "Jacke zu groß",
                msg_id="<merge-first@example.com>",
            )
            second = self._receive(
                "Kunde <kunde.gateway@example.com>",
                "Nochmal wegen der Jacke",
                msg_id="<merge-second@example.com>",
                cc="Ehefrau <ehefrau.gateway@example.com>",
            )
        return first, second

    def _merge(self, tickets, dest=None, user=None):
        user = user or self.agent
        wizard = Form(
            self.env["ticket.merge"]
            .with_user(user)
            .with_context(active_model="ticket.ticket", active_ids=tickets.ids)
        )
        if dest:
            wizard.dest_ticket_id = dest
        return wizard.save().action_merge()

    def test_merge_from_list_moves_everything_into_the_oldest(self):
        first, second = self._two_mails()
        invoice = self.env["account.move"].create(
            {"move_type": "out_invoice", "partner_id": self.customer.id}
        )
        child = self.env["ticket.ticket"].create(
            {
                "name": "Rücksendeetikett",
                "queue_id": self.queue.id,
                "parent_id": second.id,
            }
        )
        tag = self.env["ticket.tag"].create({"name": "Umtausch"})
        second.write(
            {
                "invoice_ids": [Command.link(invoice.id)],
                "tag_ids": [Command.link(tag.id)],
            }
        )
        attachment = self.env["ir.attachment"].create(
            {
                "name": "foto.jpg",
                "raw": b"jpeg",
                "res_model": "ticket.ticket",
                "res_id": second.id,
            }
        )
        second.activity_schedule("mail.mail_activity_data_todo", summary="Rückruf")
        Entry = self.env["ticket.time.entry"]
        worked = Entry.create(
            {"ticket_id": second.id, "user_id": self.agent.id, "hours": 1.5}
        )
        billed = Entry.create(
            {"ticket_id": second.id, "user_id": self.agent.id, "hours": 0.5}
        )
        billed.invoice_line_id = (
            self.env["account.move"]
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.customer.id,
                    "invoice_line_ids": [
                        Command.create({"name": "Support", "price_unit": 30})
                    ],
                }
            )
            .invoice_line_ids
        )
        second_messages = second.message_ids
        self.assertIn(self.customer, second.message_partner_ids)

        with self.mock_mail_gateway():
            action = self._merge(first | second)

        self.assertEqual(
            action["res_id"], first.id, "the oldest keeps the conversation"
        )
        self.assertLess(second_messages, first.message_ids, "messages moved")
        incoming = first.message_ids.filtered(lambda m: m.message_type == "email")
        self.assertEqual(
            incoming.sorted(lambda m: (m.date, m.id)).mapped("message_id"),
            ["<merge-first@example.com>", "<merge-second@example.com>"],
        )
        self.assertEqual(attachment.res_id, first.id)
        self.assertEqual(first.activity_ids.summary, "Rückruf")
        self.assertIn(self.customer, first.message_partner_ids)
        self.assertIn("ehefrau.gateway@example.com", first.email_cc)
        self.assertEqual(first.invoice_ids, invoice)
        self.assertEqual(first.tag_ids, tag)
        self.assertEqual(child.parent_id, first)
        self.assertEqual(worked.ticket_id, first, "time moves with the conversation")
        self.assertEqual(
            billed.ticket_id, second, "invoiced time stays where it was billed"
        )
        self.assertEqual((first.time_spent, second.time_spent), (1.5, 0.5))
        # the merged ticket is closed, points to the destination, and says so
        self.assertEqual(second.merged_into_id, first)
        self.assertEqual(second.stage_id, self.stage_closed)
        self.assertIn(first.number, second.message_ids[0].body)
        self.assertIn(second.number, first.message_ids[0].body)
        self.assertEqual(first.message_ids[0].subtype_id, self.env.ref("mail.mt_note"))
        self.assertFalse(self._new_mails, "closing by merge mails nobody")

    def test_mail_to_a_merged_ticket_reaches_the_destination(self):
        first, second = self._two_mails()
        self._merge(first | second)
        # by headers: a reply to the mail that opened the merged ticket
        with self.mock_mail_gateway():
            self._receive(
                "Kunde <kunde.gateway@example.com>",
                "Re: Nochmal wegen der Jacke",
                msg_id="<merge-third@example.com>",
                extra="In-Reply-To: <merge-second@example.com>",
            )
            # by the old number only, to the catchall
            self._receive(
                "Kunde <kunde.gateway@example.com>",
                f"AW: [{second.number}] Nochmal wegen der Jacke",
                msg_id="<merge-fourth@example.com>",
                to=f"{self.alias_catchall}@{self.alias_domain}",
            )
        self.assertIn(
            "<merge-third@example.com>", first.message_ids.mapped("message_id")
        )
        self.assertIn(
            "<merge-fourth@example.com>", first.message_ids.mapped("message_id")
        )
        self.assertFalse(
            second.message_ids.filtered(lambda m: m.message_type == "email"),
            "nothing lands on the closed ticket",
        )

    def test_merge_into_another_ticket_from_the_form(self):
        first, second = self._two_mails()
        wizard = Form(
            self.env["ticket.merge"]
            .with_user(self.agent)
            .with_context(active_model="ticket.ticket", active_ids=second.ids)
        )
        self.assertFalse(
            wizard.dest_ticket_id, "one ticket: the agent picks the destination"
        )
        self.assertTrue(wizard.customer_only)
        with self.assertRaises(UserError):
            self.env["ticket.merge"].with_user(self.agent).create(
                {"ticket_ids": [Command.set(second.ids)]}
            ).action_merge()
        wizard.dest_ticket_id = first
        wizard.save().action_merge()
        self.assertEqual(second.merged_into_id, first)
        # a merged ticket cannot receive others: they would need to follow it
        third = self.env["ticket.ticket"].create(
            {"name": "Dritte", "queue_id": self.queue.id}
        )
        with self.assertRaises(UserError):
            self._merge(third, dest=second)

    def test_merge_checks_write_access_and_company(self):
        first, second = self._two_mails()
        other_queue = self.env["ticket.queue"].create({"name": "Buchhaltung"})
        foreign = self.env["ticket.ticket"].create(
            {"name": "Fremd", "queue_id": other_queue.id}
        )
        with self.assertRaises(AccessError):
            self._merge(first | foreign, dest=first)
        self.assertFalse(foreign.merged_into_id)

        company = self.env["res.company"].create({"name": "Zweite Firma"})
        queue_b = self.env["ticket.queue"].create(
            {"name": "Service B", "company_id": company.id}
        )
        ticket_b = self.env["ticket.ticket"].create(
            {"name": "Andere Firma", "queue_id": queue_b.id}
        )
        self.env.user.company_ids |= company
        with self.assertRaises(UserError):
            self._merge(first | ticket_b, dest=first, user=self.env.user)
        self.assertFalse(ticket_b.merged_into_id)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_stranger_naming_a_merged_ticket_gets_a_new_ticket(self):
        first, second = self._two_mails()
        self._merge(first | second)
        with self.mock_mail_gateway():
            stranger = self._receive(
                "fremder@example.net",
                f"[{second.number}] Zugriff?",
                msg_id="<merge-stranger@example.com>",
            )
        self.assertNotIn(stranger, first | second)
        self.assertNotIn(
            "<merge-stranger@example.com>", first.message_ids.mapped("message_id")
        )
