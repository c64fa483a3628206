"""One outbox row as a MIME message (stdlib `email`, policy SMTP).

multipart/mixed
├── multipart/alternative
│   ├── text/plain; charset=utf-8
│   └── text/html; charset=utf-8
└── text/calendar; method=REQUEST|CANCEL; name=invite.ics   (only with a calendar entry)

Everything is quoted-printable, so the message is 7-bit clean and the same bytes go to any
server, with or without 8BITMIME.
"""
from __future__ import annotations

import email.policy
import secrets
from dataclasses import dataclass
from datetime import datetime
from email.errors import HeaderParseError
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

POLICY = email.policy.SMTP
CALENDAR_FILENAME = "invite.ics"


@dataclass(frozen=True)
class OutboxMail:
    """What the worker reads from a mail_outbox row to send it."""
    id: int
    message_id: str
    to_address: str
    to_name: str
    language: str
    subject: str
    text_body: str
    html_body: str
    ics: str | None
    ics_method: str | None
    created_at: datetime
    attempts: int


def one_line(text: str) -> str:
    """Names and subjects go into headers: no line breaks, no runs of spaces."""
    return " ".join(text.split())


def mailbox(address: str, name: str = "") -> Address:
    """A checked address: exactly one addr-spec with a domain, ASCII local part, no line
    breaks. Raises ValueError otherwise; callers validate user input before this."""
    address = address.strip()
    if not address or any(c in address for c in "\r\n"):
        raise ValueError("an e-mail address is one line")
    try:
        parsed = Address(display_name=one_line(name), addr_spec=address)
    except (ValueError, IndexError, HeaderParseError) as error:  # what Address() raises
        raise ValueError(f"not an e-mail address: {error}") from None
    if not parsed.username or "." not in parsed.domain:
        raise ValueError("not an e-mail address: it needs a name and a domain")
    return parsed


def sender_mailbox(sender: str) -> Address:
    """settings.mail.sender ("Name <address>"), already checked when settings load."""
    return POLICY.header_factory("From", sender).addresses[0]


def new_message_id(sender: Address) -> str:
    # Random rather than make_msgid's time and process id: it tells a reader nothing.
    return f"<{secrets.token_hex(16)}@{sender.domain}>"


class _EncodedHeader(str):
    """A non-ASCII header that email.header encodes and folds (RFC 2047); the policy passes a
    value with a matching .name through as it is (EmailPolicy.header_store_parse).

    Why not the policy's own folder: the one in the Python we run (3.11) can drop the space
    between two encoded words where it folds a long header (CPython gh-144156, fixed upstream
    in 2026), so "Växjö – åäö" arrived as "Växjö– åäö". email.header keeps every space inside
    the encoded words."""

    def __new__(cls, name: str, text: str, ascii_tail: str = "") -> "_EncodedHeader":
        self = super().__new__(cls, f"{text} {ascii_tail}".strip())
        self.name, self._text, self._tail = name, text, ascii_tail
        return self

    def fold(self, *, policy: email.policy.Policy) -> str:
        header = Header(self._text, "utf-8", header_name=self.name)
        if self._tail:
            header.append(self._tail, "us-ascii")
        encoded = header.encode(linesep=policy.linesep, maxlinelen=policy.max_line_length or 78)
        return f"{self.name}: {encoded}{policy.linesep}"


def _recipient_header(address: Address) -> Address | _EncodedHeader:
    if address.display_name.isascii():
        return address
    return _EncodedHeader("To", address.display_name, f"<{address.addr_spec}>")


def _text_header(name: str, text: str) -> str:
    return text if text.isascii() else _EncodedHeader(name, text)


def build_message(mail: OutboxMail, *, sender: str, reply_to: str) -> EmailMessage:
    message = EmailMessage(policy=POLICY)
    message["Message-ID"] = mail.message_id
    # The time the mail was written, not the attempt's: every attempt sends the same bytes.
    message["Date"] = format_datetime(mail.created_at)
    message["From"] = sender
    message["To"] = _recipient_header(mailbox(mail.to_address, mail.to_name))
    message["Reply-To"] = reply_to
    message["Subject"] = _text_header("Subject", mail.subject)
    # RFC 3834: out-of-office replies should not answer an automatic mail.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(mail.text_body, cte="quoted-printable")
    message.add_alternative(mail.html_body, subtype="html", cte="quoted-printable")
    if mail.ics is not None:
        # The method parameter is what tells a mail client this is an invitation or a
        # cancellation to apply to the calendar, not just a file.
        message.add_attachment(mail.ics, subtype="calendar", filename=CALENDAR_FILENAME,
                               cte="quoted-printable",
                               params={"method": mail.ics_method, "name": CALENDAR_FILENAME})
    # After the parts: set_content() moves or drops the Content-* headers already there.
    message["Content-Language"] = mail.language
    return message
