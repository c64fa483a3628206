"""app/mail/smtp.py against a real SMTP server (aiosmtpd on loopback): one connection for
mail after mail, the exchange written for plain addresses, refusals told apart."""

from __future__ import annotations

import ssl
import subprocess

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from app.localstack.processes import free_port
from app.mail.smtp import DeliveryError, SmtpClient
from app.settings import MailSettings

SENDER = "no-reply@snabbintervjuer.se"
MESSAGE = b"Subject: hej\r\n\r\nEn rad.\r\n.punkt\r\n"


class Recorder:
    """Refuses "gone…" for good and "busy…" for now; keeps what it accepts."""

    def __init__(self) -> None:
        self.accepted: list[tuple[str, list[str], bytes]] = []
        self.sessions: set[int] = set()

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address, options):
        if address.startswith("gone"):
            return "550 no such user"
        if address.startswith("busy"):
            return "450 mailbox busy"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.sessions.add(id(session))
        self.accepted.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted"


@pytest.fixture
def server():
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller, recorder
    finally:
        controller.stop()


async def test_mails_go_over_one_connection_and_refusals_are_told_apart(server):
    controller, recorder = server
    client = SmtpClient(MailSettings(smtp_port=controller.port), [])
    try:
        # The first goes through sendmail (it says EHLO), the next ones the plain way.
        for n in range(3):
            await client.send(MESSAGE, sender=SENDER, recipient=f"kim{n}@example.se")
        with pytest.raises(DeliveryError) as refused:
            await client.send(MESSAGE, sender=SENDER, recipient="gone@example.se")
        assert refused.value.permanent and "550 no such user" in refused.value.description
        assert "gone" not in refused.value.description  # it is logged and shown: no address
        with pytest.raises(DeliveryError) as later:
            await client.send(MESSAGE, sender=SENDER, recipient="busy@example.se")
        assert not later.value.permanent and "450 mailbox busy" in later.value.description
        assert "busy@" not in later.value.description
        # An address that is not dot-atom goes through sendmail, as before.
        await client.send(MESSAGE, sender=SENDER, recipient='"kim k"@example.se')
        await client.send(MESSAGE, sender=SENDER, recipient="kim3@example.se")
    finally:
        await client.close()
    assert [(frm, to) for frm, to, _ in recorder.accepted] == [
        (SENDER, ["kim0@example.se"]),
        (SENDER, ["kim1@example.se"]),
        (SENDER, ["kim2@example.se"]),
        (SENDER, ['"kim k"@example.se']),
        (SENDER, ["kim3@example.se"]),
    ]
    assert all(content == MESSAGE for _, _, content in recorder.accepted)
    # A refusal drops the connection (SmtpClient.send): the mails went over two, one
    # before the refusals and one after them.
    assert len(recorder.sessions) == 2


def self_signed(folder) -> tuple[str, str]:
    """A certificate for 127.0.0.1 and its key, made with openssl (as scripts/run makes
    coturn's)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return str(cert), str(key)


async def test_tls_from_the_first_byte_as_on_port_465(tmp_path, monkeypatch):
    """mail.smtp_tls: the connection is TLS before the server's greeting, and the server's
    certificate is checked (here against the test's own, trusted for the test only)."""
    cert, key = self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port(), ssl_context=context)
    controller.start()
    try:
        monkeypatch.setenv("SSL_CERT_FILE", cert)
        client = SmtpClient(MailSettings(smtp_port=controller.port, smtp_tls=True), [])
        try:
            await client.send(MESSAGE, sender=SENDER, recipient="kim@example.se")
        finally:
            await client.close()
        # Not with a certificate nobody trusts.
        monkeypatch.delenv("SSL_CERT_FILE")
        untrusted = SmtpClient(MailSettings(smtp_port=controller.port, smtp_tls=True), [])
        with pytest.raises(DeliveryError):
            await untrusted.send(MESSAGE, sender=SENDER, recipient="kim@example.se")
        await untrusted.close()
    finally:
        controller.stop()
    assert [(frm, to) for frm, to, _ in recorder.accepted] == [(SENDER, ["kim@example.se"])]


def test_tls_and_starttls_are_not_both_set():
    with pytest.raises(ValueError, match="exclude each other"):
        MailSettings(smtp_tls=True, smtp_starttls=True)
