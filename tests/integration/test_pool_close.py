"""A pool closes within its bound even when a connection is never given back (app/db.py,
README.md "Shutdown"): the process exits instead of waiting for ever."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from app.db import close_pool


async def test_a_connection_never_given_back_is_closed_under_its_user(stack):
    pool = await asyncpg.create_pool(stack.environ["DATABASE_URL"], min_size=1, max_size=2)
    kept = await pool.acquire()  # a stuck task's: never released
    closing = asyncio.create_task(close_pool(pool, within=0.5))
    done, _ = await asyncio.wait({closing}, timeout=10)
    assert done, "close_pool waited beyond its bound"
    with pytest.raises(asyncpg.InterfaceError):  # closed under its user
        await kept.fetchval("SELECT 1")


async def test_a_connection_given_back_in_time_ends_its_query_first(stack):
    pool = await asyncpg.create_pool(stack.environ["DATABASE_URL"], min_size=1, max_size=2)

    async def short_query() -> int:
        async with pool.acquire() as connection:
            return await connection.fetchval("SELECT 7 FROM pg_sleep(0.2)")

    query = asyncio.create_task(short_query())
    await asyncio.sleep(0.05)  # the query holds its connection
    await close_pool(pool, within=10)
    assert await query == 7
