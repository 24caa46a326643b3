"""End to end over real mail servers on loopback.

A customer's mail lies in a real IMAP/POP3 mailbox (a private Dovecot instance);
Odoo's fetchmail account of a queue fetches it, the gateway turns it into a
ticket, and the autoresponse leaves through Odoo's real SMTP client to a real
SMTP server (aiosmtpd), where the test reads it. Nothing of Odoo's mail stack
is mocked; only two test-harness guards are lifted, see ``_fetch_mail`` and
``_send_mails``.

Needs Dovecot with IMAP and POP3 (Debian: dovecot-imapd, dovecot-pop3d,
installed by .ci/run) and aiosmtpd (requirements.txt); without them the test
fails, it is never skipped.
"""

import base64
import contextlib
import email
import email.policy
import grp
import imaplib
import logging
import os
import poplib
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from unittest.mock import patch

import odoo
from odoo.tests import TransactionCase, tagged

try:
    from aiosmtpd.controller import Controller
except ImportError:  # reported by setUpClass: it is a requirement, not an option
    Controller = None

DOVECOT = shutil.which(
    "dovecot", path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])
)
# where distributions put Dovecot's protocol binaries (Debian, Fedora/Arch)
DOVECOT_LIBEXEC_DIRS = ("/usr/lib/dovecot", "/usr/libexec/dovecot")
MISSING_SERVERS = (
    "Dovecot with IMAP and POP3 is missing: "
    "apt-get install dovecot-imapd dovecot-pop3d (.ci/run does)"
)


def dovecot_missing():
    """Why the test Dovecot cannot serve IMAP and POP3, or None."""
    if not DOVECOT:
        return MISSING_SERVERS
    for protocol in ("imap", "pop3"):
        if not any(
            os.path.exists(os.path.join(path, protocol))
            for path in DOVECOT_LIBEXEC_DIRS
        ):
            return MISSING_SERVERS
    return None


MAILBOX_USER = "kundendienst@shop.example"
MAILBOX_PASSWORD = "Geheim-123"
CUSTOMER_EMAIL = "juergen.mueller@kunde.example"
MESSAGE_ID = "<e2e-ruecksendung-4711@kunde.example>"
SUBJECT = "Rücksendung: Größe L passt nicht – Umtausch gewünscht"
ATTACHMENT_NAME = "Lieferschein-März.pdf"
ATTACHMENT = b"%PDF-1.4\n% Lieferschein 4711, Jacke Gr. L\n%%EOF\n"

# As a mail client sends it: RFC 2047 subject (a Q and a B encoded word,
# folded), RFC 2047 sender name, text and HTML alternatives, and a PDF with an
# RFC 2231 file name.
RAW_MAIL = f"""\
Return-Path: <{CUSTOMER_EMAIL}>
Received: from mail.kunde.example (mail.kunde.example [192.0.2.10])
\tby mx.shop.example (Postfix) with ESMTPS id 4Xb2Lq1Zk9z9sQ
\tfor <{MAILBOX_USER}>; Mon, 10 Mar 2025 09:14:02 +0100 (CET)
From: =?utf-8?b?SsO8cmdlbiBNw7xsbGVy?= <{CUSTOMER_EMAIL}>
To: Kundendienst <{MAILBOX_USER}>
Subject: =?utf-8?q?R=C3=BCcksendung=3A_Gr=C3=B6=C3=9Fe_L_passt_nicht_?=
 =?utf-8?b?4oCTIFVtdGF1c2NoIGdld8O8bnNjaHQ=?=
Date: Mon, 10 Mar 2025 09:13:58 +0100
Message-ID: {MESSAGE_ID}
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="=_mixed_4711"

This is a multi-part message in MIME format.

--=_mixed_4711
Content-Type: multipart/alternative; boundary="=_alt_4711"

--=_alt_4711
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: quoted-printable

Guten Tag,

die Jacke in Gr=C3=B6=C3=9Fe L passt leider nicht. Bitte tauschen Sie sie g=
egen Gr=C3=B6=C3=9Fe M um.
Den Lieferschein finden Sie im Anhang.

Viele Gr=C3=BC=C3=9Fe
J=C3=BCrgen M=C3=BCller

--=_alt_4711
Content-Type: text/html; charset="utf-8"
Content-Transfer-Encoding: quoted-printable

<html><body><p>Guten Tag,</p><p>die Jacke in Gr=C3=B6=C3=9Fe L passt leider=
 nicht. Bitte tauschen Sie sie gegen Gr=C3=B6=C3=9Fe M um.<br>Den Liefersch=
ein finden Sie im Anhang.</p><p>Viele Gr=C3=BC=C3=9Fe<br>J=C3=BCrgen M=C3=
=BCller</p></body></html>

--=_alt_4711--

--=_mixed_4711
Content-Type: application/pdf; name="=?utf-8?q?Lieferschein-M=C3=A4rz=2Epdf?="
Content-Disposition: attachment; filename*=utf-8''Lieferschein-M%C3%A4rz.pdf
Content-Transfer-Encoding: base64

{base64.encodebytes(ATTACHMENT).decode()}
--=_mixed_4711--
"""


