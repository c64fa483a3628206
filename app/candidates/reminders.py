"""The background task of every app process: reminder mails.

Reminders: each registered candidate gets one mail `candidates.reminder_hours` before the
start (rules.reminder_is_due states who; a reminder sent before the event was moved to a
later day counts for the old time, so the new time gets one too). Never twice for one start,
with any number of processes: the
candidates are taken with FOR UPDATE SKIP LOCKED, and their reminder_sent_at is set in the
same transaction that queues the mails, so a mail and its mark are committed together or
not at all. The events are held FOR SHARE meanwhile: a deletion or a move of the event waits
for the batch (or the batch skips an event being changed), never crossing it.

Erasing old candidate data is the retention worker's (app/retention.py).
"""

from __future__ import annotations

import asyncio
import time
import contextlib
import datetime as dt
import logging
from typing import AsyncIterator

import asyncpg
from aiohttp import web

from app.candidates import mails, queries
from app.keys import DB_POOL, MAILER, SETTINGS
from app.mail import Mailer
from app.outages import Outage
from app.settings import Settings

log = logging.getLogger(__name__)

BATCH = 100
DATABASE_ERRORS = (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError)


def reminder_coming(starts_at: dt.datetime, registered_at: dt.datetime, hours: int) -> bool:
    """Whether someone registered at `registered_at` gets a reminder: only those registered
    before the reminder time (the confirmation of a later one came within it), as below."""
    return registered_at < starts_at - dt.timedelta(hours=hours)


async def _remind_batch(connection: asyncpg.Connection, mailer: Mailer, settings: Settings) -> int:
    hours = settings.candidates.reminder_hours
    async with connection.transaction():
        ids = [
            row["id"]
            for row in await connection.fetch(
                """
            SELECT c.id FROM candidate c JOIN event e ON e.id = c.event_id
            WHERE c.cancelled_at IS NULL AND c.erased_at IS NULL
              AND (c.reminder_sent_at IS NULL
                   OR c.reminder_sent_at < e.starts_at - make_interval(hours => $1))
              AND e.deleted_at IS NULL AND e.state IN ('published', 'live')
              AND e.starts_at > now()
              AND e.starts_at - make_interval(hours => $1) <= now()
              AND c.registered_at < e.starts_at - make_interval(hours => $1)
            ORDER BY e.starts_at, c.id
            LIMIT $2
            FOR UPDATE OF c SKIP LOCKED
            FOR SHARE OF e SKIP LOCKED""",
                hours,
                BATCH,
            )
        ]
        if not ids:
            return 0
        events: dict[int, asyncpg.Record] = {}
        for candidate in await connection.fetch(
            f"SELECT {queries.CANDIDATE_COLUMNS} FROM candidate WHERE id = ANY($1::bigint[])", ids
        ):
            event_id = candidate["event_id"]
            if event_id not in events:
                events[event_id] = await queries.event_by_id(connection, event_id)
            try:
                await mails.send_reminder(
                    connection, mailer, settings.app.public_url, events[event_id], candidate
                )
            except ValueError:  # an address no mail can carry: mark it, do not retry forever
                log.warning("no reminder for candidate %s: the address cannot take a mail", candidate["id"])
        await connection.execute(
            "UPDATE candidate SET reminder_sent_at = now() WHERE id = ANY($1::bigint[])", ids
        )
    log.info("queued %d reminder mail(s)", len(ids))
    return len(ids)


async def send_due_reminders(connection: asyncpg.Connection, mailer: Mailer, settings: Settings) -> int:
    """Queue every reminder that is due; returns how many."""
    total = 0
    while True:
        count = await _remind_batch(connection, mailer, settings)
        total += count
        if count < BATCH:
            return total


async def _run(app: web.Application) -> None:
    settings, mailer = app[SETTINGS], app[MAILER]
    outage = Outage(log, "candidate reminders", "trying again every round, nothing is lost")
    while True:
        began = time.monotonic()
        try:
            async with app[DB_POOL].acquire() as connection:
                await send_due_reminders(connection, mailer, settings)
            outage.over()
        except DATABASE_ERRORS as error:
            outage.seen(error, began)
        except Exception:
            log.exception("candidate reminders: unexpected error")
        await asyncio.sleep(settings.candidates.reminder_interval)


async def candidate_reminders(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: the loop runs for the application's life and is cancelled and awaited."""
    task = asyncio.create_task(_run(app), name="candidate-reminders")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
