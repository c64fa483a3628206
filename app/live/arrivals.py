"""Sockets opening at once: their database work done together, on a few connections.

When a process restarts, every page it held reconnects within a second or two (thousands of
sockets). One by one, each would look up its link, list its socket and record its person
as back: several statements and two pool connections per socket, queued for the same pool
as `/healthz` and every socket's actions, so the rest of the process stalls until the last
one is through. Here the handshakes of sockets opening together wait in a plain list, which
costs nothing, and at most `workers` connections serve them, a batch (up to `batch` sockets)
per statement: the links looked up with one `= ANY(...)`, the sockets listed with one
insert, the queue entries updated with one statement. A socket opening alone is a batch of
one and waits for nothing (README.md, "Many sockets reconnecting at once").

Before any of that, a socket is admitted (`Admission`): at most a few hundred at a time are
between their arrival and their first state, the rest wait their turn in the order they
came, holding nothing but their request. Thousands of handshakes advanced at once would each
take a turn of the event loop per step, and every turn would be as long as all of them: the
sockets already back and `/healthz` would wait seconds for theirs.
"""

from __future__ import annotations

import asyncio
import gc
import uuid
from collections import deque
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import asyncpg

from app.candidates.queries import CANDIDATE_COLUMNS
from app.events.queries import EVENT_COLUMNS
from app.live import presence, queue

Key = TypeVar("Key", bound=Hashable)
Result = TypeVar("Result")
# Of a whole batch, retried once with a fresh transaction: the batch locks many queue
# entries (in one order), a dispatch a few (in another).
RETRIED = (asyncpg.DeadlockDetectedError, asyncpg.SerializationError)
# While sockets wait for admission (a storm), the collector's full collections are put off:
# each walks every object of the process, and a storm of 10,000 sockets adds a million that
# all live on, so they came again every few seconds, longer each time (0.1 to 1.2 s of CPU,
# about half of the storm's), and found next to nothing to collect. The young generations
# are collected as usual. A storm longer than this gets its full collections back.
FULL_COLLECTIONS_PUT_OFF_AT_MOST = 30.0
# The third threshold meanwhile (gc.set_threshold): young collections before a full one.
YOUNG_COLLECTIONS_BEFORE_A_FULL_ONE = 1_000_000


