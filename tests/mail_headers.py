"""Reading a mail's header block the way a mail client does, to check that user text in it
(names, event titles) stayed one line in every header, whatever encoding it arrived in.

    fields = header_fields(raw)          # [(name, value)] of the message's own header block
    assert_one_line_headers(raw, OUR_HEADERS)
"""

from __future__ import annotations

import base64
import email.header
import re

# Every header the product sets on a mail (app/mail/message.py) and the two the library adds.
OUR_HEADERS = (
    "Message-ID",
    "Date",
    "From",
    "To",
    "Reply-To",
    "Subject",
    "Auto-Submitted",
    "Content-Language",
    "MIME-Version",
    "Content-Type",
)

# What must never be in a header's decoded text: C0 and C1 controls (CR, LF, NEL U+0085, …),
# the Unicode line and paragraph separators.
LINE_BREAKING = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _b(charset: str, text: str) -> str:
    return f"=?{charset}?b?{base64.b64encode(text.encode(charset)).decode('ascii')}?="


# Names (and titles) that try to get out of their header: RFC 2047 encoded words that decode
# to line breaks (q and b; UTF-8 and Latin-1), raw line breaks of every kind, and long ones.
HOSTILE_NAMES = {
    "q-utf8": "=?utf-8?q?Eve=0D=0AReply-To:_x@evil.example=0D=0A=0D=0APHISH?=",
    "b-utf8": _b("utf-8", "Eve\r\nBcc: x@evil.example\r\nX-Injected: b-utf8"),
    "q-latin1": "=?iso-8859-1?q?=C5sa=0D=0AX-Injected:_q-latin1?=",
    "b-latin1": _b("iso-8859-1", "Åsa\r\nX-Injected: b-latin1\r\n\r\nPHISH"),
    "mixed": "Åsa Öberg =?UTF-8?Q?=0AX-Injected:_mixed?= och =?utf-8?B?DQpYLUluamVjdGVkOiBt?=",
    "crlf": "Eve\r\nX-Injected: crlf\r\n\r\nPHISH",
    "lf": "Eve\nX-Injected: lf",
    "nel": "Eve\x85X-Injected: nel",
    "u2028": "Eve\u2028X-Injected: u2028\u2029PHISH",
    "controls": "Eve\x0bX-Injected:\x0c\x1c\x1d\x1e\x1f\x7f vt",
    "long": ("Åsa-Märta Öberg von Långnamnsson =?utf-8?q?=0D=0AX-Injected:_long?= " * 4)[:200],
    "long-word": "=?utf-8?q?" + "=0D=0AX-Injected:_long-word" * 6 + "?=",
}


def header_fields(raw: bytes) -> list[tuple[str, str]]:
    """The message's own header block as (name, unfolded value) pairs, in order; the block
    must be 7-bit ASCII, and every line either a field or the continuation of one."""
    head = re.split(rb"\r?\n\r?\n", raw, maxsplit=1)[0].decode("ascii")
    fields: list[tuple[str, str]] = []
    for line in re.split(r"\r?\n", head):
        if line[:1] in (" ", "\t") and fields:
            name, value = fields[-1]
            fields[-1] = (name, value + line)  # RFC 5322 unfolding: drop only the line break
            continue
        name, colon, value = line.partition(":")
        assert colon and re.fullmatch(r"[!-9;-~]+", name), f"not a header field: {line!r}"
        fields.append((name, value))
    return [(name, value.strip(" \t")) for name, value in fields]


def decoded(value: str) -> str:
    """A header value as a mail client shows it: RFC 2047 encoded words decoded."""
    return str(email.header.make_header(email.header.decode_header(value)))


def assert_one_line_headers(raw: bytes, expected: tuple[str, ...] = OUR_HEADERS) -> dict[str, str]:
    """Exactly the `expected` headers, each once, each decoding to one line; returns them
    decoded, by name."""
    fields = header_fields(raw)
    names = [name for name, _ in fields]
    assert sorted(names) == sorted(expected), f"headers {names}, expected {sorted(expected)}"
    values = {}
    for name, value in fields:
        text = decoded(value)
        assert not LINE_BREAKING.search(text), f"{name} decodes to more than one line: {text!r}"
        values[name] = text
    return values


def assert_recipient(to: str, name: str, address: str) -> None:
    """The decoded To header names `address` with `name` (bare, or as a quoted string), and
    nothing else."""
    shown = {address} if not name else {f"{name} <{address}>", f'"{name}" <{address}>'}
    assert to in shown, f"To shows {to!r}, expected one of {shown}"
