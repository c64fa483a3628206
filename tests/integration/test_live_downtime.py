"""An offer open when the whole service stopped (the only process killed, or every one cut
from the database) could not be joined meanwhile: the next process to start gives it back
the time it had left, rather than the sweeper counting the candidate's miss as soon as it
runs (app/live/interviews.py give_offers_back_the_downtime). Before, a crash 18 s long cost a
candidate their turn and a strike.

Each case runs in a transaction that is rolled back, with live_process emptied inside it (the
suite's app beats meanwhile: its beat waits for the rollback)."""

from __future__ import annotations

import datetime as dt
from contextlib import asynccontextmanager

from app.live import dispatch, queue
from app.live.interviews import give_offers_back_the_downtime
from tests.integration.live_support import make_live_event, offer_with_room

QUIET = 4.0


async def open_offer(db, pool, settings):
    event = await make_live_event(db, interviewers=1, candidates=1)
    await queue.check_in(db, event.candidates[0], settings.live)
    offer = await dispatch.dispatch(pool, event.interviewers[0], settings.live)
    await offer_with_room(db, offer, settings.live)
    return offer.interview_id


@asynccontextmanager
async def rolled_back(db):
    transaction = db.transaction()
    await transaction.start()
    try:
        yield
    finally:
        await transaction.rollback()


async def expiry(db, interview: int) -> dt.timedelta:
    """How long from now the offer has left (negative: past its time)."""
    return await db.fetchval("SELECT offer_expires_at - now() FROM interview WHERE id = $1", interview)


async def test_an_offer_open_when_every_process_stopped_gets_its_time_back(db, pool, settings):
    crashed = await open_offer(db, pool, settings)
    before_the_crash = await open_offer(db, pool, settings)
    async with rolled_back(db):
        await db.execute("DELETE FROM live_process")
        # The last beat 20 s ago; the offer then had 15 s left (by the clock, 5 s past now),
        # the other had run out 2 s before it.
        await db.execute(
            "INSERT INTO live_process (id, seen_at) VALUES (gen_random_uuid(), now() - interval '20 s')"
        )
        await db.execute(
            "UPDATE interview SET offer_expires_at = now() - interval '5 s' WHERE id = $1", crashed
        )
        await db.execute(
            "UPDATE interview SET offer_expires_at = now() - interval '22 s' WHERE id = $1", before_the_crash
        )
        # (Offers other tests left open in live events count too: the suite shares its database.)
        assert await give_offers_back_the_downtime(db, QUIET) >= 1
        left = await expiry(db, crashed)
        assert dt.timedelta(seconds=14) < left <= dt.timedelta(seconds=15)
        assert await expiry(db, before_the_crash) < dt.timedelta(0)  # its miss stands
        # A second process starting right after finds the first's beat fresh: nothing twice.
        await db.execute("INSERT INTO live_process (id) VALUES (gen_random_uuid())")
        assert await give_offers_back_the_downtime(db, QUIET) == 0


async def test_with_a_process_alive_the_clock_of_an_offer_is_left_alone(db, pool, settings):
    interview = await open_offer(db, pool, settings)
    async with rolled_back(db):
        await db.execute(
            "UPDATE interview SET offer_expires_at = now() - interval '5 s' WHERE id = $1", interview
        )
        # The suite's own app beats every 2 s: it is alive.
        await db.execute("UPDATE live_process SET seen_at = now()")
        assert await give_offers_back_the_downtime(db, QUIET) == 0
        assert await expiry(db, interview) < dt.timedelta(0)
