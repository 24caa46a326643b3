"""Delivery reports (bounces) and automatic replies stay off the desk.

The samples follow the formats of the common mail servers (RFC 3464 DSN of
Postfix and Gmail, Exim, qmail, Sendmail, Exchange, Lotus Notes, X.400
gateways); addresses and hosts are made up. Each is fed as raw RFC 822 bytes
through message_process, piped (as from an MTA) and fetched (as
fetchmail.server does)."""

import base64
import re

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import SQL, mute_logger

from .common_mail import TicketMailCommon

MODES = ("piped", "fetched")


def postfix_dsn(to, message_id, returned_id, returned_subject, failed):
    return f"""Return-Path: <>
Received: by mx.shop.example (Postfix) id 4A1B2C3D4E; Mon,  6 May 2024 10:00:01 +0200 (CEST)
Date: Mon,  6 May 2024 10:00:01 +0200 (CEST)
From: MAILER-DAEMON@mx.shop.example (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: {to}
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
	boundary="4A1B2C3D4E.1714982401/mx.shop.example"
Message-Id: {message_id}

This is a MIME-encapsulated message.

--4A1B2C3D4E.1714982401/mx.shop.example
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.shop.example.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

                   The mail system

<{failed}>: host mx.example.com[192.0.2.1] said: 550 5.1.1
    <{failed}>: Recipient address rejected: User unknown in virtual
    mailbox table (in reply to RCPT TO command)

--4A1B2C3D4E.1714982401/mx.shop.example
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.shop.example
X-Postfix-Queue-ID: 4A1B2C3D4E
X-Postfix-Sender: rfc822; {to}
Arrival-Date: Mon,  6 May 2024 10:00:00 +0200 (CEST)

Final-Recipient: rfc822; {failed}
Original-Recipient: rfc822;{failed}
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx.example.com
Diagnostic-Code: smtp; 550 5.1.1 <{failed}>: Recipient address rejected:
    User unknown in virtual mailbox table

--4A1B2C3D4E.1714982401/mx.shop.example
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

Return-Path: <{to}>
From: Service <{to}>
To: {failed}
Subject: {returned_subject}
Message-Id: {returned_id}
Date: Mon,  6 May 2024 09:59:58 +0200

--4A1B2C3D4E.1714982401/mx.shop.example--
""".encode()


def exim_report(to, message_id, failed):
    return f"""Return-path: <>
From: Mail Delivery System <Mailer-Daemon@mail.example.net>
To: {to}
Subject: Mail delivery failed: returning message to sender
Message-Id: {message_id}
Date: Mon, 06 May 2024 10:01:00 +0200
X-Failed-Recipients: {failed}
Auto-Submitted: auto-replied

This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

  {failed}
    host mx.example.org [192.0.2.7]
    SMTP error from remote mail server after RCPT TO:<{failed}>:
    550 5.1.1 User unknown

------ This is a copy of the message, including all the headers. ------

Return-path: <{to}>
From: Service <{to}>
To: {failed}
Subject: Ihre Anfrage
Message-ID: <not-ours-exim@example.com>

Guten Tag
""".encode()


def qmail_report(to, message_id, failed, returned_subject):
    return f"""Return-Path: <>
From: MAILER-DAEMON@mail.provider.example
To: {to}
Subject: failure notice
Message-Id: {message_id}
Date: 6 May 2024 08:02:00 -0000

Hi. This is the qmail-send program at mail.provider.example.
I'm afraid I wasn't able to deliver your message to the following addresses.
This is a permanent error; I've given up. Sorry it didn't work out.

<{failed}>:
192.0.2.9 does not like recipient.
Remote host said: 550 5.1.1 Mailbox does not exist
Giving up on 192.0.2.9.

--- Below this line is a copy of the message.

Return-Path: <{to}>
From: Service <{to}>
To: {failed}
Subject: {returned_subject}
Message-ID: <not-ours-qmail@example.com>

Wir haben Ihre Nachricht erhalten.
""".encode()


