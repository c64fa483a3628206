"""The dispatcher: *Next* and *Pick*, then the interview's Janus room and tickets.

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
waits for it (`wait_for_room`), which in practice is never, as reading the offer and
pressing *Join* takes a person longer than Janus takes to make a room.

The moment in which an offered interview has no room is covered three ways. If the room
cannot be made, `open_room` marks the interview failed and puts the candidate back in the
same place, without counting a miss. The interview names the process making its room
(`room_maker`): if that process dies, any other makes the room once the dead one's
heartbeat has stopped (`recover_roomless_offers`, run by every process's sweeper), so a
crash costs the pair seconds; one its living maker lost (the dispatch committed but its
answer never came back) is made the same way a few seconds later (`roomless_offers`). And
an offer that still has no room when it expires fails the same way
(`interviews.expire_offers`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import uuid
from dataclasses import dataclass
from typing import NamedTuple, Protocol

import asyncpg

from app.background import Background
from app.janus import rooms as janus_rooms
from app.janus.connection import JanusConnection, JanusError, JanusUnavailable
from app.janus.rooms import Room, destroy_room
from app.live.action_bound import not_after
from app.live.errors import LiveError
from app.live.queue import notify_interview
from app.settings import LiveSettings, Settings
from app.tickets import UnknownJanusServer, mint_ticket

log = logging.getLogger(__name__)


def room_description(settings: Settings, interview_id: int) -> str:
    """How an interview's room is named on Janus; the reconciler reads it back."""
    return janus_rooms.room_description(settings.janus.deployment_id, interview_id)


# The allow-list of an interview's room: the candidate's token first, the interviewer's second.
CANDIDATE, INTERVIEWER = 0, 1


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
# `interviewer_name` in the statements below is the interviewer's display in their room,
# which the candidate's browser receives with the room's participants: their name, or the
# role when the employer gave none, never their e-mail address.


class Tickets(NamedTuple):
    """Both sides' tickets for an interview's current room, and that room's generation."""

    candidate: str
    interviewer: str
    room: int


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


def interview_tickets(
    settings: Settings,
    room: Room,
    interview_id: int,
    candidate_name: str,
    interviewer_name: str,
    candidate_serial: int = 0,
    janus_url: str | None = None,
) -> tuple[str, str]:
    """(the candidate's ticket, the interviewer's ticket) for one interview's room.
    `janus_url`: where browsers reach its server, when the caller knows it."""
    return (
        mint_ticket(
            settings,
            room,
            CANDIDATE,
            "candidate",
            candidate_name,
            f"interview:{interview_id}:candidate",
            token_serial=candidate_serial,
            janus_url=janus_url,
        ),
        interviewer_ticket(settings, room, interview_id, interviewer_name, janus_url),
    )


def interviewer_ticket(
    settings: Settings,
    room: Room,
    interview_id: int,
    interviewer_name: str,
    janus_url: str | None = None,
    now: float | None = None,
) -> str:
    """The interviewer's ticket for one interview's room (interview_tickets' second)."""
    return mint_ticket(
        settings,
        room,
        INTERVIEWER,
        "interviewer",
        interviewer_name,
        f"interview:{interview_id}:interviewer",
        now=now,
        janus_url=janus_url,
    )


async def reissue_tickets(
    connection: asyncpg.Connection, settings: Settings, interview_id: int
) -> Tickets | None:
    """New tickets for a live interview's room, from what the database keeps: for a
    participant who reconnects, in whichever process. None when it is not live.

    The server's public URL is read with the room: another replica may have placed it on a
    server added a moment ago, before this process heard of it (DEPLOYMENT.md, "The Janus
    fleet"). With `janus.fleet = "settings"` the settings' URLs alone count. A server that
    is nowhere (removed meanwhile): LiveError room_unavailable; the reconciler moves the
    interview and both pages get the new room."""
    row = await connection.fetchrow(
        """
        SELECT i.janus_server, i.room_id, i.room_pin, i.room_secret, i.room_tokens,
               i.candidate_token_serial, i.room_generation,
               c.name AS candidate_name, coalesce(nullif(w.name, ''), 'interviewer') AS interviewer_name,
               s.public_url
        FROM interview i JOIN candidate c ON c.id = i.candidate_id
             JOIN event_interviewer w ON w.id = i.interviewer_id
             LEFT JOIN janus_server s ON s.name = i.janus_server AND $2
        WHERE i.id = $1 AND i.state IN ('offered', 'active') AND i.room_id IS NOT NULL""",
        interview_id,
        settings.janus.fleet == "database",
    )
    if row is None:
        return None
    room = Room(
        row["janus_server"], row["room_id"], row["room_pin"], row["room_secret"], tuple(row["room_tokens"])
    )
    try:
        candidate, interviewer = interview_tickets(
            settings,
            room,
            interview_id,
            row["candidate_name"],
            row["interviewer_name"],
            row["candidate_token_serial"],
            row["public_url"],
        )
    except UnknownJanusServer:
        log.warning("interview %s: its room's server %s is not in the fleet", interview_id, room.server)
        raise LiveError("room_unavailable") from None
    return Tickets(candidate, interviewer, row["room_generation"])


@dataclass(frozen=True)
class Joined:
    """A candidate's *Join* (join_offer): the interview, the candidate's Janus token
    (counted in the database, for Janus once the connection is back: a join again's new one)
    and their ticket."""

    interview_id: int
    token_serial: int
    room: Room
    room_generation: int  # one more for each move to a new room (app/live/reconciler.py)
    ticket: str
    ends_at: float | None = None  # Unix seconds: the interview's end (for the TURN credentials)


