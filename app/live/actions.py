"""What each side may do over the realtime channel: one table of actions per role.

A message of type T from a candidate runs CANDIDATE_ACTIONS[T], from an interviewer
INTERVIEWER_ACTIONS[T] (the types and their fields: app/live/PROTOCOL.md; parsing:
protocol.py). An action gets who sent it (`Candidate` or `Interviewer`, with what the
process offers them: `Services`) and the parsed message, and returns `Done`: the reply, if
not a plain `ok`, the Janus rooms it ended, and what others are told once the reply is out
(`then`). app/live/channel.py runs it, destroys those rooms after the database connection
is back in the pool (a Janus call may take seconds), sends the state and the reply, and
then runs `then`.

The transactions on the path of an interview changing hands (accept, withdraw, end, leave)
take their connection from `Services.urgent`, a few connections of their own, so that they
never queue behind the reads of a busy event (app/db.py), and the main pool's when all of
those are busy, first come first served (app/live/urgent_pool.py); nothing holds one of
these across a Janus call. *Next* and *Pick* go through `Services.presses`: the presses of
the process that come together are one statement, on a connection taken ahead of that line
(app/live/presses.py), and each offer is written to the candidate's socket in this process
as the statement's result comes in. The room of a *Next* is attached on the main pool: the
offer is out by then, and the urgent connections are for the next offers and joins.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

import asyncpg
from aiohttp import web

from app.keys import DB_POOL, JANUS, LIVE_HUB, SETTINGS, URGENT_POOL
from app.live import (
    call_tickets,
    dispatch,
    interviews,
    janus_access,
    messages,
    outcome,
    presence,
    queue,
    roomless,
)
from app.live.channel import DATABASE_UNAVAILABLE, Socket
from app.live.connections import LIVE_PROCESS
from app.live.dispatch import Dispatched, Offer, Rooms
from app.live.errors import LiveError
from app.live.hub import Hub
from app.live.interviews import RoomToClose
from app.live.presses import Presses, Tell, presses_of
from app.live.protocol import CANDIDATE_TYPES, INTERVIEWER_TYPES
from app.live.urgent_pool import UrgentFirst, line_of
from app.metrics import METRICS
from app.settings import Settings
from app.tickets import read_ticket

T = TypeVar("T")

Message = dict[str, Any]


@dataclass(frozen=True)
class Services:
    """What an action may use, the same for every socket of a process."""

    pool: asyncpg.Pool  # for everything but the urgent
    urgent: UrgentFirst  # for the actions that move an interview (above)
    presses: Presses  # Next and Pick (above)
    rooms: Rooms
    settings: Settings
    process: uuid.UUID  # this process, as live_process knows it

    @classmethod
    def of(cls, app: web.Application) -> Services:
        line = line_of(app[URGENT_POOL], app[DB_POOL])
        settings, process = app[SETTINGS], app[LIVE_PROCESS]
        hub = app[LIVE_HUB]
        presses = presses_of(line, settings.live, process, _teller(hub), hub.offers)
        return cls(app[DB_POOL], line, presses, app[JANUS], settings, process)


def _teller(hub: Hub) -> Tell:
    """How the presses tell a candidate's sockets in this process of their offer at once."""

    async def tell(candidate_id: int, named: Message) -> None:
        for socket in hub.sockets_of(("candidate", candidate_id)):
            if isinstance(socket, Socket):
                await socket.tell_at_once(named)

    return tell


@dataclass(frozen=True)
class Candidate:
    services: Services
    id: int
    event_id: int
    page: str = ""  # this socket's key among the candidate's pages (the `call_taken` notice)


@dataclass(frozen=True)
class Interviewer:
    services: Services
    id: int
    event_id: int
    page: str = ""  # this socket's key among the interviewer's pages (`record_saved`)


