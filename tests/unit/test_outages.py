"""The database's absence told apart from other failures, and logged once per outage
(app/outages.py)."""

from __future__ import annotations

import asyncio
import logging

import asyncpg
import pytest

from app import outages
from app.localstack.processes import free_port
from app.outages import Outage, from_the_database


async def test_a_refused_connection_in_asyncpg_is_the_database_a_hang_up_elsewhere_is_not():
    with pytest.raises(OSError) as refused:
        await asyncpg.connect(f"postgresql://snabb@127.0.0.1:{free_port()}/snabb", timeout=5)
    assert from_the_database(refused.value)
    # A browser that hung up mid-answer raises the same kind of error in other code.
    try:
        raise ConnectionResetError("reset by peer")
    except ConnectionResetError as elsewhere:
        assert not from_the_database(elsewhere)
    assert from_the_database(asyncpg.TooManyConnectionsError("too many"))
    assert not from_the_database(ValueError("a bug"))


async def test_a_time_out_around_asyncpg_is_the_database():
    server = await asyncio.start_server(lambda reader, writer: None, "127.0.0.1", 0)  # never answers
    port = server.sockets[0].getsockname()[1]
    try:
        with pytest.raises(TimeoutError) as timed_out:
            async with asyncio.timeout(0.2):
                await asyncpg.connect(f"postgresql://snabb@127.0.0.1:{port}/snabb")
        assert from_the_database(timed_out.value)
    finally:
        server.close()
    with pytest.raises(TimeoutError) as elsewhere:
        async with asyncio.timeout(0.01):
            await asyncio.sleep(1)
    assert not from_the_database(elsewhere.value)


def test_an_outage_is_logged_once_and_once_over(caplog):
    outage = Outage(logging.getLogger("test.outages"), "loop", "trying again")
    with caplog.at_level(logging.WARNING, logger="test.outages"):
        for _ in range(5):
            outage.seen(ConnectionRefusedError())
        outage.over()
        outage.over()
    assert caplog.text.count("loop: the database is unavailable (ConnectionRefusedError); trying again") == 1
    assert caplog.text.count("loop: the database is back after") == 1


def test_without_a_back_line_a_quiet_spell_ends_the_outage(caplog, monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(outages.time, "monotonic", lambda: clock[0])
    outage = Outage(logging.getLogger("test.outages"), "pages", "answering 503", quiet_ends_it=60.0)
    with caplog.at_level(logging.WARNING, logger="test.outages"):
        for step in (0, 30, 30, 30):  # failures 30 s apart: one outage
            clock[0] += step
            outage.seen(ConnectionRefusedError())
        clock[0] += 61  # a minute without one: the next is another outage
        outage.seen(ConnectionRefusedError())
    assert caplog.text.count("pages: the database is unavailable") == 2


def test_the_back_line_says_milliseconds_under_a_second(caplog, monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(outages.time, "monotonic", lambda: clock[0])
    outage = Outage(logging.getLogger("test.outages"), "loop", "trying again")
    with caplog.at_level(logging.WARNING, logger="test.outages"):
        outage.seen(ConnectionResetError())
        clock[0] += 0.004
        outage.over()
        outage.seen(ConnectionRefusedError())
        clock[0] += 41.3
        outage.over()
    assert "loop: the database is back after 4 ms" in caplog.text
    assert "loop: the database is back after 41.3 s" in caplog.text
