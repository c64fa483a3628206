"""Reminder mails: one per candidate, at the set time, never twice, not for cancelled events
or ended registrations, safe with several processes. (Erasure after the retention time:
test_retention.py.)"""

from __future__ import annotations

import asyncio
import datetime as dt

import asyncpg

from app.candidates.reminders import send_due_reminders
from app.events.tokens import calendar_uid, link_token
from app.keys import MAILER
from tests.candidate_support import link_and_pin, make_event
from tests.mails import calendar_event, read_mails, text_of, unique_email, wait_for_mail


async def add_candidate(
    db,
    event_id: int,
    *,
    language: str = "sv",
    registered_ago: dt.timedelta = dt.timedelta(days=3),
    cancelled: bool = False,
    reminded_ago: dt.timedelta | None = None,
) -> dict:
    """A candidate, written in one statement: the app's reminder worker runs meanwhile, and
    sees them only as they are meant to be (a reminder sent already set afterwards raced it)."""
    email = unique_email("paminn")
    row = await db.fetchrow(
        """
        INSERT INTO candidate (event_id, name, email, language, access_token, pin, registered_at,
                               cancelled_at, cancelled_by, reminder_sent_at)
        VALUES ($1, 'Pia Påminnelse', $2, $3, $4, '424242', now() - $5::interval,
                CASE WHEN $6 THEN now() END, CASE WHEN $6 THEN 'candidate' END,
                now() - $7::interval)
        RETURNING *""",
        event_id,
        email,
        language,
        link_token(),
        registered_ago,
        cancelled,
        reminded_ago,
    )
    return dict(row)


def mails_to(settings, address: str, subject: str) -> list:
    return [
        mail
        for mail in read_mails(settings.mail.catcher_dir)
        if address in str(mail["To"]) and subject in str(mail["Subject"])
    ]


async def test_each_candidate_gets_one_reminder_in_their_language(app_server, db, settings):
    soon = dt.timedelta(hours=settings.candidates.reminder_hours - 1)
    event = await make_event(db, starts_in=soon)
    swede = await add_candidate(db, event["id"])
    english = await add_candidate(db, event["id"], language="en")
    [reminder] = await wait_for_mail(settings.mail.catcher_dir, swede["email"], subject="Påminnelse")
    [in_english] = await wait_for_mail(settings.mail.catcher_dir, english["email"], subject="Reminder")
    link, pin = link_and_pin(reminder)
    assert link.endswith(f"/c/{swede['access_token']}") and pin == "424242"
    assert "(svensk tid)" in text_of(reminder) and "(Swedish time" in text_of(in_english)
    assert calendar_event(reminder)["UID"] == calendar_uid(
        event["id"], event["calendar_key"], "candidate", swede["id"]
    )
    # Several more rounds of the worker: still one each.
    await asyncio.sleep(settings.candidates.reminder_interval * 4)
    assert len(mails_to(settings, swede["email"], "Påminnelse")) == 1
    assert len(mails_to(settings, english["email"], "Reminder")) == 1
    assert await db.fetchval("SELECT reminder_sent_at FROM candidate WHERE id = $1", swede["id"])


async def test_no_reminder_for_cancelled_events_ended_registrations_or_not_yet(app_server, db, settings):
    soon = dt.timedelta(hours=settings.candidates.reminder_hours - 1)
    later = dt.timedelta(hours=settings.candidates.reminder_hours + 2)
    cancelled_event = await make_event(db, starts_in=soon)
    deleted_event = await make_event(db, starts_in=soon)
    not_yet = await make_event(db, starts_in=later)
    going = await make_event(db, starts_in=soon)
    quiet = [
        await add_candidate(db, cancelled_event["id"]),
        await add_candidate(db, deleted_event["id"]),
        await add_candidate(db, not_yet["id"]),
        await add_candidate(db, going["id"], cancelled=True),
        # Registered after the reminder time: their confirmation came inside the window.
        await add_candidate(db, going["id"], registered_ago=dt.timedelta(minutes=5)),
    ]
    await db.execute("UPDATE event SET state = 'cancelled' WHERE id = $1", cancelled_event["id"])
    await db.execute("UPDATE event SET deleted_at = now() WHERE id = $1", deleted_event["id"])
    control = await add_candidate(db, going["id"])
    await wait_for_mail(settings.mail.catcher_dir, control["email"], subject="Påminnelse")
    await asyncio.sleep(settings.candidates.reminder_interval * 3)
    for candidate in quiet:
        assert mails_to(settings, candidate["email"], "Påminnelse") == []
        assert (
            await db.fetchval("SELECT reminder_sent_at FROM candidate WHERE id = $1", candidate["id"]) is None
        )


async def test_several_processes_at_once_still_send_one_reminder_each(app_server, stack, db, settings):
    """Five workers racing each other (and the app's own) over one batch."""
    event = await make_event(db, starts_in=dt.timedelta(hours=settings.candidates.reminder_hours - 2))
    await db.execute("UPDATE event SET invite_open = false WHERE id = $1", event["id"])
    candidates = [await add_candidate(db, event["id"]) for _ in range(40)]
    connections = [await asyncpg.connect(stack.environ["DATABASE_URL"]) for _ in range(5)]
    try:
        await asyncio.gather(
            *(send_due_reminders(connection, app_server[MAILER], settings) for connection in connections)
        )
    finally:
        await asyncio.gather(*(connection.close() for connection in connections))
    counts = await db.fetch(
        """
        SELECT c.id, (SELECT count(*) FROM mail_outbox m WHERE m.to_address = c.email
                      AND m.template = 'candidate_reminder') AS reminders
        FROM candidate c WHERE c.event_id = $1""",
        event["id"],
    )
    assert len(counts) == len(candidates)
    assert {row["reminders"] for row in counts} == {1}


async def test_an_event_moved_later_gets_a_reminder_for_its_new_time(app_server, db, settings):
    event = await make_event(db, starts_in=dt.timedelta(hours=settings.candidates.reminder_hours - 1))
    # One reminder went out for a start three days ago (the event was moved since); the
    # other within this start's reminder window.
    moved = await add_candidate(db, event["id"], reminded_ago=dt.timedelta(days=3))
    reminded = await add_candidate(db, event["id"], reminded_ago=dt.timedelta(hours=1))
    await wait_for_mail(settings.mail.catcher_dir, moved["email"], subject="Påminnelse")
    await asyncio.sleep(settings.candidates.reminder_interval * 3)
    assert len(mails_to(settings, moved["email"], "Påminnelse")) == 1
    assert mails_to(settings, reminded["email"], "Påminnelse") == []
