"""The dispatcher: *Next* and *Pick*, then the interview's Janus room (each side's ticket for
it: app/live/call_tickets.py).

Never the same candidate to two interviewers, across any number of processes: that is
held by one transaction per dispatch that takes the candidate's queue entry with
`SELECT … FOR UPDATE SKIP LOCKED`: a concurrent dispatch skips the locked row and takes the
next, and once this one commits the entry is no longer 'waiting'. One live interview per
person is checked under a lock on the interviewer's row and held in the end by the partial
unique indexes of migration 0006.

The candidate is told "your turn" (NOTIFY 'offer') by the dispatch transaction itself, and
the room is made AFTER it commits, while the candidate reads the offer: a Janus call may
take seconds (janus.call_timeout), so it is kept off the path from *Next* to the offer, and
off the queue's row locks. Nor is it made before, since most presses of *Next* on an empty
queue would make rooms for nobody. Joining needs the room: an `accept` that comes before it
waits for it (`roomless.wait_for_room`), which in practice is never, as reading the offer and
pressing *Join* takes a person longer than Janus takes to make a room.

The moment in which an offered interview has no room is covered three ways. If the room
cannot be made, `open_room` marks the interview failed and puts the candidate back in the
same place, without counting a miss. The interview names the process making its room
(`room_maker`): if that process dies, any other makes the room once the dead one's
heartbeat has stopped (`roomless.recover_roomless_offers`, run by every process's sweeper), so a
crash costs the pair seconds; one its living maker lost (the dispatch committed but its
answer never came back) is made the same way a few seconds later (`roomless.roomless_offers`). And
an offer that still has no room when it expires fails the same way
(`interviews.expire_offers`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import uuid
from dataclasses import dataclass
from typing import Protocol

import asyncpg

from app.background import Background
from app.janus import rooms as janus_rooms
from app.janus.connection import JanusConnection, JanusError, JanusUnavailable
from app.janus.rooms import Room, destroy_room
from app.live.action_bound import not_after
from app.live.call_tickets import interview_tickets
from app.live.errors import LiveError
from app.live.queue import notify_interview
from app.settings import LiveSettings, Settings
from app.tickets import UnknownJanusServer

log = logging.getLogger(__name__)


def room_description(settings: Settings, interview_id: int) -> str:
    """How an interview's room is named on Janus; the reconciler reads it back."""
    return janus_rooms.room_description(settings.janus.deployment_id, interview_id)


class Rooms(Protocol):
    """What the dispatcher needs of app.janus.pool.JanusPool."""

    async def create_private_room(self, participants: int, description: str = ...) -> Room: ...
    def connection(self, name: str) -> JanusConnection: ...
    async def remove_tokens(self, server: str, room_id: int) -> None: ...
    async def renew_token(self, server: str, room_id: int, participant: int, serial: int) -> None: ...


@dataclass(frozen=True)
class Offer:
    interview_id: int
    event_id: int
    candidate_id: int
    interviewer_id: int

    async def notify(self, connection: asyncpg.Connection, kind: str) -> None:
        """`notify` of this offer's change, as the statements that change interviews do."""
        row = {
            "id": self.interview_id,
            "event_id": self.event_id,
            "candidate_id": self.candidate_id,
            "interviewer_id": self.interviewer_id,
        }
        await notify_interview(connection, row, kind)


# The generation of the room an interview gets at dispatch; each move to a new room (the
# reconciler, app/live/reconciler.py) adds one. A page holding a ticket of an older
# generation is sent `room_changed` (app/live/snapshots.RoomWatch).
FIRST_ROOM = 0
# `interviewer_name` in the statements below (and app/live/call_tickets.py's) is the
# interviewer's display in their room, which the candidate's browser receives with the
# room's participants: their name, or the role when the employer gave none, never their
# e-mail address.


@dataclass(frozen=True)
class Dispatched:
    """What the interviewer's press of *Next* or *Pick* yields. The tickets go only to their
    holders; the candidate's is re-minted from the database when their browser asks."""

    offer: Offer
    room: Room
    candidate_ticket: str
    interviewer_ticket: str
    planned_end: float | None = None  # Unix seconds: the offer's deadline + the interview's length