def sendmail_report(to, message_id):
    return f"""Return-Path: <>
From: Mail Delivery Subsystem <MAILER-DAEMON@relay.example.com>
To: {to}
Subject: Returned mail: see transcript for details
Auto-Submitted: auto-generated (failure)
Message-Id: {message_id}
Date: Mon, 6 May 2024 10:03:00 +0200

The original message was received at Mon, 6 May 2024 10:02:58 +0200
from shop.example [192.0.2.20]

   ----- The following addresses had permanent fatal errors -----
<niemand@unbekannt.example>
    (reason: 550 5.1.1 <niemand@unbekannt.example>... User unknown)

   ----- Transcript of session follows -----
... while talking to mx.unbekannt.example.:
>>> RCPT To:<niemand@unbekannt.example>
<<< 550 5.1.1 <niemand@unbekannt.example>... User unknown
""".encode()


def exchange_ndr(to, message_id, failed):
    return f"""Return-Path: <postmaster@kunde-firma.example>
From: postmaster@kunde-firma.example
To: {to}
Subject: =?utf-8?q?Unzustellbar=3A_Ihre_Bestellung?=
Message-ID: {message_id}
Date: Mon, 6 May 2024 08:04:00 +0000
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: 8bit

Die Nachricht konnte nicht an folgende Empfänger zugestellt werden:

{failed}
Das Postfach des Empfängers ist voll.

Diagnoseinformationen für Administratoren:
Generierender Server: EX01.kunde-firma.example
Remote Server returned '552 5.2.2 mailbox full'
""".encode()


def lotus_notes_report(
    to,
    message_id,
    subject="DELIVERY FAILURE: User Hans Meier "
    "(hans.meier@domino.example.de) not listed in Domino Directory",
    sender="Postmaster@domino.example.de",
    extra="",
):
    return f"""From: {sender}
To: {to}
Subject: {subject}
Message-ID: {message_id}
Date: Mon, 6 May 2024 10:05:00 +0200
{extra}MIME-Version: 1.0
Content-Type: text/plain; charset="us-ascii"

Your document:  Ihre Anfrage
was not delivered to:  hans.meier@domino.example.de
because:  User hans.meier (hans.meier@domino.example.de) not listed in Domino Directory
""".encode()


def x400_report(to, message_id, subject="Nondelivery of: Angebot"):
    return f"""Return-Path: <>
From: "X.400 Gateway" <x400@gw.example.de>
To: {to}
Subject: {subject}
Message-ID: {message_id}
Date: Mon, 6 May 2024 10:06:00 +0200

Your message

  Subject: Angebot

could not be delivered to the following recipient(s):

  einkauf@x400.example.de
  Reason: unable to transfer, Diagnostic: unrecognized O/R name
""".encode()


def gmail_dsn(to, message_id, failed, returned_subject):
    return f"""Return-Path: <>
From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
To: {to}
Subject: Delivery Status Notification (Failure)
Message-ID: {message_id}
Date: Mon, 06 May 2024 01:07:00 -0700 (PDT)
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; boundary="000000000000gmail"; report-type=delivery-status

--000000000000gmail
Content-Type: text/plain; charset="UTF-8"

Address not found

Your message wasn't delivered to {failed} because the address couldn't be
found, or is unable to receive mail.

--000000000000gmail
Content-Type: message/delivery-status

Reporting-MTA: dns; googlemail.com
Received-From-MTA: dns; shop.example

Final-Recipient: rfc822; {failed}
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550-5.1.1 The email account that you tried to reach does
 not exist. 550 5.1.1 https://support.google.com/mail/?p=NoSuchUser

--000000000000gmail
Content-Type: message/rfc822

From: Service <{to}>
To: {failed}
Subject: {returned_subject}
Message-ID: <not-ours-gmail@example.com>
Date: Mon, 06 May 2024 10:06:59 +0200

Ihre Anfrage ist eingegangen.

--000000000000gmail--
""".encode()


def plain_mail(to, message_id, sender, subject, headers=""):
    return f"""Return-Path: <{sender}>
From: {sender}
To: {to}
Subject: {subject}
Message-ID: {message_id}
Date: Mon, 6 May 2024 10:08:00 +0200
{headers}MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: 8bit

Guten Tag, ich bin bis zum 20. Mai nicht im Büro.
""".encode()


