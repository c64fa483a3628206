"""Placement's room counts (app/janus/room_counts.py) on the session's database, whose fleet
the session's application seeded (janus1): reads shared by the placements that come
together, a cordon counted from its commit on, a lost connection replaced."""

from __future__ import annotations

import asyncio

import pytest

from app.janus import fleet
from app.janus.room_counts import CountsNotRead, RoomCounts


async def test_placements_that_come_together_share_one_read_on_a_kept_connection(app_server, pool):
    counts = RoomCounts(pool, lambda: True)
    try:
        found = await asyncio.gather(*(counts.read(["janus1"]) for _ in range(20)))
        assert counts.reads == 1
        assert all(answer == found[0] and set(answer) == {"janus1"} for answer in found)
        rooms, weight = found[0]["janus1"]
        assert rooms >= 0 and weight > 0
        # The connection is kept: three of the pool's four are free for everyone else.
        assert pool.get_idle_size() + 1 == pool.get_size()
        assert await counts.read(["janus1", "nowhere"]) == found[0]  # not in the fleet: none
        assert counts.reads == 2
    finally:
        await counts.close()
    assert pool.get_idle_size() == pool.get_size()


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


async def test_a_lost_connection_fails_only_its_read_and_the_next_takes_a_fresh_one(app_server, pool, db):
    counts = RoomCounts(pool, lambda: True)
    try:
        await counts.read(["janus1"])
        kept = await counts._connection.fetchval("SELECT pg_backend_pid()")
        await db.execute("SELECT pg_terminate_backend($1)", kept)
        with pytest.raises(CountsNotRead):
            await counts.read(["janus1"])
        assert "janus1" in await counts.read(["janus1"])
        assert await counts._connection.fetchval("SELECT pg_backend_pid()") != kept
    finally:
        await counts.close()