async def dispatch(
    pool: asyncpg.Pool,
    interviewer_id: int,
    live: LiveSettings,
    candidate_id: int | None = None,
    maker: uuid.UUID | None = None,
) -> Offer | None:
    """One locked transaction: take the next (or the picked) waiting candidate and offer
    them to this interviewer; the candidate hears of it when it commits. `maker`: the
    process that will make the room (app/live/connections.py, LIVE_PROCESS). None when
    nobody is waiting (Next only). (The app's sockets press through app/live/presses.py,
    which sends the presses that come together as one statement.)"""
    return await _dispatch(pool, interviewer_id, live, candidate_id, maker)


async def _dispatch(
    pool: asyncpg.Pool,
    interviewer_id: int,
    live: LiveSettings,
    candidate_id: int | None,
    maker: uuid.UUID | None,
) -> Offer | None:
    async with pool.acquire() as connection:
        return await dispatch_on(connection, interviewer_id, live, candidate_id, maker, not_after())


async def dispatch_on(
    connection: asyncpg.Connection,
    interviewer_id: int,
    live: LiveSettings,
    candidate_id: int | None,
    maker: uuid.UUID | None,
    given_up_at: dt.datetime | None = None,
) -> Offer | None:
    """`dispatch` on a connection the caller holds; not after `given_up_at`, when the press is
    given up on (live_in_time: app/live/action_bound.py)."""
    # One statement, so one round trip and its own transaction: the dispatch's statements
    # run in the database (live_dispatch, migration 0014).
    try:
        row = await connection.fetchrow(
            "SELECT * FROM live_dispatch(live_in_time($6::timestamptz, $1::bigint), $2, $3, $4, $5)",
            interviewer_id,
            candidate_id,
            float(live.grace_seconds),
            float(live.offer_seconds),
            maker,
            given_up_at,
        )
    except asyncpg.UniqueViolationError as error:
        refused = unique_refusal(error)
        if refused is None:
            raise
        raise refused from None
    return offer_of(row, interviewer_id)


def unique_refusal(error: asyncpg.UniqueViolationError) -> LiveError | None:
    """The checks of live_dispatch hold one live interview each under their locks; should
    anything slip past them, the unique indexes refuse it and the interviewer gets an
    answer, not a crash. None: another index (a bug)."""
    if error.constraint_name == "interview_live_interviewer_key":
        return LiveError("interviewer_busy")
    if error.constraint_name == "interview_live_candidate_key":
        return LiveError("candidate_not_waiting")
    return None


def offer_of(row: asyncpg.Record, interviewer_id: int) -> Offer | None:
    """One outcome of live_dispatch: the offer; None when nobody is waiting (Next);
    LiveError with the outcome as its code when refused."""
    if row["o_outcome"] == "empty":
        return None
    if row["o_outcome"] != "offered":
        raise LiveError(row["o_outcome"])
    return Offer(row["o_interview"], row["o_event"], row["o_candidate"], interviewer_id)


ATTACH_SQL = """
    UPDATE interview i SET janus_server = $2, room_id = $3, room_pin = $4,
           room_secret = $5, room_tokens = $6,
           offer_expires_at = CASE WHEN $8 THEN greatest(
               i.offer_expires_at, now() + make_interval(secs => $7 / 2))
               ELSE i.offer_expires_at END
    FROM candidate c, event_interviewer w
    WHERE i.id = $1 AND i.state = 'offered' AND i.room_id IS NULL
      AND c.id = i.candidate_id AND w.id = i.interviewer_id
    RETURNING i.id, i.offer_expires_at, c.name AS candidate_name,
              coalesce(nullif(w.name, ''), 'interviewer') AS interviewer_name,
              extract(epoch FROM i.offer_expires_at + (
                  SELECT make_interval(mins => e.interview_minutes)
                  FROM event e WHERE e.id = i.event_id))::float8 AS planned_end"""


