from odoo.tests import Form, tagged, users

from odoo.addons.mail.tests.common import mail_new_test_user
from odoo.addons.mail.tools.discuss import Store

from .common_mail import TicketMailCommon

CUSTOMER = "Kunde Gateway <kunde.gateway@example.com>"


@tagged("post_install", "-at_install", "mail_gateway")
class TestConversationRoles(TicketMailCommon):
    """M-Ticket "Kommunikation": the conversation tells the customer's mails,
    the agents' answers and internal comments apart, for every viewer alike:
    the role of each message comes from the server with the message."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.colleague = mail_new_test_user(
            cls.env,
            login="gw_colleague",
            email="gw.colleague@example.com",
            groups="ticket_system.group_ticket_user",
            name="Carl Colleague",
        )
        cls.queue.member_ids = [(4, cls.colleague.id)]

    def _mail(self, subject, email_from=CUSTOMER, **kwargs):
        with self.mock_mail_gateway():
            return self._receive(email_from, subject, **kwargs)

    def _answer(self, ticket, user, body):
        with self.mock_mail_gateway():
            return ticket.with_user(user).message_post(
                body=body, message_type="comment", subtype_xmlid="mail.mt_comment"
            )

    def _note(self, ticket, user, body):
        with self.mock_mail_gateway():
            return ticket.with_user(user).message_post(
                body=body, message_type="comment", subtype_xmlid="mail.mt_note"
            )

    def _store_roles(self, messages, user):
        """{message id: ticket_role} as the web client receives the messages
        of a thread (controller /mail/thread/messages)."""
        messages = messages.with_user(user)
        messages.invalidate_recordset()
        result = Store(messages, for_current_user=True).get_result()
        return {data["id"]: data.get("ticket_role") for data in result["mail.message"]}

    def _conversation(self):
        """A customer mail, the agent's answer, an internal comment, the
        customer's reply by mail and a status change."""
        ticket = self._mail("Wo bleibt meine Bestellung?")
        first = ticket.message_ids.filtered(lambda m: m.message_type == "email")
        answer = self._answer(ticket, self.agent, "<p>Sie ist unterwegs.</p>")
        note = self._note(ticket, self.colleague, "<p>Beim Versand nachfragen.</p>")
        self._mail(f"AW: [{ticket.number}] Wo bleibt meine Bestellung?")
        reply = ticket.message_ids.filtered(
            lambda m: m.message_type == "email" and m != first
        )
        ticket.with_user(self.agent).stage_id = self.stage_in_progress
        self.flush_tracking()
        tracking = ticket.message_ids.filtered("tracking_value_ids")
        return ticket, first, answer, note, reply, tracking

    def test_role_of_each_message(self):
        ticket, first, answer, note, reply, tracking = self._conversation()
        self.assertEqual(len(first), 1)
        self.assertEqual(len(reply), 1)
        self.assertEqual(len(tracking), 1)
        roles = self._store_roles(ticket.message_ids, self.agent)
        self.assertEqual(roles[first.id], "customer")
        self.assertEqual(roles[answer.id], "agent")
        self.assertEqual(roles[note.id], "internal")
        self.assertEqual(roles[reply.id], "customer")
        self.assertEqual(roles[tracking.id], "system")

    def test_same_roles_for_every_viewer(self):
        """Odoo colours messages by viewer ("my own messages"); the ticket
        roles are the same whoever looks: the author of an answer, a
        colleague, an administrator."""
        ticket, first, answer, note, *_ = self._conversation()
        messages = first | answer | note
        expected = {first.id: "customer", answer.id: "agent", note.id: "internal"}
        for user in (self.agent, self.colleague, self.env.ref("base.user_admin")):
            self.assertEqual(self._store_roles(messages, user), expected, user.login)

    def test_agent_answering_by_mail(self):
        """An agent who answers from their mail program is an agent, a
        customer writing from a portal account is a customer."""
        ticket = self._mail("Rücksendung")
        self._mail(
            "AW: Rücksendung",
            email_from=self.colleague.email_formatted,
            extra=f"In-Reply-To: {ticket.message_ids[-1].message_id}",
        )
        by_mail = ticket.message_ids.filtered(
            lambda m: m.author_id == self.colleague.partner_id
        )
        self.assertEqual(len(by_mail), 1)
        portal = mail_new_test_user(
            self.env,
            login="gw_portal",
            email="gw.portal@example.com",
            groups="base.group_portal",
            name="Paula Portal",
        )
        with self.mock_mail_gateway():
            # as the portal's chatter posts it (portal.mixin, sudo)
            from_portal = ticket.message_post(
                author_id=portal.partner_id.id,
                body="Noch eine Frage.",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        roles = self._store_roles(by_mail | from_portal, self.agent)
        self.assertEqual(roles, {by_mail.id: "agent", from_portal.id: "customer"})

    def test_autoresponder_is_automatic(self):
        template = self.env.ref("ticket_system.mail_template_ticket_autoresponder")
        self.queue.write(
            {"autoresponder": True, "autoresponder_template_id": template.id}
        )
        ticket = self._mail("Bestätigung bitte")
        confirmation = ticket.message_ids.filtered(
            lambda m: m.message_type == "auto_comment"
        )
        self.assertEqual(len(confirmation), 1)
        roles = self._store_roles(confirmation, self.agent)
        self.assertEqual(roles, {confirmation.id: "system"})

    def test_only_ticket_messages_have_a_role(self):
        with self.mock_mail_gateway():
            message = self.customer.message_post(
                body="Kein Ticket", message_type="comment"
            )
        self.assertEqual(self._store_roles(message, self.agent), {message.id: None})

    @users("gw_agent")
    def test_roles_queries_do_not_grow(self):
        """The roles cost the same queries for 5 messages as for 17."""
        ticket = self._mail("Viele Nachrichten").with_user(self.env.user)
        for i in range(3):
            self._answer(ticket, self.agent, f"<p>Antwort {i}</p>")
        few = ticket.message_ids.filtered(lambda m: m.message_type != "notification")
        for i in range(6):
            self._answer(ticket, self.agent, f"<p>Antwort {i}</p>")
            self._note(ticket, self.colleague, f"<p>Notiz {i}</p>")
        many = ticket.message_ids.filtered(lambda m: m.message_type != "notification")
        self.assertEqual(len(many), len(few) + 12)
        counts = []
        for messages in (few, many, few):
            messages.invalidate_recordset()
            self.env["res.partner"].invalidate_model()
            self.env["res.users"].invalidate_model()
            self.env["mail.message.subtype"].invalidate_model()
            start = self.cr.sql_log_count
            roles = messages._ticket_roles()
            counts.append(self.cr.sql_log_count - start)
            self.assertEqual(len(roles), len(messages))
        # the first call warms the caches (xml ids): compare the later ones
        self.assertEqual(counts[1], counts[2])
        self.assertLessEqual(counts[1], 4)


@tagged("post_install", "-at_install", "mail_gateway")
class TestConversationSummary(TicketMailCommon):
    """The first customer mail is read once: in the conversation, not again
    as the ticket's summary above it."""

    def test_mail_ticket_summary_is_the_first_message(self):
        with self.mock_mail_gateway():
            ticket = self._receive(CUSTOMER, "Paket fehlt")
        self.assertIn("Bestellung", ticket.description)
        self.assertTrue(ticket.with_user(self.agent).description_in_conversation)

    def test_summary_changed_by_an_agent_is_shown(self):
        with self.mock_mail_gateway():
            ticket = self._receive(CUSTOMER, "Paket fehlt")
        ticket.description = "<p>Kunde wartet auf Paket, DHL anfragen.</p>"
        self.assertFalse(ticket.description_in_conversation)

    def test_ticket_typed_in_keeps_its_summary(self):
        with Form(self.env["ticket.ticket"].with_user(self.agent)) as form:
            form.name = "Anruf: Rückruf erbeten"
            form.partner_id = self.customer
            form.description = "<p>Kunde bittet um Rückruf wegen Rechnung.</p>"
            self.assertFalse(form.description_in_conversation)
        ticket = form.record
        self.assertFalse(ticket.description_in_conversation)
        # "Save & Mail to Customer": the summary becomes the first message
        with self.mock_mail_gateway():
            ticket.with_user(self.agent).action_send_to_customer()
        ticket.invalidate_recordset()
        self.assertTrue(ticket.description_in_conversation)