@dataclass(frozen=True)
class Done:
    reply: Message | None = None  # None: {"type": "ok", "for": ...}
    rooms: tuple[RoomToClose, ...] = ()  # to destroy once the action has committed
    # The interview and room generation of a ticket in the reply: the page holds it now, and
    # is sent `room_changed` when the room is another (app/live/snapshots.RoomWatch).
    holds: tuple[int, int] | None = None
    # What others are told once the reply is out (the reply need not wait for it).
    then: Callable[[], Awaitable[None]] | None = None


NOTHING = Done()


def _ending(*rooms: RoomToClose | None) -> Done:
    return Done(rooms=tuple(room for room in rooms if room is not None))


@dataclass(frozen=True)
class Action:
    run: Callable[[Any, Message], Awaitable[Done]]
    # The reply goes out at once, and the sender's own new state with the hub's round that
    # the action's notification sets off (app/live/channel.py): for *Next* and *Pick*, so
    # that a hundred interviewers pressing at once cost the event's rounds, not a read of
    # the whole event each, and no press waits for one; for *Join* (`accept`), so that the
    # candidate's call starts without waiting for a read of the event (BENCHMARKS.md,
    # "Changeover"). (The pages draw `ok` of `end` and `withdraw` against the state that
    # came before them: PROTOCOL.md.)
    reply_first: bool = False


# -- the candidate -----------------------------------------------------------------------


async def check_in(me: Candidate, message: Message) -> Done:
    async with me.services.pool.acquire() as connection:
        await queue.check_in(connection, me.id, me.services.settings.live)
    return NOTHING


async def leave(me: Candidate, message: Message) -> Done:
    """Out of the queue, or an offer turned down, or the own interview ended."""
    async with me.services.urgent.acquire() as connection:
        if await queue.left_waiting(connection, me.id):
            return NOTHING  # the common case, one statement: no offer or interview to end
        live = await interviews.live_interview(connection, candidate_id=me.id)
        if live is not None and live["state"] == "active":
            return _ending(await interviews.end_interview(connection, live["id"], "candidate"))
        await queue.leave(connection, me.id, waiting_tried=True)
        if live is not None:  # an offer turned down: its room goes now
            return _ending(await interviews.room_of_ended(connection, live["id"]))
    return NOTHING


async def _once_room_made(
    services: Services,
    pool: asyncpg.Pool | UrgentFirst,
    candidate_id: int,
    read: Callable[[asyncpg.Connection, Settings, int], Awaitable[T | int]],
) -> T:
    """`read` of the candidate's offer on a connection of `pool`. It answers the interview's id
    while the room is not made yet: the offer goes out before its room (dispatch.py), so a
    quick page waits for the room, then reads once more; `offer_gone` when the offer ends
    meanwhile, `room_unavailable` when it stands and the room is still not there."""
    async with pool.acquire() as connection:
        done = await read(connection, services.settings, candidate_id)
    if isinstance(done, int):
        if not await roomless.wait_for_room(services.pool, services.settings, done):
            raise LiveError("offer_gone")
        async with pool.acquire() as connection:
            done = await read(connection, services.settings, candidate_id)
        if isinstance(done, int):  # (made meanwhile and lost again: it no longer exists)
            raise LiveError("offer_gone")
    return done


async def accept(me: Candidate, message: Message) -> Done:
    """Join the offered interview; again during it (a reload), a new ticket whose Janus
    token replaces the previous one. One statement on the urgent connection."""
    services = me.services
    joined = await _once_room_made(services, services.urgent, me.id, call_tickets.join_offer)
    token = janus_access.NewToken(joined.room.server, joined.room.room_id, joined.token_serial)
    await janus_access.install_token(services.rooms, joined.interview_id, token)
    # The join info beside the ticket: the page goes straight to Janus (no POST /api/join).
    join = janus_access.join_info(
        services.settings, read_ticket(services.settings, joined.ticket), joined.ends_at
    )
    return Done(
        {"type": "ticket", "interview": joined.interview_id, "ticket": joined.ticket, "join": join},
        holds=(joined.interview_id, joined.room_generation),
        # The page joins the call with the ticket; its other pages hear of it just after.
        then=partial(_call_taken, me, joined.interview_id),
    )


