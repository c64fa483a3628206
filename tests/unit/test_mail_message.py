"""Mail without a server: rendering, the MIME message, addresses, retries and errors."""

from __future__ import annotations

import email
import email.header
import email.policy
import re
from datetime import datetime, timedelta, timezone
from typing import Any

import aiosmtplib
import pytest

from app.i18n import Renderer
from app.mail import Mailer
from app.mail.calendar import CalendarEntry, calendar_text
from app.mail import message as mail_message
from app.mail.message import OutboxMail, build_message, mailbox, one_line, sender_mailbox
from app.mail.smtp import _permanent, describe
from app.mail.worker import FIRST_RETRY_DELAY, retry_delay
from app.settings import load_settings
from tests.mail_headers import (
    HOSTILE_NAMES,
    LINE_BREAKING,
    assert_one_line_headers,
    assert_recipient,
    header_fields,
)

SECRETS = {
    "SNABB_APP_SECRET_KEY": "a" * 32,
    "SNABB_JANUS_ADMIN_SECRET": "c" * 32,
    "SNABB_JANUS_ROOM_ADMIN_KEY": "d" * 32,
    "SNABB_JANUS_EVENT_SECRET": "e" * 32,
    "DATABASE_URL": "postgresql://u:p@127.0.0.1/x",
}
SENDER = "Snabbintervjuer <no-reply@snabbintervjuer.se>"
STARTS = datetime(2026, 12, 4, 13, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def mailer() -> Mailer:
    return Mailer(load_settings(dict(SECRETS, SNABB_APP_PUBLIC_URL="https://snabb.example.se")), Renderer())


def outbox_mail(**changes) -> OutboxMail:
    values: dict[str, Any] = dict(
        id=1,
        message_id="<abc123@snabbintervjuer.se>",
        to_address="asa@example.se",
        to_name="Åsa Öberg",
        language="sv",
        subject="Ny tid: Säljare på kontoret i Växjö",
        text_body="Hej Åsa!\nTiden är ändrad.\n",
        html_body="<p>Hej Åsa!</p>",
        ics=None,
        ics_method=None,
        created_at=datetime(2026, 11, 20, 9, 30, tzinfo=timezone.utc),
        attempts=1,
    )
    values.update(changes)
    return OutboxMail(**values)


def reparse(message) -> email.message.EmailMessage:
    return reparse_bytes(message.as_bytes())


def reparse_bytes(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)


def test_text_and_html_alternatives_with_headers():
    parsed = reparse(build_message(outbox_mail(), sender=SENDER, reply_to="support@example.se"))
    assert parsed.get_content_type() == "multipart/alternative"
    # On the wire lines end in CRLF.
    assert parsed.get_body(("plain",)).get_content() == "Hej Åsa!\r\nTiden är ändrad.\r\n"
    assert parsed.get_body(("html",)).get_content().strip() == "<p>Hej Åsa!</p>"
    assert str(parsed["Subject"]) == "Ny tid: Säljare på kontoret i Växjö"
    assert parsed["To"].addresses[0].display_name == "Åsa Öberg"
    assert parsed["To"].addresses[0].addr_spec == "asa@example.se"
    assert parsed["Message-ID"] == "<abc123@snabbintervjuer.se>"
    assert parsed["Date"].datetime == datetime(2026, 11, 20, 9, 30, tzinfo=timezone.utc)
    assert parsed["Reply-To"] == "support@example.se"
    assert parsed["Content-Language"] == "sv"
    assert parsed["Auto-Submitted"] == "auto-generated"


def test_the_message_is_seven_bit_clean():
    raw = build_message(outbox_mail(), sender=SENDER, reply_to="s@example.se").as_bytes()
    assert max(raw) < 128


def test_a_calendar_goes_along_as_invite_ics_with_its_method():
    entry = CalendarEntry(
        uid="event-1-candidate-2@snabbintervjuer",
        sequence=1,
        method="REQUEST",
        summary="Säljare",
        description="",
        starts_at=STARTS,
        ends_at=STARTS + timedelta(hours=1),
    )
    ics = calendar_text(
        entry, organizer=sender_mailbox(SENDER), attendee=mailbox("asa@example.se"), stamp=STARTS
    )
    parsed = reparse(
        build_message(outbox_mail(ics=ics, ics_method="REQUEST"), sender=SENDER, reply_to="s@example.se")
    )
    assert parsed.get_content_type() == "multipart/mixed"
    (attachment,) = parsed.iter_attachments()
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_param("method") == "REQUEST"
    assert attachment.get_filename() == "invite.ics"
    assert "UID:event-1-candidate-2@snabbintervjuer" in attachment.get_content()
    assert parsed.get_body(("plain",)).get_content().startswith("Hej Åsa!")


@pytest.mark.parametrize(
    "address",
    [
        "",
        "asa",
        "asa@",
        "@example.se",
        "a b@example.se",
        "asa@example",
        "asa@example.se\r\nBcc: x@example.se",
        "åsa@example.se",
        "a@b.se, c@d.se",
    ],
)
def test_bad_addresses_are_refused(address):
    with pytest.raises(ValueError):
        mailbox(address, "Åsa")


def test_a_name_cannot_break_into_the_headers():
    address = mailbox(" asa@example.se ", "Åsa\r\nBcc: evil@example.se")
    assert address.display_name == "Åsa Bcc: evil@example.se"
    parsed = reparse(
        build_message(outbox_mail(to_name=address.display_name), sender=SENDER, reply_to="s@example.se")
    )
    assert parsed["Bcc"] is None
    assert len(parsed["To"].addresses) == 1


@pytest.mark.parametrize(
    "name",
    [*HOSTILE_NAMES.values(), "Eve\x00\x1b[31mX", "Åsa " * 150],
    ids=[*HOSTILE_NAMES, "nul-escape", "600-chars"],
)
def test_user_text_stays_in_its_header_whatever_its_encoding(name):
    # As Mailer.enqueue makes a row: the name through mailbox(), the subject through one_line.
    recipient = mailbox("asa@example.se", name)
    subject = one_line(f"Ny tid: {name}")
    raw = build_message(
        outbox_mail(to_name=recipient.display_name, subject=subject),
        sender=SENDER,
        reply_to="support@example.se",
    ).as_bytes()
    headers = assert_one_line_headers(raw)
    assert_recipient(headers["To"], one_line(name), "asa@example.se")
    assert headers["Subject"] == subject and headers["Reply-To"] == "support@example.se"
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998
    parsed = reparse_bytes(raw)
    assert [a.addr_spec for a in parsed["To"].addresses] == ["asa@example.se"]
    assert parsed.get_body(("plain",)).get_content().startswith("Hej Åsa!")


@pytest.mark.parametrize(
    "text", ["Eve\r\nBcc: x@evil.example\r\n\r\nPHISH", "Eve\x85Bcc: x", "Eve\u2028Bcc: x", "Eve\tBcc:\x00 x"]
)
def test_a_row_with_raw_line_breaks_still_gives_one_line_headers(text):
    # Rows are written by Mailer.enqueue, which cleans them; the builder does not count on it.
    raw = build_message(
        outbox_mail(to_name=text, subject=text), sender=SENDER, reply_to="s@example.se"
    ).as_bytes()
    headers = assert_one_line_headers(raw)
    assert headers["Subject"] == one_line(text)
    assert_recipient(headers["To"], one_line(text), "asa@example.se")


def test_plain_ascii_is_written_as_it_is_and_everything_else_encoded():
    fields = dict(
        header_fields(
            build_message(
                outbox_mail(to_name="Kim O'Brien-Smith", subject="Reminder: Sales, Malmo (10:00)"),
                sender=SENDER,
                reply_to="s@example.se",
            ).as_bytes()
        )
    )
    assert fields["To"] == "Kim O'Brien-Smith <asa@example.se>"
    assert fields["Subject"] == "Reminder: Sales, Malmo (10:00)"
    # What a reader would decode (or, in a name, parse as address syntax) we encode, so it
    # shows as the text it was.
    for name in ("=?utf-8?q?Eve?=", "Eve <x@evil.example>", 'Eve "x", y', "Dr. Eve"):
        message = build_message(
            outbox_mail(to_name=name, subject=name), sender=SENDER, reply_to="s@example.se"
        )
        fields = dict(header_fields(message.as_bytes()))
        assert fields["To"].startswith("=?utf-8?")
        assert fields["Subject"].startswith("=?utf-8?") == ("=?" in name)
        parsed = reparse(message)
        assert str(parsed["Subject"]) == name and parsed["To"].addresses[0].display_name == name


@pytest.mark.parametrize(
    "language",
    ["=?utf-8?q?sv=0D=0ABcc:_x@evil.example?=", "=?iso-8859-1?b?c3YNCkJjYzogeEBldmlsLmV4YW1wbGU=?="],
)
def test_any_header_that_would_not_be_one_line_stops_the_message(language):
    # The last check covers every header, whoever made it: the email library decodes these
    # and (on Pythons without its later fix) writes the line break out as it is.
    with pytest.raises(ValueError, match="Content-Language") as refused:
        build_message(outbox_mail(language=language), sender=SENDER, reply_to="s@example.se")
    assert "evil" not in str(refused.value)  # the error is logged: no value in it


@pytest.mark.parametrize(
    "reply_to",
    [
        "=?utf-8?q?Support=0D=0ABcc:_x@evil.example?= <s@example.se>",
        "=?iso-8859-1?b?U3VwcG9ydA0KQmNjOiB4QGV2aWwuZXhhbXBsZQ==?= <s@example.se>",
    ],
)
def test_a_setting_that_would_break_its_header_stops_the_message(reply_to):
    with pytest.raises(ValueError):
        build_message(outbox_mail(), sender=SENDER, reply_to=reply_to)


@pytest.mark.parametrize("address", ["=?utf-8?q?eve?=@example.se", "asa@exämple.se"])
def test_addresses_a_reader_would_decode_or_that_are_not_ascii_are_refused(address):
    with pytest.raises(ValueError):
        mailbox(address)


def test_one_line_leaves_no_control_character_or_line_separator():
    every = "".join(map(chr, range(0xA0))) + "\u2028\u2029\ud800 Åsa"
    text = one_line(every)
    assert not LINE_BREAKING.search(text) and text.endswith(" Åsa") and "  " not in text


def test_retries_wait_longer_each_time_up_to_the_cap():
    delays = [retry_delay(attempt, 300.0) for attempt in range(1, 12)]
    assert FIRST_RETRY_DELAY * 0.75 <= delays[0] <= FIRST_RETRY_DELAY
    assert delays[3] > delays[0]
    assert all(0 < delay <= 300.0 for delay in delays)
    assert delays[-1] >= 300.0 * 0.75
    assert retry_delay(10_000, 1.0) <= 1.0  # no overflow however many attempts


def test_errors_are_described_without_secrets():
    error = aiosmtplib.SMTPAuthenticationError(535, "5.7.8 bad credentials for hunter2-password")
    text = describe(error, ["hunter2-password"])
    assert text.startswith("SMTPAuthenticationError: ")
    assert "535" in text and "hunter2" not in text
    assert len(describe(OSError("x" * 5000), [])) <= 1000


def test_only_a_final_refusal_is_permanent():
    refused = aiosmtplib.SMTPRecipientRefused(550, "no such user", "x@example.se")
    busy = aiosmtplib.SMTPRecipientRefused(450, "mailbox busy", "x@example.se")
    assert _permanent(aiosmtplib.SMTPRecipientsRefused([refused]))
    assert not _permanent(aiosmtplib.SMTPRecipientsRefused([busy]))
    assert _permanent(aiosmtplib.SMTPDataError(554, "rejected as spam"))
    assert not _permanent(aiosmtplib.SMTPDataError(451, "try later"))
    assert not _permanent(aiosmtplib.SMTPAuthenticationError(535, "bad credentials"))
    assert not _permanent(ConnectionRefusedError())


def context() -> dict:
    return {
        "event": {
            "title": "Säljare & co",
            "organization_name": "Växjö AB",
            "state": "published",
            "duration_minutes": 60,
            "interview_minutes": 10,
        },
        "previous_duration": 60,
        "previous_interview_minutes": 10,
        "event_starts_at": STARTS,
        "previous_start": STARTS - timedelta(days=1),
        "link": "https://snabb.example.se/c/abc",
        "name": "Åsa",
        "kind": "candidate",
    }


@pytest.mark.parametrize(
    "language, when, footer",
    [
        ("sv", "fredag 4 december 2026 kl. 14:00 (svensk tid)", "Frågor eller problem? Skriv till"),
        ("en", "Friday 4 December 2026 at 14:00 (Swedish time, CET)", "Questions or problems? Write to"),
    ],
)
def test_rendering_in_the_recipients_language(mailer, language, when, footer):
    rendered = mailer.render(language, "event_time_changed", context())
    assert "Säljare & co" in rendered.subject and "\n" not in rendered.subject
    # Plain text is not HTML-escaped; HTML is.
    assert "Säljare & co" in rendered.text and "&amp;" not in rendered.text
    assert "Säljare &amp; co" in rendered.html
    assert when in rendered.text and when in rendered.html
    assert f'<html lang="{language}">' in rendered.html
    assert f"<title>{rendered.subject.replace('&', '&amp;')}</title>" in rendered.html
    # The footer: after the signature mark in text, at the end of the layout in HTML.
    assert rendered.text.endswith(f"{footer} support@snabbintervjuer.se.\n")
    assert "\n-- \nSnabbintervjuer – https://snabb.example.se\n" in rendered.text
    assert footer in rendered.html and 'href="mailto:support@snabbintervjuer.se"' in rendered.html


@pytest.mark.parametrize(
    "language, template",
    [
        ("de", "event_time_changed"),
        ("sv", "_base"),
        ("sv", "../base"),
        ("sv", "Event"),
    ],
)
def test_unknown_languages_and_template_names_are_refused(mailer, language, template):
    with pytest.raises(ValueError):
        mailer.render(language, template, context())


@pytest.mark.parametrize(
    "subject",
    [
        "New time: Säljare på kontoret i Växjö – åäö ÅÄÖ",
        "Ny tid: " + " ".join(["Säljare på kontoret i Växjö –"] * 8),
        "Plain ASCII subject that is long enough to be folded somewhere along the way, surely",
    ],
)
def test_long_subjects_and_names_keep_every_space(subject):
    # Python's own header folder drops a space where it folds between two encoded words
    # (CPython gh-144156); the message must arrive with the subject it was given.
    name = "Åsa-Märta Öberg von Långnamnsson – " * 3
    raw = build_message(
        outbox_mail(subject=subject, to_name=name), sender=SENDER, reply_to="s@example.se"
    ).as_bytes()
    assert max(len(line) for line in raw.split(b"\r\n")) <= 78
    parsed = email.message_from_bytes(raw, policy=email.policy.compat32)
    assert decoded(parsed["Subject"]) == subject
    assert decoded(parsed["To"]) == f"{' '.join(name.split())} <asa@example.se>"


def decoded(value: str) -> str:
    """RFC 5322 unfolding, then RFC 2047 decoding, as a mail client does it."""
    unfolded = re.sub(r"\r?\n(?=[ \t])", "", value)
    return str(email.header.make_header(email.header.decode_header(unfolded)))


def test_from_and_reply_to_parsed_once_give_the_bytes_of_the_strings():
    for to_name in ("Åsa Öberg", "Kim"):
        message = build_message(
            outbox_mail(to_name=to_name), sender=SENDER, reply_to="Support <support@example.se>"
        )
        shared = message.as_bytes()
        message.replace_header("From", SENDER)
        message.replace_header("Reply-To", "Support <support@example.se>")
        assert message.as_bytes() == shared
        assert reparse_bytes(shared)["From"] == SENDER


def test_a_bad_setting_stops_every_message_not_only_the_first():
    bad = "=?utf-8?q?Support=0D=0ABcc:_x@evil.example?= <s@example.se>"
    for _ in range(2):
        with pytest.raises(ValueError):
            build_message(outbox_mail(), sender=SENDER, reply_to=bad)


def test_a_plain_address_gives_the_parser_s_parts():
    """mailbox() splits a dot-atom@dot-atom address itself: the same parts, the same
    addr_spec and the same header as the email library's parser gives."""
    import random

    from email.headerregistry import Address

    atext = "abcXYZ019!#$%&'*+/=?^_`{|}~-"
    randomly = random.Random(5)
    addresses = ["kim@example.se", "a.b-c+d@sub.example.co.uk", "o'neil@example.com", "x@y.z"]
    for _ in range(300):
        local = ".".join("".join(randomly.choices(atext, k=randomly.randint(1, 6))) for _ in range(3))
        domain = ".".join("".join(randomly.choices(atext, k=randomly.randint(1, 5))) for _ in range(2))
        addresses.append(f"{local}@{domain}".replace("=?", "=x"))
    for address in addresses:
        ours = mailbox(address, "Kim Kandidat")
        assert mail_message.PLAIN_ADDRESS.fullmatch(address), address
        theirs = Address(display_name="Kim Kandidat", addr_spec=address)
        assert (ours.username, ours.domain, ours.addr_spec, str(ours)) == (
            theirs.username,
            theirs.domain,
            theirs.addr_spec,
            str(theirs),
        ), address
    # Not plain: left to the parser, as before.
    for address in ('"kim k"@example.se', "a..b@example.se", "kim@[127.0.0.1]", "kim (x)@example.se"):
        assert mail_message.PLAIN_ADDRESS.fullmatch(address) is None
