"""Real servers for the scale-out tests and ``bench/mailgate``: a Postfix
instance of its own that pipes a domain's mail to Odoo's mailgate, and an Odoo
prefork server (``--workers``) on the same database.

Standard library only: ``bench/mailgate`` loads this file by its path, outside
of Odoo. Everything a server needs (configuration, queue, logs) lives in a
temporary folder; the servers listen on free ports of 127.0.0.1 only.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request

SBIN_PATH = os.pathsep.join(
    [os.environ.get("PATH", ""), "/usr/sbin", "/sbin", "/usr/lib/postfix/sbin"]
)
POSTFIX = shutil.which("postfix", path=SBIN_PATH)
# the shim that runs Odoo's own odoo-mailgate.py (written for Python 2)
MAILGATE = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    "scripts",
    "odoo_mailgate.py",
)
# the Postfix services a relay to a pipe needs (master.cf), none chrooted
POSTFIX_SERVICES = """\
cleanup   unix n - n - 0 cleanup
qmgr      unix n - n 300 1 qmgr
rewrite   unix - - n - - trivial-rewrite
bounce    unix - - n - 0 bounce
defer     unix - - n - 0 bounce
trace     unix - - n - 0 bounce
verify    unix - - n - 1 verify
flush     unix n - n 1000? 0 flush
proxymap  unix - - n - - proxymap
showq     unix n - n - - showq
error     unix - - n - - error
retry     unix - - n - - error
discard   unix - - n - - discard
anvil     unix - - n - 1 anvil
scache    unix - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
"""


def free_port():
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout, interval=0.2):
    """Call ``predicate`` until it returns something true or ``timeout``
    seconds passed; return its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


def read_log(path, tail=4000):
    try:
        with open(path, encoding="utf-8", errors="replace") as file:
            return file.read()[-tail:]
    except OSError:
        return ""


def system_python():
    """A Python 3 the pipe's unprivileged user can run (the mailgate needs
    the standard library only)."""
    for path in ("/usr/bin/python3", shutil.which("python3") or ""):
        if path and os.access(path, os.X_OK):
            return path
    raise RuntimeError("no python3 for the mailgate pipe")