async def _call_taken(me: Candidate, interview_id: int) -> None:
    """The candidate's other pages (another device, a tab of another browser) are told that
    this one takes the call: its ticket's Janus token replaced theirs, and a page that then
    joined again by itself, with a ticket of its own, would knock this one out in turn, and
    so on (docs/calls.md, "One page in the call"). They stop and offer to take it back.
    Sent after the ticket's reply (Done.then), so nobody retries it: a database that went
    away since the accept is tried again a few times."""
    for wait in (*CALL_TAKEN_RETRIES, None):
        try:
            async with me.services.pool.acquire() as connection:
                await queue.notify(
                    connection,
                    me.event_id,
                    "call_taken",
                    candidate=me.id,
                    interview=interview_id,
                    page=me.page,
                )
            return
        except DATABASE_UNAVAILABLE:
            if wait is None:
                raise
            await asyncio.sleep(wait)


# The seconds between the tries of telling a candidate's other pages of a Join (_call_taken).
CALL_TAKEN_RETRIES = (0.5, 1.0, 2.0)


# What `prepared` carries of the join info: the way to the Janus server and the session's
# token, nothing that opens the room (its pin, its allow-list token).
PREPARED_KEYS = ("janus_url", "janus_token", "ice_servers", "opaque_id")


async def prepare(me: Candidate, message: Message) -> Done:
    """While the offer shows, what the page needs to be connected to its Janus server (a
    session, a handle) before *Join*, without entering the room: the Join then has only the
    room's `join` left to do (docs/calls.md, "Joining fast"). Nothing changes."""
    services = me.services
    prepared = await _once_room_made(services, services.pool, me.id, call_tickets.prepared_offer)
    join = janus_access.join_info(
        services.settings, read_ticket(services.settings, prepared.ticket), prepared.planned_end
    )
    janus = {key: join[key] for key in PREPARED_KEYS}
    return Done({"type": "prepared", "interview": prepared.interview_id, "janus": janus})


async def feedback(me: Candidate, message: Message) -> Done:
    async with me.services.pool.acquire() as connection:
        interview_id = await interviews.last_ended(connection, candidate_id=me.id)
        if interview_id is None:
            raise LiveError("feedback_not_open")
        await outcome.save_feedback(
            connection, interview_id, me.id, interested=message["interested"], comment=message["comment"]
        )
        # The candidate's other open pages (a phone beside the laptop) still ask the
        # question: told, they thank too, rather than take a second answer over the first;
        # one that already thanks says back the answer as it now is (`answer_saved`).
        await queue.notify(connection, me.event_id, "feedback_saved", candidate=me.id, page=me.page)
    return NOTHING


async def sync(me: Candidate, message: Message) -> Done:
    """A page that could not apply a `queue` message asks for its whole state: nothing
    changes, and the channel sends the state before the reply, as after every action."""
    return NOTHING


async def candidate_devices(me: Candidate, message: Message) -> Done:
    async with me.services.pool.acquire() as connection:
        await interviews.set_devices(
            connection, "candidate", me.id, message["microphone"], message["camera"], message["problem"]
        )
    return NOTHING


CANDIDATE_ACTIONS: dict[str, Action] = {
    "sync": Action(sync),
    "check_in": Action(check_in),
    "leave": Action(leave),
    "accept": Action(accept, reply_first=True),
    # Nothing changes: no state of its own to send before the reply.
    "prepare": Action(prepare, reply_first=True),
    "feedback": Action(feedback),
    "devices": Action(candidate_devices),
}


# -- the interviewer ---------------------------------------------------------------------


