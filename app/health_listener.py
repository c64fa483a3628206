"""The health listener: /livez, /readyz and /healthz on a port of their own (`app.health_port`),
answered by a thread with its own event loop (DEPLOYMENT.md, "Health checks").

Why: an orchestrator's probe opens a new connection each time. On the app's port it waits
in the same accept queue and for the same event loop as everything else: behind ten
thousand handshakes while a restarted replica's pages all come back at once (seconds:
BENCHMARKS.md, "Health outside the main loop"), behind the longest turn under churn. Admitting the storm in
batches (app/live/arrivals.py) cannot shorten that queue; only a listener outside this loop
can. Here the thread's loop accepts, reads and answers on its own; what it still shares with
the main loop is the interpreter's lock, which a busy main thread hands over every switch
interval (5 ms), and the machine's CPUs.

It still tells the truth about the main loop. The main loop stamps a heartbeat every half
second with what it knows of the Janus servers (their connections live on that loop and are
not read from here); a heartbeat older than `app.health_stall_after` seconds is a stalled
loop, and every check fails, `/livez` too: a process whose loop does not turn serves nobody
and is restarted. The database is asked over a connection of the listener's own (a pool of
one on its loop, opened on the first check), never the main pools, one check at a time
however many probes arrive together.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import asyncpg
from aiohttp import web

from app import health_checks
from app.db import database_health
from app.health_checks import respond
from app.keys import JANUS, SETTINGS
from app.live.drain import draining
from app.logs import http_server_logger
from app.settings import DatabaseSettings

if TYPE_CHECKING:
    from app.janus.pool import JanusPool

log = logging.getLogger(__name__)
HEARTBEAT_INTERVAL = 0.5
STOP_TIMEOUT = 10.0


@dataclass(frozen=True)
class Beat:
    """The main loop's last stamp: when (time.monotonic) and the Janus servers' states then."""

    at: float
    janus: dict[str, str]
    janus_usable: bool


class Heartbeat:
    """Written by the main loop, read by the listener's thread. The beat is replaced whole,
    one attribute assignment: a reader sees the old beat or the new, never half of one."""

    def __init__(self, stall_after: float) -> None:
        self.stall_after = stall_after
        self.beat = Beat(time.monotonic(), {}, False)

    def stamp(self, janus: JanusPool) -> None:
        self.beat = Beat(time.monotonic(), janus.health(), bool(janus.healthy()))

    def main_loop(self) -> str:
        age = time.monotonic() - self.beat.at
        return health_checks.LOOP_OK if age <= self.stall_after else f"stalled for {age:.1f} s"


async def keep_stamping(heartbeat: Heartbeat, janus: JanusPool) -> None:
    while True:
        heartbeat.stamp(janus)
        await asyncio.sleep(HEARTBEAT_INTERVAL)


class HealthListener:
    """The thread, its loop, its HTTP server and its database connection."""

    def __init__(
        self,
        host: str,
        port: int,
        database: DatabaseSettings,
        heartbeat: Heartbeat,
        shutting_down: Callable[[], bool],
    ) -> None:
        self.host, self.port = host, port
        self.database = database
        self.heartbeat = heartbeat
        self.shutting_down = shutting_down  # reads one flag: safe from this thread
        self._started: concurrent.futures.Future[None] = concurrent.futures.Future()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._pool: asyncpg.Pool | None = None
        self._checking: asyncio.Future[str] | None = None
        self._thread = threading.Thread(target=self._run, name="health-listener", daemon=True)

    async def start(self) -> None:
        """Listening when this returns; a port that cannot be bound is raised here."""
        self._thread.start()
        await asyncio.wrap_future(self._started)

    async def stop(self) -> None:
        if self._loop is not None and self._stop is not None and not self._loop.is_closed():
            try:
                self._loop.call_soon_threadsafe(self._stop.set)
            except RuntimeError:  # its loop ended meanwhile
                pass
        await asyncio.to_thread(self._thread.join, STOP_TIMEOUT)

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as error:  # told to the starter, or logged
            if not self._started.done():
                self._started.set_exception(error)
            else:
                log.exception("the health listener stopped")

    async def _serve(self) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        # min_size 0: no connection before the first check, so the listener starts (and
        # says so) while the database is down.
        self._pool = await asyncpg.create_pool(
            self.database.url.get_secret_value(),
            min_size=0,
            max_size=1,
            command_timeout=self.database.command_timeout,
        )
        # No access log: a probe every few seconds per orchestrator is noise. The server's
        # logger is the app's: a request it cannot read is one line, nothing quoted.
        runner = web.AppRunner(self._application(), access_log=None, logger=http_server_logger())
        try:
            await runner.setup()
            await web.TCPSite(runner, self.host, self.port).start()
            self._started.set_result(None)
            await self._stop.wait()
        finally:
            await runner.cleanup()
            self._pool.terminate()

    def _application(self) -> web.Application:
        application = web.Application(client_max_size=1024)
        application.router.add_get("/livez", self._livez)
        application.router.add_get("/readyz", self._readyz)
        application.router.add_get("/healthz", self._healthz)
        return application

    async def _database(self) -> str:
        """One check at a time, shared by every probe that arrives while it runs."""
        if self._checking is None or self._checking.done():
            assert self._pool is not None
            self._checking = asyncio.ensure_future(database_health(self._pool))
        return await asyncio.shield(self._checking)

    async def _livez(self, request: web.Request) -> web.Response:
        return respond(health_checks.live(self.heartbeat.main_loop()))

    async def _readyz(self, request: web.Request) -> web.Response:
        if self.shutting_down():
            return respond(health_checks.SHUTTING_DOWN)
        database = await self._database()
        beat = self.heartbeat.beat
        return respond(health_checks.ready(database, beat.janus_usable, self.heartbeat.main_loop()))

    async def _healthz(self, request: web.Request) -> web.Response:
        database = await self._database()
        beat = self.heartbeat.beat
        return respond(health_checks.detail(database, beat.janus, self.heartbeat.main_loop()))


async def health_listener(app: web.Application) -> AsyncIterator[None]:
    """The cleanup context: after every other resource has started (a probe answered here
    finds the Janus pool and the drain flag), stopped before they stop."""
    settings = app[SETTINGS]
    if not settings.app.health_port:
        yield
        return
    heartbeat = Heartbeat(settings.app.health_stall_after)
    heartbeat.stamp(app[JANUS])
    stamping = asyncio.create_task(keep_stamping(heartbeat, app[JANUS]), name="main loop heartbeat")
    listener = HealthListener(
        settings.app.host, settings.app.health_port, settings.database, heartbeat, lambda: draining(app)
    )
    try:
        await listener.start()
        yield
    finally:
        await listener.stop()
        stamping.cancel()
        await asyncio.gather(stamping, return_exceptions=True)
