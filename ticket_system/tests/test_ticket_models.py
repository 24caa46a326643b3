import re

from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged, users
from odoo.tools import mute_logger

from .common import TicketCommon

NUMBER_RE = re.compile(r"^T\d{5}$")


@tagged("post_install", "-at_install", "ticket_system")
class TestTicketNumber(TicketCommon):
    def test_number_from_sequence(self):
        for ticket in self.ticket_support | self.ticket_billing | self.ticket_b:
            self.assertRegex(ticket.number, NUMBER_RE)
        sequence = self.env["ir.sequence"].search(
            [("code", "=", "ticket.ticket"), ("company_id", "=", self.company_a.id)]
        )
        self.assertEqual(len(sequence), 1, "one ticket sequence per company")
        expected = f"T{sequence.number_next_actual:05d}"
        ticket = self.env["ticket.ticket"].create(
            {"name": "Sequence", "queue_id": self.queue_support.id}
        )
        self.assertEqual(ticket.number, expected)

    def test_number_batch_create_distinct(self):
        tickets = self.env["ticket.ticket"].create(
            [
                {"name": f"Batch {i}", "queue_id": self.queue_support.id}
                for i in range(5)
            ]
        )
        numbers = tickets.mapped("number")
        self.assertEqual(len(set(numbers)), 5, numbers)
        for number in numbers:
            self.assertRegex(number, NUMBER_RE)
        self.assertNotIn(self.ticket_support.number, numbers)

    def test_number_unique_per_company(self):
        Ticket = self.env["ticket.ticket"]
        ticket_a = Ticket.create(
            {"name": "A", "queue_id": self.queue_support.id, "number": "TX00001"}
        )
        # the same number in another company is fine
        ticket_b = Ticket.create(
            {"name": "B", "queue_id": self.queue_b.id, "number": "TX00001"}
        )
        self.assertEqual(ticket_a.number, ticket_b.number)
        self.assertNotEqual(ticket_a.company_id, ticket_b.company_id)
        # but not twice in the same company
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            with self.env.cr.savepoint():
                Ticket.create(
                    {
                        "name": "A2",
                        "queue_id": self.queue_billing.id,
                        "number": "TX00001",
                    }
                )

    def test_number_readonly_and_copy(self):
        self.assertTrue(self.env["ticket.ticket"]._fields["number"].readonly)
        with Form(self.ticket_support.with_user(self.user_agent)) as form:
            with self.assertRaises(AssertionError):
                form.number = "T99999"
        copy = self.ticket_support.copy()
        self.assertRegex(copy.number, NUMBER_RE)
        self.assertNotEqual(copy.number, self.ticket_support.number)
        self.assertEqual(copy.company_id, self.ticket_support.company_id)
        self.assertEqual(copy.stage_id, self.stage_new)

    def test_display_name_and_name_search(self):
        ticket = self.ticket_support
        self.assertEqual(
            ticket.display_name, f"[{ticket.number}] Parcel did not arrive"
        )
        Ticket = self.env["ticket.ticket"].with_user(self.user_manager)
        found = [rid for rid, _name in Ticket.name_search(ticket.number)]
        self.assertIn(ticket.id, found)
        self.assertNotIn(self.ticket_billing.id, found)
        # the subject still works
        found = [rid for rid, _name in Ticket.name_search("Parcel did not")]
        self.assertIn(ticket.id, found)
        # and the number is searchable as a plain field
        self.assertEqual(
            Ticket.search([("number", "=", ticket.number), ("id", "=", ticket.id)]),
            ticket,
        )


