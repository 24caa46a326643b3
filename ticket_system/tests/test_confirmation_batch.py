"""Confirmations of a mailbox fetch, sent all at once after the fetch
(issue 14): one per new ticket, in the customer's language, none for replies
and automatic mail, the hourly caps decided per mail as before, and a
pending confirmation is never lost (the scheduled action sends it)."""

import uuid

from odoo.tests import tagged
from odoo.tools import mute_logger

from ..models.ticket_mail_volume import PARAM_SENDER, PARAM_TOTAL
from .common_mail import MAIL_TEMPLATE, TicketMailCommon


@tagged("post_install", "-at_install", "mail_gateway")
class TestConfirmationBatch(TicketMailCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("de_DE")
        cls.env.ref("base.module_ticket_system")._update_translations(["de_DE"])
        cls.queue.write({"autoresponder": True, "lang": "de_DE"})
        cls.customer.lang = "en_US"
        params = cls.env["ir.config_parameter"].sudo()
        params.set_param(PARAM_SENDER, 5)
        params.set_param(PARAM_TOTAL, 200)

    def _fetch(self, email_from, subject, extra="", msg_id=None):
        """A mail as the fetch of a mailbox hands it over (its context: the
        confirmation waits for the end of the fetch)."""
        msg_id = msg_id or f"<{uuid.uuid4().hex}@kunden.example>"
        raw = self.format(
            MAIL_TEMPLATE,
            to=self.queue_address,
            subject=subject,
            email_from=email_from,
            extra=extra,
            msg_id=msg_id,
        )
        res_id = (
            self.env["mail.thread"]
            .with_context(fetchmail_cron_running=True, ticket_confirm_later=True)
            .message_process("ticket.ticket", raw)
        )
        return self.env["ticket.ticket"].browse(res_id), msg_id

    def _confirmations(self):
        return self._new_mails.filtered(lambda m: "auto-replied" in (m.headers or ""))

    def _pending(self, tickets):
        return tickets.sudo().filtered("autoresponse_pending_message_id")

    def test_one_confirmation_per_new_ticket_after_the_fetch(self):
        """Three new tickets, a reply and an auto-reply in one fetch: during
        the fetch nothing is rendered; after it exactly three confirmations,
        each in its customer's language, answering the mail that opened
        the ticket; a second run sends nothing."""
        with self.mock_mail_gateway():
            known, known_id = self._fetch("kunde.gateway@example.com", "Order status")
            unknown, __ = self._fetch("neu.kunde@example.net", "Frage zur Lieferung")
            other, __ = self._fetch("zweite@example.org", "Rücksendung")
            reply, __ = self._fetch(
                "kunde.gateway@example.com",
                "Re: Order status",
                extra=f"In-Reply-To: {known_id}\nReferences: {known_id}",
            )
            robot, __ = self._fetch(
                "robot@example.org", "Abwesenheit", extra="Auto-Submitted: auto-replied"
            )
            self.assertEqual(reply, known, "the reply is threaded")
            # an auto-reply opens no ticket here (quarantine): never confirmed
            new = known | unknown | other
            self.assertFalse(self._confirmations(), "nothing rendered while fetching")
            self.assertEqual(self._pending(new | robot), new)
            self.assertTrue(all(new.mapped("autoresponse_date")), "counted at once")

            sent = self.env["ticket.ticket"]._cron_autoresponse_send_pending()
            self.assertEqual(sent, 3)
            mails = self._confirmations()
            self.assertEqual(len(mails), 3, "one per new ticket, none for the rest")
            self.assertFalse(self._pending(new | robot))
            self.assertEqual(
                self.env["ticket.ticket"]._cron_autoresponse_send_pending(), 0
            )
        self.assertEqual(len(self._confirmations()), 3, "nothing sent twice")
        by_ticket = {mail.mail_message_id.res_id: mail for mail in mails}
        self.assertEqual(set(by_ticket), set(new.ids))
        self.assertIn("thank you for your message", by_ticket[known.id].body_html)
        for ticket in unknown | other:
            self.assertIn(
                "vielen Dank für Ihre Nachricht", by_ticket[ticket.id].body_html
            )
            self.assertIn(ticket.partner_email, by_ticket[ticket.id].email_to)
        for ticket in new:
            mail = by_ticket[ticket.id]
            incoming = ticket.message_ids.filtered(lambda m: m.message_type == "email")
            self.assertEqual(mail.mail_message_id.parent_id, incoming[-1:])
            self.assertIn(f"[{ticket.number}]", mail.subject)
            self.assertIn(incoming[-1].message_id, mail.headers)
            self.assertEqual(mail.mail_message_id.message_type, "auto_comment")

    def test_pending_confirmation_survives_a_crash(self):
        """The mark is written with the ticket: a process that dies after the
        mail's commit, before the end of the fetch, leaves it; the scheduled
        action sends the confirmation."""
        with self.mock_mail_gateway():
            ticket, __ = self._fetch("neu.kunde@example.net", "Frage zur Lieferung")
            # the process dies: what is in memory is lost, the database stays
            self.env.flush_all()
            self.env.invalidate_all()
            self.assertFalse(self._confirmations())
            self.assertTrue(self._pending(ticket))
            self.env.ref(
                "ticket_system.ir_cron_ticket_confirmation_pending"
            ).method_direct_trigger()
            self.assertEqual(len(self._confirmations()), 1)
            self.assertFalse(self._pending(ticket))

    def test_caps_are_decided_per_mail(self):
        """The hourly cap of all confirmations holds exactly when they are sent
        later: two of three are confirmed, the third is noted as before."""
        self.env["ir.config_parameter"].sudo().set_param(PARAM_TOTAL, 2)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE ticket_ticket SET autoresponse_date = NULL"
            " WHERE autoresponse_date IS NOT NULL"
        )
        with (
            self.mock_mail_gateway(),
            mute_logger("odoo.addons.ticket_system.models.mail_thread"),
        ):
            tickets = self.env["ticket.ticket"]
            for n in range(3):
                tickets |= self._fetch(f"forged{n}@opfer.example", f"Massenmail {n}")[0]
            self.env["ticket.ticket"]._cron_autoresponse_send_pending()
        self.assertEqual(len(self._confirmations()), 2)
        self.assertEqual(
            tickets.mapped("autoresponse_suppressed"), [False, False, "volume"]
        )

    def test_mail_without_fetch_is_confirmed_at_once(self):
        """Mail piped from an MTA (no fetch around it) is confirmed in its
        own transaction, as before."""
        with self.mock_mail_gateway():
            ticket = self._receive("neu.kunde@example.net", "Frage zur Lieferung")
            self.assertEqual(len(self._confirmations()), 1)
        self.assertFalse(self._pending(ticket))
