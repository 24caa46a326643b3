"""Scale-out: Odoo in prefork mode (two HTTP workers, two cron workers) on
the test database, mail arriving from a real Postfix through Odoo's own
odoo-mailgate.py, and two cron workers fetching one IMAP mailbox.

Everything runs for real on loopback: the Odoo server is a separate
``odoo-bin --workers 2`` process, Postfix an instance of its own (see
scaleout_servers), the mailbox a private Dovecot (see test_mail_servers).
What these processes commit is removed afterwards. While the server runs, the
database's other scheduled actions are paused, so that its cron workers run
only the fetch of this test. Without Postfix or Dovecot the tests fail, they
are never skipped (.ci/run installs both).
"""

import os
import re
import smtplib
import subprocess
import sys
import threading
import uuid
from datetime import timedelta

import odoo
from odoo import SUPERUSER_ID, api, fields
from odoo.modules.module import get_module_path
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, tagged
from odoo.tools import config

from . import scaleout_servers as servers
from .common_committed import CommittedCase
from .test_mail_servers import DovecotServer, dovecot_missing

MAILBOX_USER = "lager@shop.example"
MAILBOX_PASSWORD = "Geheim-456"
ADMIN_PASSWORD = "admin"  # the demo database's administrator

NEW_MAIL = """\
From: Kunde <{sender}>
To: {to}
Subject: {subject}
Message-ID: {message_id}
Date: Mon, 10 Mar 2025 09:13:58 +0100
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: 8bit
{extra}
Guten Tag, wo bleibt meine Bestellung?
"""


def odoo_command():
    """The command that starts this Odoo: odoo-bin of a source checkout,
    else ``python -m odoo``."""
    root = os.path.dirname(os.path.dirname(odoo.__file__))
    odoo_bin = os.path.join(root, "odoo-bin")
    if os.path.isfile(odoo_bin):
        return [sys.executable, odoo_bin]
    return [sys.executable, "-m", "odoo"]


