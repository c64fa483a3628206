"""The event's end against what an interviewer does at the same moment: *Extend* and *Next*
against the organizer's *End the event now*, and against the event's own clock. Each test
holds one transaction open at the point where the other must wait for it (or go past it),
so the interleaving is forced, not left to chance; whichever commits first, the end and the
interview agree: nothing is granted after the end, and the end sees everything granted
before it."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from app.events.workflow import end_event_now
from app.live import dispatch, interviews, queue
from app.live.errors import LiveError
from app.live.event_states import advance_event_states
from tests.integration.live_support import (
    assert_invariants,
    make_live_event,
    offer_with_room,
    waiting_or_done,
)


async def in_a_call(db, pool, settings):
    """A live event with one interview going on and a second candidate waiting."""
    event = await make_live_event(db, interviewers=2, candidates=2)
    for candidate_id in event.candidates:
        await queue.check_in(db, candidate_id, settings.live)
    offer = await dispatch.dispatch(pool, event.interviewers[0], settings.live)
    await offer_with_room(db, offer, settings.live)
    await interviews.accept_offer(db, offer.interview_id, offer.candidate_id)
    return event, offer


async def end_now(connection: asyncpg.Connection, event_id: int, settings) -> str | None:
    """The organizer's *End the event now* as its post runs it (app/views/event_ending.py),
    in the caller's transaction: the event's row locked first, then ended. (Its transaction's
    clock, now(), started with the caller's BEGIN, before the lock was granted.)"""
    await connection.execute("SELECT 1 FROM event WHERE id = $1 FOR UPDATE", event_id)
    return await end_event_now(connection, event_id, settings.live)


async def clock_of_a_press(db, interviewer: asyncpg.Connection, event_id: int, minutes: int | None):
    """The clock of a press begun now on `interviewer` (its transaction's now(), which a
    statement reads as it begins, before any wait for a lock), with the event's start moved
    so that `minutes` of it (None: its whole set length, its end by the clock) run out a
    microsecond after that clock."""
    pressed_at = await interviewer.fetchval("SELECT now()")
    await db.execute(
        """UPDATE event SET starts_at = $2::timestamptz + interval '1 microsecond'
                                        - make_interval(mins => coalesce($3, duration_minutes))
           WHERE id = $1""",
        event_id,
        pressed_at,
        minutes,
    )
    return pressed_at


async def interview_row(db, interview_id: int):
    return await db.fetchrow(
        "SELECT state, ends_at, extended_minutes FROM interview WHERE id = $1", interview_id
    )


async def test_extend_pressed_while_the_event_is_being_ended_waits_and_is_refused(db, pool, settings):
    """*End the event now* has ended the event in its transaction, not yet committed, when
    *Extend* comes: the extension waits for it and is then refused, rather than read the
    event as it was before and be granted after the event's end."""
    event, offer = await in_a_call(db, pool, settings)
    before = await interview_row(db, offer.interview_id)
    async with pool.acquire() as organizer, pool.acquire() as interviewer:
        async with organizer.transaction():
            assert await end_now(organizer, event.id, settings) == "ending"
            pressed = asyncio.create_task(
                interviews.extend_interview(
                    interviewer, offer.interview_id, offer.interviewer_id, settings.live
                )
            )
            assert await waiting_or_done(db, pressed, interviewer) == "waiting"
        with pytest.raises(LiveError) as refused:
            await pressed
    assert refused.value.code == "event_over"
    assert await interview_row(db, offer.interview_id) == before
    await assert_invariants(db, event.id)


async def test_end_pressed_while_an_extension_commits_waits_for_it_and_ends_after_it(db, pool, settings):
    """*Extend* is granted and not yet committed when *End the event now* comes: the end
    waits for it, so the extension comes before the end (the interview goes on to its new
    end), and the moment the event is recorded as ended is not before it."""
    event, offer = await in_a_call(db, pool, settings)
    before = await interview_row(db, offer.interview_id)
    async with pool.acquire() as organizer, pool.acquire() as interviewer:
        async with organizer.transaction():  # the organizer's post has begun
            async with interviewer.transaction():
                extended = await interviews.extend_interview(
                    interviewer, offer.interview_id, offer.interviewer_id, settings.live
                )
                ending = asyncio.create_task(end_now(organizer, event.id, settings))
                assert await waiting_or_done(db, ending, organizer) == "waiting"
                granted_at = await interviewer.fetchval("SELECT clock_timestamp()")
            assert await ending == "ending"
    ended = await db.fetchrow("SELECT ended_early_at, state::text FROM event WHERE id = $1", event.id)
    assert ended["ended_early_at"] >= granted_at and ended["state"] == "live"
    after = await interview_row(db, offer.interview_id)
    assert after["state"] == "active" and after["ends_at"] == extended["ends_at"] > before["ends_at"]
    # From now on no more: the event is over.
    async with pool.acquire() as interviewer:
        with pytest.raises(LiveError) as refused:
            await interviews.extend_interview(
                interviewer, offer.interview_id, offer.interviewer_id, settings.live
            )
    assert refused.value.code == "event_over"


async def test_a_press_of_next_that_waited_for_the_end_offers_nobody(db, pool, settings):
    """A *Next* whose statement began a moment before the organizer's end (its clock read
    then) and waited for the end's lock: the event is over when it gets the lock, so no
    candidate is offered, whatever the minute the event was cut to. (An interview goes on,
    so the event stays live, not finished, after the end.)"""
    event, _ = await in_a_call(db, pool, settings)
    waiting = event.candidates[1]
    async with pool.acquire() as organizer, pool.acquire() as interviewer:
        async with interviewer.transaction():
            # The press's clock is a microsecond before the whole minute the end cuts the
            # event to: 30 minutes run then, two hours planned.
            await clock_of_a_press(db, interviewer, event.id, 30)
            async with organizer.transaction():
                assert await end_now(organizer, event.id, settings) == "ending"
                pressed = asyncio.create_task(
                    interviewer.fetchrow(
                        "SELECT * FROM live_dispatch($1, NULL, $2, $3, NULL)",
                        event.interviewers[1],
                        float(settings.live.grace_seconds),
                        float(settings.live.offer_seconds),
                    )
                )
                assert await waiting_or_done(db, pressed, interviewer) == "waiting"
            row = await pressed
        assert row["o_outcome"] == "event_not_open"
    assert await db.fetchval("SELECT count(*) FROM interview WHERE event_id = $1", event.id) == 1
    assert await queue.state_of(db, waiting) == "waiting"
    assert await db.fetchval("SELECT duration_minutes FROM event WHERE id = $1", event.id) == 30
    await assert_invariants(db, event.id)


async def test_end_now_waits_for_an_offer_being_made_and_counts_it(db, pool, settings):
    """*Next* holds the event's row (its offer not yet committed) when *End the event now*
    comes: the end waits for it, then sees the offer under way (the event is not finished
    while it can still be taken) and records its moment after the offer's."""
    event = await make_live_event(db, interviewers=1, candidates=1)
    await queue.check_in(db, event.candidates[0], settings.live)
    async with pool.acquire() as organizer, pool.acquire() as interviewer:
        async with organizer.transaction():  # the organizer's post has begun
            async with interviewer.transaction():
                offer = await dispatch.dispatch_on(
                    interviewer, event.interviewers[0], settings.live, None, None
                )
                assert offer is not None
                ending = asyncio.create_task(end_now(organizer, event.id, settings))
                assert await waiting_or_done(db, ending, organizer) == "waiting"
            assert await ending == "ending"
    row = await db.fetchrow(
        """SELECT e.ended_early_at, e.state::text, i.offered_at, i.state AS interview
           FROM event e JOIN interview i ON i.event_id = e.id WHERE e.id = $1""",
        event.id,
    )
    assert (row["state"], row["interview"]) == ("live", "offered")
    assert row["ended_early_at"] >= row["offered_at"]


async def test_the_clock_ending_while_an_offer_is_made_does_not_finish_the_event(db, pool, settings):
    """The event's time runs out while a *Next* that pressed before it has its offer under
    way (not yet committed): the sweeper that comes then must not mark the event finished
    without seeing that offer, which the candidate may still take."""
    event = await make_live_event(db, interviewers=1, candidates=1)
    await queue.check_in(db, event.candidates[0], settings.live)
    async with pool.acquire() as sweeper, pool.acquire() as interviewer:
        async with interviewer.transaction():
            # The event's end a microsecond after the press's clock: over for the sweeper.
            await clock_of_a_press(db, interviewer, event.id, None)
            offer = await dispatch.dispatch_on(interviewer, event.interviewers[0], settings.live, None, None)
            assert offer is not None
            sweeping = asyncio.create_task(advance_event_states(sweeper, settings.live, event.id))
            await waiting_or_done(db, sweeping, sweeper)
        await sweeping
        # And every sweep after it: the offer goes on.
        assert await advance_event_states(sweeper, settings.live, event.id) == []
    assert await db.fetchval("SELECT state::text FROM event WHERE id = $1", event.id) == "live"
    assert await db.fetchval("SELECT state FROM interview WHERE id = $1", offer.interview_id) == "offered"


async def test_extend_in_flight_as_the_clock_ends_the_event_is_kept_and_none_after(db, pool, settings):
    """*Extend* pressed before the event's time runs out and committed after it: granted (it
    came before the end: its clock is its transaction's), and the next press, after the end,
    is refused. (A guard of what held before the races' fix too. The sweep beside it leaves
    the event live, as any sweep does while an interview is under way; that part shows the
    sweep neither waits for the press nor fails beside it, not the lock.)"""
    event, offer = await in_a_call(db, pool, settings)
    before = await interview_row(db, offer.interview_id)
    async with pool.acquire() as sweeper, pool.acquire() as interviewer:
        async with interviewer.transaction():
            await clock_of_a_press(db, interviewer, event.id, None)
            extended = await interviews.extend_interview(
                interviewer, offer.interview_id, offer.interviewer_id, settings.live
            )
            sweeping = asyncio.create_task(advance_event_states(sweeper, settings.live, event.id))
            await waiting_or_done(db, sweeping, sweeper)
        assert await sweeping == []
    assert await db.fetchval("SELECT state::text FROM event WHERE id = $1", event.id) == "live"
    assert (await interview_row(db, offer.interview_id))["ends_at"] == extended["ends_at"] > before["ends_at"]
    async with pool.acquire() as interviewer:
        with pytest.raises(LiveError) as refused:
            await interviews.extend_interview(
                interviewer, offer.interview_id, offer.interviewer_id, settings.live
            )
    assert refused.value.code == "event_over"
