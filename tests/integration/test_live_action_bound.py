"""A live action whose database work is not done within its bound is refused `unavailable`
and changes nothing, then or later (app/live/action_bound.py): *Extend* held up by a lock
another connection took, and *Extend* and *Next* pressed while the whole database is frozen
(SIGSTOP), which before were applied when the database woke, after the interviewer had given
up: *Next*'s one statement, read by its backend only after the thaw, is refused there by its
guard (live_in_time, migration 0063)."""

from __future__ import annotations

import asyncio
import gc
import time

import asyncpg
import pytest

from app.live import action_bound
from app.live.action_bound import ACTION_SECONDS
from app.live.presence import set_presence
from tests.integration.channel_support import candidate_and_lobby, interviewer_in_interview_twice
from tests.integration.live_support import assert_invariants, make_live_event
from tests.integration.test_live_outcome import active_interview
from tests.stopping import Frozen, database_processes

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


async def test_an_extend_pressed_while_the_database_is_frozen_is_refused_and_never_applied(
    app_server, base_url, db, pool, settings
):
    event, interview = await active_interview(db, pool, settings)
    before = tuple(await db.fetchrow(EXTENDED, interview))
    processes = database_processes(await db.fetchval("SHOW data_directory"))
    async with interviewer_in_interview_twice(base_url, db, event.interviewers[0]) as (page, _):
        with Frozen(processes):
            refused = await page.request({"ok"}, type="extend")
            assert (refused["type"], refused["code"]) == ("error", "unavailable")
            await asyncio.sleep(1)  # frozen on past the refusal, as in the walkthrough
        # Awake: what the refused press had sent is rolled back, not committed now.
        await asyncio.sleep(1.5)
        assert tuple(await db.fetchrow(EXTENDED, interview)) == before


async def test_a_next_pressed_while_the_database_is_frozen_offers_nobody_after_the_thaw(
    app_server, base_url, db, caplog
):
    live = await make_live_event(db, interviewers=1, candidates=1)
    (candidate_link,) = [
        await db.fetchval("SELECT access_token FROM candidate WHERE id = $1", c) for c in live.candidates
    ]
    lobby_link = await db.fetchval(
        "SELECT access_token FROM event_interviewer WHERE id = $1", live.interviewers[0]
    )
    processes = database_processes(await db.fetchval("SHOW data_directory"))
    async with candidate_and_lobby(base_url, candidate_link, lobby_link) as (candidate, lobby):
        await lobby.wait_for(lambda m: m["type"] == "state")
        assert (await candidate.request({"ok"}, type="check_in"))["type"] == "ok"
        await lobby.wait_for(lambda m: m["type"] == "state" and m["queue"])
        with Frozen(processes):
            refused = await lobby.request({"dispatched", "queue_empty"}, type="next")
            assert (refused["type"], refused["code"], refused["for"]) == ("error", "unavailable", "next")
            await asyncio.sleep(1)
        await asyncio.sleep(1.5)
        assert await db.fetchval("SELECT count(*) FROM interview WHERE event_id = $1", live.id) == 0
        entry = "SELECT state::text FROM queue_entry WHERE candidate_id = $1"
        assert await db.fetchval(entry, live.candidates[0]) == "waiting"
        await assert_invariants(db, live.id)
        # Awake, the same press offers them.
        assert (await lobby.request({"dispatched", "queue_empty"}, type="next"))["type"] == "dispatched"
    # The refused press's own answer was read: no error logged for it (an operator's alerts
    # would go off for an outage that needs nothing of them).
    gc.collect()
    assert not [r.getMessage() for r in caplog.records if "never retrieved" in r.getMessage()]


async def test_a_next_sent_to_a_backend_that_hangs_is_not_done_when_it_wakes(app_server, base_url, db):
    """The database's backends hang but its postmaster answers: *Next*'s statement lies in
    its frozen backend's buffer, and the cancel sent for it is ignored there (a backend
    waiting for a command drops a cancel). Awake, the backend runs the statement as its own
    transaction; its guard (live_in_time) refuses it, so nobody is offered."""
    live = await make_live_event(db, interviewers=1, candidates=1)
    (candidate_link,) = [
        await db.fetchval("SELECT access_token FROM candidate WHERE id = $1", c) for c in live.candidates
    ]
    lobby_link = await db.fetchval(
        "SELECT access_token FROM event_interviewer WHERE id = $1", live.interviewers[0]
    )
    async with candidate_and_lobby(base_url, candidate_link, lobby_link) as (candidate, lobby):
        await lobby.wait_for(lambda m: m["type"] == "state")
        assert (await candidate.request({"ok"}, type="check_in"))["type"] == "ok"
        await lobby.wait_for(lambda m: m["type"] == "state" and m["queue"])
        # A Next and a Withdraw first: the urgent connection the next press takes has its
        # statement prepared, so the press sends it whole (not only to be prepared, which a
        # backend that wakes would not run).
        assert (await lobby.request({"dispatched"}, type="next"))["type"] == "dispatched"
        assert (await lobby.request({"ok"}, type="withdraw"))["type"] == "ok"
        await asyncio.sleep(0.5)  # the offer's room destroyed, its connections back
        backends = [
            row["pid"]
            for row in await db.fetch(
                """SELECT pid FROM pg_stat_activity
                   WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"""
            )
        ]
        with Frozen(backends):
            refused = await lobby.request({"dispatched", "queue_empty"}, type="next")
            assert (refused["type"], refused["code"]) == ("error", "unavailable")
            await asyncio.sleep(1)
        await asyncio.sleep(1.5)
        offers = "SELECT count(*) FROM interview WHERE event_id = $1 AND state = 'offered'"
        assert await db.fetchval(offers, live.id) == 0
        await assert_invariants(db, live.id)


async def test_a_pause_read_only_after_it_was_given_up_on_does_nothing(db):
    """*Pause* is one statement too: a backend that wakes from a hang and reads it after the
    press was refused does not pause the interviewer (its guard, as *Next*'s)."""
    live = await make_live_event(db, interviewers=1, candidates=0)
    (interviewer,) = live.interviewers
    assert await set_presence(db, interviewer, connected=True)
    given_up = action_bound._CURRENT.set(action_bound._Scope(-1.0))  # an action past its bound
    try:
        with pytest.raises(asyncpg.QueryCanceledError):
            await set_presence(db, interviewer, paused=True)
    finally:
        action_bound._CURRENT.reset(given_up)
    paused = "SELECT paused FROM interviewer_presence WHERE interviewer_id = $1"
    assert await db.fetchval(paused, interviewer) is False
    assert await set_presence(db, interviewer, paused=True)  # outside an action: no bound
    assert await db.fetchval(paused, interviewer) is True
