"""Many sockets opening at once (every page of a restarted process): each gets its full state
and its own place, no more than the admission's limit are between arrival and first state at
once, their database work is done in batches on a bounded number of connections
(app/live/arrivals.py), and /healthz answers meanwhile, even with every connection of the
main pool taken."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import uuid

import asyncpg
from aiohttp import ClientSession, ClientTimeout, TCPConnector, WSMsgType

from app.keys import DB_POOL
from app.link_sessions import CANDIDATE_SESSION
from app.live import queue
from app.live.arrivals import Arrival, Batches, arrivals_of
from app.live.connections import ARRIVAL_WORKERS, ARRIVALS
from app.live.presence import set_presence
from tests.integration.live_support import age, make_live_event

SOCKETS = 300
ADMITTED_IN_THE_TEST = 40  # below SOCKETS, so that most of them wait their turn


async def _first_state(
    http: ClientSession, url: str, cookie: str, everyone_has_theirs: asyncio.Event
) -> dict:
    """The socket's first state; the socket kept open until every socket has its own (one
    closing would start its grace period, and places behind it would move on its end)."""
    async with http.ws_connect(url, headers={"Cookie": cookie}) as ws:
        async for frame in ws:
            if frame.type == WSMsgType.TEXT:
                message = json.loads(frame.data)
                if message["type"] == "state":
                    await everyone_has_theirs.wait()
                    return message
    raise AssertionError(f"{url}: closed before its state")


async def test_a_storm_of_sockets_each_gets_its_own_place(app_server, settings, base_url, db):
    live = await make_live_event(db, interviewers=1, candidates=SOCKETS)
    await db.execute(
        """
        INSERT INTO queue_entry (event_id, candidate_id, queued_at)
        SELECT $1, id, now() + make_interval(secs => n)
        FROM unnest($2::bigint[]) WITH ORDINALITY AS c (id, n)""",
        live.id,
        live.candidates,
    )
    tokens = dict(await db.fetch("SELECT id, access_token FROM candidate WHERE event_id = $1", live.id))
    secret = settings.app.secret_key.get_secret_value()
    admission = app_server[ARRIVALS].admission
    limit = admission.limit
    admission.limit, admission.most_admitted, admission.waited = ADMITTED_IN_THE_TEST, 0, 0
    all_in = asyncio.Event()
    try:
        states = await _open_all(base_url, live.candidates, tokens, secret, db, all_in)
    finally:
        admission.limit = limit

    places = [state["queue"]["position"] for state in states]
    assert places == list(range(1, SOCKETS + 1))  # checked in a second apart, in this order
    assert admission.most_admitted <= ADMITTED_IN_THE_TEST and admission.waited > 0
    assert admission.admitted == 0 and admission.waiting == 0  # every slot given back
    arrivals = app_server[ARRIVALS]
    for step in arrivals.all():
        assert step.most_running <= ARRIVAL_WORKERS
    assert (
        await db.fetchval(
            """SELECT count(*) FROM queue_entry WHERE event_id = $1
                                AND state = 'waiting'""",
            live.id,
        )
        == SOCKETS
    )
    # They all closed together as the client went: unlisted, every candidate's grace period
    # started (in batches: connections.close_connections).
    gone = """SELECT count(*) FROM queue_entry q WHERE q.event_id = $1 AND q.disconnected_at IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM live_connection c WHERE c.candidate_id = q.candidate_id)"""
    for _ in range(200):
        if await db.fetchval(gone, live.id) == SOCKETS:
            break
        await asyncio.sleep(0.05)
    assert await db.fetchval(gone, live.id) == SOCKETS


async def _open_all(base_url, candidates, tokens, secret, db, all_in: asyncio.Event) -> list[dict]:
    """Every candidate's socket opened at once, /healthz asked meanwhile: their first states."""
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    ws_base = base_url.replace("http", "ws", 1)
    async with ClientSession(connector=TCPConnector(limit=0), timeout=ClientTimeout(total=300)) as http:
        opening = asyncio.gather(
            *(
                _first_state(
                    http,
                    f"{ws_base}/c/{tokens[c]}/ws",
                    f"{CANDIDATE_SESSION.cookie}={CANDIDATE_SESSION.encode(secret, c, later, tokens[c])}",
                    all_in,
                )
                for c in candidates
            )
        )
        async with http.get(f"{base_url}/healthz") as response:  # while they open
            assert response.status == 200, await response.text()
        listed = """SELECT count(DISTINCT candidate_id) FROM live_connection
                    WHERE candidate_id = ANY($1::bigint[])"""
        while not opening.done() and await db.fetchval(listed, candidates) < SOCKETS:
            await asyncio.sleep(0.1)
        all_in.set()
        return await opening