async def join_offer(connection: asyncpg.Connection, settings: Settings, candidate_id: int) -> Joined | int:
    """The candidate joins their offered interview (it starts), or their running one again (a
    reload): one statement (live_accept, migration 0027). The interview's id instead when its
    room is not made yet (the caller waits for it: wait_for_room, then asks again). Refused
    (`offer_gone`) when there is no offer, or it expired or was withdrawn meanwhile."""
    # Not after the Join was given up on (live_in_time: app/live/action_bound.py).
    row = await connection.fetchrow(
        "SELECT * FROM live_accept(live_in_time($2::timestamptz, $1::bigint))", candidate_id, not_after()
    )
    if row["o_outcome"] == "no_room":
        return int(row["o_interview"])
    if row["o_outcome"] != "joined":
        raise LiveError("offer_gone")
    room = Room(row["o_server"], row["o_room"], row["o_pin"], row["o_secret"], tuple(row["o_tokens"]))
    names = (row["o_interview"], row["o_candidate_name"], row["o_interviewer_name"], row["o_serial"])
    ticket = await _candidate_ticket(connection, settings, room, *names)
    return Joined(row["o_interview"], row["o_serial"], room, row["o_generation"], ticket, row["o_ends_at"])


async def _candidate_ticket(
    connection: asyncpg.Connection,
    settings: Settings,
    room: Room,
    interview_id: int,
    candidate_name: str,
    interviewer_name: str,
    serial: int,
) -> str:
    names = (interview_id, candidate_name, interviewer_name, serial)
    try:
        return interview_tickets(settings, room, *names)[0]
    except UnknownJanusServer:
        # Placed by another replica on a server added a moment ago, before this process heard
        # of it (DEPLOYMENT.md, "The Janus fleet"): its public URL is in the fleet's table.
        public_url = None
        if settings.janus.fleet == "database":
            public_url = await connection.fetchval(
                "SELECT public_url FROM janus_server WHERE name = $1", room.server
            )
        if public_url is None:
            log.warning("interview %s: its room's server %s is not in the fleet", interview_id, room.server)
            raise LiveError("room_unavailable") from None
        return interview_tickets(settings, room, *names, public_url)[0]


@dataclass(frozen=True)
class Prepared:
    """An offered candidate's ticket before their *Join* (prepared_offer): the one their first
    `accept` hands out too. Only the way to their Janus server is read from it (PROTOCOL.md,
    `prepare`), never the room's pin or place on its allow-list."""

    interview_id: int
    ticket: str
    planned_end: float | None  # Unix seconds: the offer's deadline + the interview's length


# The candidate's offered interview and its room, if made; read only: the offer stays an offer.
PREPARE_SQL = """
    SELECT i.id, i.candidate_token_serial, i.janus_server, i.room_id,
           i.room_pin, i.room_secret, i.room_tokens,
           c.name AS candidate_name, coalesce(nullif(w.name, ''), 'interviewer') AS interviewer_name,
           extract(epoch FROM i.offer_expires_at + (
               SELECT make_interval(mins => e.interview_minutes)
               FROM event e WHERE e.id = i.event_id))::float8 AS planned_end
    FROM interview i
    JOIN candidate c ON c.id = i.candidate_id
    JOIN event_interviewer w ON w.id = i.interviewer_id
    WHERE i.candidate_id = $1 AND i.state = 'offered' AND i.offer_expires_at > now()"""


async def prepared_offer(
    connection: asyncpg.Connection, settings: Settings, candidate_id: int
) -> Prepared | int:
    """The offered candidate's ticket for their room, nothing changed (PROTOCOL.md,
    `prepare`): the token in it is the one the room was made with, which the first *Join*
    hands out as well (migration 0035). The interview's id instead when its room is not made
    yet (the caller waits for it, as for `accept`). `offer_gone` without an open offer."""
    row = await connection.fetchrow(PREPARE_SQL, candidate_id)
    if row is None:
        raise LiveError("offer_gone")
    if row["room_id"] is None:
        return int(row["id"])
    room = Room(
        row["janus_server"], row["room_id"], row["room_pin"], row["room_secret"], tuple(row["room_tokens"])
    )
    ticket = await _candidate_ticket(
        connection,
        settings,
        room,
        row["id"],
        row["candidate_name"],
        row["interviewer_name"],
        row["candidate_token_serial"],
    )
    return Prepared(row["id"], ticket, row["planned_end"])


# The rooms this process is making now: interview -> set once its room is attached, or could
# not be made. An `accept` that comes before the room waits on it instead of asking the
# database every ROOM_POLL_SECONDS (which it still does for a room another process makes).
_MAKING: dict[int, asyncio.Event] = {}


def room_coming(interview_id: int) -> None:
    """This process makes the room of an offer it has just made (open_room, soon): an
    `accept` that comes before then waits on it (wait_for_room) instead of asking the
    database every ROOM_POLL_SECONDS. For the presses (app/live/presses.py), which tell the
    candidate of the offer before the press goes on to make the room."""
    _MAKING.setdefault(interview_id, asyncio.Event())


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
        making = _MAKING.get(interview_id)
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
# once it is this old. The press makes the room the moment the dispatch returns (room_coming,
# open_room), so an offer this old and not being made here has been lost.
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
    than Janus's call timeout. This process makes their rooms now; attach_room lets only one
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
        list(_MAKING),
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
