from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from odoo.addons.mail.tools.discuss import Store

from .common import TicketCommon


@tagged("post_install", "-at_install")
class TestTicketTextBlock(TicketCommon):
    """Text blocks (Odoo's canned responses) in folders, limited to queues,
    shared with groups or personal."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Folder = cls.env["ticket.text.block.folder"]
        cls.folder_greetings = Folder.create({"name": "Test Grüße", "sequence": 1})
        cls.folder_shipping = Folder.create({"name": "Test Versand", "sequence": 2})
        agents = cls.env.ref("ticket_system.group_ticket_user")
        Block = cls.env["mail.canned.response"].with_user(cls.user_manager)
        cls.block_all, cls.block_support, cls.block_billing = Block.create(
            [
                {
                    "source": "tbversandt",
                    "substitution": "Ihre Ware ist unterwegs.",
                    "folder_id": cls.folder_shipping.id,
                    "group_ids": [Command.set(agents.ids)],
                },
                {
                    "source": "tbgruss",
                    "substitution": "Mit freundlichen Grüßen",
                    "folder_id": cls.folder_greetings.id,
                    "ticket_queue_ids": [Command.set(cls.queue_support.ids)],
                    "group_ids": [Command.set(agents.ids)],
                },
                {
                    "source": "tbrechnung",
                    "substitution": "Die Rechnung folgt.",
                    "ticket_queue_ids": [Command.set(cls.queue_billing.ids)],
                    "group_ids": [Command.set(agents.ids)],
                },
            ]
        )
        cls.block_anna = (
            cls.env["mail.canned.response"]
            .with_user(cls.user_agent)
            .create({"source": "tbanna", "substitution": "Annas eigener Text"})
        )
        cls.block_bert = (
            cls.env["mail.canned.response"]
            .with_user(cls.user_agent_2)
            .create({"source": "tbbert", "substitution": "Berts eigener Text"})
        )
        cls.test_blocks = (
            cls.block_all
            | cls.block_support
            | cls.block_billing
            | cls.block_anna
            | cls.block_bert
        )

    def _offered(self, ticket, user):
        offered = ticket.with_user(user).text_block_list()
        return [b for b in offered if b["id"] in self.test_blocks.ids]

    def test_offered_by_queue_and_grouped_by_folder(self):
        offered = self._offered(self.ticket_support, self.user_agent)
        self.assertEqual(
            [b["id"] for b in offered],
            [self.block_support.id, self.block_all.id, self.block_anna.id],
            "folders in their order, blocks without folder last",
        )
        self.assertEqual(
            [b["folder_name"] for b in offered], ["Test Grüße", "Test Versand", ""]
        )
        self.assertEqual(offered[1]["substitution"], "Ihre Ware ist unterwegs.")
        self.assertTrue(offered[1]["is_shared"])
        self.assertFalse(offered[2]["is_shared"])

        offered = self._offered(self.ticket_billing, self.user_agent_2)
        self.assertEqual(
            {b["id"] for b in offered},
            {self.block_all.id, self.block_billing.id, self.block_bert.id},
        )

    def test_agent_sees_shared_and_own_not_others_personal(self):
        Block = self.env["mail.canned.response"].with_user(self.user_agent)
        visible = Block.search([("id", "in", self.test_blocks.ids)])
        self.assertEqual(
            visible,
            self.block_all | self.block_support | self.block_billing | self.block_anna,
        )
        with self.assertRaises(AccessError):
            self.block_bert.with_user(self.user_agent).read(["substitution"])
        # shared blocks are changed by their owner only
        with self.assertRaises(AccessError):
            self.block_all.with_user(self.user_agent).write({"substitution": "x"})
        self.block_anna.with_user(self.user_agent).write({"substitution": "neu"})

        # an administrator may read all blocks but is offered only own and shared
        offered = self._offered(self.ticket_support, self.env.ref("base.user_admin"))
        self.assertNotIn(self.block_anna.id, [b["id"] for b in offered])
        self.assertNotIn(self.block_bert.id, [b["id"] for b in offered])

    def test_composer_store_knows_the_queues(self):
        """ ":shortcut" hides the blocks of other queues: the store says which."""
        result = Store(self.block_support | self.block_all).get_result()
        by_id = {r["id"]: r for r in result["mail.canned.response"]}
        self.assertEqual(
            by_id[self.block_support.id]["ticket_queue_ids"], self.queue_support.ids
        )
        self.assertEqual(by_id[self.block_all.id]["ticket_queue_ids"], [])

    def test_agent_creates_a_personal_block_in_a_folder(self):
        form = Form(
            self.env["mail.canned.response"].with_user(self.user_agent),
            view="ticket_system.mail_canned_response_view_form_ticket",
        )
        form.source = "tbneu"
        form.substitution = "@Briefanrede@ danke!"
        form.folder_id = self.folder_greetings
        block = form.save()
        self.assertFalse(block.is_shared)
        self.assertEqual(block.create_uid, self.user_agent)
        self.assertEqual(
            self.folder_greetings.with_user(self.user_agent).text_block_count, 2
        )
        self.assertEqual(
            self.folder_greetings.with_user(self.user_agent_2).text_block_count, 1
        )

    def test_folders(self):
        sub = self.env["ticket.text.block.folder"].create(
            {"name": "Retoure", "parent_id": self.folder_shipping.id}
        )
        self.assertEqual(sub.complete_name, "Test Versand / Retoure")
        with self.assertRaises(UserError):
            self.folder_shipping.parent_id = sub
            self.folder_shipping.flush_recordset()
        self.block_billing.folder_id = sub
        action = self.folder_shipping.action_view_text_blocks()
        found = self.env["mail.canned.response"].search(action["domain"])
        self.assertEqual(found, self.block_all | self.block_billing)
        # agents read folders but do not change them
        with self.assertRaises(AccessError):
            sub.with_user(self.user_agent).name = "x"
