"""The hub's one listening connection (app/live/hub.py) is shared by its liveness probe and
by the LISTEN/UNLISTEN of sockets coming and going. A connection runs one statement at a
time: a probe beside an UNLISTEN used to fail as if the database were gone, the hub then
dropped its connection under the UNLISTEN still in flight, and the closing socket answered
500 and was never recorded as closed."""

from __future__ import annotations

import asyncio
import logging
import os
import signal


from app.live import hub as hub_module
from app.live.hub import Hub
from tests.stopping import freeze


class Quiet:
    """A subscriber that only needs to exist."""

    who = None
    notice = None

    async def refresh(self, only_if_changed: bool = False, view: object = None) -> None:
        return None

    def post(self, message: dict) -> None:
        return None


async def test_sockets_coming_and_going_beside_the_probe_keep_the_listener(stack, monkeypatch, caplog):
    monkeypatch.setattr(hub_module, "PROBE_INTERVAL", 0.001)  # probe all the time
    hub = Hub(stack.environ["DATABASE_URL"])
    runner = asyncio.create_task(hub.run())
    try:
        await asyncio.wait_for(hub.ready.wait(), 10)
        listening = hub._connection
        with caplog.at_level(logging.WARNING, logger=hub_module.__name__):
            for round_ in range(300):
                socket = Quiet()
                await hub.subscribe(9_000_000 + round_ % 7, socket)
                await asyncio.sleep(0)
                await hub.unsubscribe(9_000_000 + round_ % 7, socket)
        lost = [r.getMessage() for r in caplog.records if "lost the database" in r.getMessage()]
        assert lost == []
        assert hub._connection is listening, "the listener was made again"
    finally:
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)


async def test_a_connection_dropped_under_an_unlisten_does_not_fail_the_socket(stack):
    hub = Hub(stack.environ["DATABASE_URL"])
    runner = asyncio.create_task(hub.run())
    try:
        await asyncio.wait_for(hub.ready.wait(), 10)
        socket = Quiet()
        await hub.subscribe(9_100_000, socket)
        unlisten = asyncio.create_task(hub.unsubscribe(9_100_000, socket))
        await asyncio.sleep(0)  # the UNLISTEN is on its way
        hub._connection.terminate()
        await unlisten  # raises nothing
        await asyncio.wait_for(hub.ready.wait(), 10)  # and the hub listens again
    finally:
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)


class Told(Quiet):
    """A subscriber that keeps what the hub posts it (the `service` messages)."""

    def __init__(self) -> None:
        self.posted: list[dict] = []

    def post(self, message: dict) -> None:
        self.posted.append(message)


async def test_the_pages_are_told_the_database_is_away_only_when_listening_again_fails(stack, monkeypatch):
    """A listener cut alone (its backend ended) is back a second later: the pages are not told.
    When the next try fails too, every page is, a page let in meanwhile as it arrives, and all
    are told again once the hub listens."""
    monkeypatch.setattr(hub_module, "RETRY_SECONDS", 0.1)
    url = stack.environ["DATABASE_URL"]
    hub = Hub(url)
    runner = asyncio.create_task(hub.run())
    try:
        await asyncio.wait_for(hub.ready.wait(), 10)
        page = Told()
        await hub.subscribe(9_200_000, page)
        hub._connection.terminate()
        await asyncio.sleep(0.05)
        await asyncio.wait_for(hub.ready.wait(), 10)
        assert page.posted == []

        hub._dsn = url.rsplit("/", 1)[0] + "/no_such_database"  # the next tries fail
        hub._connection.terminate()
        for _ in range(100):
            if page.posted:
                break
            await asyncio.sleep(0.05)
        assert page.posted == [hub_module.SERVICE_DOWN]
        late = Told()
        await hub.subscribe(9_200_000, late)
        assert late.posted == [hub_module.SERVICE_DOWN]

        hub._dsn = url
        await asyncio.wait_for(hub.ready.wait(), 10)
        assert page.posted == [hub_module.SERVICE_DOWN, hub_module.SERVICE_BACK]
        assert late.posted == [hub_module.SERVICE_DOWN, hub_module.SERVICE_BACK]
    finally:
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)


async def test_a_database_that_holds_the_connection_and_answers_nothing_is_told_at_once(stack, monkeypatch):
    """A hung server (or a connection left half-open) keeps the listener's connection and
    answers nothing: the pages are told when one probe goes unanswered, not after a try to
    connect again has waited for its own time-out as well. Here the listener's own backend is
    frozen; the postmaster answers, so listening again works and they are told it is back."""
    monkeypatch.setattr(hub_module, "PROBE_INTERVAL", 0.05)
    monkeypatch.setattr(hub_module, "PROBE_TIMEOUT", 0.5)
    monkeypatch.setattr(hub_module, "RETRY_SECONDS", 0.1)
    hub = Hub(stack.environ["DATABASE_URL"])
    runner = asyncio.create_task(hub.run())
    backend = None
    try:
        await asyncio.wait_for(hub.ready.wait(), 10)
        page = Told()
        await hub.subscribe(9_300_000, page)
        async with hub._lock:
            backend = await hub._connection.fetchval("SELECT pg_backend_pid()")
        freeze(backend)
        for _ in range(100):
            if page.posted:
                break
            await asyncio.sleep(0.05)
        assert page.posted[:1] == [hub_module.SERVICE_DOWN]
        await asyncio.wait_for(hub.ready.wait(), 10)
        for _ in range(100):
            if len(page.posted) > 1:
                break
            await asyncio.sleep(0.05)
        assert page.posted == [hub_module.SERVICE_DOWN, hub_module.SERVICE_BACK]
    finally:
        if backend is not None:
            os.kill(backend, signal.SIGCONT)
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)