def _dispatched(services: Services, done: Dispatched) -> Done:
    # With its join info, as the candidate's `ticket`: the page joins ahead straight away.
    info = read_ticket(services.settings, done.interviewer_ticket)
    join = janus_access.join_info(services.settings, info, done.planned_end)
    return Done(
        {
            "type": "dispatched",
            "interview": done.offer.interview_id,
            "candidate": done.offer.candidate_id,
            "ticket": done.interviewer_ticket,
            "join": join,
        },
        holds=(done.offer.interview_id, dispatch.FIRST_ROOM),
    )


async def next_candidate(me: Interviewer, message: Message) -> Done:
    started = time.perf_counter()
    offer = await me.services.presses.dispatch(me.id)
    if offer is None:
        return Done({"type": "queue_empty"})
    return await _with_room(me, offer, started)


async def pick(me: Interviewer, message: Message) -> Done:
    started = time.perf_counter()
    offer = await me.services.presses.dispatch(me.id, message["candidate"])
    assert offer is not None  # (a refused pick raises)
    return await _with_room(me, offer, started)


async def _with_room(me: Interviewer, offer: Offer, started: float) -> Done:
    """The offer is out (told at its statement's result, or by its NOTIFY); its room and
    the interviewer's ticket now."""
    services = me.services
    done = await dispatch.open_room(services.pool, services.rooms, services.settings, offer)
    METRICS.next_to_offer.observe(time.perf_counter() - started)  # the interviewer's wait
    return _dispatched(services, done)


async def withdraw(me: Interviewer, message: Message) -> Done:
    async with me.services.urgent.acquire() as connection:
        return _ending(await interviews.withdraw_offer(connection, me.id))


async def pause(me: Interviewer, message: Message) -> Done:
    async with me.services.pool.acquire() as connection:
        if not await presence.set_presence(connection, me.id, paused=message["type"] == "pause"):
            raise LiveError("unknown_interviewer")  # taken off the event while the page was open
    return NOTHING


async def post_message(me: Interviewer, message: Message) -> Done:
    async with me.services.pool.acquire() as connection:
        if refused := await messages.post(connection, me.event_id, me.id, message["text"]):
            raise LiveError(refused)
    return NOTHING


async def extend(me: Interviewer, message: Message) -> Done:
    async with me.services.pool.acquire() as connection:
        live = await interviews.live_interview(connection, interviewer_id=me.id)
        if live is None:
            raise LiveError("not_active")
        await interviews.extend_interview(connection, live["id"], me.id, me.services.settings.live)
    return NOTHING


async def end(me: Interviewer, message: Message) -> Done:
    async with me.services.urgent.acquire() as connection:
        return _ending(await interviews.end_own_interview(connection, me.id))


async def save(me: Interviewer, message: Message) -> Done:
    """The record of the interview the page names (save_record checks it is the
    interviewer's own); from an older page without it, the live one or else the one just
    ended (notes are saved as typed, also after the end)."""
    async with me.services.pool.acquire() as connection:
        interview_id = message["interview"]
        if interview_id is None:
            live = await interviews.live_interview(connection, interviewer_id=me.id)
            interview_id = (
                live["id"]
                if live is not None
                else await interviews.last_ended(connection, interviewer_id=me.id)
            )
        if interview_id is None:
            raise LiveError("not_active")
        version = await outcome.save_record(
            connection,
            interview_id,
            me.id,
            notes=message["notes"],
            covered=message["covered"],
            ratings=message["ratings"],
            based_on=message["version"],
            page=me.page,
        )
    return Done({"type": "saved", "interview": interview_id, "version": version})


async def record(me: Interviewer, message: Message) -> Done:
    """The saved record of an own interview, for a window whose form is behind: another
    window of the interviewer saved it (record_changed, record_saved)."""
    async with me.services.pool.acquire() as connection:
        saved = await outcome.record_for(connection, me.id, message["interview"])
    del saved["recent"]  # the page's reload only: what it keeps its ended notes open for
    return Done({"type": "record", **saved})


