"""The application's pools give a connection back without asyncpg's default session reset
(app/db.py, open_pool): that reset is a round trip of its own per use (for the live views,
one more per change of an event in every process), and nothing of the application's leaves
session state on a pooled connection to reset."""

from __future__ import annotations

from app.db import close_pool, open_pool


async def test_a_connection_given_back_is_not_reset_by_a_round_trip_of_its_own(stack):
    pool = await open_pool(stack.environ["DATABASE_URL"], min_size=1, max_size=1, command_timeout=10)
    try:
        async with pool.acquire() as connection:
            # What the default reset's RESET ALL would undo: its surviving shows that
            # statement was never sent.
            await connection.execute("SET application_name = 'kept between uses'")
            first = connection.get_server_pid()
        async with pool.acquire() as connection:
            assert connection.get_server_pid() == first  # the same connection, given back
            assert await connection.fetchval("SHOW application_name") == "kept between uses"
    finally:
        await close_pool(pool, within=10)


async def test_a_transaction_left_open_is_still_rolled_back(stack):
    pool = await open_pool(stack.environ["DATABASE_URL"], min_size=1, max_size=1, command_timeout=10)
    try:
        async with pool.acquire() as connection:
            transaction = connection.transaction()
            await transaction.start()
            await connection.execute("CREATE TEMPORARY TABLE left_open (n int)")
        async with pool.acquire() as connection:
            assert not connection.is_in_transaction()
            assert await connection.fetchval("SELECT to_regclass('pg_temp.left_open')") is None
    finally:
        await close_pool(pool, within=10)