@tagged("post_install", "-at_install", "mail_gateway")
class TestTicketMailBounce(TicketMailCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = cls._create_mailbox("service@shop.example", cls.queue)
        cls.manager = cls._create_manager("quarantine_manager", "Quentin Manager")
        cls.Quarantine = cls.env["ticket.mail.quarantine"]

    # ---- helpers ----

    def _deliver(self, raw, mode):
        """message_process as an MTA pipe (odoo-mailgate) or fetchmail calls it."""
        MailThread = self.env["mail.thread"]
        if mode == "fetched":
            MailThread = MailThread.with_context(
                fetchmail_cron_running=True, default_fetchmail_server_id=self.server.id
            )
            return MailThread.sudo().message_process(self.server.object_id.model, raw)
        return MailThread.sudo().message_process(None, raw)

    def _counts(self):
        return {
            "tickets": self.env["ticket.ticket"].search_count([]),
            "quarantine": self.Quarantine.search_count([]),
            "failures": self.env["ticket.mail.failure"].search_count([]),
        }

    def _confirmations(self):
        return self._new_mails.filtered(lambda m: "auto-replied" in (m.headers or ""))

    def _notes(self, ticket):
        return ticket.message_ids.filtered(
            lambda m: m.message_type == "notification" and "failed:" in (m.body or "")
        )

    def _open_ticket(self, sender, subject):
        """A customer mail that opens a ticket (and gets a confirmation)."""
        with self.mock_mail_gateway():
            ticket = self._receive(sender, subject)
        self.assertEqual(len(ticket), 1)
        confirmation = self._confirmations()
        self.assertEqual(len(confirmation), 1)
        return ticket, confirmation

    def _assert_quarantined(self, raw, mode, kind, failed_address=False, reason=None):
        before = self._counts()
        with self.mock_mail_gateway():
            self.assertFalse(self._deliver(raw, mode))
        after = self._counts()
        self.assertEqual(after["tickets"], before["tickets"], "no ticket opened")
        self.assertEqual(after["failures"], before["failures"], "not a failed mail")
        self.assertEqual(after["quarantine"], before["quarantine"] + 1, "quarantined")
        self.assertFalse(self._confirmations(), "no confirmation")
        entry = self.Quarantine.search([], limit=1)
        self.assertEqual(entry.kind, kind)
        self.assertEqual(base64.b64decode(entry.raw), raw, "kept as received")
        self.assertEqual(entry.failed_address or False, failed_address)
        if reason:
            self.assertIn(reason, entry.reason)
        self.assertEqual(
            entry.fetchmail_server_id,
            self.server if mode == "fetched" else self.server.browse(),
        )
        self.assertEqual(entry.company_id, self.queue.company_id)
        return entry

    def _assert_noted(self, raw, mode, ticket, address, reason):
        before = self._counts()
        notes_before = len(self._notes(ticket))
        with self.mock_mail_gateway():
            self.assertFalse(self._deliver(raw, mode))
        after = self._counts()
        self.assertEqual(after, before, "no ticket, no quarantine entry, no failure")
        self.assertFalse(self._confirmations(), "no confirmation")
        notes = self._notes(ticket)
        self.assertEqual(len(notes), notes_before + 1, "noted on the ticket")
        self.assertIn(f"Delivery to {address} failed:", notes[0].body)
        self.assertIn(reason, notes[0].body)
        self.assertEqual(notes[0].subtype_id, self.env.ref("mail.mt_note"))
        return notes[0]

    # ---- linked reports ----

    def test_postfix_dsn_for_our_confirmation_is_noted(self):
        ticket, confirmation = self._open_ticket(
            "Kunde <kunde.gateway@example.com>", "Wo bleibt mein Paket?"
        )
        self.assertEqual(self.customer.message_bounce, 0)
        self.assertFalse(ticket.partner_email_bounced)
        # the report names neither the ticket nor its address in its subject:
        # only the returned mail's Message-Id links it
        raw = postfix_dsn(
            self.queue_address,
            "<postfix-dsn-1@mx.shop.example>",
            confirmation.mail_message_id.message_id,
            "Eingangsbestätigung",
            "kunde.gateway@example.com",
        )
        self._assert_noted(
            raw, "piped", ticket, "kunde.gateway@example.com", "550 5.1.1"
        )
        self.assertEqual(
            self.customer.message_bounce, 1, "Odoo's counter on the customer"
        )
        self.assertTrue(ticket.partner_email_bounced, "warning on the ticket")
        # delivered again: one note, counted once
        with self.mock_mail_gateway():
            self._deliver(raw, "fetched")
        self.assertEqual(len(self._notes(ticket)), 1)
        self.assertEqual(self.customer.message_bounce, 1)
        # the customer writes again: the address works
        with self.mock_mail_gateway():
            self._receive(
                "kunde.gateway@example.com", f"Re: [{ticket.number}] Neue Adresse"
            )
        self.assertFalse(ticket.partner_email_bounced)

    def test_gmail_dsn_linked_by_number_in_returned_subject(self):
        older, _confirmation = self._open_ticket(
            "kunde.gateway@example.com", "Erste Frage"
        )
        newer, _confirmation = self._open_ticket(
            "kunde.gateway@example.com", "Zweite Frage"
        )
        for index, mode in enumerate(MODES):
            with self.subTest(mode=mode):
                raw = gmail_dsn(
                    self.queue_address,
                    f"<gmail-dsn-{mode}@mail.gmail.com>",
                    "kunde.gateway@example.com",
                    f"Service [{older.number}] Erste Frage",
                )
                self._assert_noted(
                    raw, mode, older, "kunde.gateway@example.com", "The email account"
                )
                self.assertFalse(self._notes(newer), "the tag wins over the address")
                self.assertEqual(self.customer.message_bounce, index + 1)

    def test_qmail_failure_notice_linked_by_copied_subject(self):
        older, _confirmation = self._open_ticket(
            "kunde.gateway@example.com", "Lieferung"
        )
        self._open_ticket("kunde.gateway@example.com", "Rechnung")
        raw = qmail_report(
            self.queue_address,
            "<qmail-1@mail.provider.example>",
            "kunde.gateway@example.com",
            f"Service [{older.number}] Lieferung",
        )
        self._assert_noted(
            raw, "fetched", older, "kunde.gateway@example.com", "Mailbox does not exist"
        )

    def test_exim_report_linked_by_failed_address(self):
        """X-Failed-Recipients names an unknown sender's address: noted on the
        latest open ticket of that address, flagged on the ticket."""
        ticket, _confirmation = self._open_ticket("neu.kunde@example.org", "Katalog")
        closed, _confirmation = self._open_ticket("neu.kunde@example.org", "Alte Frage")
        # the most recent ticket of the address is closed: no candidate
        closed.stage_id = self.env["ticket.stage"].search(
            [("is_closed", "=", True)], limit=1
        )
        self.assertTrue(closed.is_closed)
        raw = exim_report(
            self.queue_address, "<exim-1@mail.example.net>", "neu.kunde@example.org"
        )
        self._assert_noted(
            raw, "piped", ticket, "neu.kunde@example.org", "550 5.1.1 User unknown"
        )
        self.assertFalse(ticket.partner_id)
        self.assertTrue(ticket.partner_email_bounced, "flagged without a contact")
        self.assertFalse(self._notes(closed))

    def test_exchange_ndr_without_report_structure(self):
        """Plain text from postmaster with Exchange's German subject: Odoo alone
        opened a ticket for it."""
        ticket, _confirmation = self._open_ticket(
            "einkauf@kunde-firma.example", "Angebot"
        )
        raw = exchange_ndr(
            self.queue_address,
            "<ndr-1@kunde-firma.example>",
            "einkauf@kunde-firma.example",
        )
        self._assert_noted(
            raw,
            "fetched",
            ticket,
            "einkauf@kunde-firma.example",
            "552 5.2.2 mailbox full",
        )
        self.assertTrue(ticket.partner_email_bounced)
        ticket.partner_email = "einkauf-neu@kunde-firma.example"
        self.assertFalse(
            ticket.partner_email_bounced, "the flag was about the old address"
        )
        form_arch = self.env["ticket.ticket"].get_view(view_type="form")["arch"]
        self.assertIn("partner_email_bounced", form_arch)

    # ---- unlinked reports: quarantine ----

    def test_unlinked_reports_are_quarantined(self):
        samples = {
            "sendmail": (
                lambda mid: sendmail_report(self.queue_address, mid),
                "niemand@unbekannt.example",
                "550 5.1.1",
            ),
            "lotus notes": (
                lambda mid: lotus_notes_report(self.queue_address, mid),
                "hans.meier@domino.example.de",
                "not listed in Domino Directory",
            ),
            "lotus notes, underscore": (
                lambda mid: lotus_notes_report(
                    self.queue_address,
                    mid,
                    subject="DELIVERY_FAILURE: Ihre Anfrage",
                    sender="notes@domino.example.de",
                    extra="Auto-Submitted: auto-generated\n",
                ),
                "hans.meier@domino.example.de",
                "not listed",
            ),
            "x.400": (
                lambda mid: x400_report(self.queue_address, mid),
                "einkauf@x400.example.de",
                "unrecognized O/R name",
            ),
            "x.400 notification": (
                lambda mid: x400_report(
                    self.queue_address, mid, subject="Non-delivery notification"
                ),
                "einkauf@x400.example.de",
                "Diagnostic",
            ),
            "exchange french": (
                lambda mid: exchange_ndr(
                    self.queue_address, mid, "achat@client.example.fr"
                ).replace(
                    b"=?utf-8?q?Unzustellbar=3A_Ihre_Bestellung?=",
                    b"Non remis : Commande",
                ),
                "achat@client.example.fr",
                "mailbox full",
            ),
            "german returned mail": (
                lambda mid: plain_mail(
                    self.queue_address,
                    mid,
                    "MAILER_DAEMON@mx.example.de",
                    "Returned mail: User unknown",
                ),
                False,
                "nicht im Büro",
            ),
            "x-failed-recipients only": (
                lambda mid: plain_mail(
                    self.queue_address,
                    mid,
                    "relay@mx.example.de",
                    "Zustellproblem",
                    headers="X-Failed-Recipients: weg@example.de\n",
                ),
                "weg@example.de",
                None,
            ),
        }
        for name, (build, address, reason) in samples.items():
            for mode in MODES:
                with self.subTest(sample=name, mode=mode):
                    raw = build(
                        f"<{re.sub(r'[^a-z0-9]+', '-', name)}-{mode}@mx.example>"
                    )
                    entry = self._assert_quarantined(
                        raw, mode, "bounce", address, reason
                    )
                    # delivered again: stored once
                    with self.mock_mail_gateway():
                        self._deliver(raw, mode)
                    self.assertEqual(
                        self.Quarantine.search_count(
                            [("message_id", "=", entry.message_id)]
                        ),
                        1,
                    )

    def test_odoo_bounce_without_ticket_is_quarantined(self):
        """A DSN for a mail that is not ours and whose address has no open
        ticket: Odoo recognises it, and it is kept rather than dropped."""
        raw = postfix_dsn(
            self.queue_address,
            "<postfix-unlinked@mx.shop.example>",
            "<unknown-mail@elsewhere.example>",
            "Newsletter",
            "fremd@example.net",
        )
        for mode in MODES:
            with self.subTest(mode=mode):
                entry = self._assert_quarantined(
                    raw.replace(
                        b"postfix-unlinked", f"postfix-unlinked-{mode}".encode()
                    ),
                    mode,
                    "bounce",
                    "fremd@example.net",
                    "Recipient address rejected",
                )
                self.assertEqual(entry.subject, "Undelivered Mail Returned to Sender")

    # ---- auto-replies ----

    def test_out_of_office_without_reply_headers_is_quarantined(self):
        cases = {
            "auto-submitted": (
                "Abwesenheitsnotiz: Ihre Anfrage",
                "Auto-Submitted: auto-replied\n",
            ),
            "x-autoreply": ("Ich bin im Urlaub", "X-Autoreply: yes\n"),
            "x-autorespond": ("Urlaub", "X-Autorespond: Abwesend\n"),
            "precedence": ("Urlaub bis Montag", "Precedence: auto_reply\n"),
            "outlook subject": (
                "Automatische Antwort: Ihre Bestellung",
                "Auto-Submitted: auto-generated\nX-Auto-Response-Suppress: All\n",
            ),
        }
        for name, (subject, headers) in cases.items():
            for mode in MODES:
                with self.subTest(case=name, mode=mode):
                    raw = plain_mail(
                        self.queue_address,
                        f"<ooo-{re.sub(r'[^a-z0-9]+', '-', name)}-{mode}@kunde.example>",
                        "Kunde Gateway <kunde.gateway@example.com>",
                        subject,
                        headers=headers,
                    )
                    entry = self._assert_quarantined(raw, mode, "auto_reply")
                    self.assertEqual(
                        entry.email_from, '"Kunde Gateway" <kunde.gateway@example.com>'
                    )

    def test_out_of_office_answering_our_confirmation_joins_the_ticket(self):
        ticket, confirmation = self._open_ticket(
            "kunde.gateway@example.com", "Erste Anfrage"
        )
        for mode in MODES:
            with self.subTest(mode=mode):
                before = self._counts()
                emails_before = len(
                    ticket.message_ids.filtered(lambda m: m.message_type == "email")
                )
                raw = plain_mail(
                    self.queue_address,
                    f"<ooo-reply-{mode}@kunde.example>",
                    "kunde.gateway@example.com",
                    f"Automatische Antwort: {confirmation.subject}",
                    headers=(
                        "Auto-Submitted: auto-replied\n"
                        f"In-Reply-To: {confirmation.mail_message_id.message_id}\n"
                    ),
                )
                with self.mock_mail_gateway():
                    self.assertEqual(self._deliver(raw, mode), ticket.id)
                self.assertEqual(
                    self._counts(), before, "no ticket, nothing quarantined"
                )
                self.assertFalse(self._confirmations())
                emails = ticket.message_ids.filtered(
                    lambda m: m.message_type == "email"
                )
                self.assertEqual(len(emails), emails_before + 1, "joined the ticket")

    def test_out_of_office_with_number_tag_joins_the_ticket(self):
        ticket, _confirmation = self._open_ticket("kunde.gateway@example.com", "Frage")
        before = self._counts()
        raw = plain_mail(
            self.queue_address,
            "<ooo-tag@kunde.example>",
            "kunde.gateway@example.com",
            f"Abwesenheitsnotiz: Service [{ticket.number}] Frage",
            headers="Auto-Submitted: auto-replied\n",
        )
        with self.mock_mail_gateway():
            self.assertEqual(self._deliver(raw, "piped"), ticket.id)
        self.assertEqual(self._counts(), before)
        self.assertFalse(self._confirmations())

    # ---- what must stay tickets ----

    def test_shop_contact_form_still_opens_a_ticket(self):
        for mode in MODES:
            with self.subTest(mode=mode):
                before = self._counts()
                raw = plain_mail(
                    self.queue_address,
                    f"<shop-form-{mode}@mein-shop.example>",
                    "Mein Shop <shop@mein-shop.example>",
                    f"Kontaktformular: Frage zur Lieferung ({mode})",
                    headers="Auto-Submitted: auto-generated\nX-Mailer: Shopware\n",
                )
                with self.mock_mail_gateway():
                    self.assertTrue(self._deliver(raw, mode))
                after = self._counts()
                self.assertEqual(after["tickets"], before["tickets"] + 1)
                self.assertEqual(after["quarantine"], before["quarantine"])
                self.assertFalse(self._confirmations(), "no confirmation to a robot")

    def test_customer_writing_about_undeliverable_parcel_gets_a_ticket(self):
        for mode in MODES:
            with self.subTest(mode=mode):
                before = self._counts()
                raw = plain_mail(
                    self.queue_address,
                    f"<paket-{mode}@example.com>",
                    "Kunde <kunde.gateway@example.com>",
                    f"Paket unzustellbar ({mode})",
                )
                with self.mock_mail_gateway():
                    self.assertTrue(self._deliver(raw, mode))
                after = self._counts()
                self.assertEqual(after["tickets"], before["tickets"] + 1)
                self.assertEqual(after["quarantine"], before["quarantine"])
                self.assertEqual(len(self._confirmations()), 1)
        for subject in (
            "Out of office hours delivery?",
            "Undeliverable: my parcel",
            # a person away, not an autoresponder: no machine header
            "Abwesend: bitte beim Nachbarn abgeben",
            "Out of Office: Anfrage",
        ):
            slug = re.sub(r"[^a-z0-9]+", "-", subject.lower())
            with self.subTest(subject=subject), self.mock_mail_gateway():
                # one sender each: the hourly confirmation limit stays out of it
                ticket = self._receive(
                    f"kunde-{slug}@example.net",
                    subject,
                    msg_id=f"<{slug}@example.com>",
                )
                self.assertEqual(len(ticket), 1)
                self.assertEqual(len(self._confirmations()), 1)

    # ---- quarantine: access, release, cleanup ----

    def test_only_managers_read_the_quarantine(self):
        entry = self._assert_quarantined(
            sendmail_report(self.queue_address, "<access-1@mx.example>"),
            "piped",
            "bounce",
            "niemand@unbekannt.example",
        )
        with self.assertRaises(AccessError):
            entry.with_user(self.agent).read(["subject"])
        with self.assertRaises(AccessError):
            self.Quarantine.with_user(self.agent).search([])
        self.assertEqual(
            entry.with_user(self.manager).subject,
            "Returned mail: see transcript for details",
        )
        self.assertEqual(
            self.Quarantine.with_user(self.manager).search_count(
                [("kind", "=", "bounce")]
            ),
            self.Quarantine.search_count([("kind", "=", "bounce")]),
        )

    def test_open_false_positive_as_ticket(self):
        entry = self._assert_quarantined(
            plain_mail(
                self.queue_address,
                "<false-positive@kunde.example>",
                "kunde.gateway@example.com",
                "Abwesenheitsnotiz",
                headers="X-Auto-Response-Suppress: All\n",
            ),
            "fetched",
            "auto_reply",
        )
        tickets_before = self.env["ticket.ticket"].search_count([])
        with self.mock_mail_gateway():
            action = entry.with_user(self.manager).action_open_as_ticket()
        self.assertEqual(self.env["ticket.ticket"].search_count([]), tickets_before + 1)
        self.assertTrue(entry.ticket_id)
        self.assertEqual(action["res_id"], entry.ticket_id.id)
        self.assertEqual(entry.ticket_id.queue_id, self.queue)
        self.assertEqual(entry.ticket_id.partner_id, self.customer)
        # opened once only
        entry.with_user(self.manager).action_open_as_ticket()
        self.assertEqual(self.env["ticket.ticket"].search_count([]), tickets_before + 1)
        entry.with_user(self.manager).unlink()
        self.assertFalse(entry.exists())

    def test_cron_deletes_old_entries(self):
        old = self._assert_quarantined(
            sendmail_report(self.queue_address, "<old-1@mx.example>"),
            "piped",
            "bounce",
            "niemand@unbekannt.example",
        )
        recent = self._assert_quarantined(
            sendmail_report(self.queue_address, "<recent-1@mx.example>"),
            "piped",
            "bounce",
            "niemand@unbekannt.example",
        )
        self.env.cr.execute(
            SQL(
                "UPDATE ticket_mail_quarantine SET create_date = %s WHERE id = %s",
                fields.Datetime.subtract(fields.Datetime.now(), days=31),
                old.id,
            )
        )
        self.env.invalidate_all()
        self.Quarantine._cron_delete_old()
        self.assertFalse(old.exists())
        self.assertTrue(recent.exists())
        self.env["ir.config_parameter"].sudo().set_param(
            "ticket_system.quarantine_days", 0
        )
        self.Quarantine._cron_delete_old()
        self.assertTrue(recent.exists(), "0 keeps entries")

    @mute_logger("odoo.addons.ticket_system.models.mail_thread")
    def test_unreadable_report_is_still_quarantined(self):
        raw = (
            b"Return-Path: <>\r\n"
            b"From: MAILER-DAEMON@mx.example\r\n"
            b"To: " + self.queue_address.encode() + b"\r\n"
            b"Subject: Undelivered Mail Returned to Sender\r\n"
            b"Message-ID: <broken-report@mx.example>\r\n"
            b'Content-Type: multipart/report; report-type=delivery-status; boundary="cut"\r\n'
            b"\r\n"
            b"--cut\r\n"
            b'Content-Type: text/plain; charset="us-ascii"\r\n'
            b"\r\n"
            b"<weg@example.de>: 550 User unknown \xff\r\n"
            b"--cut\r\n"
            b"Content-Type: message/delivery-status\r\n"
            b"\r\n"
            b"Reporting-MTA: dns; mx.example\r\n"
        )
        for mode in MODES:
            with self.subTest(mode=mode):
                self._assert_quarantined(
                    raw.replace(b"broken-report", f"broken-report-{mode}".encode()),
                    mode,
                    "bounce",
                    "weg@example.de",
                    "550 User unknown",
                )
