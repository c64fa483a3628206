"""Never double-booked, under load: 50 interviewers press *Next* at once against 40 waiting candidates,
half of them in this process and half in another, each with its own database pool and
Janus connections, as two application processes would."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections import Counter
from pathlib import Path

import asyncpg

from app.keys import JANUS
from app.live import dispatch, interviews, queue
from app.live.errors import LiveError
from tests.integration.live_dispatch_worker import press_next  # the same press in both processes
from tests.integration.live_support import assert_invariants, make_live_event, offer_with_room

ROOT = Path(__file__).resolve().parents[2]
INTERVIEWERS, CANDIDATES = 50, 40


async def start_other_process(environ: dict[str, str], interviewers: list[int]):
    worker = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.integration.live_dispatch_worker",
        cwd=ROOT,
        env=dict(os.environ, **environ),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    worker.stdin.write((json.dumps(interviewers) + "\n").encode())
    await worker.stdin.drain()
    line = await asyncio.wait_for(worker.stdout.readline(), 60)
    assert line.strip() == b"ready", line
    return worker


async def test_fifty_interviewers_forty_candidates_two_processes(db, stack, settings, app_server):
    event = await make_live_event(db, interviewers=INTERVIEWERS, candidates=CANDIDATES)
    for candidate_id in event.candidates:
        await queue.check_in(db, candidate_id, settings.live)
    here, there = event.interviewers[::2], event.interviewers[1::2]
    worker = await start_other_process(stack.environ, there)
    rooms = app_server[JANUS]
    pool = await asyncpg.create_pool(stack.environ["DATABASE_URL"], min_size=len(here), max_size=len(here))
    try:
        worker.stdin.write(b"go\n")
        await worker.stdin.drain()
        mine = await asyncio.gather(*(press_next(pool, rooms, settings, i) for i in here))
        output, _ = await asyncio.wait_for(worker.communicate(), 60)
        assert worker.returncode == 0
        theirs = json.loads(output.decode().strip().splitlines()[-1])

        results = mine + theirs
        assert not [r for r in results if "error" in r], results
        assert sorted(r["interviewer"] for r in results) == sorted(event.interviewers)
        dispatched = [r["candidate"] for r in results if r["candidate"] is not None]
        assert Counter(dispatched) == Counter(event.candidates)  # each exactly once
        assert sum(1 for r in results if r["candidate"] is None) == INTERVIEWERS - CANDIDATES
        # Both processes took part.
        assert any(r["candidate"] for r in mine) and any(r["candidate"] for r in theirs)

        offered = await db.fetch(
            """
            SELECT candidate_id, interviewer_id, room_id FROM interview
            WHERE event_id = $1 AND state = 'offered'""",
            event.id,
        )
        assert len(offered) == CANDIDATES and all(r["room_id"] for r in offered)
        assert len({r["room_id"] for r in offered}) == CANDIDATES
        await assert_invariants(db, event.id)
    finally:
        if worker.returncode is None:
            worker.kill()
            await worker.wait()
        for room in await db.fetch(
            """
                SELECT janus_server, room_id, room_secret FROM interview
                WHERE event_id = $1 AND room_id IS NOT NULL""",
            event.id,
        ):
            await dispatch.close_room(rooms, *room)
        await pool.close()


async def test_accept_leave_and_expiry_racing_never_deadlock(db, stack, settings):
    """Joining, leaving and the expiry sweep on the same offers at once, from many
    connections: each offer ends one way, no deadlock, the rules hold."""
    live = settings.live
    count = 20
    event = await make_live_event(db, interviewers=count, candidates=count)
    pool = await asyncpg.create_pool(stack.environ["DATABASE_URL"], min_size=10, max_size=30)
    try:
        for candidate_id in event.candidates:
            await queue.check_in(db, candidate_id, live)
        offers = [await dispatch.dispatch(pool, i, live) for i in event.interviewers]
        for offer in offers:
            await offer_with_room(db, offer, live)
        # Half the offers are due: the sweep competes with joining and leaving for them.
        await db.execute(
            """
            UPDATE interview SET offer_expires_at = now() WHERE id = ANY($1::bigint[])""",
            [o.interview_id for o in offers[::2]],
        )

        async def attempt(work):
            async with pool.acquire() as connection:
                try:
                    return await work(connection)
                except LiveError as error:
                    return error.code

        jobs = []
        for offer in offers:
            jobs.append(lambda c, o=offer: interviews.accept_offer(c, o.interview_id, o.candidate_id))
            jobs.append(lambda c, o=offer: queue.leave(c, o.candidate_id))
            jobs.append(lambda c: interviews.expire_offers(c))
        results = await asyncio.gather(*(attempt(job) for job in jobs))
        assert {r for r in results if isinstance(r, str)} <= {"offer_gone", "in_interview"}
        states = await db.fetch("SELECT state FROM interview WHERE event_id = $1", event.id)
        assert len(states) == count
        assert all(r["state"] in ("active", "missed") for r in states)
        await assert_invariants(db, event.id)
    finally:
        await pool.close()
