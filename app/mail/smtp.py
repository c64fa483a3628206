"""Handing messages to the SMTP server (aiosmtplib), one connection reused for mail after mail.

Failures come back as DeliveryError: permanent when the server refused the recipient or the
message for good (a 5xx reply to RCPT or DATA), temporary otherwise (server down, timeout,
4xx, failed log-in: a fixed configuration or a server back up makes the next try succeed).
The description names the error and the server's reply code and text, with every secret and
every e-mail address blanked out: it is kept in mail_outbox.last_error, shown on the
operations page and logged, where erasing a candidate cannot reach it.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

import aiosmtplib

from app.logs import REDACTED
from app.settings import MailSettings

# Seconds for each SMTP command, and for one whole message (connect, STARTTLS, log-in, send).
COMMAND_TIMEOUT = 30.0
MESSAGE_DEADLINE = 120.0

# Anything shaped like an address (a quoted or plain local part, or none, then @ and a
# domain): servers quote the refused recipient or sender in their reply ("550 5.1.1
# <kim@example.se>: Recipient address rejected", RFC 3463 enhanced codes before it).
_ADDRESS = re.compile(r'(?:"(?:[^"\\\r\n]|\\.)*"|[^\s<>()\[\],;:"@]+)?@[^\s<>()\[\],;:"@]+')
ADDRESS_BLANKED = "[address]"


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


def _reply(error: BaseException) -> str:
    """The server's code and text, without the addresses aiosmtplib keeps beside them (its
    exceptions' str() is their args: the refused address among them)."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        return "; ".join(f"{r.code} {r.message}" for r in error.recipients)
    if isinstance(error, aiosmtplib.SMTPResponseException):
        return f"{error.code} {error.message}"
    return str(error)


def describe(error: BaseException, secrets: list[str]) -> str:
    """The error's name and the server's reply, for mail_outbox.last_error and the log:
    never a secret of `secrets`, never an e-mail address."""
    detail = " ".join(_reply(error).split()) or "no details"
    for secret in secrets:
        detail = detail.replace(secret, REDACTED)
    detail = _ADDRESS.sub(ADDRESS_BLANKED, detail)
    return f"{type(error).__name__}: {detail}"[:1000]


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
            use_tls=mail.smtp_tls,
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
                # aiosmtplib's own transaction (MAIL, RCPT, DATA, RSET after a refusal): a
                # hand-written one that skipped its address parsing saved a sixth of the
                # worker's CPU per mail, not worth a second SMTP client to keep correct.
                await self.smtp.sendmail(sender, [recipient], message)
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