async def attach_room(
    connection: asyncpg.Connection, offer: Offer, room: Room, live: LiveSettings, announce: bool = False
) -> asyncpg.Record | None:
    """Record the room of an offered interview. `announce`: a room recovered after its
    maker died; both sides' pages are told (the interviewer's ticket comes with their
    state), and the candidate's time to join is made at least half an offer's from now, so
    that the take-over does not leave them seconds (their page shows the new time). Else the
    interviewer's `dispatched` carries the ticket, the time to join stays what the `offer`
    said, and an announcement would cost every socket of the event a refresh for nothing.
    None when the offer is gone meanwhile (the candidate left, or it expired), or another
    process attached a room first."""
    # One statement is its own transaction: an interview's room is attached in one round
    # trip (BEGIN and COMMIT around it were two more waits on a busy process, on the path of
    # the interviewer's `dispatched`); an announced one is written with its NOTIFY, together.
    arguments = (
        offer.interview_id,
        room.server,
        room.room_id,
        room.pin,
        room.secret,
        list(room.participant_tokens),
        float(live.offer_seconds),
        announce,
    )
    if not announce:
        return await connection.fetchrow(ATTACH_SQL, *arguments)
    async with connection.transaction():
        row = await connection.fetchrow(ATTACH_SQL, *arguments)
        if row is not None:
            await offer.notify(connection, "room")
        return row


async def room_failed(connection: asyncpg.Connection, offer: Offer) -> None:
    """No room could be made: the interview fails and the candidate gets the same place
    back. Not a miss: it was not the candidate's fault. Notified as `offer_failed`."""
    async with connection.transaction():
        await connection.execute(  # the entry first: the lock order of interviews.py
            "SELECT 1 FROM queue_entry WHERE candidate_id = $1 FOR UPDATE", offer.candidate_id
        )
        failed = await connection.fetchval(
            """
            UPDATE interview SET state = 'failed', ended_at = now(), end_reason = 'room'
            WHERE id = $1 AND state = 'offered' RETURNING id""",
            offer.interview_id,
        )
        if failed:
            await connection.execute(
                """
                UPDATE queue_entry SET state = 'waiting', updated_at = now()
                WHERE candidate_id = $1 AND state = 'offered'""",
                offer.candidate_id,
            )
            # Both pages say why the offer went (`offer_ended`, app/live/feeds.py): from the
            # state alone it looks withdrawn, which nobody did.
            await offer.notify(connection, "offer_failed")


async def close_room(rooms: Rooms, server: str | None, room_id: int | None, secret: str | None) -> None:
    """End the participants' Janus access (their tokens) and destroy the interview's room,
    best effort: whatever stays behind (Janus down, a timeout) is removed later by the
    reconciler, so a failure here is only logged."""
    if server is None or room_id is None or secret is None:
        return
    for step, act in (
        ("tokens not removed", lambda: rooms.remove_tokens(server, room_id)),
        ("not destroyed", lambda: destroy_room(rooms.connection(server), room_id, secret)),
    ):
        try:
            await act()
        except (JanusUnavailable, JanusError, TimeoutError, KeyError) as error:
            log.warning(
                "room %s on %s: %s now (%s); the reconciler will see to it",
                room_id,
                server,
                step,
                type(error).__name__,
            )


# The rooms this process is making now: interview -> set once its room is attached, or could
# not be made. An `accept` that comes before the room waits on it instead of asking the
# database every roomless.ROOM_POLL_SECONDS (which it still does for a room another process
# makes).
_MAKING: dict[int, asyncio.Event] = {}


def room_coming(interview_id: int) -> None:
    """This process makes the room of an offer it has just made (open_room, soon): an
    `accept` that comes before then waits on it (roomless.wait_for_room) instead of asking
    the database every roomless.ROOM_POLL_SECONDS. For the presses (app/live/presses.py), which tell the
    candidate of the offer before the press goes on to make the room."""
    _MAKING.setdefault(interview_id, asyncio.Event())


def room_being_made(interview_id: int) -> asyncio.Event | None:
    """What an `accept` for this interview waits on while this process makes its room (set
    once it is made or could not be), None when this process is not making it."""
    return _MAKING.get(interview_id)


def rooms_being_made() -> list[int]:
    """The interviews whose rooms this process is making now (not to be taken over)."""
    return list(_MAKING)


async def open_room(
    pool: asyncpg.Pool, rooms: Rooms, settings: Settings, offer: Offer, announce: bool = False
) -> Dispatched:
    """Make the offered interview's room (after the dispatch committed) and its tickets."""
    made = _MAKING.setdefault(offer.interview_id, asyncio.Event())
    try:
        return await _open_room(pool, rooms, settings, offer, announce)
    finally:
        if _MAKING.get(offer.interview_id) is made:
            del _MAKING[offer.interview_id]
        made.set()


