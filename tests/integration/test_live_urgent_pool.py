"""The urgent actions' connections (app/live/urgent_pool.py): first come, first served over
the urgent pool and the main pool's idle connections."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest_asyncio

from app.keys import DB_POOL, JANUS, LIVE_HUB, SETTINGS, URGENT_POOL
from app.live.actions import Services
from app.live.connections import LIVE_PROCESS
from app.live.hub import Hub
from app.live.urgent_pool import UrgentFirst


@pytest_asyncio.fixture
async def pools(stack):
    """An urgent pool and a main pool of one connection each, and the line over both."""
    dsn = stack.environ["DATABASE_URL"]
    urgent = await asyncpg.create_pool(dsn, min_size=1, max_size=1)
    main = await asyncpg.create_pool(dsn, min_size=1, max_size=1)
    try:
        yield urgent, main, UrgentFirst(urgent, main)
    finally:  # (not close(): it would wait for connections a failed test left taken)
        urgent.terminate()
        main.terminate()


async def test_whoever_waits_first_gets_the_next_free_connection_of_either_pool(pools):
    _, main, pools = pools
    # Both busy: the urgent connection held by a long action, the main one by a page.
    long_action = pools.acquire()
    await long_action.__aenter__()
    page = await main.acquire()
    served: list[str] = []
    done = asyncio.Event()

    async def press(name: str) -> None:
        async with pools.acquire() as connection:
            assert await connection.fetchval("SELECT 1") == 1
            served.append(name)
            if len(served) == 2:
                done.set()

    first = asyncio.create_task(press("first"))
    await asyncio.sleep(0.1)  # in line
    await main.release(page)  # the page is done: its connection is idle
    later = asyncio.create_task(press("later"))
    await asyncio.wait_for(first, 10)  # not behind the long action, nor behind "later"
    assert served == ["first"]
    await asyncio.wait_for(done.wait(), 10)
    assert served == ["first", "later"]
    await long_action.__aexit__(None, None, None)
    await asyncio.wait_for(later, 10)


async def test_a_waiter_that_gives_up_passes_its_turn_on(pools):
    _, main, pools = pools
    holding = pools.acquire()
    await holding.__aenter__()
    page = await main.acquire()
    gives_up = asyncio.create_task(pools.acquire().__aenter__())
    await asyncio.sleep(0.05)

    async def waits() -> int:
        async with pools.acquire() as connection:
            return await connection.fetchval("SELECT 2")

    patient = asyncio.create_task(waits())
    await asyncio.sleep(0.05)
    gives_up.cancel()
    await holding.__aexit__(None, None, None)
    assert await asyncio.wait_for(patient, 10) == 2
    await main.release(page)


async def test_the_sockets_of_a_process_wait_in_one_line(stack, settings):
    """Each socket's actions get their connections through Services.of(app): the line must be
    the process's, or a later press from another socket finds a connection freed and goes
    ahead of one that has waited in a line of its own."""
    dsn = stack.environ["DATABASE_URL"]
    urgent = await asyncpg.create_pool(dsn, min_size=1, max_size=1)
    main = await asyncpg.create_pool(dsn, min_size=1, max_size=1)
    app = {
        DB_POOL: main,
        URGENT_POOL: urgent,
        JANUS: None,
        SETTINGS: settings,
        LIVE_PROCESS: None,
        LIVE_HUB: Hub(dsn),
    }
    first_socket, later_socket = Services.of(app), Services.of(app)
    assert first_socket.presses is later_socket.presses  # Next and Pick: one line too
    try:
        long_action = first_socket.urgent.acquire()
        await long_action.__aenter__()
        page = await main.acquire()
        served: list[str] = []

        async def press(services: Services, name: str) -> None:
            async with services.urgent.acquire() as connection:
                assert await connection.fetchval("SELECT 1") == 1
                served.append(name)

        first = asyncio.create_task(press(first_socket, "first"))
        await asyncio.sleep(0.1)  # in line
        await main.release(page)
        later = asyncio.create_task(press(later_socket, "later"))
        await asyncio.wait_for(first, 10)
        assert served == ["first"]
        await long_action.__aexit__(None, None, None)
        await asyncio.wait_for(later, 10)
        assert served == ["first", "later"]
    finally:
        urgent.terminate()
        main.terminate()
