"""app/mail/wire.py writes the bytes the email library writes for build_message's message
(as aiosmtplib's send_message flattens it), but for the random part boundaries."""

from __future__ import annotations

import random
import re
from datetime import datetime, timedelta, timezone

import pytest
from aiosmtplib.email import flatten_message

from app.mail import wire
from app.mail.message import build_message, mailbox, one_line
from tests.mail_headers import HOSTILE_NAMES
from tests.unit.test_mail_message import SENDER, outbox_mail

BOUNDARY = re.compile(rb'boundary="([^"]+)"')
REPLY_TO = "Support <support@example.se>"
CALENDAR = (
    "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nSUMMARY:S\u00e4ljare p\u00e5 kontoret i "
    "V\u00e4xj\u00f6 med en l\u00e5ng rad som viks enligt RFC 5545 s\u00e5 att den inte blir f\u00f6r "
    "l\u00e5\r\n ng\r\nDESCRIPTION:Din l\u00e4nk: https://snabb.example.se/c/abc\\nPIN i mailet\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)


def the_email_librarys(mail, cte_type: str = "8bit") -> bytes:
    return flatten_message(build_message(mail, sender=SENDER, reply_to=REPLY_TO), cte_type=cte_type)


def without_boundaries(raw: bytes) -> bytes:
    """The message with its part boundaries (random) named by their order instead."""
    for n, boundary in enumerate(BOUNDARY.findall(raw)):
        raw = raw.replace(boundary, b"BOUNDARY-%d" % n)
    return raw


def written(mail) -> bytes:
    return wire.message_bytes(mail, sender=SENDER, reply_to=REPLY_TO)


def assert_same_bytes(mail) -> None:
    expected = without_boundaries(the_email_librarys(mail))
    # Every part is 7-bit already: a server without 8BITMIME gets the same.
    assert without_boundaries(the_email_librarys(mail, cte_type="7bit")) == expected
    assert without_boundaries(written(mail)) == expected


@pytest.fixture
def no_fallback(monkeypatch):
    """The application's own rows are written here, not by the email library."""

    def refuse(*args, **kwargs):
        raise AssertionError("written through the email library")

    monkeypatch.setattr(wire, "_through_the_email_library", refuse)


PIECES = [
    "Hej Åsa!",
    "x" * 75,
    "y" * 77,
    "z" * 200,
    "a = b",
    "==",
    "trailing space ",
    "trailing tab\t",
    ".",
    "..leading dots",
    "From the start",
    "€ 100",
    "emoji 🎉 and 𝔘",
    '<p class="x">Hej</p>',
    "=?utf-8?q?Eve?=",
    "\t",
    "",
    "ä" * 40,
    "--===============1234==",
]
LINE_ENDS = ["\n", "\r\n", "\r", "\x0b", "\x0c", "\x85", "\u2028", "\n\n"]


def random_text(rng: random.Random) -> str:
    return "".join(rng.choice(PIECES) + rng.choice(LINE_ENDS) for _ in range(rng.randrange(0, 30)))


def random_name(rng: random.Random) -> str:
    names = ["Kim", "Åsa Öberg", "Kim O'Brien-Smith", "Dr. Eve", 'Eve "x", y', "", "Å" * 120]
    return rng.choice(names + list(HOSTILE_NAMES.values()))


def test_rows_as_the_application_writes_them_give_the_same_bytes(no_fallback):
    rng = random.Random(5)
    for n in range(150):
        name = random_name(rng)
        recipient = mailbox(f"k{n}@example.se", name)
        with_calendar = rng.random() < 0.7
        assert_same_bytes(
            outbox_mail(
                message_id=f"<{rng.getrandbits(128):032x}@snabbintervjuer.se>",
                to_name=recipient.display_name,
                language=rng.choice(["sv", "en"]),
                subject=one_line(rng.choice(["Bekräftelse: ", "Reminder: ", ""]) + random_name(rng) + "x"),
                text_body=random_text(rng),
                html_body=random_text(rng),
                ics=CALENDAR if with_calendar else None,
                ics_method=rng.choice(["REQUEST", "CANCEL"]) if with_calendar else None,
                created_at=datetime(2026, 12, 2, 6, 30, rng.randrange(60), tzinfo=timezone.utc)
                + timedelta(days=rng.randrange(400)),
            )
        )


def test_edges_give_the_same_bytes(no_fallback):
    for changes in [
        dict(text_body="", html_body=""),
        dict(text_body="no line end", html_body="\n"),
        dict(created_at=datetime(2026, 3, 29, 1, 30, tzinfo=timezone(timedelta(hours=2)))),
        dict(created_at=datetime(2026, 3, 29, 1, 30)),
        dict(ics="", ics_method="CANCEL"),
        dict(subject="Ny tid: " + "Växjö – åäö " * 20, to_name="Åsa " * 50),
    ]:
        assert_same_bytes(outbox_mail(**changes))


@pytest.mark.parametrize(
    "changes",
    [
        dict(message_id="<a b@c>"),
        dict(message_id="<" + "a" * 80 + "@snabbintervjuer.se>"),
        dict(language="sv-SE"),
        dict(ics="BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", ics_method="PUBLISH"),
    ],
)
def test_rows_the_application_does_not_make_go_through_the_email_library(changes):
    assert_same_bytes(outbox_mail(**changes))


@pytest.mark.parametrize(
    "changes",
    [
        dict(to_name="Eve\r\nBcc: x@evil.example"),
        dict(subject=HOSTILE_NAMES["q-utf8"]),
        dict(language="=?utf-8?q?sv=0D=0ABcc:_x@evil.example?="),
        dict(to_address="eve@example.se\r\nBcc: x@evil.example"),
        dict(text_body="\ud800"),
    ],
)
def test_what_build_message_refuses_or_cleans_is_refused_or_cleaned_alike(changes):
    mail = outbox_mail(**changes)
    try:
        expected = the_email_librarys(mail)
    except ValueError:
        with pytest.raises(ValueError):
            wire.message_bytes(mail, sender=SENDER, reply_to=REPLY_TO)
    else:
        assert without_boundaries(written(mail)) == without_boundaries(expected)


def test_a_bad_reply_to_setting_is_refused_every_time():
    bad = "=?utf-8?q?Support=0D=0ABcc:_x@evil.example?= <s@example.se>"
    for _ in range(2):
        with pytest.raises(ValueError):
            wire.message_bytes(outbox_mail(), sender=SENDER, reply_to=bad)


def test_boundaries_are_random_and_in_no_part():
    first = wire.message_bytes(
        outbox_mail(ics=CALENDAR, ics_method="REQUEST"), sender=SENDER, reply_to=REPLY_TO
    )
    second = wire.message_bytes(
        outbox_mail(ics=CALENDAR, ics_method="REQUEST"), sender=SENDER, reply_to=REPLY_TO
    )
    assert BOUNDARY.findall(first) != BOUNDARY.findall(second)
    taken = iter(["==x==", "==x==", "==y=="])  # the second is in a part (the first's): skipped
    raw = wire.message_bytes(
        outbox_mail(ics=CALENDAR, ics_method="REQUEST"),
        sender=SENDER,
        reply_to=REPLY_TO,
        boundary=lambda: next(taken),
    )
    assert BOUNDARY.findall(raw) == [b"==x==", b"==y=="]


def test_bodies_encoded_line_by_line_as_the_email_library_encodes_them_whole():
    """wire._quoted_printable encodes line by line, leaving lines that need nothing and
    keeping the others: the same text as quoprimime.body_encode over the whole body."""
    from email import quoprimime

    def whole(text: str) -> str:
        lines = text.encode("utf-8").splitlines()
        encoded = quoprimime.body_encode((b"\n".join(lines) + b"\n").decode("latin-1"), wire._MAX_LINE)
        return encoded.replace("\n", "\r\n")

    pieces = ["a", "=", " ", "\t", "å", "€", ".", "\r", "\n", "\r\n", "\x85", "\u2028", "\x0b", "x" * 70]
    randomly = random.Random(13)
    texts = ["", "\n", "tom rad\n\n", "=" * 200, "ä" * 100]
    texts += ["x" * n + tail for n in range(70, 82) for tail in ("", " ", "\t", "=", "ö", " \n", "\t\n")]
    texts += ["".join(randomly.choices(pieces, k=randomly.randrange(1, 60))) for _ in range(400)]
    for text in texts * 2:  # the second time through, the kept lines
        assert wire._quoted_printable(text) == whole(text), repr(text)