# The connections _attached gives back, until the pool has them.
_GIVING_BACK = Background("live-connection-release", log)


async def _attached(
    pool: asyncpg.Pool, offer: Offer, room: Room, live: LiveSettings, announce: bool
) -> asyncpg.Record | None:
    """attach_room on a connection of `pool`, given back without waiting: giving a connection
    back to asyncpg takes a turn or two of the loop, which on a busy process the interviewer's
    `dispatched` need not wait for (as app/live/presses.py does with its own)."""
    connection = await pool.acquire()
    try:
        return await attach_room(connection, offer, room, live, announce)
    finally:
        _GIVING_BACK.start(pool.release(connection))


async def _open_room(
    pool: asyncpg.Pool, rooms: Rooms, settings: Settings, offer: Offer, announce: bool
) -> Dispatched:
    try:
        room = await rooms.create_private_room(2, room_description(settings, offer.interview_id))
    except (JanusUnavailable, JanusError, TimeoutError) as error:
        log.warning("no room for interview %s: %s", offer.interview_id, type(error).__name__)
        async with pool.acquire() as connection:
            await room_failed(connection, offer)
        raise LiveError("room_unavailable") from None
    try:
        row = await _attached(pool, offer, room, settings.live, announce)
    except BaseException:
        await close_room(rooms, room.server, room.room_id, room.secret)
        raise
    if row is None:
        await close_room(rooms, room.server, room.room_id, room.secret)
        # A slow maker's offer may have been given its room by another process meanwhile
        # (roomless_offers): the interview goes on there, and so does its interviewer.
        async with pool.acquire() as connection:
            row = await connection.fetchrow(ROOM_MADE_ELSEWHERE_SQL, offer.interview_id)
        if row is None:
            raise LiveError("offer_gone")
        room = Room(
            row["janus_server"],
            row["room_id"],
            row["room_pin"],
            row["room_secret"],
            tuple(row["room_tokens"]),
        )
    try:
        candidate_ticket, interviewer_ticket = interview_tickets(
            settings, room, offer.interview_id, row["candidate_name"], row["interviewer_name"]
        )
    except UnknownJanusServer:  # made elsewhere, on a server added a moment ago
        raise LiveError("room_unavailable") from None
    return Dispatched(offer, room, candidate_ticket, interviewer_ticket, row["planned_end"])


# The room of an offered (or since joined) interview that another process attached.
ROOM_MADE_ELSEWHERE_SQL = """
    SELECT i.janus_server, i.room_id, i.room_pin, i.room_secret, i.room_tokens,
           c.name AS candidate_name, coalesce(nullif(w.name, ''), 'interviewer') AS interviewer_name,
           extract(epoch FROM coalesce(i.ends_at, i.offer_expires_at + (
               SELECT make_interval(mins => e.interview_minutes)
               FROM event e WHERE e.id = i.event_id)))::float8 AS planned_end
    FROM interview i
    JOIN candidate c ON c.id = i.candidate_id
    JOIN event_interviewer w ON w.id = i.interviewer_id
    WHERE i.id = $1 AND i.state IN ('offered', 'active') AND i.room_id IS NOT NULL"""


async def next_candidate(
    pool: asyncpg.Pool,
    rooms: Rooms,
    settings: Settings,
    interviewer_id: int,
    maker: uuid.UUID | None = None,
    room_pool: asyncpg.Pool | None = None,
) -> Dispatched | None:
    """*Next*: the longest-waiting candidate, with a room; None when nobody is waiting.
    `room_pool`: where the room is attached, after the offer went out (default `pool`): not
    the urgent connections, which the next offers and joins are waiting for."""
    offer = await dispatch(pool, interviewer_id, settings.live, maker=maker)
    return None if offer is None else await open_room(room_pool or pool, rooms, settings, offer)


async def pick_candidate(
    pool: asyncpg.Pool,
    rooms: Rooms,
    settings: Settings,
    interviewer_id: int,
    candidate_id: int,
    maker: uuid.UUID | None = None,
    room_pool: asyncpg.Pool | None = None,
) -> Dispatched:
    """*Pick*: this waiting candidate, out of order (Next takes the longest waiting)."""
    offer = await dispatch(pool, interviewer_id, settings.live, candidate_id, maker)
    assert offer is not None
    return await open_room(room_pool or pool, rooms, settings, offer)
