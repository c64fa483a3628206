"""The live sweeper: what happens to the queue by the clock alone.

Every `live.sweep_interval` seconds each application process expires unanswered offers
(misses; not while its heartbeat cannot reach the database: nobody could join them then), ends interviews at their time limit, marks candidates away whose
grace period ran out and moves events to live and finished by the clock, then
destroys the rooms of the interviews that ended, and makes the rooms of offers whose
process died before making them (roomless.recover_roomless_offers). The
functions it calls lock with SKIP LOCKED, so any number of processes sweep side by side.
"""

from __future__ import annotations

import asyncio
import time
import logging
from typing import AsyncIterator

import asyncpg
from aiohttp import web

from app.keys import DB_POOL, JANUS, SETTINGS
from app.live.connections import LIVE_BEATS, LIVE_PROCESS
from app.live.dispatch import Rooms, close_room
from app.live.roomless import recover_roomless_offers
from app.live.event_states import advance_event_states
from app.live.interviews import RoomToClose, end_due_interviews, expire_offers
from app.outages import Outage, from_the_database
from app.live.queue import mark_away
from app.settings import LiveSettings

log = logging.getLogger(__name__)


async def sweep_once(
    pool: asyncpg.Pool, rooms: Rooms, live: LiveSettings, count_misses: bool = True
) -> list[RoomToClose]:
    """One round; returns the rooms it closed (for tests and logs). `count_misses` False:
    offers past their time are left for a later round (this process's heartbeat has not
    reached the database for two beats, and its next beat may give them time back:
    app/live/connections.py beat)."""
    async with pool.acquire() as connection:
        ended = await expire_offers(connection) if count_misses else []
        ended += await end_due_interviews(connection)
        await mark_away(connection, live)
        await advance_event_states(connection, live)
    # After the commits: a Janus call must not hold the queue's locks.
    for room in ended:
        await close_room(rooms, room.server, room.room_id, room.secret)
    return ended


async def _sweep_forever(app: web.Application) -> None:
    settings = app[SETTINGS]
    live = settings.live
    # The database away: said once, not every round (which is every two seconds).
    outage = Outage(log, "live sweep", f"trying again every {live.sweep_interval:g} s")
    while True:
        began = time.monotonic()
        try:
            await sweep_once(app[DB_POOL], app[JANUS], live, app[LIVE_BEATS].current())
            await recover_roomless_offers(app[DB_POOL], app[JANUS], settings, app[LIVE_PROCESS])
            outage.over()
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as error:
            # The next round tries again. Only the database away is an outage (said once);
            # anything else (a deadlock, a Janus call) is said each time.
            if from_the_database(error):
                outage.seen(error, began)
            else:
                log.warning("live sweep failed: %s", type(error).__name__)
        await asyncio.sleep(live.sweep_interval)


async def live_sweeper(app: web.Application) -> AsyncIterator[None]:
    if not app[SETTINGS].live.sweep_interval:
        yield  # turned off
        return
    task = asyncio.create_task(_sweep_forever(app), name="live-sweeper")
    try:
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
