"""A live action whose database work is not done within its bound is refused `unavailable`
and changes nothing, then or later (app/live/action_bound.py): *Extend* held up by a lock
another connection took, and *Extend* pressed while the whole database is frozen (SIGSTOP),
which before was applied when the database woke, after the interviewer had given up."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from pathlib import Path

from app.live.action_bound import ACTION_SECONDS
from tests.integration.channel_support import interviewer_in_interview_twice
from tests.integration.test_live_outcome import active_interview
from tests.stopping import freeze

EXTENDED = "SELECT extended_minutes, ends_at FROM interview WHERE id = $1"


async def test_an_extend_held_up_by_a_lock_past_the_bound_is_refused_and_undone(
    app_server, base_url, db, pool, settings
):
    event, interview = await active_interview(db, pool, settings)
    before = tuple(await db.fetchrow(EXTENDED, interview))
    async with interviewer_in_interview_twice(base_url, db, event.interviewers[0]) as (page, _):
        async with pool.acquire() as holder, holder.transaction():
            await holder.execute("SELECT 1 FROM interview WHERE id = $1 FOR UPDATE", interview)
            pressed = time.monotonic()
            refused = await page.request({"ok"}, type="extend")
            waited = time.monotonic() - pressed
            assert (refused["type"], refused["code"], refused["for"]) == ("error", "unavailable", "extend")
            assert ACTION_SECONDS <= waited < ACTION_SECONDS + 2
            # The statement was cancelled, not left waiting for the lock to commit after it.
            waiting = await db.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%extended_minutes%'"
            )
            assert waiting == 0
        await asyncio.sleep(0.5)
        assert tuple(await db.fetchrow(EXTENDED, interview)) == before
        # The database answering again, the same press goes through at once.
        assert (await page.request({"ok"}, type="extend"))["type"] == "ok"
    assert (await db.fetchrow(EXTENDED, interview))["extended_minutes"] > before[0]


def _database_processes(data_directory: str) -> list[int]:
    """The postmaster of this test stack's PostgreSQL and its children."""
    postmaster = int(Path(data_directory, "postmaster.pid").read_text().split()[0])
    children = Path(f"/proc/{postmaster}/task/{postmaster}/children").read_text().split()
    return [postmaster, *map(int, children)]


async def test_an_extend_pressed_while_the_database_is_frozen_is_refused_and_never_applied(
    app_server, base_url, db, pool, settings
):
    event, interview = await active_interview(db, pool, settings)
    before = tuple(await db.fetchrow(EXTENDED, interview))
    processes = _database_processes(await db.fetchval("SHOW data_directory"))
    async with interviewer_in_interview_twice(base_url, db, event.interviewers[0]) as (page, _):
        try:
            for pid in processes:
                freeze(pid)
            refused = await page.request({"ok"}, type="extend")
            assert (refused["type"], refused["code"]) == ("error", "unavailable")
            await asyncio.sleep(1)  # frozen on past the refusal, as in the walkthrough
        finally:
            for pid in processes:
                os.kill(pid, signal.SIGCONT)
        # Awake: what the refused press had sent is rolled back, not committed now.
        await asyncio.sleep(1.5)
        assert tuple(await db.fetchrow(EXTENDED, interview)) == before