@tagged("post_install", "-at_install", "ticket_system")
class TestTicketStages(TicketCommon):
    @users("ticket_manager")
    def test_system_stage_protected(self):
        Stage = self.env["ticket.stage"]
        for xmlid in (
            "ticket_system.ticket_stage_new",
            "ticket_system.ticket_stage_in_progress",
            "ticket_system.ticket_stage_waiting",
            "ticket_system.ticket_stage_solved",
            "ticket_system.ticket_stage_closed",
        ):
            stage = Stage.browse(self.env.ref(xmlid).id)
            self.assertTrue(stage.is_system)
            name = stage.name
            with self.assertRaises(UserError):
                stage.write({"name": f"{name} renamed"})
            with self.assertRaises(UserError):
                stage.unlink()
            self.assertTrue(stage.exists())
            self.assertEqual(stage.name, name)
            # other settings of a system status can still be changed
            stage.write({"description": "Customised"})
            self.assertEqual(stage.description, "Customised")

    @users("ticket_manager")
    def test_system_flag_not_changeable(self):
        stage = self.env["ticket.stage"].browse(self.stage_new.id)
        with self.assertRaises(UserError):
            stage.write({"is_system": False})
        self.assertTrue(stage.is_system)

    @users("ticket_manager")
    def test_custom_stage_free(self):
        stage = self.env["ticket.stage"].create(
            {"name": "Waiting for Supplier", "is_system": True}
        )
        self.assertFalse(stage.is_system, "only the module ships system statuses")
        stage.name = "Waiting for Manufacturer"
        self.assertEqual(stage.name, "Waiting for Manufacturer")
        stage.unlink()
        self.assertFalse(stage.exists())

    def test_stage_used_by_ticket_not_deletable(self):
        stage = self.env["ticket.stage"].create({"name": "Custom in use"})
        self.ticket_support.stage_id = stage
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            with self.env.cr.savepoint():
                stage.unlink()
                self.env.flush_all()
        self.assertTrue(stage.exists())

    def test_stage_type_relation_shared(self):
        Stage, Type = self.env["ticket.stage"], self.env["ticket.type"]
        self.assertEqual(
            Stage._fields["type_ids"].relation, Type._fields["stage_ids"].relation
        )
        ttype = Type.create({"name": "Return"})
        stage = Stage.create(
            {"name": "Return received", "type_ids": [Command.link(ttype.id)]}
        )
        self.assertEqual(ttype.stage_ids, stage)
        stage_2 = Stage.create({"name": "Refunded"})
        ttype.stage_ids = [Command.link(stage_2.id)]
        self.assertEqual(stage_2.type_ids, ttype)


