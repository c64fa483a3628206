"""Which event-day WebSockets are open, across every application process.

A candidate or an interviewer counts as connected while any of their sockets is open, so a
second tab (or a phone beside the laptop) closing is not a disconnection: the grace period
and an interviewer leaving the wait estimate start only when the last one closes.

Each process registers itself and beats every HEARTBEAT_SECONDS. When a process dies without
closing its sockets (SIGKILL, power cut), its rows stay behind; any other process that
sees its heartbeat older than STALE_SECONDS removes them and records the people they held as
disconnected, as the dead process would have done. The browsers meanwhile reconnect to a
live process, which records them connected again. Once its row is gone, the rooms it was
making are made by another process (roomless.recover_roomless_offers) and its mail claims
are due again (app/mail/store.py).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
import uuid
from collections.abc import AsyncIterator

import asyncpg
from aiohttp import web

from app.keys import DB_POOL, SETTINGS
from app.live import interviews, presence, queue
from app.live.action_bound import database_clock_seen
from app.live.arrivals import Arrivals, Batches
from app.live.interviews import give_offers_back_the_downtime
from app.outages import Outage

log = logging.getLogger(__name__)
# What a dead process held (its sockets, the rooms it was making, its mail claims) is
# released within seconds of its last beat: STALE_SECONDS plus one beat of a living process.
HEARTBEAT_SECONDS = 2.0
# Four missed beats: a process that is merely slow (a long GC pause, a busy database) is
# not declared dead.
STALE_SECONDS = 8.0
LIVE_PROCESS = web.AppKey("live_process", uuid.UUID)
# The handshakes' database work, batched (app/live/arrivals.py).
ARRIVALS = web.AppKey("live_arrivals", Arrivals)
# Sockets closing, batched the same way (`close_connections`): a network that drops for
# many pages at once closes hundreds of sockets together, one pool connection each for a
# DELETE and a transaction, and the pool was theirs for most of a second
# (BENCHMARKS.md, "Sockets closing at once").
DEPARTURES = web.AppKey("live_departures", Batches)
# Connections that sockets opening (or closing) at once may hold, per step of their
# handshake: the rest of the pool stays free for /healthz and the open sockets' actions
# during a storm.
ARRIVAL_WORKERS = 2
# Sockets between their arrival and their first state at once (arrivals.Admission): enough
# to fill the batches above and keep the CPU busy while some wait for the database, few
# enough that a turn of the event loop stays short for /healthz and the sockets back already.
ADMITTED_AT_ONCE = 500


async def open_connection(
    connection: asyncpg.Connection,
    process_id: uuid.UUID,
    *,
    candidate_id: int | None = None,
    interviewer_id: int | None = None,
) -> uuid.UUID:
    connection_id = uuid.uuid4()
    await connection.execute(
        """
        INSERT INTO live_connection (id, process_id, candidate_id, interviewer_id)
        VALUES ($1, $2, $3, $4)""",
        connection_id,
        process_id,
        candidate_id,
        interviewer_id,
    )
    return connection_id


async def close_connections(
    connection: asyncpg.Connection, socket_ids: list[uuid.UUID]
) -> dict[uuid.UUID, None]:
    """Forget these sockets, and record each person whose last one it was as gone: the
    candidates together (`candidates_gone`), the interviewers (few) one by one. A socket
    already reaped was recorded then. Nothing to return per socket (`Batches`)."""
    # One transaction: a batch tried again after a deadlock (Batches) deletes its rows again
    # and records their people; rows deleted by the failed try would have named nobody.
    async with connection.transaction():
        rows = await connection.fetch(
            """
            DELETE FROM live_connection WHERE id = ANY($1::uuid[])
            RETURNING candidate_id, interviewer_id""",
            socket_ids,
        )
        candidates = sorted({r["candidate_id"] for r in rows if r["candidate_id"] is not None})
        await candidates_gone(connection, candidates)
        for interviewer_id in sorted({r["interviewer_id"] for r in rows if r["interviewer_id"] is not None}):
            await gone(connection, interviewer_id=interviewer_id)
    return {}


async def gone(
    connection: asyncpg.Connection, *, candidate_id: int | None = None, interviewer_id: int | None = None
) -> None:
    """Record that a person's socket closed, unless another of theirs is open. Under the
    lock of their queue entry (or presence row), which a (re)connect takes too after adding
    its socket (app/live/arrivals.py): of a tab closing and another opening at once, whichever comes second sees
    the other's row, so a connected person is never recorded as gone."""
    async with connection.transaction():
        if candidate_id is not None:
            await connection.execute(
                "SELECT 1 FROM queue_entry WHERE candidate_id = $1 FOR UPDATE", candidate_id
            )
        else:
            await connection.execute(
                """SELECT 1 FROM interviewer_presence
                                        WHERE interviewer_id = $1 FOR UPDATE""",
                interviewer_id,
            )
        # A new statement after the lock: it sees every socket committed before it.
        if await connection.fetchval(
            """
                SELECT EXISTS (SELECT 1 FROM live_connection
                               WHERE candidate_id = $1 OR interviewer_id = $2)""",
            candidate_id,
            interviewer_id,
        ):
            return
        if candidate_id is not None:
            # (Only when it went now: an offered or running interview's entry is recorded too.)
            if await queue.disconnected(connection, candidate_id):
                await interviews.forget_media_problems(connection, "candidate", [candidate_id])
        elif interviewer_id is not None:
            await presence.set_presence(connection, interviewer_id, connected=False)
            await interviews.forget_media_problems(connection, "interviewer", [interviewer_id])


