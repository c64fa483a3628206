"""The candidate's *Join* (call_tickets.join_offer: live_accept, migration 0027): the offer taken
in one statement, the running interview joined again after a reload, and every way an offer
can be gone by then."""

from __future__ import annotations

import asyncio
import json

import pytest

from app.events.workflow import end_event_now
from app.live import call_tickets, dispatch, interviews, queue
from app.live.errors import LiveError
from app.live.queue import channel
from app.tickets import read_ticket
from tests.integration.live_support import (
    age,
    assert_invariants,
    make_live_event,
    offer_with_room,
    waiting_or_done,
)


async def offered(db, pool, settings, *, room: bool = True):
    event = await make_live_event(db, interviewers=1, candidates=2)
    for candidate_id in event.candidates:
        await queue.check_in(db, candidate_id, settings.live)
    offer = await dispatch.dispatch(pool, event.interviewers[0], settings.live)
    if room:
        await offer_with_room(db, offer, settings.live)
    return event, offer


async def test_join_starts_the_interview_in_one_statement_and_tells_the_event(db, pool, settings):
    event, offer = await offered(db, pool, settings)
    heard: list[dict] = []
    await db.add_listener(channel(event.id), lambda *args: heard.append(json.loads(args[3])))
    statements: list[str] = []

    def logged(record) -> None:
        statements.append(record.query)

    async with pool.acquire() as connection:
        connection.add_query_logger(logged)
        try:
            joined = await call_tickets.join_offer(connection, settings, offer.candidate_id)
        finally:
            connection.remove_query_logger(logged)
    assert len(statements) == 1  # one round trip while the urgent connection is held
    assert isinstance(joined, call_tickets.Joined) and joined.interview_id == offer.interview_id
    # The room's own Janus token: never in a ticket before (migration 0035).
    assert joined.token_serial == 0 and joined.room_generation == 0
    assert read_ticket(settings, joined.ticket).room == joined.room.room_id
    row = await db.fetchrow(
        "SELECT state, started_at, ends_at FROM interview WHERE id = $1", offer.interview_id
    )
    assert row["state"] == "active" and row["ends_at"] > row["started_at"]
    assert await queue.state_of(db, offer.candidate_id) == "interviewing"
    for _ in range(100):
        if heard:
            break
        await asyncio.sleep(0.05)
    assert {
        "kind": "started",
        "interview": offer.interview_id,
        "candidate": offer.candidate_id,
    }.items() <= heard[0].items()
    await assert_invariants(db, event.id)


async def test_join_again_after_a_reload_counts_a_new_token_and_starts_nothing(db, pool, settings):
    _, offer = await offered(db, pool, settings)
    async with pool.acquire() as connection:
        first = await call_tickets.join_offer(connection, settings, offer.candidate_id)
        started = await connection.fetchval(
            "SELECT started_at FROM interview WHERE id = $1", offer.interview_id
        )
        # (moved to a new room meanwhile, as the reconciler does: the ticket says which)
        await connection.execute("UPDATE interview SET room_generation = 1 WHERE id = $1", offer.interview_id)
        again = await call_tickets.join_offer(connection, settings, offer.candidate_id)
    assert isinstance(first, call_tickets.Joined) and isinstance(again, call_tickets.Joined)
    assert again.token_serial == first.token_serial + 1
    assert (first.room_generation, again.room_generation) == (0, 1)
    assert await db.fetchval("SELECT started_at FROM interview WHERE id = $1", offer.interview_id) == started


async def test_join_before_the_room_names_the_interview_to_wait_for(db, pool, settings):
    _, offer = await offered(db, pool, settings, room=False)
    async with pool.acquire() as connection:
        assert await call_tickets.join_offer(connection, settings, offer.candidate_id) == offer.interview_id
    assert await db.fetchval("SELECT state FROM interview WHERE id = $1", offer.interview_id) == "offered"


@pytest.mark.parametrize("gone_by", ["expired", "withdrawn", "never_offered"])
async def test_join_of_an_offer_that_is_gone_is_refused_and_changes_nothing(db, pool, settings, gone_by):
    event, offer = await offered(db, pool, settings)
    candidate = offer.candidate_id
    if gone_by == "expired":
        await age(db, "interview", "offer_expires_at", 3600, "id = $2", offer.interview_id)
    elif gone_by == "withdrawn":
        await interviews.withdraw_offer(db, offer.interviewer_id)
    else:
        candidate = event.candidates[1]  # waiting, never offered
    before = await db.fetch("SELECT id, state, candidate_token_serial FROM interview ORDER BY id")
    async with pool.acquire() as connection:
        with pytest.raises(LiveError, match="offer_gone"):
            await call_tickets.join_offer(connection, settings, candidate)
    assert await db.fetch("SELECT id, state, candidate_token_serial FROM interview ORDER BY id") == before
    await assert_invariants(db, event.id)


