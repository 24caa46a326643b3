from odoo import Command

from odoo.addons.mail.tests.common import MailCommon, mail_new_test_user


class TicketCommon(MailCommon):
    """Companies, users, queues, customers and tickets shared by the tests.

    The database holds demo data: tests never assume empty tables and only
    assert on the records created here (or in the test itself).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # MailCommon already set up the multi-company environment: company_admin
        # (main company, renamed) and company_2 / company_3, with admin in all.
        cls.company_a = cls.company_admin
        cls.company_b = cls.company_2

        # ---- USERS ----
        cls.user_agent = mail_new_test_user(
            cls.env,
            login="ticket_agent",
            name="Anna Agent",
            email="anna.agent@test.example.com",
            groups="ticket_system.group_ticket_user",
            company_id=cls.company_a.id,
            notification_type="inbox",
        )
        cls.user_agent_2 = mail_new_test_user(
            cls.env,
            login="ticket_agent_2",
            name="Bert Agent",
            email="bert.agent@test.example.com",
            groups="ticket_system.group_ticket_user",
            company_id=cls.company_a.id,
            notification_type="inbox",
        )
        cls.user_manager = mail_new_test_user(
            cls.env,
            login="ticket_manager",
            name="Mara Manager",
            email="mara.manager@test.example.com",
            groups="ticket_system.group_ticket_manager",
            company_id=cls.company_a.id,
            notification_type="inbox",
        )
        cls.user_agent_b = mail_new_test_user(
            cls.env,
            login="ticket_agent_b",
            name="Bruno Agent B",
            email="bruno.agent@company-b.example.com",
            groups="ticket_system.group_ticket_user",
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
            notification_type="inbox",
        )

        # ---- CUSTOMERS ----
        Partner = cls.env["res.partner"].with_context(**cls._test_context)
        cls.customer = Partner.create(
            {
                "name": "Kunde Versand GmbH",
                "is_company": True,
                "ref": "TSTC-90001",
                "email": "info@kunde-versand.example.com",
            }
        )
        cls.customer_contact = Partner.create(
            {
                "name": "Karl Kunde",
                "parent_id": cls.customer.id,
                "email": "karl.kunde@kunde-versand.example.com",
            }
        )
        cls.customer_portal_contact = Partner.create(
            {
                "name": "Petra Portal",
                "parent_id": cls.customer.id,
                "email": "petra.portal@kunde-versand.example.com",
            }
        )
        cls.customer_2 = Partner.create(
            {
                "name": "Andere Handel AG",
                "is_company": True,
                "ref": "TSTC-90002",
                "email": "info@andere-handel.example.com",
            }
        )
        cls.customer_3 = Partner.create(
            {
                "name": "Dritte Shop KG",
                "is_company": True,
                "ref": "TSTC-90003",
                "email": "info@dritte-shop.example.com",
            }
        )
        cls.user_portal_customer = mail_new_test_user(
            cls.env,
            login="ticket_portal",
            name="Petra Portal",
            email=cls.customer_portal_contact.email,
            groups="base.group_portal",
            company_id=cls.company_a.id,
            partner_id=cls.customer_portal_contact.id,
            notification_type="email",
        )

        # ---- QUEUES ----
        Queue = cls.env["ticket.queue"].with_context(**cls._test_context)
        cls.queue_support, cls.queue_billing = Queue.create(
            [
                {
                    "name": "Test Support",
                    "company_id": cls.company_a.id,
                    "member_ids": [Command.set(cls.user_agent.ids)],
                },
                {
                    "name": "Test Billing",
                    "company_id": cls.company_a.id,
                    "member_ids": [Command.set(cls.user_agent_2.ids)],
                },
            ]
        )
        cls.queue_b = Queue.create(
            {
                "name": "Test Support B",
                "company_id": cls.company_b.id,
                "member_ids": [Command.set(cls.user_agent_b.ids)],
            }
        )
        # drop the creation context (mail_notrack, ...) from the stored records
        for name in (
            "customer",
            "customer_contact",
            "customer_portal_contact",
            "customer_2",
            "customer_3",
            "queue_support",
            "queue_billing",
            "queue_b",
        ):
            setattr(cls, name, getattr(cls, name).with_env(cls.env))

        # ---- STAGES ----
        cls.stage_new = cls.env.ref("ticket_system.ticket_stage_new")
        cls.stage_in_progress = cls.env.ref("ticket_system.ticket_stage_in_progress")
        cls.stage_solved = cls.env.ref("ticket_system.ticket_stage_solved")
        cls.stage_closed = cls.env.ref("ticket_system.ticket_stage_closed")

        # ---- TICKETS ----
        # no mail context shortcuts here: the tests check tracking on these
        Ticket = cls.env["ticket.ticket"]
        cls.ticket_support, cls.ticket_billing = Ticket.create(
            [
                {
                    "name": "Parcel did not arrive",
                    "queue_id": cls.queue_support.id,
                    "partner_id": cls.customer_contact.id,
                },
                {
                    "name": "Wrong amount on invoice",
                    "queue_id": cls.queue_billing.id,
                    "partner_id": cls.customer_2.id,
                },
            ]
        )
        cls.ticket_b = Ticket.create(
            {
                "name": "Lieferung beschädigt",
                "queue_id": cls.queue_b.id,
                "partner_id": cls.customer_3.id,
            }
        )

    @classmethod
    def _create_invoice(cls, partner, company=None):
        """A draft customer invoice (no lines needed to link it to a ticket)."""
        company = company or cls.company_a
        return (
            cls.env["account.move"]
            .with_company(company)
            .create({"move_type": "out_invoice", "partner_id": partner.id})
        )
