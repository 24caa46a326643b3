from odoo.addons.mail.tests.common import MailCommon, mail_new_test_user

MAIL_TEMPLATE = """Return-Path: {return_path}
To: {to}
cc: {cc}
Received: by mail1.example.com (Postfix, from userid 10002)
    id 5DF9ABFB2A; Fri, 10 Aug 2012 16:16:39 +0200 (CEST)
From: {email_from}
Subject: {subject}
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: 8bit
Date: Fri, 10 Aug 2012 14:16:26 +0000
Message-ID: {msg_id}
{extra}

Guten Tag, meine Bestellung ist noch nicht angekommen.
"""


class TicketMailCommon(MailCommon):
    """Queue, agent and customer for feeding raw mail through the gateway."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent = mail_new_test_user(
            cls.env,
            login="gw_agent",
            email="gw.agent@example.com",
            groups="ticket_system.group_ticket_user",
            name="Gina Agent",
        )
        cls.queue = cls.env["ticket.queue"].create(
            {
                "name": "Service",
                "alias_name": "service-gw",
                "member_ids": [(4, cls.agent.id)],
            }
        )
        cls.queue_address = f"service-gw@{cls.alias_domain}"
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Kunde Gateway",
                "email": "Kunde.Gateway@Example.COM",
                "ref": "K-77",
            }
        )
        cls.stage_in_progress = cls.env.ref("ticket_system.ticket_stage_in_progress")
        cls.stage_solved = cls.env.ref("ticket_system.ticket_stage_solved")

    @classmethod
    def _create_mailbox(cls, user, queue=None):
        """A POP/IMAP account of the shop (these tests never connect to it);
        with a queue, its mail becomes tickets of that queue."""
        return cls.env["fetchmail.server"].create(
            {
                "name": user,
                "server_type": "imap",
                "server": "imap.shop.invalid",
                "user": user,
                "password": "secret",
                "queue_id": queue.id if queue else False,
            }
        )

    @classmethod
    def _create_manager(cls, login, name):
        return mail_new_test_user(
            cls.env,
            login=login,
            name=name,
            email=f"{login}@example.com",
            groups="ticket_system.group_ticket_manager",
        )

    def _receive(self, email_from, subject, **kwargs):
        return self.format_and_process(
            MAIL_TEMPLATE,
            email_from,
            kwargs.pop("to", self.queue_address),
            subject=subject,
            target_model="ticket.ticket",
            **kwargs,
        )
