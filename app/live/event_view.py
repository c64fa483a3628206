"""What every page of one event shows, read once per change instead of once per page.

Every change to an event (a check-in, a dispatch) moves the place of everyone waiting, so
every socket of the event needs a new `state`. Read per socket, a change would cost a
thousand waiting candidates a thousand rounds of queries, each ranking the whole queue. Read
here, it costs one round: `read_event_view` takes the event's queue, live interviews,
unanswered feedback, messages and interviewers in a few queries in one consistent snapshot,
and the pages' states are cut from it in memory (app/live/snapshots.py).

`EventViews` keeps the latest view of each event in this process: a notification on the
event (the hub), or a socket's own change, makes it stale, and it is never older than
MAX_AGE seconds, because the waits are estimated from the clock.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import asyncpg

from app.live import queue, rules
from app.settings import Settings

MESSAGES_SHOWN = 20
MAX_AGE = 1.0


@dataclass
class EventView:
    now: dt.datetime
    # {"state": the event's state ("published", "live", "finished", …), "ends_at": ISO time}
    event: dict
    # candidate id -> their place: position and estimated wait (waiting candidates only)
    waiting: dict[int, rules.Waiting]
    # every registered candidate: id, name, queue state (None before check-in), queued_at
    candidates: list[asyncpg.Record]
    # the event's offered and active interviews, with the room (for tickets) and names
    live: list[asyncpg.Record]
    # candidate id -> the ended interview they have not answered the question about
    feedback_open: dict[int, int]
    paused: set[int]
    messages: list[dict]
    # Indexes of the above, so a thousand pages are cut from the view in linear time.
    by_candidate: dict[int, asyncpg.Record] = field(default_factory=dict)
    queue_state: dict[int, str | None] = field(default_factory=dict)
    # What the pages cut from the view and share (app/live/snapshots.py), made once per view.
    memo: dict = field(default_factory=dict)
    # Which read of the event this is (EventViews counts them): of two states, the one cut
    # from the later read is the newer, whichever was finished first.
    seq: int = 0

    def __post_init__(self) -> None:
        self.by_candidate = {row["candidate_id"]: row for row in self.live}
        self.queue_state = {row["id"]: row["state"] for row in self.candidates}


def iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


async def read_event_view(connection: asyncpg.Connection, event_id: int,
                          settings: Settings) -> EventView:
    # One consistent view: a check-in committed between two of these queries would
    # otherwise show half.
    async with connection.transaction(isolation="repeatable_read", readonly=True):
        now = await connection.fetchval("SELECT now()")
        event = await connection.fetchrow("""
            SELECT CASE WHEN deleted_at IS NOT NULL THEN 'cancelled' ELSE state::text END
                       AS state,
                   starts_at + make_interval(mins => duration_minutes) AS ends_at
            FROM event WHERE id = $1""", event_id)
        waiting = {w.candidate_id: w
                   for w in await queue.waiting_positions(connection, event_id, settings.live)}
        candidates = await connection.fetch("""
            SELECT c.id, c.name, q.state, q.checked_in_at, q.queued_at FROM candidate c
            LEFT JOIN queue_entry q ON q.candidate_id = c.id
            WHERE c.event_id = $1 AND c.cancelled_at IS NULL AND c.erased_at IS NULL
            ORDER BY c.name, c.id""", event_id)
        live = await connection.fetch("""
            SELECT i.id, i.state, i.candidate_id, i.interviewer_id, i.offer_expires_at,
                   i.started_at, i.ends_at, i.room_generation, i.janus_server, i.room_id,
                   i.media_lost_at,
                   i.room_pin, i.room_secret, i.room_tokens, c.name AS candidate_name,
                   coalesce(nullif(w.name, ''), w.email) AS interviewer_name
            FROM interview i JOIN candidate c ON c.id = i.candidate_id
                 JOIN event_interviewer w ON w.id = i.interviewer_id
            WHERE i.event_id = $1 AND i.state IN ('offered', 'active') ORDER BY i.id""",
                                    event_id)
        feedback_open = {row["candidate_id"]: row["id"] for row in await connection.fetch("""
            SELECT DISTINCT ON (i.candidate_id) i.candidate_id, i.id FROM interview i
            WHERE i.event_id = $1 AND i.state = 'ended'
              AND NOT EXISTS (SELECT 1 FROM interview_feedback f WHERE f.interview_id = i.id)
            ORDER BY i.candidate_id, i.ended_at DESC""", event_id)}
        paused = {row["interviewer_id"] for row in await connection.fetch("""
            SELECT interviewer_id FROM interviewer_presence WHERE event_id = $1 AND paused""",
                                                                           event_id)}
        messages = await connection.fetch("""
            SELECT id, text, sent_at FROM live_message WHERE event_id = $1
            ORDER BY sent_at DESC, id DESC LIMIT $2""", event_id, MESSAGES_SHOWN)
    return EventView(now, {"state": event["state"], "ends_at": iso(event["ends_at"])},
                     waiting, candidates, live, feedback_open, paused,
                     [{"id": r["id"], "text": r["text"], "sent_at": iso(r["sent_at"])}
                      for r in reversed(messages)])


class EventViews:
    """The latest view of each event with sockets in this process. At most one read of an
    event runs at a time, and at most one more waits for it: everyone who asks while a read
    runs that began before their change shares the next read. A hundred interviewers acting
    at once cost two reads, not a hundred."""

    def __init__(self) -> None:
        self._generation: dict[int, int] = {}
        # event -> (generation when the read began, monotonic time it began, its result)
        self._current: dict[int, tuple[int, float, asyncio.Future]] = {}
        self._queued: dict[int, asyncio.Future] = {}
        self._reads = 0

    def changed(self, event_id: int) -> None:
        self._generation[event_id] = self._generation.get(event_id, 0) + 1

    def forget(self, event_id: int) -> None:
        self._current.pop(event_id, None)

    async def get(self, event_id: int,
                  read: Callable[[], Awaitable[EventView]]) -> EventView:
        need = self._generation.get(event_id, 0)
        current = self._current.get(event_id)
        if current is not None and current[0] >= need and not _failed(current[2]) \
                and time.monotonic() - current[1] <= MAX_AGE:
            future = current[2]
        elif event_id in self._queued:
            future = self._queued[event_id]
        elif current is not None and not current[2].done():
            future = self._queued[event_id] = asyncio.ensure_future(
                self._after(event_id, current[2], read))
        else:
            future = self._start(event_id, read)
        # Shielded: one socket going away must not cancel the read the others wait for.
        return await asyncio.shield(future)

    def _start(self, event_id: int, read: Callable[[], Awaitable[EventView]]) -> asyncio.Future:
        self._reads += 1
        future = asyncio.ensure_future(self._numbered(read, self._reads))
        self._current[event_id] = (self._generation.get(event_id, 0), time.monotonic(), future)
        return future

    @staticmethod
    async def _numbered(read: Callable[[], Awaitable[EventView]], seq: int) -> EventView:
        view = await read()
        view.seq = seq
        return view

    async def _after(self, event_id: int, running: asyncio.Future,
                     read: Callable[[], Awaitable[EventView]]) -> EventView:
        await asyncio.wait([running])
        del self._queued[event_id]
        return await self._start(event_id, read)


def _failed(future: asyncio.Future) -> bool:
    return future.done() and (future.cancelled() or future.exception() is not None)
