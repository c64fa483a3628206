"""Offers without a room yet: a *Join* that comes before the room waits for it, and the rooms
nobody is making are made (docs/architecture.md; app/live/dispatch.py says when an offer has
no room).

The room of an offer is made by the process that dispatched it, right after the dispatch
commits (`dispatch.open_room`). An `accept` or `prepare` that comes first waits for it
(`wait_for_room`): woken by the maker when it is this process, asking the database
otherwise. A room whose maker died or lost it is made by whichever process's sweeper comes
first (`recover_roomless_offers`), so a crash costs the pair seconds, not the offer.
"""

from __future__ import annotations

import asyncio
import logging
import uuid

import asyncpg

from app.live.dispatch import Offer, Rooms, open_room, room_being_made, rooms_being_made
from app.live.errors import LiveError
from app.settings import Settings

log = logging.getLogger(__name__)


# How often an `accept` that came before the room looks again, and how long at most: the
# maker's Janus call may take janus.call_timeout, and a recovering process a sweep more.
ROOM_POLL_SECONDS = 0.05
ROOM_WAIT_MARGIN = 5.0


async def wait_for_room(pool: asyncpg.Pool, settings: Settings, interview_id: int) -> bool:
    """Wait until an offered interview has its room: True, or False when it is no longer
    offered (the room could not be made, the candidate left, the offer expired). Still
    offered and still without a room when the wait is over: LiveError room_unavailable (the
    offer stands, and the page says to try again, not that the time to join ran out)."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + settings.janus.call_timeout + settings.live.sweep_interval + ROOM_WAIT_MARGIN
    while True:
        async with pool.acquire() as connection:
            row = await connection.fetchrow(
                "SELECT state, room_id FROM interview WHERE id = $1", interview_id
            )
        if row is None or row["state"] != "offered":
            return False
        if row["room_id"] is not None:
            return True
        if loop.time() >= give_up:
            raise LiveError("room_unavailable")
        making = room_being_made(interview_id)
        if making is None:
            await asyncio.sleep(ROOM_POLL_SECONDS)
            continue
        try:  # made here: woken when it is done, then the database is asked once more
            async with asyncio.timeout(give_up - loop.time()):
                await making.wait()
        except TimeoutError:
            pass


# An offer without a maker (made before room_maker existed, or by a caller that named
# none) is taken over once it is this old: its process has surely given up or died.
UNNAMED_MAKER_SECONDS = 10.0
# An offer of this process's own that it is not making (the dispatch committed but its
# result never came back: a command timeout, a connection lost at the commit) is taken over
# once it is this old. The press makes the room the moment the dispatch returns
# (dispatch.room_coming, dispatch.open_room), so an offer this old and not being made here has been lost.
LOST_OWN_SECONDS = 3.0
# A living process's offer is taken over once its room is this much overdue: a maker gives
# up on Janus after janus.call_timeout (then the offer fails), so an offer still without a
# room after that and this margin was lost by its maker, which nobody else would ever notice.
LOST_MARGIN_SECONDS = 3.0


async def roomless_offers(
    connection: asyncpg.Connection, process_id: uuid.UUID, call_timeout: float
) -> list[Offer]:
    """Take over the offered interviews without a room that nobody is making: their maker
    no longer beats (its row is gone from live_process: app/live/connections.py reaps it),
    or this process is the maker and is not making it, or a living maker is overdue by more
    than Janus's call timeout. This process makes their rooms now; dispatch.attach_room lets only one
    room in if a slow maker finishes after all. SKIP LOCKED: two processes never take the
    same one."""
    rows = await connection.fetch(
        """
        UPDATE interview i SET room_maker = $1
        WHERE i.id IN (
            SELECT o.id FROM interview o
            WHERE o.state = 'offered' AND o.room_id IS NULL
              AND CASE WHEN o.room_maker IS NULL
                       THEN o.offered_at < now() - make_interval(secs => $2)
                       WHEN o.room_maker = $1
                       THEN o.offered_at < now() - make_interval(secs => $3)
                            AND o.id <> ALL($4::bigint[])
                       ELSE o.offered_at < now() - make_interval(secs => $5)
                            OR NOT EXISTS (SELECT 1 FROM live_process p WHERE p.id = o.room_maker)
                  END
            FOR UPDATE SKIP LOCKED)
        RETURNING i.id, i.event_id, i.candidate_id, i.interviewer_id""",
        process_id,
        UNNAMED_MAKER_SECONDS,
        LOST_OWN_SECONDS,
        rooms_being_made(),
        call_timeout + LOST_MARGIN_SECONDS,
    )
    return [Offer(row["id"], row["event_id"], row["candidate_id"], row["interviewer_id"]) for row in rows]


async def recover_roomless_offers(
    pool: asyncpg.Pool, rooms: Rooms, settings: Settings, process_id: uuid.UUID
) -> int:
    """Make the rooms nobody is making (one sweeper round): a dead process's, or ones their
    maker lost (roomless_offers); how many were made."""
    async with pool.acquire() as connection:
        offers = await roomless_offers(connection, process_id, settings.janus.call_timeout)
    made = 0
    for offer in offers:
        log.info("making the room of interview %s, which its maker left unmade", offer.interview_id)
        try:
            await open_room(pool, rooms, settings, offer, announce=True)
            made += 1
        except LiveError as refused:  # no Janus (the candidate keeps the place) or gone
            log.warning("interview %s: room not recovered (%s)", offer.interview_id, refused.code)
    return made
