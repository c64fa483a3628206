"""Handing messages to the SMTP server (aiosmtplib), one connection reused for mail after mail.

Failures come back as DeliveryError: permanent when the server refused the recipient or the
message for good (a 5xx reply to RCPT or DATA), temporary otherwise (server down, timeout,
4xx, failed log-in: a fixed configuration or a server back up makes the next try succeed).
The description names the error and the server's reply, with every secret blanked out.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiosmtplib

from app.logs import REDACTED
from app.mail.message import PLAIN_ADDRESS
from app.settings import MailSettings

# Seconds for each SMTP command, and for one whole message (connect, STARTTLS, log-in, send).
COMMAND_TIMEOUT = 30.0
MESSAGE_DEADLINE = 120.0


class DeliveryError(Exception):
    def __init__(self, description: str, *, permanent: bool):
        super().__init__(description)
        self.description = description
        self.permanent = permanent


def _permanent(error: BaseException) -> bool:
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        return bool(error.recipients) and all(500 <= r.code < 600 for r in error.recipients)
    if isinstance(error, (aiosmtplib.SMTPRecipientRefused, aiosmtplib.SMTPDataError)):
        return 500 <= error.code < 600
    return False


def describe(error: BaseException, secrets: list[str]) -> str:
    detail = str(error).strip() or "no details"
    text = f"{type(error).__name__}: {' '.join(detail.split())}"
    for secret in secrets:
        text = text.replace(secret, REDACTED)
    return text[:1000]


def plain_address(address: str) -> bool:
    """dot-atom@dot-atom: nothing in it to quote, and nothing that could end the SMTP command
    it goes on (app/mail/message.py checks every address the outbox holds the same way)."""
    return PLAIN_ADDRESS.fullmatch(address) is not None


async def _plain_transaction(smtp: aiosmtplib.SMTP, message: bytes, sender: str, recipient: str) -> None:
    """What aiosmtplib's sendmail sends for one recipient after EHLO (MAIL with SIZE when the
    server takes it, RCPT, DATA; RSET after a refusal), for two plain addresses: sendmail
    parses each address twice, with the email package's address parser, which was a sixth of
    the worker's CPU per mail (BENCHMARKS.md, "Registration")."""
    options = [f"size={len(message)}".encode("ascii")] if smtp.supports_extension("size") else []
    try:
        response = await smtp.execute_command(b"MAIL", f"FROM:<{sender}>".encode("ascii"), *options)
        if response.code != aiosmtplib.SMTPStatus.completed:
            raise aiosmtplib.SMTPSenderRefused(response.code, response.message, sender)
        response = await smtp.execute_command(b"RCPT", f"TO:<{recipient}>".encode("ascii"))
        if response.code not in (aiosmtplib.SMTPStatus.completed, aiosmtplib.SMTPStatus.will_forward):
            raise aiosmtplib.SMTPRecipientRefused(response.code, response.message, recipient)
        await smtp.data(message)
    except aiosmtplib.SMTPResponseException:
        try:
            await smtp.rset()
        except (ConnectionError, aiosmtplib.SMTPResponseException):
            pass  # as sendmail: the refusal is what is reported
        raise


class SmtpClient:
    """One connection to settings.mail's server, opened when first needed; after a failure
    it is dropped and the next send opens a fresh one."""

    def __init__(self, settings: MailSettings, secrets: list[str]):
        self.settings = settings
        self.smtp: aiosmtplib.SMTP | None = None
        # Every configured secret (the SMTP password among them) is blanked out of errors.
        self._secrets = sorted((s for s in secrets if len(s) >= 4), key=len, reverse=True)

    def _new_client(self) -> aiosmtplib.SMTP:
        mail = self.settings
        credentials: dict[str, Any] = {}
        if mail.smtp_user:
            credentials = {"username": mail.smtp_user, "password": mail.smtp_password.get_secret_value()}
        # start_tls=False rather than aiosmtplib's "when offered": the setting decides.
        return aiosmtplib.SMTP(
            hostname=mail.smtp_host,
            port=mail.smtp_port,
            timeout=COMMAND_TIMEOUT,
            start_tls=mail.smtp_starttls,
            **credentials,
        )

    @property
    def connected(self) -> bool:
        """Whether a connection is open (the server's close is noticed as it arrives)."""
        return self.smtp is not None and self.smtp.is_connected

    async def send(self, message: bytes, *, sender: str, recipient: str) -> None:
        """Send `message` (as app/mail/wire.py writes it: CRLF line ends, 7-bit) to exactly
        `recipient` (the envelope is never read back from the headers)."""
        try:
            async with asyncio.timeout(MESSAGE_DEADLINE):
                if self.smtp is None or not self.smtp.is_connected:
                    self.smtp = self._new_client()
                    await self.smtp.connect()
                if self.smtp.is_ehlo_or_helo_needed or not (
                    plain_address(sender) and plain_address(recipient)
                ):
                    await self.smtp.sendmail(sender, [recipient], message)
                else:
                    await _plain_transaction(self.smtp, message, sender, recipient)
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            await self.close()
            raise DeliveryError(describe(error, self._secrets), permanent=_permanent(error)) from None

    async def close(self) -> None:
        smtp, self.smtp = self.smtp, None
        if smtp is None or not smtp.is_connected:
            return
        try:
            await asyncio.wait_for(smtp.quit(), 5)
        except (aiosmtplib.SMTPException, OSError, TimeoutError):
            smtp.close()
