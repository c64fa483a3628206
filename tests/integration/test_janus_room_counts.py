"""Placement's room counts (app/janus/room_counts.py) on the session's database, whose fleet
the session's application seeded (janus1): reads shared by the placements that come
together, a cordon counted from its commit on, a lost connection replaced."""

from __future__ import annotations

import asyncio

import asyncpg

from app.janus import fleet
from app.janus.room_counts import CountsNotRead, RoomCounts


async def test_placements_that_come_together_share_one_read(app_server, pool):
    counts = RoomCounts(pool, lambda: True)
    try:
        found = await asyncio.gather(*(counts.read(["janus1"]) for _ in range(20)))
        assert counts.reads == 1
        assert all(answer == found[0] and set(answer) == {"janus1"} for answer in found)
        rooms, weight = found[0]["janus1"]
        assert rooms >= 0 and weight > 0
        assert await counts.read(["janus1", "nowhere"]) == found[0]  # not in the fleet: none
        assert counts.reads == 2
        # Given back once nobody waits: the main pool never loses a connection to it for good
        # (every one of them may be needed at once, test_live_reconnect_storm.py).
        for _ in range(200):
            if pool.get_idle_size() == pool.get_size():
                break
            await asyncio.sleep(0.01)
        assert pool.get_idle_size() == pool.get_size()
    finally:
        await counts.close()


async def test_a_cordon_counts_from_its_commit_on(app_server, pool, db):
    counts = RoomCounts(pool, lambda: True)
    try:
        assert "janus1" in await counts.read(["janus1"])
        await fleet.set_state(db, "janus1", "cordon")
        try:
            assert await counts.read(["janus1"]) == {}
        finally:
            await fleet.set_state(db, "janus1", "uncordon")
        assert "janus1" in await counts.read(["janus1"])
    finally:
        await counts.close()


async def test_without_the_fleet_table_every_server_takes_rooms_at_weight_one(pool):
    counts = RoomCounts(pool, lambda: False)
    try:
        found = await counts.read(["janus1", "anywhere"])
        assert set(found) == {"janus1", "anywhere"} and found["anywhere"] == (0, 1.0)
    finally:
        await counts.close()


async def test_a_lost_connection_fails_only_its_read_and_the_next_takes_a_fresh_one(app_server, stack, db):
    # A pool of one connection: the read after the kill gets the dead one, or its replacement.
    one = await asyncpg.create_pool(stack.environ["DATABASE_URL"], min_size=1, max_size=1)
    counts = RoomCounts(one, lambda: True)
    try:
        await counts.read(["janus1"])
        dead = await one.fetchval("SELECT pg_backend_pid()")
        await db.execute("SELECT pg_terminate_backend($1)", dead)
        try:  # the dead connection (unless the pool saw it close first and made a new one)
            await counts.read(["janus1"])
        except CountsNotRead:
            pass  # only this read failed, as CountsNotRead: placement falls back on its own
        assert "janus1" in await counts.read(["janus1"])
        assert await one.fetchval("SELECT pg_backend_pid()") != dead
    finally:
        await counts.close()
        await one.close()
