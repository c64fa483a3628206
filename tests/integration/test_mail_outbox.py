"""Mails through the outbox to the real SMTP catcher: language, parts, calendar entries.

The session's application runs the worker; each test mails addresses of its own and reads
them back from the catcher's Maildir.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from app.keys import MAILER
from app.mail import CalendarEntry
from tests.integration.mail_support import event_context
from tests.mails import caught, unique_email, wait_for_mail

STOCKHOLM = ZoneInfo("Europe/Stockholm")
TITLE = "Säljare på kontoret i Växjö – åäö ÅÄÖ"
STARTS = datetime(2026, 12, 4, 14, 0, tzinfo=STOCKHOLM)


class Abort(Exception):
    pass


@pytest.mark.parametrize(
    "language, when, footer, other_footer",
    [
        (
            "sv",
            "fredag 4 december 2026 kl. 14:00 (svensk tid)",
            "Frågor eller problem? Skriv till",
            "Questions or problems?",
        ),
        (
            "en",
            "Friday 4 December 2026 at 14:00 (Swedish time, CET)",
            "Questions or problems? Write to",
            "Frågor eller problem?",
        ),
    ],
)
async def test_a_mail_arrives_in_the_recipients_language(
    app_server, db, settings, language, when, footer, other_footer
):
    address = unique_email(f"lang-{language}")
    async with db.transaction():
        mail_id = await app_server[MAILER].enqueue(
            db,
            to_address=address,
            to_name="Åsa Öberg",
            language=language,
            template="event_time_changed",
            context=event_context(TITLE, STARTS),
        )

    (message,) = await wait_for_mail(settings.mail.catcher_dir, address, 1)
    assert TITLE in str(message["Subject"])
    assert message["To"].addresses[0].display_name == "Åsa Öberg"
    assert message["Content-Language"] == language
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for body in (text, html):
        assert when in body
        assert footer in body and other_footer not in body
        assert settings.app.support_email in body
    assert TITLE in text and f'<html lang="{language}">' in html
    assert 'href="https://snabb.example.se/c/abc"' in html

    row = await db.fetchrow("SELECT * FROM mail_outbox WHERE id = $1", mail_id)
    assert row["sent_at"] is not None and row["attempts"] == 1 and row["last_error"] is None
    assert message["Message-ID"] == row["message_id"]
    # Sent mail keeps no body: personal links and codes do not linger in the database.
    assert (row["text_body"], row["html_body"], row["ics"]) == ("", "", None)


async def test_invite_update_and_cancel_share_one_uid(app_server, db, settings):
    address = unique_email("calendar")
    uid = f"event-{address.split('@')[0]}-candidate-1@snabbintervjuer"
    moved = STARTS + timedelta(days=1, hours=1)
    steps = [
        ("interviewer_invitation", 0, "REQUEST", STARTS),
        ("event_time_changed", 1, "REQUEST", moved),
        ("event_cancelled", 2, "CANCEL", moved),
    ]
    for template, sequence, method, starts_at in steps:
        entry = CalendarEntry(
            uid=uid,
            sequence=sequence,
            method=method,
            summary=TITLE,
            description="https://snabb.example.se/c/abc",
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=2),
            url="https://snabb.example.se/c/abc",
            location="Video",
        )
        async with db.transaction():  # each change commits on its own, as in the product
            await app_server[MAILER].enqueue(
                db,
                to_address=address,
                to_name="Åsa Öberg",
                language="sv",
                template=template,
                context=event_context(TITLE, starts_at),
                calendar=entry,
            )

    messages = await wait_for_mail(settings.mail.catcher_dir, address, 3)
    entries = []
    for message in messages:
        (attachment,) = message.iter_attachments()
        assert attachment.get_content_type() == "text/calendar"
        assert attachment.get_filename() == "invite.ics"
        calendar = Calendar.from_ical(attachment.get_content())
        (event,) = calendar.walk("VEVENT")
        assert attachment.get_param("method") == str(calendar["METHOD"])
        # The mail itself still reads as a mail: both alternatives are there.
        assert message.get_body(("plain",)) is not None and message.get_body(("html",)) is not None
        entries.append((int(event["SEQUENCE"]), str(calendar["METHOD"]), event))
    entries.sort(key=lambda item: item[0])

    assert [(sequence, method) for sequence, method, _ in entries] == [
        (0, "REQUEST"),
        (1, "REQUEST"),
        (2, "CANCEL"),
    ]
    assert {str(event["UID"]) for _, _, event in entries} == {uid}
    invite, update, cancel = (event for _, _, event in entries)
    assert invite.decoded("DTSTART") == STARTS
    assert update.decoded("DTSTART") == moved
    assert str(update["STATUS"]) == "CONFIRMED"
    assert str(cancel["STATUS"]) == "CANCELLED"
    assert str(cancel["SUMMARY"]) == TITLE
    assert str(cancel["ATTENDEE"]) == f"mailto:{address}"


async def test_a_rolled_back_transaction_leaves_no_mail(app_server, db, settings):
    address = unique_email("rolled-back")
    with pytest.raises(Abort):
        async with db.transaction():
            await app_server[MAILER].enqueue(
                db,
                to_address=address,
                to_name="Åsa",
                language="sv",
                template="event_cancelled",
                context=event_context(TITLE, STARTS),
            )
            raise Abort  # the change that caused the mail fails
    assert await db.fetchval("SELECT count(*) FROM mail_outbox WHERE to_address = $1", address) == 0

    # A mail committed afterwards goes out; the rolled-back one never does.
    control = unique_email("committed")
    async with db.transaction():
        await app_server[MAILER].enqueue(
            db,
            to_address=control,
            to_name="Åsa",
            language="sv",
            template="event_cancelled",
            context=event_context(TITLE, STARTS),
        )
    await wait_for_mail(settings.mail.catcher_dir, control, 1)
    assert caught(settings.mail.catcher_dir, address) == []


async def test_a_bad_address_is_refused_before_anything_is_written(app_server, db):
    before = await db.fetchval("SELECT count(*) FROM mail_outbox")
    with pytest.raises(ValueError):
        await app_server[MAILER].enqueue(
            db,
            to_address="not-an-address",
            to_name="Åsa",
            language="sv",
            template="event_cancelled",
            context=event_context(TITLE, STARTS),
        )
    assert await db.fetchval("SELECT count(*) FROM mail_outbox") == before
