"""The presses of *Next* and *Pick* of one process, sent to the database together.

A press used to take a connection of its own from the urgent line (app/live/urgent_pool.py)
for its one statement: a hundred interviewers pressing at once waited for eight
connections' turns behind the joins and ends in the same line, and each turn lasted until
the busy process came round to the statement's result (BENCHMARKS.md, "Dispatch": the
closed loop's p99 was that wait). Here a press goes to the database at once while fewer
than SENDERS dispatch statements of the process are under way, on a connection taken ahead
of the line; beyond that the presses wait for the first of those to come back and then go
together as one statement (live_dispatch_many, migration 0033) on the connection kept
meanwhile. Up to SENDERS × MOST_AT_ONCE presses waiting, a press waits for at most one
statement before its own, and the database takes a hundred presses in a few round trips.

Each offer is told to the candidate's sockets in this process in the turn of the event
loop that takes in the statement's result (`Socket.tell_at_once`, app/live/channel.py),
not a turn or two later when its NOTIFY comes back from the database. The NOTIFY tells
the sockets of the other processes, and those here that could not take it at once; a
feed tells an offer once (app/live/feeds.py).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg

from app.background import Background
from app.live.action_bound import not_after, settled
from app.live.dispatch import Offer, dispatch_on, offer_of, room_coming
from app.live.precedence import OffersUnderWay
from app.live.urgent_pool import Held, UrgentFirst
from app.settings import LiveSettings

log = logging.getLogger(__name__)

# At most this many presses in one statement: its locks are held until the last is done.
MOST_AT_ONCE = 50
# At most this many statements under way at once, each on a connection of its own: a press
# that comes while one is under way goes at once, as before; only beyond these presses wait,
# for the first statement to come back, and then go together.
SENDERS = 3

# Not run after the first of its presses was given up on (live_in_time: that press was
# answered `unavailable`, app/live/action_bound.py; the others are refused with it and may
# be pressed again).
MANY_SQL = """SELECT * FROM live_dispatch_many(
    live_in_time($6::timestamptz, $1::bigint[]), $2::bigint[], $3, $4, $5)"""

# Tells the candidate's sockets in this process of their offer: (candidate id, the offer's
# notification as its NOTIFY carries it).
Tell = Callable[[int, dict[str, Any]], Awaitable[None]]

# A statement of presses refused by a unique index, or a deadlock's victim, is sent again
# one press at a time, so that each is refused on its own (dispatch.dispatch_on maps the
# unique indexes to the refusal the page shows). So is a statement of several that fails in
# any other way: one press's failure is not the others'.
ONE_AT_A_TIME = (asyncpg.UniqueViolationError, asyncpg.DeadlockDetectedError, asyncpg.SerializationError)


def _given_up() -> ConnectionAbortedError:
    """The answer of presses whose statement was cut short by the sender's cancellation (a
    process stopping): the channel answers `unavailable` (try again). A new one each time:
    one instance raised again and again would grow its traceback with every raise."""
    return ConnectionAbortedError("the dispatch statement was cancelled")


@dataclass(eq=False)
class _Press:
    interviewer_id: int
    candidate_id: int | None  # Pick; None: Next
    answer: asyncio.Future[Offer | None]
    given_up_at: dt.datetime | None  # when its action is given up on (None: never)


@dataclass
class _Kept:
    """The connection a sender holds from one statement to the next (None: none taken yet,
    or given back); whoever ends the sending gives back what is held."""

    held: Held | None = None


def _fail(presses: list[_Press], failure: BaseException) -> None:
    for press in presses:
        if not press.answer.done():
            press.answer.set_exception(failure)


class Presses:
    def __init__(
        self,
        line: UrgentFirst,
        live: LiveSettings,
        maker: uuid.UUID | None,
        tell: Tell,
        offers: OffersUnderWay | None = None,
    ):
        self.line, self.live, self.maker, self.tell = line, live, maker, tell
        self.offers = offers or OffersUnderWay()  # the hub's, which gives way to them
        self._waiting: list[_Press] = []
        self._senders = 0  # statements under way, or about to be
        self._background = Background("live-presses", log)  # senders, connections given back

    async def dispatch(self, interviewer_id: int, candidate_id: int | None = None) -> Offer | None:
        """dispatch.dispatch for a socket of this process: the offer, None when nobody is
        waiting (Next only), LiveError when refused."""
        with self.offers.one():
            answer = asyncio.get_running_loop().create_future()
            press = _Press(interviewer_id, candidate_id, answer, not_after())
            self._waiting.append(press)
            if self._senders < SENDERS:
                # Sent by this press itself, in this turn of the loop: a task would first wait
                # for the next turn, which on a busy process is the longest step of all.
                self._senders += 1
                try:
                    await self._send(_Kept(), keep_going=False)
                except BaseException:
                    # Given up on while sending (past its bound: app/live/action_bound.py):
                    # its own answer, set by the failure, is read by nobody else, and an
                    # unread one would be logged as an error ("never retrieved").
                    if press.answer.done() and not press.answer.cancelled():
                        press.answer.exception()
                    raise
            try:
                return await press.answer
            finally:
                # Answered: what follows (the room, made on Janus) is no database work to
                # give up on (app/live/action_bound.py), even if the statement was another's.
                if press.answer.done() and not press.answer.cancelled():
                    settled()

    async def _send(self, kept: _Kept, keep_going: bool) -> None:
        """One statement (a press sending its own and whoever waits), or statements until
        nobody waits (a task); then the presses that came meanwhile go on in a task with
        the connection, or it goes back to its pool."""
        try:
            while self._waiting:
                presses, self._waiting = self._waiting[:MOST_AT_ONCE], self._waiting[MOST_AT_ONCE:]
                await self._answer(kept, presses)
                if not keep_going:
                    break
        finally:
            if self._waiting and not keep_going:
                self._background.start(self._send(kept, keep_going=True))
            else:
                self._senders -= 1
                if self._waiting and not self._senders:  # (this task was cancelled)
                    stranded, self._waiting = self._waiting, []
                    _fail(stranded, _given_up())
                if kept.held is not None:
                    # Not awaited: a press sending its own goes on to its room at once
                    # (giving a connection back to asyncpg takes a turn or two of the loop).
                    held, kept.held = kept.held, None
                    self._background.start(self.line.give_back(held))

    async def _answer(self, kept: _Kept, presses: list[_Press]) -> None:
        """Dispatch `presses` and answer each, whatever happens: a failure is each press's
        answer (raised here only when this task itself is cancelled). The connection stays
        in `kept` for the next statement unless it broke (its pool then replaces it)."""
        try:
            if kept.held is None:
                kept.held = await self.line.take(first=True)
            told = await self._outcomes(kept.held.connection, presses)
        except BaseException as failure:
            cancelled = isinstance(failure, asyncio.CancelledError)
            _fail(presses, _given_up() if cancelled else failure)
            if cancelled:
                raise
            if kept.held is not None and not isinstance(failure, asyncpg.PostgresError):
                await self._give_back(kept)
            return
        finally:
            if kept.held is not None and kept.held.connection.is_closed():
                await self._give_back(kept)  # (the server went: a new one next time)
        try:
            for press, outcome, expires in told:
                if isinstance(outcome, Offer) and not press.answer.done():
                    room_coming(outcome.interview_id)  # (its press goes on to make it)
                if isinstance(outcome, Offer) and expires is not None:
                    await self._tell(outcome, expires)
        finally:  # answered even when cancelled while telling: the offers exist
            for press, outcome, _ in told:
                if press.answer.done():  # given up on (a socket's task cancelled at shutdown)
                    if isinstance(outcome, Offer):
                        log.info("interview %s: its press was given up on", outcome.interview_id)
                elif isinstance(outcome, BaseException):
                    press.answer.set_exception(outcome)
                else:
                    press.answer.set_result(outcome)

    async def _give_back(self, kept: _Kept) -> None:
        held, kept.held = kept.held, None
        if held is not None:
            await self.line.give_back(held)

    async def _outcomes(
        self, connection: asyncpg.Connection, presses: list[_Press]
    ) -> list[tuple[_Press, Offer | None | BaseException, str | None]]:
        """(press, its offer, None or the refusal, the offer's expiry as its NOTIFY writes it)."""
        live = self.live
        try:
            rows = await connection.fetch(
                MANY_SQL,
                [press.interviewer_id for press in presses],
                [press.candidate_id for press in presses],
                float(live.grace_seconds),
                float(live.offer_seconds),
                self.maker,
                min((p.given_up_at for p in presses if p.given_up_at is not None), default=None),
            )
        except asyncpg.PostgresError as failure:
            if len(presses) == 1 and not isinstance(failure, ONE_AT_A_TIME):
                raise
            return [await self._alone(connection, press) for press in presses]
        told: list[tuple[_Press, Offer | None | BaseException, str | None]] = []
        for row in rows:
            press = presses[row["o_press"] - 1]
            try:
                offer = offer_of(row, press.interviewer_id)
            except Exception as refused:  # noqa: BLE001 (a LiveError, the press's answer)
                told.append((press, refused, None))
                continue
            told.append((press, offer, None if offer is None else row["o_expires"].isoformat()))
        return told

    async def _alone(
        self, connection: asyncpg.Connection, press: _Press
    ) -> tuple[_Press, Offer | None | BaseException, str | None]:
        try:
            offer = await dispatch_on(
                connection, press.interviewer_id, self.live, press.candidate_id, self.maker, press.given_up_at
            )
        except Exception as refused:  # noqa: BLE001 (the press's answer)
            return press, refused, None
        # The expiry as the NOTIFY has it; the NOTIFY tells this one (no need to read it).
        return press, offer, None

    async def _tell(self, offer: Offer, expires: str) -> None:
        named = {
            "kind": "offer",
            "event": offer.event_id,
            "interview": offer.interview_id,
            "candidate": offer.candidate_id,
            "interviewer": offer.interviewer_id,
            "expires_at": expires,
        }
        try:
            await self.tell(offer.candidate_id, named)
        except Exception as failure:  # noqa: BLE001 (the NOTIFY tells them anyway)
            log.warning("offer not told at once: %s", type(failure).__name__)


# The process's presses, by their line's identity (as urgent_pool.line_of).
_PRESSES: dict[int, Presses] = {}


def presses_of(
    line: UrgentFirst,
    live: LiveSettings,
    maker: uuid.UUID | None,
    tell: Tell,
    offers: OffersUnderWay | None = None,
) -> Presses:
    """The one Presses of the process over this line, for every socket's *Next* and *Pick*."""
    presses = _PRESSES.get(id(line))
    if presses is None or presses.line is not line:
        for key, old in list(_PRESSES.items()):
            if old.line.urgent.is_closing():
                del _PRESSES[key]
        presses = _PRESSES[id(line)] = Presses(line, live, maker, tell, offers)
    return presses
