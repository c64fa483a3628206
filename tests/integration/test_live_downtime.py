"""An offer open when the whole service stopped (the only process killed, or every one cut
from the database) could not be joined meanwhile: the next process to start, or the first beat
of a process that lived through the database's outage, gives it back the time it had left,
rather than the sweeper counting the candidate's miss as soon as it runs
(app/live/interviews.py give_offers_back_the_downtime). Before, a crash 18 s long cost a
candidate their turn and a strike, and so did an outage of the database as long as the offer.

The first cases run in a transaction that is rolled back, with live_process emptied inside it
(the suite's app beats meanwhile: its beat waits for the rollback); the last stops a PostgreSQL
of its own under a real app process."""

from __future__ import annotations

import asyncio
import datetime as dt
from contextlib import asynccontextmanager

import asyncpg

from app.live import dispatch, queue
from app.live.interviews import give_offers_back_the_downtime
from app.migrate import migrate_url
from scripts.bench.common import AppProcess
from tests.integration.channel_support import candidate_and_lobby
from tests.integration.live_support import make_live_event, offer_with_room
from tests.own_postgres import throwaway_postgres

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


async def test_an_offer_open_through_an_outage_of_the_database_is_not_a_miss(stack):
    """The app lives through it: a 5-s offer, PostgreSQL stopped for 9 s (the offer's time runs
    out meanwhile) and started again. The sweeper (every half second) counts no miss until the
    process's heartbeat is back, and that beat gives the offer its time back: the candidate joins."""
    with throwaway_postgres("snabb-downtime-") as (postgres, state_dir):
        log = state_dir / "app.log"
        await asyncio.to_thread(postgres.start)
        app = None
        try:
            await migrate_url(postgres.url)
            db = await asyncpg.connect(postgres.url)
            live = await make_live_event(db, interviewers=1, candidates=1)
            candidate_link = await db.fetchval(
                "SELECT access_token FROM candidate WHERE id = $1", live.candidates[0]
            )
            interviewer_link = await db.fetchval(
                "SELECT access_token FROM event_interviewer WHERE id = $1", live.interviewers[0]
            )
            await db.close()
            environ = {
                **stack.environ,
                "DATABASE_URL": postgres.url,
                "SNABB_LIVE_OFFER_SECONDS": "5",
                "SNABB_LIVE_SWEEP_INTERVAL": "0.5",
                "SNABB_APP_LOG_LEVEL": "INFO",  # the give-back's line
            }
            app = AppProcess(environ, log_path=log)
            await app.start(60)
            async with candidate_and_lobby(app.url, candidate_link, interviewer_link) as (candidate, lobby):
                assert (await candidate.request({"ok"}, type="check_in"))["type"] == "ok"
                assert (await lobby.request({"dispatched"}, type="next"))["type"] == "dispatched"
                await candidate.wait_for(lambda m: m["type"] == "offer")

                await asyncio.to_thread(postgres.stop)
                await asyncio.sleep(9)
                await asyncio.to_thread(postgres.start)
                for _ in range(60):  # the heartbeat tries every 2 s
                    if "live heartbeat: the database is back" in log.read_text():
                        break
                    await asyncio.sleep(0.5)
                await asyncio.sleep(1.5)  # sweeps after the beat: the offer is no miss
                db = await asyncpg.connect(postgres.url)
                try:
                    state, left = await db.fetchrow(
                        "SELECT state, offer_expires_at - now() FROM interview WHERE candidate_id = $1",
                        live.candidates[0],
                    )
                finally:
                    await db.close()
                assert state == "offered", log.read_text()[-3000:]
                assert dt.timedelta(0) < left <= dt.timedelta(seconds=5)
                # The candidate's page is told the new time, and the candidate joins.
                await candidate.wait_for(
                    lambda m: m["type"] == "state" and (m.get("offer") or {}).get("expires_at") is not None
                )
                assert (await candidate.request({"ticket"}, type="accept"))["type"] == "ticket"
        finally:
            if app is not None:
                await app.stop()
            await asyncio.to_thread(postgres.stop)
            text = log.read_text(errors="replace") if log.exists() else ""
    assert "1 offer(s) given back the time the service was down" in text, text[-3000:]
    # The sweeper, failing every half second, said so once.
    assert text.count("live sweep: the database is unavailable") == 1, text[-3000:]
    assert text.count("live sweep: the database is back") == 1, text[-3000:]
