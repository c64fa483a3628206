"""The health listener's process: `python -m app.health_process`, started and fed by the app
(app/health_listener.py); /livez, /readyz and /healthz on `app.health_port` (DEPLOYMENT.md,
"Health checks").

Why a process: an orchestrator's probe on the app's port waits in the same accept queue and
for the same event loop as ten thousand reconnecting pages; a thread beside that loop still
waits for the interpreter's lock, which a busy main thread hands over only every switch
interval (BENCHMARKS.md, "Health outside the main loop"). A process of its own shares only
the machine's CPUs.

What it knows it reads from its stdin, a pipe from the app: first one line of settings
(the database URL among them: a pipe, never argv, whose text `ps` shows everyone), then one
heartbeat line every half second from the app's main event loop with the Janus servers' states
and whether the replica is draining. A heartbeat older than `app.health_stall_after` is a
stalled loop, and every check fails, `/livez` too: a process whose loop does not turn serves
nobody and is restarted. The end of stdin is the end of the app: this process leaves at once,
so it never keeps the port after the app is gone; on Linux the kernel also sends it SIGTERM
when the app dies (PR_SET_PDEATHSIG), a second guard. The database is asked over one
connection of its own (a pool of one, opened on the first check), one check at a time however
many probes arrive together.
"""

from __future__ import annotations

import asyncio
import ctypes
import json
import logging
import os
import signal
import sys
import time
from dataclasses import asdict, dataclass, field

import asyncpg
from aiohttp import web

from app import health_checks
from app.db import database_health, open_pool
from app.health_checks import respond
from app.logs import configure_handler, http_server_logger

log = logging.getLogger(__name__)
# What the process writes to its stdout once, when its port is bound; the rest goes to stderr.
LISTENING = b"listening\n"
# Probes still in flight when the app ends get this long; a probe is a few milliseconds.
SHUTDOWN_TIMEOUT = 1.0
PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class ListenerSettings:
    """The first line on stdin: what the listener needs of the app's settings, nothing more."""

    host: str
    port: int
    stall_after: float
    database_url: str
    command_timeout: float
    log_format: str
    log_level: str
    parent_pid: int

    def line(self) -> bytes:
        return json.dumps(asdict(self)).encode() + b"\n"

    @classmethod
    def from_line(cls, line: bytes) -> ListenerSettings:
        return cls(**json.loads(line))


@dataclass(frozen=True)
class Beat:
    """One heartbeat line: when the main loop stamped it (time.monotonic, one clock for every
    process of the machine), the Janus servers' states then, and whether it drains."""

    at: float
    janus: dict[str, str] = field(default_factory=dict)
    janus_usable: bool = False
    draining: bool = False

    def line(self) -> bytes:
        return json.dumps(asdict(self)).encode() + b"\n"

    @classmethod
    def from_line(cls, line: bytes) -> Beat:
        return cls(**json.loads(line))


class Heartbeat:
    """The last beat read, replaced whole; before the first, the process's start."""

    def __init__(self, stall_after: float) -> None:
        self.stall_after = stall_after
        self.beat = Beat(time.monotonic())

    def main_loop(self) -> str:
        age = time.monotonic() - self.beat.at
        return health_checks.LOOP_OK if age <= self.stall_after else f"stalled for {age:.1f} s"


class HealthServer:
    """The HTTP answers, from the last beat and this process's own database connection."""

    def __init__(self, heartbeat: Heartbeat, pool: asyncpg.Pool) -> None:
        self.heartbeat, self.pool = heartbeat, pool
        self._checking: asyncio.Future[str] | None = None

    def application(self) -> web.Application:
        application = web.Application(client_max_size=1024)
        application.router.add_get("/livez", self._livez)
        application.router.add_get("/readyz", self._readyz)
        application.router.add_get("/healthz", self._healthz)
        return application

    async def _database(self) -> str:
        """One check at a time, shared by every probe that arrives while it runs."""
        if self._checking is None or self._checking.done():
            self._checking = asyncio.ensure_future(database_health(self.pool))
        return await asyncio.shield(self._checking)

    async def _livez(self, request: web.Request) -> web.Response:
        return respond(health_checks.live(self.heartbeat.main_loop()))

    async def _readyz(self, request: web.Request) -> web.Response:
        if self.heartbeat.beat.draining:
            return respond(health_checks.SHUTTING_DOWN)
        database = await self._database()
        beat = self.heartbeat.beat
        return respond(health_checks.ready(database, beat.janus_usable, self.heartbeat.main_loop()))

    async def _healthz(self, request: web.Request) -> web.Response:
        database = await self._database()
        beat = self.heartbeat.beat
        return respond(health_checks.detail(database, beat.janus, self.heartbeat.main_loop()))


async def read_beats(stdin: asyncio.StreamReader, heartbeat: Heartbeat) -> None:
    """Until the end of stdin: the app has closed it, or died."""
    while line := await stdin.readline():
        try:
            heartbeat.beat = Beat.from_line(line)
        except (ValueError, TypeError):
            log.error("the health listener ignored a heartbeat it could not read")


def die_with_parent(parent_pid: int) -> None:
    """Linux: SIGTERM when the app's process ends, however it ends. A no-op elsewhere; the end
    of stdin is the guard everywhere."""
    if sys.platform != "linux":
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent_pid:  # the app died before the line above: nobody will signal
        os.kill(os.getpid(), signal.SIGTERM)


async def serve() -> None:
    loop = asyncio.get_running_loop()
    stdin = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stdin), sys.stdin)
    settings = ListenerSettings.from_line(await stdin.readline())
    configure_handler(settings.log_format, settings.log_level, [settings.database_url])
    stopping = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stopping.set)
    die_with_parent(settings.parent_pid)

    heartbeat = Heartbeat(settings.stall_after)
    # min_size 0: no connection before the first check, so the listener starts (and says
    # so) while the database is down.
    pool = await open_pool(
        settings.database_url, min_size=0, max_size=1, command_timeout=settings.command_timeout
    )
    # No access log: a probe every few seconds per orchestrator is noise. The server's logger
    # is the app's: a request it cannot read is one line, nothing quoted.
    runner = web.AppRunner(
        HealthServer(heartbeat, pool).application(),
        access_log=None,
        logger=http_server_logger(),
        shutdown_timeout=SHUTDOWN_TIMEOUT,
    )
    reading = asyncio.create_task(read_beats(stdin, heartbeat))
    reading.add_done_callback(lambda _: stopping.set())
    try:
        await runner.setup()
        await web.TCPSite(runner, settings.host, settings.port).start()
        sys.stdout.buffer.write(LISTENING)
        sys.stdout.buffer.flush()
        await stopping.wait()
    finally:
        pool.terminate()
        await runner.cleanup()


def main() -> int:
    # Ctrl-C in a terminal reaches the whole process group: the app stops this process
    # itself, after its own shutdown, by closing stdin.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        asyncio.run(serve())
    except Exception:  # a port it cannot bind, most likely: told through the redacting handler
        log.exception("the health listener stopped")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