async def test_extensions_stop_at_the_limit_the_last_adding_what_is_left(db, pool, settings):
    """Each *Extend* adds live.extend_minutes, up to live.extend_limit_minutes in all: the
    queue behind waits for every minute, and TURN credentials last only so long."""
    live = settings.live.model_copy(update={"extend_minutes": 3, "extend_limit_minutes": 5})
    _, offer = await offered(db, pool, settings)
    async with pool.acquire() as connection:
        await call_tickets.join_offer(connection, settings, offer.candidate_id)
        planned = await db.fetchval("SELECT ends_at FROM interview WHERE id = $1", offer.interview_id)
        added = []
        for _ in range(2):
            row = await interviews.extend_interview(
                connection, offer.interview_id, offer.interviewer_id, live
            )
            added.append(row["extended_minutes"])
        assert added == [3, 5] and (row["ends_at"] - planned).total_seconds() == 5 * 60
        with pytest.raises(LiveError) as refused:
            await interviews.extend_interview(connection, offer.interview_id, offer.interviewer_id, live)
        assert refused.value.code == "extend_limit"
        assert (
            await db.fetchval("SELECT ends_at FROM interview WHERE id = $1", offer.interview_id)
            == row["ends_at"]
        )
        with pytest.raises(LiveError) as refused:  # not theirs: as if there were none
            await interviews.extend_interview(connection, offer.interview_id, offer.interviewer_id + 1, live)
        assert refused.value.code == "not_active"


async def test_two_extensions_at_once_stop_at_the_limit(db, pool, settings):
    """Two windows (or two processes) pressing Extend at the same moment: the second waits
    for the first's lock and must see what it added, not add as much again."""
    live = settings.live.model_copy(update={"extend_minutes": 2, "extend_limit_minutes": 10})
    _, offer = await offered(db, pool, settings)
    async with pool.acquire() as first, pool.acquire() as second:
        await call_tickets.join_offer(first, settings, offer.candidate_id)
        await db.execute("UPDATE interview SET extended_minutes = 8 WHERE id = $1", offer.interview_id)
        async with first.transaction():  # the first press, not yet committed
            await interviews.extend_interview(first, offer.interview_id, offer.interviewer_id, live)
            pressed = asyncio.create_task(
                interviews.extend_interview(second, offer.interview_id, offer.interviewer_id, live)
            )
            await asyncio.sleep(0.3)
            assert not pressed.done()  # waiting for the first's lock
        with pytest.raises(LiveError) as refused:
            await pressed
        assert refused.value.code == "extend_limit"
    assert await db.fetchval("SELECT extended_minutes FROM interview WHERE id = $1", offer.interview_id) == 10


async def test_an_extension_committed_while_the_time_box_ends_the_interview_is_kept(db, pool, settings):
    """*Extend* pressed in the interview's last moment, its transaction not yet committed
    when the sweep comes to end the interview by its time box: the sweep leaves it (the next
    sees its new end), rather than wait for the extension and end the interview all the
    same, the interviewer told it was extended and the candidate's call gone."""
    _, offer = await offered(db, pool, settings)
    async with pool.acquire() as sweeper, pool.acquire() as interviewer:
        await call_tickets.join_offer(interviewer, settings, offer.candidate_id)
        async with interviewer.transaction():
            # The time box ends a microsecond after the press's clock: due for the sweep.
            await db.execute(
                "UPDATE interview SET ends_at = $2::timestamptz + interval '1 microsecond' WHERE id = $1",
                offer.interview_id,
                await interviewer.fetchval("SELECT now()"),
            )
            extended = await interviews.extend_interview(
                interviewer, offer.interview_id, offer.interviewer_id, settings.live
            )
            sweeping = asyncio.create_task(interviews.end_due_interviews(sweeper))
            await waiting_or_done(db, sweeping, sweeper)
        assert await sweeping == []
        assert await interviews.end_due_interviews(sweeper) == []  # nor the next, before its end
    row = await db.fetchrow("SELECT state, ends_at FROM interview WHERE id = $1", offer.interview_id)
    assert (row["state"], row["ends_at"]) == ("active", extended["ends_at"])
    assert await queue.state_of(db, offer.candidate_id) == "interviewing"


@pytest.mark.parametrize("over_by", ["ended_early", "its_clock"])
async def test_extend_after_the_event_is_over_is_refused_and_changes_nothing(db, pool, settings, over_by):
    """Once the event is over (its organizer's *End the event now*, or its time up), an
    interview under way goes on to its end, and no further."""
    event, offer = await offered(db, pool, settings)
    async with pool.acquire() as connection:
        await call_tickets.join_offer(connection, settings, offer.candidate_id)
        if over_by == "ended_early":
            async with connection.transaction():
                assert await end_event_now(connection, event.id, settings.live)
        else:
            await db.execute(
                "UPDATE event SET starts_at = now() - interval '3 hours' WHERE id = $1", event.id
            )
        before = await db.fetchrow(
            "SELECT state, ends_at, extended_minutes FROM interview WHERE id = $1", offer.interview_id
        )
        assert before["state"] == "active"  # not ended by the event's end
        with pytest.raises(LiveError) as refused:
            await interviews.extend_interview(
                connection, offer.interview_id, offer.interviewer_id, settings.live
            )
    assert refused.value.code == "event_over"
    assert (
        await db.fetchrow(
            "SELECT state, ends_at, extended_minutes FROM interview WHERE id = $1", offer.interview_id
        )
        == before
    )