@tagged("post_install", "-at_install", "ticket_system")
class TestTicketTypes(TicketCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.type_return, cls.type_complaint = cls.env["ticket.type"].create(
            [{"name": "Test Return"}, {"name": "Test Complaint"}]
        )
        cls.stage_return_received = cls.env["ticket.stage"].create(
            {
                "name": "Return received",
                "sequence": 2,
                "type_ids": [Command.set(cls.type_return.ids)],
            }
        )
        cls.stage_supplier = cls.env["ticket.stage"].create(
            {
                "name": "Asked supplier",
                "sequence": 3,
                "type_ids": [Command.set(cls.type_complaint.ids)],
            }
        )

    def _first_stage_for(self, ttype):
        return self.env["ticket.stage"].search(
            ["|", ("type_ids", "=", False), ("type_ids", "in", ttype.ids)], limit=1
        )

    def test_allowed_stages(self):
        ticket = self.ticket_support
        ticket.type_id = self.type_return
        self.assertIn(self.stage_return_received, ticket.allowed_stage_ids)
        self.assertNotIn(self.stage_supplier, ticket.allowed_stage_ids)
        # statuses without types are offered to every type
        self.assertIn(self.stage_new, ticket.allowed_stage_ids)
        self.assertIn(self.stage_closed, ticket.allowed_stage_ids)

    @users("ticket_agent")
    def test_stage_not_allowed_for_type(self):
        ticket = self.env["ticket.ticket"].create(
            {
                "name": "Broken lamp",
                "queue_id": self.queue_support.id,
                "type_id": self.type_return.id,
            }
        )
        ticket.stage_id = self.stage_return_received
        with self.assertRaises(ValidationError):
            ticket.write({"stage_id": self.stage_supplier.id})
        with self.assertRaises(ValidationError):
            self.env["ticket.ticket"].create(
                {
                    "name": "Wrong status",
                    "queue_id": self.queue_support.id,
                    "type_id": self.type_return.id,
                    "stage_id": self.stage_supplier.id,
                }
            )

    @users("ticket_agent")
    def test_type_change_moves_stage(self):
        ticket = self.env["ticket.ticket"].create(
            {
                "name": "Broken lamp",
                "queue_id": self.queue_support.id,
                "type_id": self.type_return.id,
            }
        )
        ticket.stage_id = self.stage_return_received
        ticket.type_id = self.type_complaint
        self.assertNotEqual(ticket.stage_id, self.stage_return_received)
        self.assertEqual(ticket.stage_id, self._first_stage_for(self.type_complaint))
        # a status valid for the new type is kept
        ticket.stage_id = self.stage_in_progress
        ticket.type_id = self.type_return
        self.assertEqual(ticket.stage_id, self.stage_in_progress)

    @users("ticket_agent")
    def test_type_on_create_gets_allowed_stage(self):
        ticket = self.env["ticket.ticket"].create(
            {
                "name": "Complaint",
                "queue_id": self.queue_support.id,
                "type_id": self.type_complaint.id,
            }
        )
        self.assertEqual(ticket.stage_id, self._first_stage_for(self.type_complaint))


@tagged("post_install", "-at_install", "ticket_system")
class TestTicketHierarchy(TicketCommon):
    def test_parent_cycle(self):
        parent = self.ticket_support
        child = self.env["ticket.ticket"].create(
            {"name": "Child", "queue_id": self.queue_support.id, "parent_id": parent.id}
        )
        grandchild = self.env["ticket.ticket"].create(
            {
                "name": "Grandchild",
                "queue_id": self.queue_support.id,
                "parent_id": child.id,
            }
        )
        with self.assertRaises(ValidationError):
            parent.parent_id = parent
        with self.assertRaises(ValidationError):
            parent.parent_id = child
        with self.assertRaises(ValidationError):
            parent.parent_id = grandchild

    def test_child_progress(self):
        parent = self.ticket_support
        self.assertEqual(parent.child_count, 0)
        self.assertEqual(parent.child_progress, 0.0)
        children = self.env["ticket.ticket"].create(
            [
                {
                    "name": f"Sub {i}",
                    "queue_id": self.queue_support.id,
                    "parent_id": parent.id,
                }
                for i in range(4)
            ]
        )
        self.assertEqual(parent.child_ids, children)
        self.assertEqual(parent.child_count, 4)
        self.assertEqual(parent.child_closed_count, 0)
        children[0].stage_id = self.stage_solved
        children[1].stage_id = self.stage_closed
        self.assertEqual(parent.child_count, 4)
        self.assertEqual(parent.child_closed_count, 2)
        self.assertAlmostEqual(parent.child_progress, 50.0)
        children[0].stage_id = self.stage_in_progress
        self.assertEqual(parent.child_closed_count, 1)
        self.assertAlmostEqual(parent.child_progress, 25.0)


@tagged("post_install", "-at_install", "ticket_system")
class TestTicketFields(TicketCommon):
    @users("ticket_agent")
    def test_creator_becomes_owner(self):
        ticket = self.env["ticket.ticket"].create(
            {"name": "Owner", "queue_id": self.queue_support.id}
        )
        self.assertEqual(len(ticket.owner_ids), 1)
        self.assertEqual(ticket.owner_ids.user_id, self.user_agent)
        self.assertEqual(
            ticket.owner_ids.role_id, self.env.ref("ticket_system.ticket_role_creator")
        )
        self.assertEqual(ticket.last_action_by, "agent")
        self.assertEqual(ticket.channel, "manual")

    def test_superuser_create_no_owner(self):
        # tickets created by the system (mail gateway, cron) have no creator
        self.assertFalse(self.ticket_support.owner_ids)

    def test_explicit_owners_kept(self):
        role = self.env.ref("ticket_system.ticket_role_responsible")
        ticket = (
            self.env["ticket.ticket"]
            .with_user(self.user_agent)
            .create(
                {
                    "name": "Owners given",
                    "queue_id": self.queue_support.id,
                    "owner_ids": [
                        Command.create(
                            {"user_id": self.user_agent_2.id, "role_id": role.id}
                        )
                    ],
                }
            )
        )
        self.assertEqual(ticket.owner_ids.user_id, self.user_agent_2)
        self.assertEqual(ticket.owner_ids.role_id, role)

    def test_partner_ticket_count(self):
        Ticket = self.env["ticket.ticket"]
        Ticket.create(
            [
                {
                    "name": "Company",
                    "queue_id": self.queue_support.id,
                    "partner_id": self.customer.id,
                },
                {
                    "name": "Portal contact",
                    "queue_id": self.queue_billing.id,
                    "partner_id": self.customer_portal_contact.id,
                },
            ]
        )
        # company: its own ticket plus those of its contacts (one in setup)
        self.assertEqual(self.customer.ticket_count, 3)
        self.assertEqual(self.customer_contact.ticket_count, 1)
        self.assertEqual(self.customer_portal_contact.ticket_count, 1)
        self.assertEqual(self.customer_2.ticket_count, 1)
        fresh = self.env["res.partner"].create({"name": "No tickets"})
        self.assertEqual(fresh.ticket_count, 0)
        # the same count is shown on the ticket
        self.assertEqual(self.ticket_support.partner_ticket_count, 3)
        # smart button domain returns the same tickets
        action = self.customer.action_view_tickets()
        self.assertEqual(Ticket.search_count(action["domain"]), 3)

    def test_invoice_link_both_sides(self):
        Ticket, Move = self.env["ticket.ticket"], self.env["account.move"]
        self.assertEqual(
            Ticket._fields["invoice_ids"].relation, Move._fields["ticket_ids"].relation
        )
        invoice = self._create_invoice(self.customer)
        invoice_2 = self._create_invoice(self.customer)
        self.assertEqual(invoice.ticket_count, 0)
        # link from the ticket, read on the invoice
        self.ticket_support.invoice_ids = [Command.link(invoice.id)]
        self.assertEqual(invoice.ticket_ids, self.ticket_support)
        self.assertEqual(invoice.ticket_count, 1)
        self.assertEqual(self.ticket_support.invoice_count, 1)
        # link from the invoice, read on the ticket
        invoice_2.ticket_ids = [Command.link(self.ticket_support.id)]
        invoice.ticket_ids = [Command.link(self.ticket_billing.id)]
        self.assertEqual(self.ticket_support.invoice_ids, invoice | invoice_2)
        self.assertEqual(self.ticket_support.invoice_count, 2)
        self.assertEqual(self.ticket_billing.invoice_ids, invoice)
        self.assertEqual(invoice.ticket_count, 2)
        # the smart button of the invoice lists exactly its tickets
        action = invoice.action_view_tickets()
        self.assertEqual(
            Ticket.search(action["domain"]), self.ticket_support | self.ticket_billing
        )

    def test_delivery_block(self):
        self.assertFalse(self.ticket_support.partner_delivery_block)
        # set on the company, shown on the ticket of its contact
        self.customer.delivery_block = True
        self.assertTrue(self.ticket_support.partner_delivery_block)
        self.assertFalse(self.ticket_billing.partner_delivery_block)
        self.customer.delivery_block = False
        self.assertFalse(self.ticket_support.partner_delivery_block)
        # set on the partner of the ticket directly
        self.customer_2.delivery_block = True
        self.assertTrue(self.ticket_billing.partner_delivery_block)

    def test_partner_ref_search(self):
        Ticket = self.env["ticket.ticket"]
        company_ticket = Ticket.create(
            {
                "name": "Company",
                "queue_id": self.queue_support.id,
                "partner_id": self.customer.id,
            }
        )
        ticket_1 = self.ticket_support | company_ticket  # contact and company
        ticket_2, ticket_3 = self.ticket_billing, self.ticket_b
        self.assertEqual(self.ticket_support.partner_ref, "TSTC-90001")
        mine = ticket_1 | ticket_2 | ticket_3
        # the ticket of company B is only visible in company B
        Ticket = Ticket.with_context(
            allowed_company_ids=(self.company_a | self.company_b).ids
        )
        cases = [
            ("=", "TSTC-90001", ticket_1),
            ("ilike", "TSTC-90001", ticket_1),
            ("=", "TSTC-90001, TSTC-90002", ticket_1 | ticket_2),
            ("ilike", "TSTC-90001;TSTC-90003", ticket_1 | ticket_3),
            (
                "=",
                " TSTC-90002 ; TSTC-90003 , TSTC-90001 ",
                ticket_1 | ticket_2 | ticket_3,
            ),
            ("ilike", "TSTC-9000", mine),
        ]
        for operator, value, expected in cases:
            with self.subTest(operator=operator, value=value):
                found = Ticket.search([("partner_ref", operator, value)])
                self.assertEqual(found & mine, expected)

    def test_date_closed(self):
        ticket = self.ticket_support
        self.assertFalse(ticket.date_closed)
        self.assertFalse(ticket.is_closed)
        ticket.stage_id = self.stage_solved
        self.assertTrue(ticket.is_closed)
        self.assertTrue(ticket.date_closed)
        ticket.stage_id = self.stage_in_progress
        self.assertFalse(ticket.date_closed)
        self.assertFalse(ticket.is_closed)
        closed_ticket = self.env["ticket.ticket"].create(
            {
                "name": "Closed at once",
                "queue_id": self.queue_support.id,
                "stage_id": self.stage_closed.id,
            }
        )
        self.assertTrue(closed_ticket.date_closed)
        # a closing status of one type: changing the type reopens the ticket
        refund, inquiry = self.env["ticket.type"].create(
            [{"name": "Refund"}, {"name": "Inquiry"}]
        )
        refunded = self.env["ticket.stage"].create(
            {"name": "Refunded", "is_closed": True, "type_ids": [(6, 0, refund.ids)]}
        )
        ticket.write({"type_id": refund.id, "stage_id": refunded.id})
        self.assertTrue(ticket.date_closed)
        ticket.type_id = inquiry
        self.assertNotEqual(ticket.stage_id, refunded)
        self.assertFalse(ticket.is_closed)
        self.assertFalse(ticket.date_closed)

    def test_tracking(self):
        ticket = self.ticket_support.with_user(self.user_manager)
        self.flush_tracking()
        ticket.write(
            {
                "stage_id": self.stage_in_progress.id,
                "user_id": self.user_agent.id,
                "priority": "2",
            }
        )
        self.flush_tracking()
        tracked = self.env["mail.tracking.value"].search(
            [("mail_message_id", "in", ticket.message_ids.ids)]
        )
        by_field = {value.field_id.name: value for value in tracked}
        for fname in ("stage_id", "user_id", "priority"):
            self.assertIn(fname, by_field)
        self.assertEqual(by_field["stage_id"].old_value_char, self.stage_new.name)
        self.assertEqual(
            by_field["stage_id"].new_value_char, self.stage_in_progress.name
        )
        self.assertEqual(by_field["user_id"].new_value_integer, self.user_agent.id)
        self.assertEqual(by_field["priority"].new_value_char, "High")
        message = by_field["stage_id"].mail_message_id
        self.assertEqual(message.author_id, self.user_manager.partner_id)

    def test_fetchmail_server_queue(self):
        ticket_model = self.env["ir.model"]._get("ticket.ticket")
        server = self.env["fetchmail.server"].create(
            {
                "name": "Support mailbox",
                "server": "imap.example.com",
                "server_type": "imap",
                "queue_id": self.queue_support.id,
            }
        )
        self.assertEqual(server.object_id, ticket_model)
        self.assertEqual(self.queue_support.fetchmail_server_ids, server)
        other = self.env["fetchmail.server"].create(
            {
                "name": "Partner mailbox",
                "server": "pop.example.com",
                "server_type": "pop",
                "object_id": self.env["ir.model"]._get("res.partner").id,
            }
        )
        self.assertEqual(other.object_id.model, "res.partner")
        other.queue_id = self.queue_billing
        self.assertEqual(other.object_id, ticket_model)
        # form onchange does the same
        with Form(self.env["fetchmail.server"]) as form:
            form.name = "Form mailbox"
            form.server = "imap.example.com"
            form.user = "support@example.com"
            form.password = "secret"
            form.queue_id = self.queue_billing
            self.assertEqual(form.object_id, ticket_model)
