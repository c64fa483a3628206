"""What the media-server failure tests share: an application process of the test's own that
knows exactly the Janus servers given, with the reconciler running by itself (so that only
its reaction to a lost or returning server, not a test's own rounds, moves anything)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import asyncpg
from aiohttp import web

from app.application import create_app
from app.keys import JANUS
from app.localstack.processes import free_port
from app.settings import JanusServer, Settings
from tests.integration.channel_support import Recorder, candidate_and_lobby
from tests.integration.live_support import LiveEvent, make_live_event
from tests.serving import serving

# Far longer than any wait in these tests: a move seen in time came from the reaction to
# the lost server, not from a periodic round.
ROUND_SECONDS = 300.0


@asynccontextmanager
async def failover_app(
    settings: Settings, servers: list[JanusServer], reconcile_interval: float = ROUND_SECONDS
) -> AsyncIterator[tuple[web.Application, str, Settings]]:
    """The app on a port of its own; `reconcile_interval` 0: the test runs the rounds."""
    port = free_port()
    configured = settings.model_copy(
        update={
            "app": settings.app.model_copy(update={"port": port}),
            # Exactly these servers: not the fleet that the session's other apps share.
            "janus": settings.janus.model_copy(update={"servers": servers, "fleet": "settings"}),
            "live": settings.live.model_copy(update={"reconcile_interval": reconcile_interval}),
        }
    )
    await _end_other_tests_interviews(settings, servers)
    app = create_app(configured)
    async with serving(app, port) as url:
        for connection in app[JANUS].connections.values():
            await connection.wait_ready(20)
        yield app, url, configured


async def _end_other_tests_interviews(settings: Settings, servers: list[JanusServer]) -> None:
    """What earlier tests left live on other servers ends first. This app knows `servers`
    only: its reconciler's first round would take any other server's room for lost and move
    the interview onto these (README, "Media server failure"), and its sweeper would make the
    rooms of offers whose maker has gone, so that a test's kill would stop the clocks of
    dozens of interviews that are not its own, and the session's app, which does not know
    these servers, would move them back again."""
    connection = await asyncpg.connect(settings.database.url.get_secret_value())
    try:
        await connection.execute(
            """UPDATE interview SET state = 'ended', ended_at = now(), end_reason = 'interviewer'
               WHERE state IN ('offered', 'active')
                 AND (janus_server IS NULL OR NOT janus_server = ANY($1::text[]))""",
            [server.name for server in servers],
        )
    finally:
        await connection.close()


def kill(janus) -> float:
    """SIGKILL: no goodbye to anyone. Returns when (time.monotonic())."""
    janus.process.kill()
    killed = time.monotonic()
    janus.process.wait(10)
    return killed


async def until(condition, seconds: float = 30.0, step: float = 0.05):
    """Waits until `condition()` (a coroutine function) returns something true; returns it."""
    deadline = time.monotonic() + seconds
    while True:
        value = await condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s")
        await asyncio.sleep(step)


@dataclass
class Called:
    app: web.Application
    url: str
    settings: Settings
    live: LiveEvent
    candidate: Recorder
    lobby: Recorder
    interview_id: int


@asynccontextmanager
async def called_in(db, settings: Settings, servers: list[JanusServer]) -> AsyncIterator[Called]:
    """A failover app, an event of one interviewer and one candidate, both sockets open, the
    candidate checked in and offered (not yet joined)."""
    from tests.integration.test_live_channel import tokens

    live = await make_live_event(db, interviewers=1, candidates=1)
    (candidate_token,), (interviewer_token,) = await tokens(db, live)
    async with (
        failover_app(settings, servers) as (app, url, configured),
        candidate_and_lobby(url, candidate_token, interviewer_token) as (candidate, lobby),
    ):
        assert (await candidate.request({"ok"}, type="check_in"))["type"] == "ok"
        interview_id = (await lobby.request({"dispatched"}, type="next"))["interview"]
        yield Called(app, url, configured, live, candidate, lobby, interview_id)
