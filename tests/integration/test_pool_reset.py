"""The application's pools give a connection back without asyncpg's default session reset
(app/db.py, open_pool): that reset is a round trip of its own per use (for the live views,
one more per change of an event in every process), and nothing of the application's leaves
session state on a pooled connection to reset. And a new connection that a database which
hangs does not answer is given up on after command_timeout, not waited for a minute."""

from __future__ import annotations

import asyncio

from app.db import close_pool, open_pool
from tests.stopping import Frozen, database_processes


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


async def test_with_the_database_hanging_a_use_of_the_pool_ends_within_its_bounds(stack, db):
    """A page that needs a connection the pool has yet to make (it keeps few open between
    uses) waited for asyncpg's connect, whose own time-out is a minute: against a database
    that hangs it answered 200 half a minute late instead of 503. Now it is given up on
    after command_timeout, as a statement is."""
    pool = await open_pool(stack.environ["DATABASE_URL"], min_size=0, max_size=1, command_timeout=1)

    async def use() -> None:
        async with pool.acquire() as connection, connection.transaction():
            await connection.fetchval("SELECT 1")

    try:
        with Frozen(database_processes(await db.fetchval("SHOW data_directory"))):
            hung = asyncio.ensure_future(use())
            # (far above the 1 s it takes; one that waits for the thaw does not end here)
            done, _ = await asyncio.wait({hung}, timeout=20)
        assert hung in done, "the use of the pool waited for the hang to end"
        assert isinstance(hung.exception(), TimeoutError)
        await use()  # and after the hang, the pool makes a new connection
    finally:
        await close_pool(pool, within=10)