async def candidates_gone(connection: asyncpg.Connection, candidate_ids: list[int]) -> None:
    """`gone` for many candidates at once (a dead process held thousands of sockets): their
    entries locked in one order, then, by a statement that sees every socket committed
    before the locks, the ones with no socket left recorded as disconnected."""
    if not candidate_ids:
        return
    async with connection.transaction():
        await connection.execute(
            """
            SELECT 1 FROM queue_entry WHERE candidate_id = ANY($1::bigint[])
            ORDER BY id FOR UPDATE""",
            candidate_ids,
        )
        away = await connection.fetch(
            """
            UPDATE queue_entry q SET disconnected_at = now(), updated_at = now()
            WHERE q.candidate_id = ANY($1::bigint[])
              AND q.state IN ('waiting', 'offered', 'interviewing')
              AND q.disconnected_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM live_connection c
                              WHERE c.candidate_id = q.candidate_id)
            RETURNING q.candidate_id""",
            candidate_ids,
        )
        await interviews.forget_media_problems(connection, "candidate", [row["candidate_id"] for row in away])


async def reap_dead_processes(
    connection: asyncpg.Connection,
    stale_seconds: float = STALE_SECONDS,
    stopping: uuid.UUID | None = None,
    own: uuid.UUID | None = None,
) -> int:
    """Remove the sockets of processes that stopped beating (and of `stopping`, this process
    when it shuts down) and record their people as disconnected (unless they are connected
    elsewhere by now); the number of sockets removed. Never `own`, the process reaping: it
    is running, however long its event loop took from its beat to here (seconds, in a
    reconnect storm on a busy machine), and reaping itself would unlist every socket it
    holds and refuse every socket it lists after."""
    async with connection.transaction():
        dead = [
            row["id"]
            for row in await connection.fetch(
                """
            SELECT id FROM live_process
            WHERE (seen_at < now() - make_interval(secs => $1) AND id IS DISTINCT FROM $3) OR id = $2
            FOR UPDATE SKIP LOCKED""",
                stale_seconds,
                stopping,
                own,
            )
        ]
        rows = await connection.fetch(
            """
            DELETE FROM live_connection WHERE process_id = ANY($1::uuid[])
            RETURNING candidate_id, interviewer_id""",
            dead,
        )
        await connection.execute("DELETE FROM live_process WHERE id = ANY($1::uuid[])", dead)
        if dead:  # their mail claims are due again now (app/mail/store.py): wake the workers
            await connection.execute("SELECT pg_notify('mail_outbox', '')")
    await candidates_gone(
        connection, sorted({row["candidate_id"] for row in rows if row["candidate_id"] is not None})
    )
    for interviewer_id in sorted(
        {row["interviewer_id"] for row in rows if row["interviewer_id"] is not None}
    ):
        await gone(connection, interviewer_id=interviewer_id)
    if rows:
        log.info("removed %d socket(s) of stopped processes", len(rows))
    return len(rows)


UPSERT_BEAT = """
    INSERT INTO live_process (id) VALUES ($1)
    ON CONFLICT (id) DO UPDATE SET seen_at = now()"""