class Batches(Generic[Key, Result]):
    """`await batches(key)`: the result for `key` (None when the work found none), worked
    out together with whatever other keys are waiting, `batch` at a time, on at most
    `workers` connections of `pool`."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        work: Callable[[asyncpg.Connection, list[Key]], Awaitable[dict[Key, Result]]],
        *,
        workers: int,
        batch: int,
        name: str,
    ):
        self.pool, self.work, self.workers, self.batch, self.name = (pool, work, workers, batch, name)
        self._waiting: list[tuple[Key, asyncio.Future[Result | None]]] = []
        self._running = 0
        self.most_running = 0  # the most workers at once (the bound held: the tests)

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    async def __call__(self, key: Key) -> Result | None:
        future: asyncio.Future[Result | None] = asyncio.get_running_loop().create_future()
        self._waiting.append((key, future))
        if self._running < self.workers:
            self._running += 1
            self.most_running = max(self.most_running, self._running)
            asyncio.get_running_loop().create_task(self._serve(), name=self.name)
        return await future

    async def _serve(self) -> None:
        try:
            while self._waiting:
                taken, self._waiting = self._waiting[: self.batch], self._waiting[self.batch :]
                taken = [(key, future) for key, future in taken if not future.done()]
                if taken:
                    await self._one_batch(taken)
        finally:
            self._running -= 1

    async def _one_batch(self, taken: list[tuple[Key, asyncio.Future[Result | None]]]) -> None:
        keys = list(dict.fromkeys(key for key, _ in taken))
        try:
            async with self.pool.acquire() as connection:
                try:
                    results = await self.work(connection, keys)
                except RETRIED:
                    results = await self.work(connection, keys)
        except Exception as failure:  # noqa: BLE001 (each socket's handler meets it, as alone)
            for _, future in taken:
                if not future.done():
                    future.set_exception(failure)
            return
        for key, future in taken:
            if not future.done():
                future.set_result(results.get(key))


async def candidates_by_token(connection: asyncpg.Connection, tokens: list[str]) -> dict[str, asyncpg.Record]:
    rows = await connection.fetch(
        f"""
        SELECT {CANDIDATE_COLUMNS} FROM candidate WHERE access_token = ANY($1::text[])""",
        tokens,
    )
    return {row["access_token"]: row for row in rows}


async def events_by_interviewer_token(
    connection: asyncpg.Connection, tokens: list[str]
) -> dict[str, asyncpg.Record]:
    """As app.events.queries.by_interviewer_token, for many links."""
    rows = await connection.fetch(
        f"""
        SELECT {EVENT_COLUMNS}, i.id AS interviewer_id, i.name AS interviewer_name,
               i.email AS interviewer_email, i.user_id AS interviewer_user_id,
               i.access_token AS interviewer_token
        FROM event_interviewer i JOIN event e ON e.id = i.event_id
        JOIN organization o ON o.id = e.organization_id
        WHERE i.access_token = ANY($1::text[])""",
        tokens,
    )
    return {row["interviewer_token"]: row for row in rows}


@dataclass(frozen=True)
class Arrival:
    """One socket opening: whose, and the id it is listed under."""

    socket_id: uuid.UUID
    candidate_id: int | None = None
    interviewer_id: int | None = None


# Per arrival, whether it announced a change of its event (a return the others must see)
ArrivalsWork = Callable[[asyncpg.Connection, list[Arrival]], Awaitable[dict[Arrival, bool]]]


async def interviewer_back(connection: asyncpg.Connection, interviewer_id: int) -> bool:
    """Record an interviewer as connected; nobody is notified when they were already (a page
    of a restarted process coming back to a row its process never got to change): the
    estimated waits count connected interviewers, and an unchanged count changes no state.
    Under the row's lock, as connections.gone takes it: a tab closing meanwhile has either
    seen this socket's row or recorded them as gone before this reads it."""
    async with connection.transaction():
        connected = await connection.fetchval(
            "SELECT connected FROM interviewer_presence WHERE interviewer_id = $1 FOR UPDATE", interviewer_id
        )
        if connected is True:
            return False
        return await presence.set_presence(connection, interviewer_id, connected=True)


def arrivals_of(process_id: uuid.UUID, grace_seconds: float | None = None) -> ArrivalsWork:
    """The batch work of a socket opening, for many sockets of this process: every socket
    listed first, then its person recorded as back (the order connections.gone relies
    on). Per arrival, whether its return was announced: then the event changed after any
    view this process holds, and the socket's first state must not come from one."""

    async def work(connection: asyncpg.Connection, arrivals: list[Arrival]) -> dict[Arrival, bool]:
        await connection.execute(
            """
            INSERT INTO live_connection (id, process_id, candidate_id, interviewer_id)
            SELECT id, $1, candidate_id, interviewer_id
            FROM unnest($2::uuid[], $3::bigint[], $4::bigint[])
                 AS a (id, candidate_id, interviewer_id)
            ON CONFLICT (id) DO NOTHING""",
            process_id,
            [a.socket_id for a in arrivals],
            [a.candidate_id for a in arrivals],
            [a.interviewer_id for a in arrivals],
        )
        candidates = sorted({a.candidate_id for a in arrivals if a.candidate_id is not None})
        announced: set[int] = set()
        if candidates:
            announced |= (await queue.reconnected_many(connection, candidates, grace_seconds)).announced
        returned: set[int] = set()
        for interviewer_id in sorted({a.interviewer_id for a in arrivals if a.interviewer_id is not None}):
            if await interviewer_back(connection, interviewer_id):
                returned.add(interviewer_id)
        return {a: a.candidate_id in announced or a.interviewer_id in returned for a in arrivals}

    return work


