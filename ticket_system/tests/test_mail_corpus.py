"""Real-world mail from public test corpora reaches an agent, and bounces
stay off the desk.

Every file in tests/mails (sources and licences: tests/mails/SOURCES.md) is
fetched the way fetchmail.server delivers it: message_process with
``fetchmail_cron_running`` from a queue's mailbox, one savepoint per mail,
failures kept in the failure store. The outcome of each mail is classified
and compared with tests/mails/expected.csv:

* ``ticket``: a new ticket;
* ``joined``: the mail joined the ticket it answers;
* ``bounce_noted``: a delivery report noted on the ticket it refers to;
* ``quarantined``: a report or automatic reply that refers to no ticket;
* ``failed``: kept in the failure store;
* ``lost``: none of these (must never happen).

The ``seed`` column of the manifest prepares what a mail refers to before it
arrives: ``thread`` creates a ticket holding the Message-Ids the mail answers
(In-Reply-To, References) or returns (the copy in a delivery report);
``address:<email>`` an open ticket of that address."""

import csv
import email
import email.policy
import logging
import re
from collections import Counter
from pathlib import Path

from odoo import tools
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common_mail import TicketMailCommon

_logger = logging.getLogger(__name__)

MAILS = Path(__file__).parent / "mails"
OUTCOMES = ("ticket", "joined", "bounce_noted", "quarantined", "failed", "lost")
# outcomes of mail that must never open a ticket nor get a confirmation
AUTOMATIC = ("bounce_noted", "quarantined")
MESSAGE_ID_LINE = re.compile(rb"^message-id:[ \t]*(<[^<>\s]+>)", re.I | re.M)


def read_manifest():
    with (MAILS / "expected.csv").open(newline="", encoding="utf-8") as manifest:
        return list(csv.DictReader(manifest))


def referred_message_ids(raw):
    """The Message-Ids a mail refers to: those it answers (In-Reply-To,
    References), else those of the mail a delivery report returns (an
    attached copy, its headers, or a copy inline in the report's text)."""
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    ids = []
    for name in ("In-Reply-To", "References"):
        ids += re.findall(r"<[^<>\s]+>", str(message.get(name) or ""))
    if ids:
        return ids
    own = re.findall(r"<[^<>\s]+>", str(message.get("Message-Id") or ""))
    headers, _sep, body = raw.partition(b"\n\n")
    return [
        mid.decode("ascii", "replace")
        for mid in MESSAGE_ID_LINE.findall(body)
        if mid.decode("ascii", "replace") not in own
    ]