class PostfixServer:
    """A Postfix of its own (``postfix -c <folder>``): SMTP on 127.0.0.1:<port>,
    mail for ``domain`` handed to the ``odoo`` pipe transport running
    ``pipe_argv`` (one recipient per delivery, ``concurrency`` at a time),
    anything else (bounces to customers) discarded. Needs root, as any
    Postfix master does; the pipe runs as ``pipe_user``."""

    def __init__(self, domain, pipe_argv, pipe_user="nobody", concurrency=4):
        self.domain = domain
        self.pipe_argv = pipe_argv
        self.pipe_user = pipe_user
        self.concurrency = concurrency
        self.port = None
        self.tmp = None
        self.process = None

    @property
    def conf(self):
        return os.path.join(self.tmp, "conf")

    @property
    def logfile(self):
        return os.path.join(self.tmp, "postfix.log")

    def start(self):
        if not POSTFIX:
            raise RuntimeError(
                "Postfix is missing: apt-get install postfix (.ci/run does)"
            )
        if os.geteuid() != 0:
            raise RuntimeError("a Postfix instance needs root to start")
        self.tmp = tempfile.mkdtemp(prefix="ticket-postfix-")
        # the unprivileged Postfix daemons and the pipe reach the folder
        os.chmod(self.tmp, 0o755)
        for name in ("conf", "queue", "data"):
            os.mkdir(os.path.join(self.tmp, name))
        shutil.chown(os.path.join(self.tmp, "data"), "postfix", "postfix")
        self.port = free_port()
        tmp = self.tmp
        argv = " ".join(self.pipe_argv)
        with open(os.path.join(self.conf, "main.cf"), "w", encoding="utf-8") as f:
            f.write(
                f"""\
compatibility_level = 3.6
queue_directory = {tmp}/queue
data_directory = {tmp}/data
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
meta_directory = /etc/postfix
shlib_directory = /usr/lib/postfix
mail_owner = postfix
setgid_group = postdrop
maillog_file = {tmp}/postfix.log
maillog_file_prefixes = {tmp}
myhostname = mx.{self.domain}
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
alias_maps =
alias_database =
local_recipient_maps =
relay_domains = {self.domain}
transport_maps = inline:{{ {self.domain}=odoo: }}
default_transport = discard:
odoo_destination_recipient_limit = 1
odoo_destination_concurrency_limit = {self.concurrency}
smtputf8_enable = no
biff = no
"""
            )
        with open(os.path.join(self.conf, "master.cf"), "w", encoding="utf-8") as f:
            f.write(f"127.0.0.1:{self.port} inet n - n - - smtpd\n")
            f.write(POSTFIX_SERVICES)
            f.write(
                f"odoo unix - n n - {self.concurrency} pipe flags=Rq "
                f"user={self.pipe_user} argv={argv}\n"
            )
        self.process = subprocess.Popen(  # noqa: S603 - fixed command line
            [POSTFIX, "-c", self.conf, "start-fg"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        if not wait_for(self._accepts, 60):
            self.stop()
            raise RuntimeError(f"Postfix did not start:\n{read_log(self.logfile)}")

    def _accepts(self):
        if self.process.poll() is not None:
            raise RuntimeError(
                f"Postfix exited with {self.process.returncode}:\n"
                f"{read_log(self.logfile)}"
            )
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=2) as s:
                return s.recv(100).startswith(b"220")
        except OSError:
            return False

    def log(self):
        return read_log(self.logfile)

    def stop(self):
        if self.process and self.process.poll() is None:
            subprocess.run(  # noqa: S603 - fixed command line
                [POSTFIX, "-c", self.conf, "stop"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=False,
                timeout=30,
            )
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None


class OdooServer:
    """``odoo-bin`` in prefork mode on database ``db``: ``workers`` HTTP
    workers, ``cron_threads`` cron workers, all on 127.0.0.1 (HTTP and the
    gevent port on free ports). ``odoo`` is the command that starts Odoo
    (odoo-bin or ``python -m odoo``), ``config`` its configuration file."""

    def __init__(self, odoo, config, db, workers=2, cron_threads=0, extra=()):
        self.odoo = list(odoo)
        self.config = config
        self.db = db
        self.workers = workers
        self.cron_threads = cron_threads
        self.extra = list(extra)
        self.port = None
        self.tmp = None
        self.process = None

    @property
    def logfile(self):
        return os.path.join(self.tmp, "odoo.log")

    def start(self, timeout=180):
        self.tmp = tempfile.mkdtemp(prefix="ticket-odoo-")
        self.port = free_port()
        command = [
            *self.odoo,
            "-c",
            self.config,
            "-d",
            self.db,
            f"--db-filter=^{self.db}$",
            "--http-interface=127.0.0.1",
            f"--http-port={self.port}",
            f"--gevent-port={free_port()}",
            f"--workers={self.workers}",
            f"--max-cron-threads={self.cron_threads}",
            f"--logfile={self.logfile}",
            "--log-level=info",
            *self.extra,
        ]
        with open(os.path.join(self.tmp, "stderr.log"), "wb") as stderr:
            self.process = subprocess.Popen(  # noqa: S603 - the command of this Odoo
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                start_new_session=True,
            )
        if not wait_for(self._ready, timeout, interval=0.5):
            log = self.log()
            self.stop()
            raise RuntimeError(f"Odoo did not answer within {timeout}s:\n{log}")

    def _ready(self):
        if self.process.poll() is not None:
            raise RuntimeError(
                f"Odoo exited with {self.process.returncode}:\n{self.log()}"
            )
        try:
            self.rpc("common", "version")
            return True
        except OSError:
            return False

    def rpc(self, service, method, *args):
        """A JSON-RPC call as the web client and XML-RPC clients make it."""
        body = json.dumps(
            {
                "jsonrpc": "2.0",
                "method": "call",
                "params": {"service": service, "method": method, "args": list(args)},
            }
        ).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/jsonrpc",
            data=body,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
            answer = json.loads(response.read())
        if "error" in answer:
            raise RuntimeError(answer["error"].get("data", {}).get("message", answer))
        return answer["result"]

    def execute(self, uid, password, model, method, *args, **kwargs):
        return self.rpc(
            "object", "execute_kw", self.db, uid, password, model, method, args, kwargs
        )

    def log(self):
        return "\n".join(
            read_log(os.path.join(self.tmp, name))
            for name in ("stderr.log", "odoo.log")
        )

    def stop(self):
        if self.process and self.process.poll() is None:
            # SIGINT: the prefork master stops its workers once they are
            # idle; a second one stops them at once
            for signum, timeout in ((signal.SIGINT, 3), (signal.SIGINT, 10)):
                self.process.send_signal(signum)
                try:
                    self.process.wait(timeout=timeout)
                    break
                except subprocess.TimeoutExpired:
                    continue
            else:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None


def mailgate_argv(mailgate_script, port, db, uid, password):
    """The pipe command: Odoo's odoo-mailgate.py (through the Python 3 shim)
    delivering to the Odoo on 127.0.0.1:``port``."""
    return [
        system_python(),
        MAILGATE,
        "--mailgate",
        mailgate_script,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "-d",
        db,
        "-u",
        str(uid),
        "-p",
        password,
    ]