class Admission:
    """At most `limit` sockets at a time from their arrival to their first state; the rest
    wait, first come first served, and each slot given back goes straight to the next."""

    def __init__(self, limit: int):
        self.limit = limit
        self.admitted = 0
        self.most_admitted = 0  # the most at once (the bound held: the tests)
        self.waited = 0  # sockets that had to wait for a slot
        self._queue: deque[asyncio.Future[None]] = deque()

    @property
    def waiting(self) -> int:
        return len(self._queue)

    async def enter(self) -> Admitted:
        if self.admitted < self.limit and not self._queue:
            self.admitted += 1
        else:
            self.waited += 1
            FULL_COLLECTIONS.put_off(self)
            turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._queue.append(turn)
            try:
                await turn
            except asyncio.CancelledError:
                if turn.done() and not turn.cancelled():
                    self._pass_on()  # handed a slot as it was cancelled: the next one's
                else:
                    self._queue.remove(turn)
                raise
        self.most_admitted = max(self.most_admitted, self.admitted)
        return Admitted(self)

    def _pass_on(self) -> None:
        while self._queue:
            turn = self._queue.popleft()
            if not turn.done():
                turn.set_result(None)  # the slot changes hands: `admitted` stays
                return
        self.admitted -= 1
        if self.admitted == 0:  # nobody waits, nobody between arrival and first state
            FULL_COLLECTIONS.resume(self)


class FullCollections:
    """The garbage collector's full collections put off while a storm is admitted, and its
    thresholds as they were (whatever the process set) once it is over. One per process, as
    the collector is: with several applications in one process (the tests), put off while
    any of them has a storm."""

    def __init__(self) -> None:
        self._thresholds: tuple[int, int, int] | None = None
        # whose storm: the timer that lifts its put-off when it outlasts the bound
        self._storms: dict[object, asyncio.TimerHandle] = {}
        self._lifted: set[object] = set()  # storms that outlasted the put-off

    def put_off(self, storm: object) -> None:
        if storm in self._lifted or storm in self._storms:
            return
        # A timer, not a check at the next arrival: a storm whose last sockets wait for
        # minutes without new ones coming must get its full collections back all the same.
        self._storms[storm] = asyncio.get_running_loop().call_later(
            FULL_COLLECTIONS_PUT_OFF_AT_MOST, self._lift, storm
        )
        if self._thresholds is None:
            young, middle, _ = self._thresholds = gc.get_threshold()
            gc.set_threshold(young, middle, YOUNG_COLLECTIONS_BEFORE_A_FULL_ONE)

    def _lift(self, storm: object) -> None:
        self.resume(storm)
        self._lifted.add(storm)  # not put off again until this storm is over

    def resume(self, storm: object) -> None:
        self._lifted.discard(storm)
        timer = self._storms.pop(storm, None)
        if timer is not None:
            timer.cancel()
        if not self._storms and self._thresholds is not None:
            gc.set_threshold(*self._thresholds)
            self._thresholds = None


FULL_COLLECTIONS = FullCollections()


class Admitted:
    """One socket's slot; `release` when its first state is made, or it is refused or gone
    (idempotent: whichever comes first)."""

    __slots__ = ("_admission",)

    def __init__(self, admission: Admission):
        self._admission: Admission | None = admission

    def release(self) -> None:
        if self._admission is not None:
            admission, self._admission = self._admission, None
            admission._pass_on()


class Arrivals:
    """The admission and the three batched steps of a socket's handshake, for one process."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        process_id: uuid.UUID,
        *,
        workers: int,
        batch: int = 200,
        admitted_at_once: int = 500,
        grace_seconds: float | None = None,
    ):
        self.admission = Admission(admitted_at_once)
        self.candidate: Batches[str, asyncpg.Record] = Batches(
            pool, candidates_by_token, workers=workers, batch=batch, name="live-arrivals-candidates"
        )
        self.interviewer: Batches[str, asyncpg.Record] = Batches(
            pool, events_by_interviewer_token, workers=workers, batch=batch, name="live-arrivals-interviewers"
        )
        self.arrived: Batches[Arrival, bool] = Batches(
            pool,
            arrivals_of(process_id, grace_seconds),
            workers=workers,
            batch=batch,
            name="live-arrivals-listing",
        )

    def all(self) -> Sequence[Batches[Any, Any]]:
        return (self.candidate, self.interviewer, self.arrived)