@tagged("post_install", "-at_install", "mail_gateway", "mail_corpus")
class TestTicketMailCorpus(TicketMailCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = cls._create_mailbox("corpus@shop.example", cls.queue)
        cls.queue.autoresponder = True
        cls.manifest = read_manifest()

    def _fetch(self, raw):
        """message_process as fetchmail.server.fetch_mail calls it."""
        return (
            self.env["mail.thread"]
            .with_context(
                fetchmail_cron_running=True,
                default_fetchmail_server_id=self.server.id,
            )
            .sudo()
            .message_process(self.server.object_id.model, raw)
        )

    def _seed(self, name, raw, seed):
        """Create the ticket a mail refers to, before it arrives."""
        if not seed:
            return self.env["ticket.ticket"]
        ticket = (
            self.env["ticket.ticket"]
            .with_context(mail_create_nolog=True, mail_notrack=True)
            .create(
                {
                    "name": f"Seed for {name}",
                    "queue_id": self.queue.id,
                    "partner_email": seed.partition(":")[2] or False,
                }
            )
        )
        if seed == "thread":
            message_ids = referred_message_ids(raw)
            self.assertTrue(message_ids, f"{name}: refers to no Message-Id")
            sender = email.message_from_bytes(raw).get("From") or ""
            ticket.partner_email = (tools.email_split(str(sender)) or [False])[0]
            for message_id in message_ids:
                self.env["mail.message"].create(
                    {
                        "model": "ticket.ticket",
                        "res_id": ticket.id,
                        "message_type": "email",
                        "message_id": message_id,
                        "body": "<p>Unsere Antwort</p>",
                        "author_id": self.env.user.partner_id.id,
                    }
                )
        return ticket

    def _last_ids(self):
        return {
            model: self.env[model].search([], order="id desc", limit=1).id or 0
            for model in (
                "ticket.ticket",
                "mail.message",
                "ticket.mail.quarantine",
                "ticket.mail.failure",
            )
        }

    def _classify(self, before, seeded):
        def new(model):
            return self.env[model].search([("id", ">", before[model])])

        kinds = []
        if new("ticket.mail.failure"):
            kinds.append("failed")
        if new("ticket.mail.quarantine"):
            kinds.append("quarantined")
        tickets = new("ticket.ticket") - seeded
        if tickets:
            kinds.append("ticket")
        messages = new("mail.message").filtered(
            lambda m: m.model == "ticket.ticket" and m.res_id not in tickets.ids
        )
        if messages.filtered(lambda m: m.message_type == "email"):
            kinds.append("joined")
        elif messages.filtered(
            lambda m: m.message_type == "notification" and m.message_id
        ):
            kinds.append("bounce_noted")
        return kinds or ["lost"], tickets

    @mute_logger(
        "odoo.addons.mail.models.mail_thread",
        "odoo.addons.ticket_system.models.mail_thread",
        "odoo.addons.ticket_system.models.ticket_ticket",
        "odoo.sql_db",
    )
    def test_corpus(self):
        files = sorted(path.name for path in MAILS.iterdir() if path.suffix == ".eml")
        expected = {row["file"]: row for row in self.manifest}
        self.assertEqual(
            sorted(expected), files, "every mail of the corpus is in expected.csv"
        )
        self.assertGreaterEqual(len(files), 60)
        results, mismatches = {}, []
        with self.mock_mail_gateway():
            for name in files:
                raw = (MAILS / name).read_bytes()
                seeded = self._seed(name, raw, expected[name]["seed"])
                before, mails_before = self._last_ids(), len(self._new_mails)
                self._fetch(raw)
                kinds, tickets = self._classify(before, seeded)
                outcome = kinds[0] if len(kinds) == 1 else "+".join(kinds)
                results[name] = outcome
                if outcome != expected[name]["outcome"]:
                    mismatches.append(
                        f"{name}: {outcome} (expected {expected[name]['outcome']})"
                    )
                if outcome in AUTOMATIC:
                    self.assertFalse(
                        tickets, f"{name}: a report or auto-reply opened a ticket"
                    )
                    self.assertFalse(
                        self._new_mails[mails_before:],
                        f"{name}: a report or auto-reply got a mail",
                    )
        counts = Counter(results.values())
        _logger.info(
            "Mail corpus: %s mails; %s",
            len(files),
            ", ".join(f"{outcome} {counts.get(outcome, 0)}" for outcome in OUTCOMES),
        )
        self.assertFalse(mismatches, "\n".join(mismatches))
        self.assertEqual(counts.get("lost", 0), 0, "no mail is lost")

    @mute_logger(
        "odoo.addons.mail.models.mail_thread",
        "odoo.addons.ticket_system.models.mail_thread",
    )
    def test_report_formats(self):
        """Report formats found in the corpus: a Lotus Notes report without a
        colon in its subject ("Undeliverable message"), the returned headers
        of 1&1, GMX ("The header of the original message is following") and
        Exchange Online ("Original message headers:"), and a report whose
        multipart boundary is cut off (read as text). Each is noted on the
        ticket of the mail it returns, naming the failed address."""
        reports = {
            "sisimai-lhost-notes-01.eml": ("kijitora@u1.example.co.jp", ""),
            "sisimai-lhost-einsundeins-02.eml": (
                "kijitora@example.org",
                "Mail size limit exceeded",
            ),
            "sisimai-lhost-gmx-01.eml": ("shironeko@example.jp", "Mailbox Full"),
            "sisimai-lhost-office365-01.eml": ("kijitora@example.com", "5.1.10"),
            "python-msg_25.eml": ("scoffman@wellpartner.com", "Too many hops"),
        }
        for name, (address, reason) in reports.items():
            raw = (MAILS / name).read_bytes()
            ticket = self._seed(name, raw, "thread")
            with self.mock_mail_gateway():
                self._fetch(raw)
            self.assertEqual(
                self.env["ticket.ticket"].search_count([("name", "=", name)]), 0
            )
            note = ticket.message_ids.filtered(
                lambda m, ticket=ticket: m.message_type == "notification"
                and m.body
                and "Delivery to" in m.body
            )
            self.assertEqual(len(note), 1, f"{name}: noted on its ticket")
            self.assertIn(address, note.body, name)
            self.assertIn(reason, note.body, name)
            self.assertFalse(self._new_mails, f"{name}: no mail answers a report")
        # without a ticket to refer to, the Notes report is quarantined
        raw = (MAILS / "flanker-bounce-broken-mime.eml").read_bytes()
        self._fetch(raw)
        self.assertTrue(
            self.env["ticket.mail.quarantine"].search(
                [("message_id", "=", "<11207092237.AA1808414764@example.com>")]
            )
        )

    def test_german_mail_read(self):
        """German mail in the charsets German mail programs use reads as
        written: subject, sender name and text."""
        samples = {
            "de-kunde-latin1-qp.eml": (
                "Rücksendung Bestellung 100234 – Größe passt nicht",
                "Martina Schröder",
                "Ich hätte gern Größe 39 statt 38 – vielen Dank.",
            ),
            "de-kunde-cp1252-outlook.eml": (
                "Lieferung Auftrag 55012 „dringend“",
                "Müller, Jürgen",
                "(Wert 1.249,00 €). Die Baustelle steht still – bitte",
            ),
            "de-kunde-html-only.eml": (
                "Zahlung eingegangen? Keine Versandbestätigung",
                "Özlem Yılmaz",
                "noch keine Versandbestätigung erhalten. Können Sie nachsehen?",
            ),
            "de-kunde-rechnung-anhang.eml": (
                "Rechnungskorrektur RE-2024-0815",
                "Buchhaltung Beispiel KG",
                "auf der angehängten Rechnung fehlt unsere USt-IdNr.",
            ),
        }
        for name, (subject, sender, text) in samples.items():
            with self.mock_mail_gateway():
                ticket_id = self._fetch((MAILS / name).read_bytes())
            ticket = self.env["ticket.ticket"].browse(ticket_id)
            self.assertEqual(ticket.name, subject, name)
            message = ticket.message_ids.filtered(lambda m: m.message_type == "email")
            self.assertIn(sender, message.email_from, name)
            self.assertIn(text, tools.html2plaintext(message.body), name)
        attachment = ticket.message_ids.attachment_ids
        self.assertEqual(attachment.name, "Rechnung_März.pdf")