class Beats:
    """When this process's beats last reached the database (monotonic seconds)."""

    def __init__(self) -> None:
        self.last = time.monotonic()

    def current(self) -> bool:
        """Whether the last beat is at most two beats old: while it is not, the database may
        have been away from every process, nobody could join an offer meanwhile, and the
        sweeper counts no missed offers (app/live/sweeper.py) until a beat has given the
        offers their time back (`beat`)."""
        return time.monotonic() - self.last < 2 * HEARTBEAT_SECONDS


# The sweeper counts missed offers only while this process's beats reach the database.
LIVE_BEATS = web.AppKey("live_beats", Beats)


async def beat(connection: asyncpg.Connection, process_id: uuid.UUID) -> int:
    """One beat of this process. When no process has beaten for two beats (the only one
    crashed, the database away from all, or so slow that no beat got through), nobody could
    join an offer meanwhile: the offers get back the time they had left at the last beat
    (give_offers_back_the_downtime). With live_process locked, so that processes starting or
    coming back together give it once: the next one finds this one's beat fresh. The look is
    made in the beat's own transaction, after its first statement: a beat that hung while the
    database did finds the others' last beats as old as they are. Returns how many offers
    were given time."""
    async with connection.transaction():
        await connection.execute("LOCK TABLE live_process IN SHARE ROW EXCLUSIVE MODE")
        given = await give_offers_back_the_downtime(connection, 2 * HEARTBEAT_SECONDS)
        await connection.execute(UPSERT_BEAT, process_id)
    if given:
        log.info("%d offer(s) given back the time the service was down", given)
    return given


async def _beat_forever(pool: asyncpg.Pool, process_id: uuid.UUID, beats: Beats) -> None:
    loop = asyncio.get_running_loop()
    # Since when this process's beats have reached the database. After an outage of the
    # database every process's last beat is old: none may judge the others dead until they
    # have all had STALE_SECONDS to beat again: a short outage must not make them reap
    # each other's sockets (README, "Several tabs").
    beating_since = loop.time()
    outage = Outage(log, "live heartbeat", f"beating again every {HEARTBEAT_SECONDS:g} s")
    while True:
        await asyncio.sleep(HEARTBEAT_SECONDS)
        try:
            async with pool.acquire() as connection:
                await beat(connection, process_id)
                # The database's clock beside this process's, for the live actions' bound.
                asked = dt.datetime.now(dt.UTC)
                database_now = await connection.fetchval("SELECT clock_timestamp()")
                database_clock_seen(database_now, asked, dt.datetime.now(dt.UTC))
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as error:
            outage.seen(error)
            continue
        beats.last = time.monotonic()
        if outage.under_way:
            beating_since = loop.time()
        outage.over()  # every beat: the last answer before an outage dates it (app/outages.py)
        if loop.time() - beating_since < STALE_SECONDS:
            continue
        # Apart from the beat: a reap that fails says nothing of this process's beats.
        try:
            async with pool.acquire() as connection:
                await reap_dead_processes(connection, own=process_id)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as error:
            log.warning("dead processes not reaped: %s", type(error).__name__)


async def live_connections(app: web.Application) -> AsyncIterator[None]:
    """This process's identity and heartbeat (a cleanup_ctx, after the database pool)."""
    pool = app[DB_POOL]
    process_id = app[LIVE_PROCESS] = uuid.uuid4()
    app[ARRIVALS] = Arrivals(
        pool,
        process_id,
        workers=ARRIVAL_WORKERS,
        admitted_at_once=ADMITTED_AT_ONCE,
        grace_seconds=app[SETTINGS].live.grace_seconds,
    )
    app[DEPARTURES] = Batches(
        pool, close_connections, workers=ARRIVAL_WORKERS, batch=200, name="live-departures"
    )
    async with pool.acquire() as connection:
        await beat(connection, process_id)
    beats = app[LIVE_BEATS] = Beats()
    task = asyncio.create_task(_beat_forever(pool, process_id, beats), name="live-heartbeat")
    try:
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        try:
            async with pool.acquire() as connection:
                # Sockets still listed here were closed without their handler finishing:
                # record their people as gone now rather than after STALE_SECONDS.
                await reap_dead_processes(connection, stopping=process_id)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            log.warning("live process not deregistered: %s", type(error).__name__)