async def test_batches_wait_for_a_free_worker_and_go_together(stack):
    """With the one worker busy, whatever arrives meanwhile waits without a connection and
    goes in one batch once it is free."""
    pool = await asyncpg.create_pool(stack.environ["DATABASE_URL"], min_size=1, max_size=5)
    release = asyncio.Event()
    batches_seen: list[list[int]] = []

    async def work(connection, keys):
        batches_seen.append(keys)
        if len(batches_seen) == 1:
            await release.wait()
        rows = await connection.fetch("SELECT k, k * 2 AS twice FROM unnest($1::int[]) AS k", keys)
        return {row["k"]: row["twice"] for row in rows}

    try:
        batches = Batches(pool, work, workers=1, batch=100, name="test-batches")
        first = asyncio.create_task(batches(1))
        while not batches_seen:
            await asyncio.sleep(0.01)
        rest = [asyncio.create_task(batches(k)) for k in range(2, 52)]
        await asyncio.sleep(0.1)
        assert batches.waiting == 50 and len(batches_seen) == 1  # held back, no connection
        assert pool.get_idle_size() + 1 == pool.get_size()  # only the busy one is out
        release.set()
        assert await first == 2
        assert await asyncio.gather(*rest) == [2 * k for k in range(2, 52)]
        assert batches_seen[1:] == [list(range(2, 52))]
        assert batches.most_running == 1
    finally:
        await pool.close()


async def test_healthz_answers_while_the_main_pool_is_taken(app_server, http, base_url):
    """Every connection of the main pool held (by a storm's handshakes, a busy event's
    reads): /healthz still says whether the database answers, at once."""
    pool = app_server[DB_POOL]
    held = [await pool.acquire() for _ in range(pool.get_max_size())]
    try:
        for path in ("/healthz", "/readyz"):
            async with http.get(f"{base_url}{path}") as response:
                body = await response.json()
                assert response.status == 200, body
                assert body["database"] == "ok"
    finally:
        for connection in held:
            await pool.release(connection)


async def test_coming_back_notifies_only_when_a_state_changes(db, settings):
    """A restarted process's pages coming back: a candidate back within the grace period and
    an interviewer recorded as connected already change no state, and set off no round of
    every socket of the event; one back after the grace period, one away, and an interviewer
    who was recorded as gone do."""
    live = await make_live_event(db, interviewers=2, candidates=4)
    within, past, away, connected = live.candidates
    for candidate in live.candidates:
        await queue.check_in(db, candidate, settings.live)
    for candidate in (within, past, away):
        await queue.disconnected(db, candidate)
    await age(
        db, "queue_entry", "disconnected_at", settings.live.grace_seconds + 1, "candidate_id = $2", past
    )
    await age(
        db, "queue_entry", "disconnected_at", settings.live.grace_seconds + 1, "candidate_id = $2", away
    )
    assert away in await queue.mark_away(db, settings.live)
    present, gone = live.interviewers
    await set_presence(db, present, connected=True)
    await set_presence(db, gone, connected=False)

    heard: list[str] = []
    listener = await asyncpg.connect(settings.database.url.get_secret_value())
    await listener.add_listener(queue.channel(live.id), lambda *args: heard.append(args[-1]))
    process = uuid.uuid4()
    await db.execute("INSERT INTO live_process (id) VALUES ($1)", process)
    work = arrivals_of(process, settings.live.grace_seconds)

    async def arrive(**person: int) -> list[str]:
        heard.clear()
        arrival = Arrival(uuid.uuid4(), **person)
        announced = (await work(db, [arrival]))[arrival]
        await db.execute("SELECT pg_notify($1, 'probe')", queue.channel(live.id))
        while "probe" not in heard:  # every notification before it has come
            await asyncio.sleep(0.01)
        notified = [payload for payload in heard if payload != "probe"]
        # The arrival says so when it announced itself: its socket's first state is read after it.
        assert announced is bool(notified)
        return notified

    try:
        assert await arrive(candidate_id=within) == []
        assert await arrive(candidate_id=connected) == []
        assert await arrive(interviewer_id=present) == []
        assert len(await arrive(candidate_id=past)) == 1
        assert len(await arrive(candidate_id=away)) == 1
        assert len(await arrive(interviewer_id=gone)) == 1
    finally:
        await listener.close()
    assert await db.fetchval("SELECT connected FROM interviewer_presence WHERE interviewer_id = $1", gone)
    assert (await queue.entry(db, away))["state"] == "waiting"
    assert await db.fetchval(
        "SELECT count(*) FROM queue_entry WHERE candidate_id = ANY($1::bigint[]) AND disconnected_at IS NULL",
        live.candidates,
    ) == len(live.candidates)
