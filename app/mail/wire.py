"""One outbox row as the bytes handed to the SMTP server, written as text.

The message is the one message.build_message makes (the same headers, parts, encodings and
checks), written out directly: the email library builds it as a tree of header objects,
parses every header it is given and folds each one again when it writes, which took most
of a confirmation's cost to send (BENCHMARKS.md, "Registration"). Every header with user
text in it is encoded and checked as message.py does it (_UserTextHeader,
_check_one_line); From and Reply-To, the same in every mail, are folded and checked once.

A row outside what is written here (a Message-ID, language or calendar method the
application does not make) goes through build_message and the email library's writer:
the same bytes either way, but for the random part boundaries
(tests/unit/test_mail_wire.py compares them).
"""

from __future__ import annotations

import functools
import random
import re
import sys
from collections.abc import Callable
from email import quoprimime
from email.generator import BytesGenerator
from email.utils import format_datetime
from io import BytesIO

from app.mail.message import (
    CALENDAR_FILENAME,
    POLICY,
    OutboxMail,
    _check_one_line,
    _recipient_header,
    _settings_header,
    _text_header,
    _UserTextHeader,
    build_message,
    mailbox,
)

CRLF = "\r\n"
# What new_message_id makes, short enough never to be folded ("Message-ID: " + 66 = 78).
_MESSAGE_ID = re.compile(r"<[A-Za-z0-9._-]{1,40}@[A-Za-z0-9.-]{1,23}>")
_LANGUAGE = re.compile(r"[a-z]{2,3}")
_BOUNDARY_DIGITS = len(repr(sys.maxsize - 1))  # as email.generator makes them
_MAX_LINE = POLICY.max_line_length or 78

_TEXT_PART = (
    'Content-Type: text/plain; charset="utf-8"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n'
)
# add_alternative gives the part its own MIME-Version header.
_HTML_PART = (
    'Content-Type: text/html; charset="utf-8"\r\nContent-Transfer-Encoding: quoted-printable\r\n'
    "MIME-Version: 1.0\r\n\r\n"
)
_CALENDAR_PART = {
    method: (
        "Content-Transfer-Encoding: quoted-printable\r\n"
        f'Content-Disposition: attachment; filename="{CALENDAR_FILENAME}"\r\n'
        f'Content-Type: text/calendar; charset="utf-8"; method="{method}";\r\n'
        f' name="{CALENDAR_FILENAME}"\r\n'
        "MIME-Version: 1.0\r\n\r\n"
    )
    for method in ("REQUEST", "CANCEL")
}


def new_boundary() -> str:
    """A part boundary as email.generator makes one (random, not secret)."""
    return f"{'=' * 15}{random.randrange(sys.maxsize):0{_BOUNDARY_DIGITS}d}=="


def _quoted_printable(text: str) -> str:
    """What EmailMessage.set_content(text, cte="quoted-printable") stores, as written with
    CRLF line ends (contentmanager._encode_text, then Generator._write_lines).
    quoprimime.body_encode encodes each line on its own (it translates character by
    character, then breaks each line), so the body is encoded line by line: a line that
    needs nothing is itself, and the others, mostly the same in every mail of one template
    and event, are kept (_encoded_line)."""
    lines = b"\n".join(text.encode("utf-8").splitlines()).decode("latin-1").split("\n")
    return CRLF.join(line if _AS_IT_IS.fullmatch(line) else _encoded_line(line) for line in lines) + CRLF


# A line quoted-printable leaves as it is: printable ASCII but "=" (and tabs), no longer than
# a line may be, not ending in a space or tab.
_AS_IT_IS = re.compile(rf"(?:[\t -<>-~]{{0,{_MAX_LINE - 1}}}[!-<>-~])?")


@functools.lru_cache(maxsize=2048)
def _encoded_line(line: str) -> str:
    """One line of a body as quoprimime.body_encode writes it, soft breaks CRLF. Kept: the
    lines of a template's text repeat from mail to mail (a personal one is kept until 2,048
    other lines have been encoded since)."""
    return quoprimime.body_encode(line, _MAX_LINE, CRLF)


@functools.lru_cache(maxsize=8)
def _settings_line(name: str, value: str) -> str:
    """From or Reply-To from the settings, folded and checked once (a bad one raises every
    time: errors are not cached)."""
    folded = POLICY.fold(name, _settings_header(name, value))
    _check_one_line(name, folded, CRLF)
    return folded


@functools.lru_cache(maxsize=1024)
def _checked(name: str, folded: str) -> str:
    _check_one_line(name, folded, CRLF)
    return folded


def _user_line(header: _UserTextHeader) -> str:
    return _checked(header.name, header.fold(policy=POLICY))


def _multipart(boundary: str, parts: list[str]) -> str:
    """Generator._handle_multipart: each part ends in CRLF, so a blank line precedes each
    boundary after the first."""
    return f"--{boundary}\r\n" + f"\r\n--{boundary}\r\n".join(parts) + f"\r\n--{boundary}--\r\n"


def _fresh(boundary: Callable[[], str], texts: list[str]) -> str:
    while True:
        chosen = boundary()
        if not any(chosen in text for text in texts):
            return chosen


def message_bytes(
    mail: OutboxMail, *, sender: str, reply_to: str, boundary: Callable[[], str] = new_boundary
) -> bytes:
    """The message for `mail` as sent (CRLF line ends, 7-bit). Raises ValueError as
    build_message does; `boundary`: where part boundaries come from (a test fixes them)."""
    if (
        _MESSAGE_ID.fullmatch(mail.message_id) is None
        or _LANGUAGE.fullmatch(mail.language) is None
        or (mail.ics is not None and mail.ics_method not in _CALENDAR_PART)
    ):
        return _through_the_email_library(mail, sender=sender, reply_to=reply_to)
    head = (
        f"Message-ID: {mail.message_id}\r\n"
        f"Date: {format_datetime(mail.created_at)}\r\n"
        + _settings_line("From", sender)
        + _user_line(_recipient_header(mailbox(mail.to_address, mail.to_name)))
        + _settings_line("Reply-To", reply_to)
        + _user_line(_text_header("Subject", mail.subject))
        + "Auto-Submitted: auto-generated\r\nMIME-Version: 1.0\r\n"
    )
    text = _TEXT_PART + _quoted_printable(mail.text_body)
    html = _HTML_PART + _quoted_printable(mail.html_body)
    if mail.ics is None or mail.ics_method is None:
        inner = _fresh(boundary, [text, html])
        content_type = f'Content-Type: multipart/alternative;\r\n boundary="{inner}"\r\n'
        body = _multipart(inner, [text, html])
    else:
        calendar = _CALENDAR_PART[mail.ics_method] + _quoted_printable(mail.ics)
        outer = _fresh(boundary, [text, html, calendar])
        inner = _fresh(boundary, [text, html, outer])
        alternative = f'Content-Type: multipart/alternative;\r\n boundary="{inner}"\r\n\r\n' + _multipart(
            inner, [text, html]
        )
        content_type = f'Content-Type: multipart/mixed; boundary="{outer}"\r\n'
        body = _multipart(outer, [alternative, calendar])
    return f"{head}{content_type}Content-Language: {mail.language}\r\n\r\n{body}".encode("ascii")


def _through_the_email_library(mail: OutboxMail, *, sender: str, reply_to: str) -> bytes:
    """build_message written as aiosmtplib's send_message writes it (the policy's own)."""
    out = BytesIO()
    BytesGenerator(out, policy=POLICY).flatten(build_message(mail, sender=sender, reply_to=reply_to))
    return out.getvalue()
