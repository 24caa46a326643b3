from lxml import etree

from odoo import Command
from odoo.tests import Form, tagged, users

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import TicketCommon


@tagged("post_install", "-at_install", "ticket_system")
class TestTicketForm(TicketCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.type_return = cls.env["ticket.type"].create({"name": "Form Return"})
        cls.type_other = cls.env["ticket.type"].create({"name": "Form Other"})
        cls.stage_return_only = cls.env["ticket.stage"].create(
            {
                "name": "Return label sent",
                "sequence": 2,
                "type_ids": [Command.set(cls.type_return.ids)],
            }
        )
        # an agent who also works on invoices (the "Create Ticket" button)
        cls.user_agent_billing = mail_new_test_user(
            cls.env,
            login="ticket_agent_billing",
            name="Bianca Billing",
            email="bianca@test.example.com",
            groups="ticket_system.group_ticket_user,account.group_account_invoice",
            company_id=cls.company_a.id,
        )
        cls.queue_billing.member_ids = [Command.link(cls.user_agent_billing.id)]

    @users("ticket_agent")
    def test_defaults(self):
        form = Form(self.env["ticket.ticket"])
        self.assertEqual(form.queue_id, self.queue_support, "the agent's queue")
        self.assertEqual(form.stage_id, self.stage_new)
        self.assertEqual(form.company_id, self.company_a)
        self.assertEqual(form.priority, "0")
        self.assertEqual(form.channel, "manual")
        self.assertFalse(form.user_id)
        self.assertEqual(form.number, "/")
        with self.assertRaises(AssertionError):
            form.number = "T12345"
        form.name = "Customer called about delivery"
        ticket = form.save()
        self.assertRegex(ticket.number, r"^T\d{5}$")
        self.assertEqual(
            ticket.display_name, f"[{ticket.number}] Customer called about delivery"
        )
        self.assertEqual(ticket.queue_id, self.queue_support)
        self.assertEqual(ticket.owner_ids.user_id, self.env.user)

    @users("ticket_agent")
    def test_onchange_partner(self):
        form = Form(self.env["ticket.ticket"])
        form.name = "Where is my parcel?"
        form.partner_id = self.customer_contact
        self.assertEqual(form.partner_email, "karl.kunde@kunde-versand.example.com")
        self.assertEqual(form.partner_name, "Karl Kunde")
        self.assertEqual(form.partner_ref, "TSTC-90001")
        self.assertFalse(form.partner_delivery_block)
        # the sender's address can still be edited (reply to another address)
        form.partner_email = "karl.privat@example.com"
        ticket = form.save()
        self.assertEqual(ticket.partner_email, "karl.privat@example.com")
        self.assertEqual(ticket.partner_id, self.customer_contact)

    def test_onchange_partner_delivery_block(self):
        self.customer.delivery_block = True
        form = Form(self.env["ticket.ticket"].with_user(self.user_agent))
        form.partner_id = self.customer_contact
        self.assertTrue(form.partner_delivery_block)

    @users("ticket_agent")
    def test_allowed_stages(self):
        form = Form(self.env["ticket.ticket"])
        form.name = "Return"
        self.assertIn(self.stage_return_only, form.allowed_stage_ids)  # no type: all
        form.type_id = self.type_other
        self.assertNotIn(self.stage_return_only, form.allowed_stage_ids)
        self.assertIn(self.stage_new, form.allowed_stage_ids)
        form.type_id = self.type_return
        self.assertIn(self.stage_return_only, form.allowed_stage_ids)
        form.stage_id = self.stage_return_only
        # switching to a type without that status moves the ticket on
        form.type_id = self.type_other
        self.assertNotEqual(form.stage_id, self.stage_return_only)
        self.assertIn(form.stage_id, form.allowed_stage_ids)
        ticket = form.save()
        self.assertEqual(ticket.type_id, self.type_other)
        self.assertNotEqual(ticket.stage_id, self.stage_return_only)

    @users("ticket_agent")
    def test_edit_existing(self):
        ticket = self.ticket_support.with_env(self.env)
        with Form(ticket) as form:
            form.priority = "2"
            form.user_id = self.env.user
            form.stage_id = self.stage_in_progress
            with form.time_entry_ids.new() as entry:
                entry.hours = 0.5
            form.billable = True
        self.assertEqual(ticket.priority, "2")
        self.assertEqual(ticket.time_spent, 0.5)
        self.assertEqual(ticket.time_entry_ids.user_id, self.user_agent)
        self.assertEqual(ticket.user_id, self.user_agent)
        self.assertEqual(ticket.stage_id, self.stage_in_progress)
        self.assertTrue(ticket.billable)
        with Form(ticket) as form:
            form.stage_id = self.stage_solved
        self.assertTrue(ticket.date_closed)

    @users("ticket_agent_billing")
    def test_create_ticket_from_invoice(self):
        invoice = self._create_invoice(self.customer_contact).with_env(self.env)
        action = invoice.action_create_ticket()
        self.assertEqual(action["res_model"], "ticket.ticket")
        form = Form(self.env["ticket.ticket"].with_context(**action["context"]))
        self.assertEqual(form.partner_id, self.customer_contact)
        self.assertEqual(form.partner_email, self.customer_contact.email)
        self.assertEqual(form.company_id, invoice.company_id)
        self.assertEqual(len(form.invoice_ids), 1)
        self.assertIn(invoice, form.invoice_ids)
        self.assertTrue(form.name)
        ticket = form.save()
        self.assertEqual(ticket.invoice_ids, invoice)
        self.assertEqual(invoice.ticket_ids, ticket)
        self.assertEqual(invoice.ticket_count, 1)
        self.assertEqual(ticket.queue_id, self.queue_billing, "the agent's queue")
        # the invoice's smart button then lists the new ticket
        self.assertEqual(
            self.env["ticket.ticket"].search(invoice.action_view_tickets()["domain"]),
            ticket,
        )

    def _web_client_spec(self, view_node, model, models):
        """The web_read specification the web client sends for a view: every
        field of the view, relational ones with their display name (or the
        fields of their embedded list)."""
        fields_info = models[model]["fields"]
        spec = {}
        for node in view_node.iter("field"):
            owner = node.getparent()
            while owner is not None and owner.tag not in ("form", "list", "kanban"):
                owner = owner.getparent()
            if owner is not view_node or node.get("name") not in fields_info:
                continue
            info = fields_info[node.get("name")]
            if info["type"] in ("many2one", "one2many", "many2many"):
                sub = next((c for c in node if c.tag in ("list", "kanban")), None)
                if sub is not None:
                    sub_spec = self._web_client_spec(sub, info["relation"], models)
                else:
                    sub_spec = {"display_name": {}}
                spec[node.get("name")] = {"fields": sub_spec}
            else:
                spec[node.get("name")] = {}
        return spec

    def _open_form_like_web_client(self, record):
        views = record.get_views([(False, "form")])
        arch = etree.fromstring(views["views"]["form"]["arch"])
        spec = self._web_client_spec(arch, record._name, views["models"])
        return spec, record.web_read(spec)[0]

    def test_agent_opens_ticket_with_invoice(self):
        """An agent without accounting rights can open a ticket linked to an
        invoice (the form must not ask for the invoice's name)."""
        invoice = self._create_invoice(self.customer_contact)
        self.ticket_support.invoice_ids = invoice
        # another customer's ticket: linked on purpose
        self.ticket_billing.with_context(
            ticket_link_foreign_confirmed=True
        ).invoice_ids = invoice
        self.assertFalse(self.user_agent.has_group("account.group_account_invoice"))
        spec, values = self._open_form_like_web_client(
            self.ticket_support.with_user(self.user_agent)
        )
        self.assertEqual(values["name"], "Parcel did not arrive")
        self.assertNotIn("invoice_ids", spec)
        # ... but sees what the linked invoice is, read-only
        self.assertIn(invoice.display_name, values["linked_document_info"])
        self.assertIn("Not Paid", values["linked_document_info"])
        # an agent with invoicing rights sees the linked invoice with its amounts
        spec, values = self._open_form_like_web_client(
            self.ticket_billing.with_user(self.user_agent_billing)
        )
        self.assertEqual([row["id"] for row in values["invoice_ids"]], [invoice.id])
        self.assertEqual(
            values["invoice_ids"][0]["amount_total_signed"], invoice.amount_total_signed
        )
        self.assertEqual(values["invoice_count"], 1)
        self.assertFalse(values["linked_document_info"], "the list shows it")

    def test_ticket_manager_opens_queue_form(self):
        """A ticket manager who is no administrator configures queues (the
        mailboxes tab, with credentials, is the administrator's)."""
        self.assertFalse(self.user_manager.has_group("base.group_system"))
        with Form(self.queue_support.with_user(self.user_manager)) as form:
            form.autoresponder = False
            form.absence_notice = True
        self.assertTrue(self.queue_support.absence_notice)