@tagged("post_install", "-at_install", "mail_gateway")
class TestScaleOut(CommittedCase, BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # missing servers fail the suite: a skipped end-to-end test proves nothing
        if not servers.POSTFIX:
            raise RuntimeError(
                "Postfix is missing: apt-get install postfix (.ci/run does)"
            )
        if dovecot_missing():
            raise RuntimeError(dovecot_missing())
        cls.registry = Registry(get_db_name())
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            cls.admin_id = env.ref("base.user_admin").id
            cls.domain = env.company.alias_domain_id.name
            cls.fetch_cron_id = env.ref("mail.ir_cron_mail_gateway_action").id
            paused = env["ir.cron"].search([("active", "=", True)])
            # the server's cron workers run this test's fetch only
            paused.write({"active": False})
            paused = paused.ids
        cls.addClassCleanup(cls._resume_crons, paused)
        if not cls.domain:
            raise RuntimeError("the company has no alias domain for its queues")

        cls.dovecot = DovecotServer(MAILBOX_USER, MAILBOX_PASSWORD)
        cls.addClassCleanup(cls.dovecot.stop)
        cls.dovecot.start()

        cls.odoo = servers.OdooServer(
            odoo_command(), config.rcfile, get_db_name(), workers=2, cron_threads=2
        )
        cls.addClassCleanup(cls.odoo.stop)
        cls.odoo.start()

        mailgate = os.path.join(
            get_module_path("mail"), "static", "scripts", "odoo-mailgate.py"
        )
        cls.postfix = servers.PostfixServer(
            cls.domain,
            servers.mailgate_argv(
                mailgate, cls.odoo.port, get_db_name(), cls.admin_id, ADMIN_PASSWORD
            ),
        )
        cls.addClassCleanup(cls.postfix.stop)
        cls.postfix.start()

    @classmethod
    def _resume_crons(cls, cron_ids):
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"active_test": False})
            env["ir.cron"].browse(cron_ids).exists().write({"active": True})

    def setUp(self):
        super().setUp()
        self.tag = uuid.uuid4().hex[:8]
        self.server_id = None
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            queue = env["ticket.queue"].create(
                {
                    "name": f"Scale-out {self.tag}",
                    "alias_name": f"scaleout-{self.tag}",
                    "autoresponder": True,
                    "member_ids": [(6, 0, [self.admin_id])],
                }
            )
            self.queue_id = queue.id
            self.address = queue.alias_id.alias_full_name
        self.addCleanup(self._remove_records)
        self.addCleanup(self._remove_mails)

    def _remove_mails(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["mail.mail"].search([("email_to", "ilike", self.tag)]).unlink()

    def _fail(self, message):
        self.fail(
            f"{message}\n--- Postfix ---\n{self.postfix.log()}"
            f"\n--- Odoo ---\n{self.odoo.log()}"
        )

    def _mail(self, name, extra="", subject=None):
        message_id = f"<{name}-{self.tag}@kunde.example>"
        raw = NEW_MAIL.format(
            sender=f"kunde-{self.tag}@kunde.example",
            to=self.address,
            subject=subject or f"{name} {self.tag}",
            message_id=message_id,
            extra=extra,
        )
        return message_id, raw.encode()

    def _tickets(self):
        """(name, partner_email, ids of its messages' Message-Ids) per ticket
        of the queue, and the confirmations queued for them."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            tickets = env["ticket.ticket"].search(
                [("queue_id", "=", self.queue_id)], order="id"
            )
            result = [
                (
                    ticket.name,
                    ticket.number,
                    ticket.partner_email,
                    set(ticket.message_ids.mapped("message_id")),
                )
                for ticket in tickets
            ]
            confirmations = [
                (mail.subject, mail.state, mail.message_id, mail.headers)
                for mail in env["mail.mail"].search(
                    [
                        ("model", "=", "ticket.ticket"),
                        ("res_id", "in", tickets.ids),
                        ("email_to", "ilike", self.tag),
                    ]
                )
            ]
            return result, confirmations

    def test_mail_through_postfix_and_mailgate(self):
        """A customer's mail goes to Postfix over SMTP; Postfix pipes it to
        Odoo's odoo-mailgate.py, which hands it to the prefork server: one
        ticket, one confirmation queued. The customer's answer to the
        confirmation takes the same way and lands on that ticket."""
        self.assertRegex(
            self.odoo.log(), r"Worker WorkerHTTP \(\d+\) alive", "a prefork server"
        )
        message_id, raw = self._mail("Neu")
        with smtplib.SMTP("127.0.0.1", self.postfix.port, timeout=30) as smtp:
            smtp.sendmail(f"kunde-{self.tag}@kunde.example", [self.address], raw)
        if not servers.wait_for(lambda: self._tickets()[1], 60):
            self._fail("no ticket with a confirmation within 60 s")
        tickets, confirmations = self._tickets()
        self.assertEqual(len(tickets), 1)
        name, number, partner_email, message_ids = tickets[0]
        self.assertEqual(name, f"Neu {self.tag}")
        self.assertEqual(partner_email, f"kunde-{self.tag}@kunde.example")
        self.assertIn(message_id, message_ids)
        self.assertEqual(len(confirmations), 1, "one confirmation")
        subject, state, confirmation_id, headers = confirmations[0]
        self.assertEqual(state, "outgoing", "queued for the mail queue")
        self.assertIn(f"[{number}]", subject)
        self.assertIn("auto-replied", headers or "")
        # Postfix logs the delivery once the mailgate has exited, which can be
        # a moment after Odoo committed the ticket
        delivered = rf"to=<{self.address}>, relay=odoo, .*status=sent"
        servers.wait_for(lambda: re.search(delivered, self.postfix.log()), 30)
        self.assertRegex(
            self.postfix.log(),
            delivered,
            "delivered by Postfix's pipe to the mailgate",
        )

        reply_id, reply = self._mail(
            "Antwort",
            extra=f"In-Reply-To: {confirmation_id}\nReferences: {confirmation_id}\n",
            subject=f"Re: {subject}",
        )
        with smtplib.SMTP("127.0.0.1", self.postfix.port, timeout=30) as smtp:
            smtp.sendmail(f"kunde-{self.tag}@kunde.example", [self.address], reply)

        def replied():
            tickets, _confirmations = self._tickets()
            return any(reply_id in ids for *_rest, ids in tickets) and tickets

        tickets = servers.wait_for(replied, 60)
        if not tickets:
            self._fail("the reply did not arrive within 60 s")
        self.assertEqual(len(tickets), 1, "the reply threads: no second ticket")
        self.assertIn(reply_id, tickets[0][3])

    def test_mailgate_failure_is_temporary(self):
        """When Odoo refuses the mail (here: a wrong password) or cannot be
        reached, the mailgate exits with EX_TEMPFAIL (75): Postfix keeps the
        mail and tries again. Odoo's script alone exits with 1 and Postfix
        would bounce the customer's mail."""
        _message_id, raw = self._mail("Abgelehnt")
        for port, password in (
            (self.odoo.port, "wrong password"),
            (servers.free_port(), ADMIN_PASSWORD),
        ):
            argv = self.postfix.pipe_argv[:]
            argv[argv.index("--port") + 1] = str(port)
            argv[argv.index("-p") + 1] = password
            done = subprocess.run(  # noqa: S603 - the pipe's command line
                argv, input=raw, capture_output=True, timeout=60, check=False
            )
            self.assertEqual(done.returncode, 75, done.stderr.decode()[-2000:])
        self.assertEqual(self._tickets(), ([], []), "nothing arrived")

    def test_two_cron_workers_fetch_one_mailbox(self):
        """Two scheduled fetches of the same mailbox start at once in the two
        cron workers of the prefork server, and the two HTTP workers get a
        "Fetch now" each meanwhile: every mail becomes exactly one ticket."""
        count = 12
        imap = self.dovecot.connect()
        try:
            _, existing = imap.select("INBOX")
            if int(existing[0]):
                imap.store("1:*", "+FLAGS", "\\Deleted")
                imap.expunge()
            for index in range(count):
                _message_id, raw = self._mail(f"Abruf{index:02d}")
                self.assertEqual(imap.append("INBOX", None, None, raw)[0], "OK")
        finally:
            imap.logout()

        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"active_test": False})
            server = env["fetchmail.server"].create(
                {
                    "name": f"Lager {self.tag}",
                    "server_type": "imap",
                    "server": "127.0.0.1",
                    "port": self.dovecot.port,
                    "is_ssl": False,
                    "user": MAILBOX_USER,
                    "password": MAILBOX_PASSWORD,
                    "queue_id": self.queue_id,
                }
            )
            server.button_confirm_login()
            self.server_id = server.id
            fetch_cron = env["ir.cron"].browse(self.fetch_cron_id)
            second_cron = fetch_cron.copy({"name": f"Second fetch {self.tag}"})
            crons = fetch_cron | second_cron
            crons.write({"active": True, "nextcall": fields.Datetime.now()})
            for cron in crons:
                cron._trigger()  # wakes the cron workers at the commit
            started = fields.Datetime.now() - timedelta(seconds=1)
        self.addCleanup(self._remove_cron, second_cron.id)

        answers = []

        def fetch_now():
            try:
                answers.append(
                    self.odoo.execute(
                        self.admin_id,
                        ADMIN_PASSWORD,
                        "fetchmail.server",
                        "fetch_mail",
                        [self.server_id],
                        context={"lang": "en_US"},
                    )
                )
            except RuntimeError as exc:
                answers.append(str(exc))

        threads = [threading.Thread(target=fetch_now) for _i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        for answer in answers:
            # fetched, or left to the worker that has the mailbox right now
            self.assertTrue(
                answer is True or "is being fetched right now" in answer, answer
            )

        def done():
            with self.registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {"active_test": False})
                ran = all(
                    cron.lastcall and cron.lastcall >= started
                    for cron in crons.with_env(env)
                )
                tickets = env["ticket.ticket"].search_count(
                    [("queue_id", "=", self.queue_id)]
                )
            return ran and tickets >= count and self._unseen() == 0

        if not servers.wait_for(done, 90, interval=0.5):
            self._fail("the crons did not fetch every mail within 90 s")
        tickets, _confirmations = self._tickets()
        names = [name for name, *_rest in tickets]
        self.assertEqual(len(tickets), count, "one ticket per mail, no duplicates")
        self.assertEqual(
            sorted(names), [f"Abruf{index:02d} {self.tag}" for index in range(count)]
        )
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT message_id, count(*) FROM mail_message "
                "WHERE message_id LIKE %s GROUP BY message_id HAVING count(*) > 1",
                [f"%{self.tag}@kunde.example>"],
            )
            self.assertEqual(cr.fetchall(), [], "every mail stored once")

    def _unseen(self):
        imap = self.dovecot.connect()
        try:
            imap.select("INBOX", readonly=True)
            _, unseen = imap.search(None, "UNSEEN")
            return len(unseen[0].split())
        finally:
            imap.logout()

    def _remove_cron(self, cron_id):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"active_test": False})
            env["ir.cron"].browse(cron_id).unlink()
            env["ir.cron"].browse(self.fetch_cron_id).active = False