# The interviewer's call is this page's (its mark), unless the page says it again after a
# drop (`since` given) and the last page that said it is not one of its own: a concurrent
# claim waits for the row's lock and is checked against the mark committed before it, so
# the marks kept are in the order of the notices (migration 0045).
CLAIM_SQL = """
    INSERT INTO interviewer_presence AS p (interviewer_id, event_id, call_mark)
    SELECT id, event_id, $3 FROM event_interviewer WHERE id = $1 AND event_id = $2
    ON CONFLICT (interviewer_id) DO UPDATE SET call_mark = excluded.call_mark
    WHERE $4::text[] IS NULL OR p.call_mark IS NULL OR p.call_mark = ANY($4::text[])
    RETURNING 1"""


async def call_here(me: Interviewer, message: Message) -> Done:
    """This page joined the call of the interviewer's interview, or claims the call to come
    (no interview: Next or Pick pressed on it, sent just before them, so that the notice
    goes out ahead of the dispatch's): every page of theirs hears it
    (`call_taken`, with the page's `mark`), this one too, in the order the notices were sent,
    so that of two pages joining at once the one sent last stays in the call and the other
    leaves it (docs/calls.md, "One page in the call"). The interviewer's ticket is shared by
    their pages: no ticket here replaces another's, so a page leaves only by being told.
    The mark is kept as the last said (CLAIM_SQL): a page back after its socket was down
    says it again with its own earlier marks (`since`), and is refused when another page
    has said it since, which it did not hear."""
    async with me.services.pool.acquire() as connection, connection.transaction():
        claimed = await connection.fetchval(CLAIM_SQL, me.id, me.event_id, message["mark"], message["since"])
        if claimed is None:
            if await connection.fetchval("SELECT 1 FROM event_interviewer WHERE id = $1", me.id) is None:
                raise LiveError("unknown_interviewer")  # taken off the event while the page was open
            raise LiveError("call_elsewhere")
        await queue.notify(
            connection,
            me.event_id,
            "call_taken",
            interviewer=me.id,
            interview=message["interview"],
            mark=message["mark"],
        )
    return NOTHING


async def interviewer_devices(me: Interviewer, message: Message) -> Done:
    async with me.services.pool.acquire() as connection:
        await interviews.set_devices(
            connection, "interviewer", me.id, message["microphone"], message["camera"], message["problem"]
        )
    return NOTHING


INTERVIEWER_ACTIONS: dict[str, Action] = {
    "next": Action(next_candidate, reply_first=True),
    "pick": Action(pick, reply_first=True),
    "withdraw": Action(withdraw),
    "pause": Action(pause),
    "resume": Action(pause),
    "message": Action(post_message),
    "extend": Action(extend),
    "end": Action(end),
    "save": Action(save),
    "record": Action(record),
    "call_here": Action(call_here, reply_first=True),
    "devices": Action(interviewer_devices),
}


# Every type a side may send but "ping" (answered by the channel itself) has its action.
assert set(CANDIDATE_ACTIONS) == CANDIDATE_TYPES - {"ping"}
assert set(INTERVIEWER_ACTIONS) == INTERVIEWER_TYPES - {"ping"}


@dataclass(frozen=True)
class Role:
    """One side of the channel: who its sockets belong to, what they may send, and the
    action each type runs (app/views/live_sockets.py serves both sides with it)."""

    name: str  # "candidate" or "interviewer": the socket's `who`, and its listing's column
    person: Callable[[Services, int, int, str], Candidate | Interviewer]  # (services, id, event, page)
    types: frozenset[str]
    actions: dict[str, Action]


CANDIDATE = Role("candidate", Candidate, CANDIDATE_TYPES, CANDIDATE_ACTIONS)
INTERVIEWER = Role("interviewer", Interviewer, INTERVIEWER_TYPES, INTERVIEWER_ACTIONS)
