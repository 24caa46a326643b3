"""Tests of the developer scripts behind `make run` and `make mail` (run by
`make test`, plain pytest: no Odoo needed)."""

import email
import email.policy
import os
import signal
import smtplib
import socket
import subprocess
import sys

import pytest

SCRIPTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, SCRIPTS)

# the scripts are no package: importable once their folder is on the path
import mail  # noqa: E402 - scripts/mail.py
import smtp_sink  # noqa: E402 - scripts/smtp_sink.py

SUBJECT = "Rücksendung [T00042]: Größe L"


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _mail():
    msg = email.message.EmailMessage()
    msg["From"] = "Versandhaus Muster Vertrieb <vertrieb@shop.example>"
    msg["To"] = "Jürgen Müller <juergen@kunde.example>"
    msg["Subject"] = SUBJECT
    msg.set_content("Guten Tag,\n\nIhr Ticket ist angelegt.\n")
    return msg


def test_sink_keeps_each_mail_as_eml_and_logs_it(tmp_path, capsys):
    outbox = tmp_path / "outbox"
    port = _free_port()
    controller = smtp_sink.start("127.0.0.1", port, str(outbox))
    try:
        with smtplib.SMTP("127.0.0.1", port) as client:
            client.send_message(
                _mail(), "bounce@shop.example", ["juergen@kunde.example"]
            )
            client.send_message(
                _mail(), "bounce@shop.example", ["juergen@kunde.example"]
            )
    finally:
        controller.stop()
    files = sorted(outbox.glob("*.eml"))
    assert len(files) == 2, "one file per mail, none overwritten"
    kept = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert kept["Subject"] == SUBJECT
    assert kept["To"].addresses[0].addr_spec == "juergen@kunde.example"
    assert "Ihr Ticket ist angelegt." in kept.get_content()
    log = capsys.readouterr().out.splitlines()
    assert len(log) == 2, "one line per mail"
    assert "vertrieb@shop.example" in log[0]
    assert "juergen@kunde.example" in log[0]
    assert SUBJECT in log[0]


def test_sink_command_stops_on_sigterm(tmp_path):
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            os.path.join(SCRIPTS, "smtp_sink.py"),
            "--port",
            str(port),
            "--outbox",
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert f"listening on 127.0.0.1:{port}" in process.stdout.readline()
        with smtplib.SMTP("127.0.0.1", port) as client:
            client.send_message(
                _mail(), "bounce@shop.example", ["juergen@kunde.example"]
            )
        assert SUBJECT in process.stdout.readline()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
    assert len(list(tmp_path.glob("*.eml"))) == 1


def test_sink_command_reports_a_busy_port(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run(
            [
                sys.executable,
                os.path.join(SCRIPTS, "smtp_sink.py"),
                "--port",
                str(port),
                "--outbox",
                str(tmp_path),
            ],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    assert done.returncode != 0
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr


@pytest.mark.parametrize(
    "subject", ["Wo bleibt meine Bestellung?", "Re: [T00036] Danke"]
)
def test_make_mail_builds_the_mail_it_is_given(tmp_path, monkeypatch, capsys, subject):
    monkeypatch.setenv("FROM", "Kim Neumann <kim.neumann@example.com>")
    monkeypatch.setenv("TO", "reklamation@shop.example")
    monkeypatch.setenv("SUBJECT", subject)
    monkeypatch.setenv("BODY", "Zeile eins\\nZeile zwei")
    path = tmp_path / "mail.eml"
    mail.build(str(path))
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert msg["From"].addresses[0].addr_spec == "kim.neumann@example.com"
    assert msg["To"] == "reklamation@shop.example"
    assert msg["Subject"] == subject
    assert msg["Message-ID"] == capsys.readouterr().out.strip()
    assert msg["Date"]
    assert msg.get_content() == "Zeile eins\nZeile zwei\n"