def _free_port():
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class DovecotServer:
    """A throw-away Dovecot IMAP and POP3 server on 127.0.0.1 with one maildir
    user, all of it (config, mail, sockets, log) in a temporary directory."""

    def __init__(self, user, password):
        self.user = user
        self.password = password
        self.port = None
        self.pop3_port = None
        self.tmp = None
        self.process = None

    def start(self):
        self.tmp = tempfile.mkdtemp(prefix="ticket-dovecot-")
        # the unprivileged Dovecot processes must reach the files in here
        os.chmod(self.tmp, 0o755)
        if os.geteuid() == 0:
            # Dovecot refuses to run its login and mail processes as root: use
            # the unprivileged users its Debian package creates
            internal = self._existing_user("dovecot", "nobody")
            login = self._existing_user("dovenull", "nobody")
        else:
            # an unprivileged Dovecot runs everything as the current user
            internal = login = pwd.getpwuid(os.geteuid()).pw_name
        mail_user = pwd.getpwnam(internal)
        uid, gid = mail_user.pw_uid, mail_user.pw_gid
        group = grp.getgrgid(gid).gr_name
        mail_dir = os.path.join(self.tmp, "mail")
        os.mkdir(mail_dir)
        os.chown(mail_dir, uid, gid)
        passwd = os.path.join(self.tmp, "passwd")
        with open(passwd, "w", encoding="utf-8") as file:
            file.write(
                f"{self.user}:{{PLAIN}}{self.password}:{uid}:{gid}::{mail_dir}/home::\n"
            )
        os.chmod(passwd, 0o644)
        self.port = _free_port()
        self.pop3_port = _free_port()
        config = os.path.join(self.tmp, "dovecot.conf")
        with open(config, "w", encoding="utf-8") as file:
            file.write(
                f"""\
base_dir = {self.tmp}/run
state_dir = {self.tmp}/state
log_path = {self.tmp}/dovecot.log
protocols = imap pop3
listen = 127.0.0.1
ssl = no
# loopback only: plain text passwords are fine
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal}
default_internal_group = {group}
default_login_user = {login}
first_valid_uid = {uid}
first_valid_gid = {gid}
mail_location = maildir:{mail_dir}/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {passwd}
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {passwd}
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service pop3-login {{
  chroot =
  inet_listener pop3 {{
    address = 127.0.0.1
    port = {self.pop3_port}
  }}
  inet_listener pop3s {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""
            )
        self.process = subprocess.Popen(  # noqa: S603 - fixed command line
            [DOVECOT, "-F", "-c", config],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(self.tmp, "stderr.log"), "wb"),  # noqa: SIM115
        )
        self._wait_until_ready()

    @staticmethod
    def _existing_user(*names):
        for name in names:
            try:
                return pwd.getpwnam(name).pw_name
            except KeyError:
                continue
        raise RuntimeError(f"none of the users {names} exists to run Dovecot")

    def _wait_until_ready(self, timeout=15):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"Dovecot exited with {self.process.returncode}:\n{self.log()}"
                )
            try:
                with imaplib.IMAP4("127.0.0.1", self.port, timeout=2) as imap:
                    imap.login(self.user, self.password)
                    imap.logout()
                self.connect_pop3().quit()
                return
            except (OSError, imaplib.IMAP4.error, poplib.error_proto):
                time.sleep(0.1)
        raise RuntimeError(
            f"Dovecot did not accept logins within {timeout}s:\n{self.log()}"
        )

    def log(self):
        text = []
        for name in ("stderr.log", "dovecot.log"):
            # a log Dovecot did not write (yet) is simply not shown
            with (
                contextlib.suppress(OSError),
                open(
                    os.path.join(self.tmp, name), encoding="utf-8", errors="replace"
                ) as f,
            ):
                text.append(f.read())
        return "\n".join(text)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()  # the master stops its children
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process and self.process.stderr:
            self.process.stderr.close()
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def connect(self):
        imap = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        imap.login(self.user, self.password)
        return imap

    def connect_pop3(self):
        pop = poplib.POP3("127.0.0.1", self.pop3_port, timeout=10)
        try:
            pop.user(self.user)
            pop.pass_(self.password)
        except Exception:
            pop.close()
            raise
        return pop


class SmtpSink:
    """aiosmtpd handler keeping every message it receives."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd API
        self.envelopes.append(
            {
                "mail_from": envelope.mail_from,
                "rcpt_tos": list(envelope.rcpt_tos),
                "message": email.message_from_bytes(
                    envelope.original_content or envelope.content,
                    policy=email.policy.default,
                ),
            }
        )
        return "250 Message accepted for delivery"


@tagged("post_install", "-at_install", "mail_gateway")
class TestTicketMailServers(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # missing servers fail the suite: a skipped end-to-end test proves nothing
        if Controller is None:
            raise RuntimeError("aiosmtpd is missing: pip install -r requirements.txt")
        if dovecot_missing():
            raise RuntimeError(dovecot_missing())
        cls.dovecot = DovecotServer(MAILBOX_USER, MAILBOX_PASSWORD)
        cls.addClassCleanup(cls.dovecot.stop)
        cls.dovecot.start()

        # aiosmtpd logs every SMTP command at INFO level
        smtp_logger = logging.getLogger("mail.log")
        cls.addClassCleanup(smtp_logger.setLevel, smtp_logger.level)
        smtp_logger.setLevel(logging.WARNING)
        cls.sink = SmtpSink()
        cls.smtp = Controller(cls.sink, hostname="127.0.0.1", port=_free_port())
        cls.smtp.start()
        cls.addClassCleanup(cls.smtp.stop)

    def _fetch_mail(self, server):
        """Run fetchmail as its cron does. fetch_mail() commits after each mail;
        the test cursor forbids commits (the test is rolled back at the end),
        so here a commit only flushes and runs what waits for the commit (the
        mail is marked seen on the server after its commit). This lifts a
        harness guard, it does not change what fetch_mail does."""

        def commit():
            self.env.flush_all()
            self.env.cr.postcommit.run()

        with patch.object(self.env.cr, "commit", commit):
            server.fetch_mail()

    def _send_mails(self, mails):
        """Send queued mails for real. In a test Odoo neither connects nor
        sends (ir.mail_server.connect/send_email return early while
        odoo.modules.module.current_test is set): lifting that test guard
        lets Odoo's own SMTP client talk to the loopback sink."""
        with patch.object(odoo.modules.module, "current_test", False):
            mails.send(raise_exception=True)

    def _imap_flags(self):
        imap = self.dovecot.connect()
        try:
            imap.select("INBOX", readonly=True)
            _, data = imap.search(None, "ALL")
            flags = {}
            for num in data[0].split():
                _, fetched = imap.fetch(num, "(FLAGS)")
                flags[num] = imaplib.ParseFlags(fetched[0])
            _, unseen = imap.search(None, "UNSEEN")
            return flags, unseen[0].split()
        finally:
            imap.logout()

    def test_mail_from_imap_becomes_ticket_and_is_confirmed_over_smtp(self):
        # the customer's mail waits in the mailbox
        imap = self.dovecot.connect()
        try:
            status, _ = imap.append("INBOX", None, None, RAW_MAIL.encode())
            self.assertEqual(status, "OK")
        finally:
            imap.logout()
        flags, unseen = self._imap_flags()
        self.assertEqual(len(flags), 1)
        self.assertEqual(len(unseen), 1)

        # the shop's mail domain: queue addresses live there
        # (the demo shop already has it)
        self.env.company.alias_domain_id = self.env["mail.alias.domain"].search(
            [("name", "=", "shop.example")]
        ) or self.env["mail.alias.domain"].create({"name": "shop.example"})
        outgoing = self.env["ir.mail_server"].create(
            {
                "name": "Loopback sink",
                "smtp_host": "127.0.0.1",
                "smtp_port": self.smtp.port,
                "smtp_encryption": "none",
                "sequence": 1,
            }
        )
        queue = self.env["ticket.queue"].create(
            {
                "name": "Kundendienst Süd",
                "alias_name": "kundendienst-sued-e2e",
                "autoresponder": True,
                "mail_server_id": outgoing.id,
            }
        )
        server = self.env["fetchmail.server"].create(
            {
                "name": "Kundendienst mailbox",
                "server_type": "imap",
                "server": "127.0.0.1",
                "port": self.dovecot.port,
                "is_ssl": False,
                "user": MAILBOX_USER,
                "password": MAILBOX_PASSWORD,
                "queue_id": queue.id,
            }
        )
        self.assertEqual(server.object_id.model, "ticket.ticket")
        server.button_confirm_login()
        self.assertEqual(server.state, "done", "Odoo logged in to Dovecot")

        self._fetch_mail(server)

        # ---- the ticket ----
        failures = self.env["ticket.mail.failure"].search(
            [("message_id", "=", MESSAGE_ID)]
        )
        self.assertFalse(failures, f"the mail failed: {failures.error}")
        ticket = self.env["ticket.ticket"].search([("queue_id", "=", queue.id)])
        self.assertEqual(len(ticket), 1)
        self.assertEqual(ticket.name, SUBJECT, "RFC 2047 subject decoded and unfolded")
        self.assertEqual(ticket.fetchmail_server_id, server)
        self.assertEqual(ticket.channel, "email")
        self.assertEqual(ticket.partner_email, CUSTOMER_EMAIL)
        self.assertEqual(ticket.partner_name, "Jürgen Müller")
        self.assertRegex(ticket.number, r"^T\d{5,}$")
        incoming = ticket.message_ids.filtered(lambda m: m.message_type == "email")
        self.assertEqual(len(incoming), 1)
        self.assertEqual(incoming.message_id, MESSAGE_ID)
        self.assertIn("Größe M", incoming.body)
        attachments = self.env["ir.attachment"].search(
            [("res_model", "=", "ticket.ticket"), ("res_id", "=", ticket.id)]
        )
        self.assertEqual(attachments.mapped("name"), [ATTACHMENT_NAME])
        self.assertEqual(attachments.raw, ATTACHMENT, "attachment kept byte for byte")
        self.assertEqual(incoming.attachment_ids, attachments)

        # ---- the mailbox: Odoo marks a fetched mail seen and leaves it there ----
        flags, unseen = self._imap_flags()
        self.assertEqual(len(flags), 1)
        (mail_flags,) = flags.values()
        self.assertIn(b"\\Seen", mail_flags)
        self.assertNotIn(b"\\Deleted", mail_flags)
        self.assertFalse(unseen)
        # fetching again finds nothing new
        self._fetch_mail(server)
        self.assertEqual(
            self.env["ticket.ticket"].search_count([("queue_id", "=", queue.id)]), 1
        )

        # ---- the autoresponse, over SMTP ----
        mails = self.env["mail.mail"].search(
            [
                ("model", "=", "ticket.ticket"),
                ("res_id", "=", ticket.id),
                ("state", "=", "outgoing"),
            ]
        )
        self.assertEqual(len(mails), 1, "one confirmation, nothing else")
        self.assertFalse(self.sink.envelopes)
        self._send_mails(mails)
        self.assertEqual(mails.state, "sent", mails.failure_reason)

        self.assertEqual(len(self.sink.envelopes), 1)
        envelope = self.sink.envelopes[0]
        self.assertEqual(envelope["rcpt_tos"], [CUSTOMER_EMAIL])
        message = envelope["message"]
        self.assertEqual(
            str(message["Subject"]), f"Kundendienst Süd [{ticket.number}] {SUBJECT}"
        )
        self.assertEqual(message["Auto-Submitted"], "auto-replied")
        self.assertEqual(message["In-Reply-To"], MESSAGE_ID)
        self.assertIn(MESSAGE_ID, message["References"])
        self.assertEqual(message["To"].addresses[0].addr_spec, CUSTOMER_EMAIL)
        self.assertEqual(message["To"].addresses[0].display_name, "Jürgen Müller")
        queue_address = "kundendienst-sued-e2e@shop.example"
        self.assertEqual(queue.alias_email, queue_address)
        self.assertEqual(message["From"].addresses[0].addr_spec, queue_address)
        self.assertEqual(message["From"].addresses[0].display_name, "Kundendienst Süd")
        self.assertEqual(
            [address.addr_spec for address in message["Reply-To"].addresses],
            [queue_address],
        )
        html = message.get_body(("html",))
        self.assertIn(ticket.number, html.get_content())
