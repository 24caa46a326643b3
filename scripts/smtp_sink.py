#!/usr/bin/env python3
"""A local SMTP server that delivers nothing: every mail it receives is kept.

`make run` starts it and makes it the outgoing mail server of the demo
database, so that the mails Odoo sends (autoresponses, replies to customers,
status mails) can be read instead of going out or failing:

* each mail is written as it arrived to OUTBOX/<time>-<n>-<subject>.eml
  (open it with any mail client, or read it as text);
* one line per mail goes to stdout: time, sender, recipients, subject.

Usage: smtp_sink.py [--host 127.0.0.1] [--port 8025] [--outbox .run/outbox]
Stops on SIGINT or SIGTERM. Needs aiosmtpd (requirements.txt).
"""

import argparse
import email
import email.policy
import itertools
import os
import re
import signal
import sys
import threading
import time

from aiosmtpd.controller import Controller


def _safe(text, limit=40):
    """A piece of a file name made from a subject."""
    text = re.sub(r"[^\w.-]+", "_", text, flags=re.UNICODE).strip("._")
    return text[:limit] or "no-subject"


class OutboxHandler:
    """aiosmtpd handler: accept every mail and keep it in the outbox."""

    def __init__(self, outbox, log=None):
        self.outbox = outbox
        self.log = log  # default: sys.stdout at the time of each mail
        self._counter = itertools.count(1)
        os.makedirs(outbox, exist_ok=True)

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode()
        message = email.message_from_bytes(raw, policy=email.policy.default)
        subject = str(message.get("Subject", ""))
        stamp = time.strftime("%Y%m%d-%H%M%S")
        name = f"{stamp}-{next(self._counter):04d}-{_safe(subject)}.eml"
        path = os.path.join(self.outbox, name)
        # a small local file: blocking the sink's event loop briefly is fine
        with open(path, "wb") as file:  # noqa: ASYNC230
            file.write(raw)
        sender = str(message.get("From") or envelope.mail_from)
        rcpt = ", ".join(envelope.rcpt_tos)
        print(
            f"{time.strftime('%H:%M:%S')} mail from {sender} to {rcpt}: "
            f"{subject} ({os.path.relpath(path)})",
            file=self.log or sys.stdout,
            flush=True,
        )
        return "250 Message accepted for delivery"


def start(host, port, outbox, log=None):
    """Start the sink in a background thread; returns its aiosmtpd Controller
    (call .stop() to end it)."""
    controller = Controller(OutboxHandler(outbox, log), hostname=host, port=port)
    controller.start()
    return controller


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--port", type=int, default=int(os.environ.get("TICKET_SMTP_PORT") or 8025)
    )
    parser.add_argument("--outbox", default=".run/outbox")
    args = parser.parse_args(argv)

    try:
        controller = start(args.host, args.port, args.outbox)
    except (OSError, RuntimeError) as error:
        sys.exit(f"smtp sink: cannot listen on {args.host}:{args.port}: {error}")
    print(
        f"smtp sink: listening on {args.host}:{args.port}, "
        f"keeping mail in {args.outbox}/",
        flush=True,
    )
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
