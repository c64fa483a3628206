"""The asyncpg pool, opened and closed with the application."""

from __future__ import annotations

import asyncio
import logging
from typing import AsyncIterator, Awaitable, Callable, TypeVar

import asyncpg
from aiohttp import web

from app.keys import DB_POOL, SETTINGS, URGENT_POOL
from app.live.action_bound import given_back, taken

T = TypeVar("T")
log = logging.getLogger(__name__)


def row_count(status: str) -> int:
    """The rows a command touched, from asyncpg's status of it ("DELETE 3", "UPDATE 1")."""
    return int(status.split()[-1])


async def with_connection(database_url: str, work: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
    """One short-lived connection, for scripts (migrate, seed) rather than the app."""
    connection = await asyncpg.connect(database_url)
    try:
        return await work(connection)
    finally:
        await connection.close()


async def close_pool(pool: asyncpg.Pool, within: float) -> None:
    """Closes `pool`, waiting at most `within` seconds for the connections in use to come back.
    asyncpg's own close waits for ever, so one connection that a stuck task never gives back
    would hold the process's exit, and with it a rolling restart (README.md, "Shutdown"). Every
    query ends within `database.command_timeout`, so a connection still out after that is
    stuck: it is closed under its user."""
    try:
        async with asyncio.timeout(within):
            await pool.close()
    except TimeoutError:
        log.warning("a database connection was still in use %.0f s after closing began: terminated", within)
        pool.terminate()


async def open_pool(dsn: str, *, min_size: int, max_size: int, command_timeout: float) -> asyncpg.Pool:
    """A pool of the application's (the requests', the urgent actions', the live views', the
    mail worker's, the health listener's). Its connections are made ready for the next use
    with nothing beyond what asyncpg always does (a transaction left open is rolled back,
    listeners dropped): the application takes no session-level cursors, LISTENs or settings
    on a pooled connection (LISTENs have connections of their own), and its one
    session-level lock (the retention round's) is let go by its holder, which closes the
    connection when it cannot (app/retention.py). The default reset (`pg_advisory_unlock_all();
    CLOSE ALL; UNLISTEN *; RESET ALL`) would be one more round trip per use for nothing,
    with the connection held meanwhile: a hundred interviewers pressing *Next* at once wait
    for it, a registration's page made three round trips instead of two (BENCHMARKS.md,
    "Registration"), and every process read each change's view in two.

    `setup` and `reset` also tell a live action which connections it holds, so that one past
    its bound can be undone (app/live/action_bound.py); outside an action they do nothing.

    A new connection is given `command_timeout` to be made, as a statement is to run:
    asyncpg's own time-out for it is a minute, and a page that needed a connection the pool
    had yet to make (it keeps few open between uses) waited that long for a database that
    hangs (a frozen host), then answered 200 instead of 503 (DEPLOYMENT.md, "When
    PostgreSQL is away")."""
    return await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        command_timeout=command_timeout,
        timeout=command_timeout,
        setup=taken,
        reset=_keep_session,
    )


async def _keep_session(connection: asyncpg.Connection) -> None:
    """open_pool's reset: nothing to reset; a live action is told its connection is back."""
    given_back(connection)


async def database_pool(app: web.Application) -> AsyncIterator[None]:
    database = app[SETTINGS].database
    pool = await open_pool(
        database.url.get_secret_value(),
        min_size=database.pool_min_size,
        max_size=database.pool_max_size,
        command_timeout=database.command_timeout,
    )
    app[DB_POOL] = pool
    try:
        urgent = await open_pool(
            database.url.get_secret_value(),
            min_size=min(1, database.urgent_pool_size),
            max_size=database.urgent_pool_size,
            command_timeout=database.command_timeout,
        )
    except BaseException:
        await close_pool(pool, database.command_timeout)
        raise
    app[URGENT_POOL] = urgent
    try:
        yield
    finally:
        await close_pool(urgent, database.command_timeout)
        await close_pool(pool, database.command_timeout)


async def database_health(pool: asyncpg.Pool, timeout: float = 2.0) -> str:
    """'ok', or a short reason fit for a public health page (no connection details)."""
    try:
        async with pool.acquire(timeout=timeout) as connection:
            await connection.fetchval("SELECT 1", timeout=timeout)
        return "ok"
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as error:
        return f"unavailable: {type(error).__name__}"
