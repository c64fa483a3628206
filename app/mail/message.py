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
import functools
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from email.errors import HeaderParseError
from email.header import Header, decode_header, make_header
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


# C0 and C1 controls (CR, LF and NEL U+0085 among them), the line and paragraph separators
# U+2028/2029 and lone surrogates: a header holds none of them, and readers break lines at some.
_NOT_IN_A_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def one_line(text: str) -> str:
    """Names and subjects go into headers: every control character and line separator
    becomes a space, runs of spaces one."""
    return " ".join(_NOT_IN_A_LINE.sub(" ", text).split())


# An address that is dot-atom@dot-atom (RFC 5322), as nearly every one is: the header parser
# (most of what mailbox() cost, in the page and again in the mail worker) would find exactly
# these two parts in it, with nothing to quote or drop (tests/unit/test_mail_message.py).
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
PLAIN_ADDRESS = re.compile(rf"({_ATOM}(?:\.{_ATOM})*)@({_ATOM}(?:\.{_ATOM})*)")


def mailbox(address: str, name: str = "") -> Address:
    """A checked address: exactly one addr-spec with a domain, ASCII, no line breaks and
    nothing a reader would decode (RFC 2047 "=?"). Raises ValueError otherwise; callers
    validate user input before this."""
    address = address.strip()
    if not address or not address.isascii() or any(c in address for c in "\r\n"):
        raise ValueError("an e-mail address is one line of ASCII")
    if "=?" in address:
        raise ValueError("an e-mail address cannot hold an encoded word")
    plain = PLAIN_ADDRESS.fullmatch(address)
    try:
        if plain is not None:  # what the parser makes of it, without the parser
            parsed = Address(display_name=one_line(name), username=plain[1], domain=plain[2])
        else:
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


# User text goes into a header as it is only where no reader can take it for anything but
# text: printable ASCII without "=?" (which starts an RFC 2047 encoded word, and readers decode
# those), and in a display name only RFC 5322 atext and spaces (nothing to quote, no address
# syntax). Everything else we encode ourselves, as UTF-8 encoded words.
_PLAIN_TEXT = re.compile(r"[\x20-\x7e]*")
_PLAIN_PHRASE = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]*")
_FOLDED_LINE = re.compile(r"[\t\x20-\x7e]*")


def _is_plain(text: str, allowed: re.Pattern[str]) -> bool:
    return allowed.fullmatch(text) is not None and "=?" not in text


class _UserTextHeader(str):
    """A header with user text in it, encoded and folded here (email.header, RFC 2047), so
    the email library never parses it: its header classes decode encoded words in what they
    are given and would write the decoded line breaks out raw (the To header of a name like
    "=?utf-8?q?Eve=0D=0ABcc:…?=" became two headers). The policy passes a value with a
    matching .name through as it is (EmailPolicy.header_store_parse) and writes what fold()
    returns.

    The policy's own folder is no choice for non-ASCII text either: the one in the Python we
    run (3.11) can drop the space between two encoded words where it folds a long header
    (CPython gh-144156, fixed upstream in 2026), so "Växjö – åäö" arrived as "Växjö– åäö".
    email.header keeps every space inside the encoded words."""

    name: str
    _text: str
    _plain: bool
    _tail: str

    def __new__(cls, name: str, text: str, *, plain: bool, ascii_tail: str = "") -> "_UserTextHeader":
        self = super().__new__(cls, f"{text} {ascii_tail}".strip())
        self.name, self._text, self._plain, self._tail = name, text, plain, ascii_tail
        return self

    def fold(self, *, policy: email.policy.Policy) -> str:
        return _encoded_header(
            self.name,
            str(self),
            self._text,
            self._plain,
            self._tail,
            policy.linesep,
            policy.max_line_length or 78,
        )


@functools.lru_cache(maxsize=256)
def _encoded_header(
    name: str, whole: str, text: str, plain: bool, tail: str, linesep: str, maxlinelen: int
) -> str:
    """_UserTextHeader.fold, kept for the next time: a message's headers are folded twice (the
    check in build_message, then when it is written), and many mails share a subject."""
    header = Header(header_name=name)
    if plain:
        header.append(whole, "us-ascii")
    else:
        header.append(text, "utf-8")
        if tail:
            header.append(tail, "us-ascii")
    encoded = header.encode(linesep=linesep, maxlinelen=maxlinelen)
    return f"{name}: {encoded}{linesep}"


def _recipient_header(address: Address) -> _UserTextHeader:
    name = address.display_name
    if not name:
        return _UserTextHeader("To", "", plain=True, ascii_tail=address.addr_spec)
    return _UserTextHeader(
        "To", name, plain=_is_plain(name, _PLAIN_PHRASE), ascii_tail=f"<{address.addr_spec}>"
    )


def _text_header(name: str, text: str) -> _UserTextHeader:
    text = one_line(text)
    return _UserTextHeader(name, text, plain=_is_plain(text, _PLAIN_TEXT))


def _check_one_line(name: str, folded: str, linesep: str) -> None:
    """A header as it will be written: printable ASCII, every line break a fold (a space
    follows it), and decoded the way a reader decodes it (RFC 2047), still one line."""
    lines = folded.removesuffix(linesep).split(linesep)
    if not all(_FOLDED_LINE.fullmatch(line) for line in lines) or not all(
        line.startswith((" ", "\t")) for line in lines[1:]
    ):
        raise ValueError(f"the {name} header would not be one header")
    try:
        text = str(make_header(decode_header("".join(lines).partition(":")[2])))
    except (HeaderParseError, LookupError, UnicodeError):
        raise ValueError(f"the {name} header cannot be decoded") from None
    if _NOT_IN_A_LINE.search(text):
        raise ValueError(f"the {name} header decodes to more than one line")


@functools.lru_cache(maxsize=8)
def _settings_header(name: str, value: str) -> Any:
    """From and Reply-To, the same in every mail (from the settings): parsed once, as the
    message would parse the string (that takes as long as the rest of the headers)."""
    return POLICY.header_store_parse(name, value)[1]


def build_message(mail: OutboxMail, *, sender: str, reply_to: str) -> EmailMessage:
    message = EmailMessage(policy=POLICY)
    message["Message-ID"] = mail.message_id
    # The time the mail was written, not the attempt's: every attempt sends the same bytes.
    message["Date"] = format_datetime(mail.created_at)
    message["From"] = _settings_header("From", sender)
    message["To"] = _recipient_header(mailbox(mail.to_address, mail.to_name))
    message["Reply-To"] = _settings_header("Reply-To", reply_to)
    message["Subject"] = _text_header("Subject", mail.subject)
    # RFC 3834: out-of-office replies should not answer an automatic mail.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(mail.text_body, cte="quoted-printable")
    message.add_alternative(mail.html_body, subtype="html", cte="quoted-printable")
    if mail.ics is not None:
        # The method parameter is what tells a mail client this is an invitation or a
        # cancellation to apply to the calendar, not just a file.
        message.add_attachment(
            mail.ics,
            subtype="calendar",
            filename=CALENDAR_FILENAME,
            cte="quoted-printable",
            params={"method": mail.ics_method, "name": CALENDAR_FILENAME},
        )
    # After the parts: set_content() moves or drops the Content-* headers already there.
    message["Content-Language"] = mail.language
    # The last word on what goes out, whatever made each header: one line, also once decoded.
    # The error names the header, never its value: it is logged and kept in last_error.
    for part in message.walk():
        for name, value in part.raw_items():
            _check_one_line(name, POLICY.fold(name, value), POLICY.linesep)
    return message
