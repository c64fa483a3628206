"""The health listener, the app's side: starts `python -m app.health_process`, which answers
/livez, /readyz and /healthz on `app.health_port` (DEPLOYMENT.md, "Health checks"), feeds it a
heartbeat from the main event loop, restarts it when it dies, stops it at shutdown.

The heartbeat is one line on the process's stdin every half second, written by a task on the
main loop: a loop that does not turn writes none, and the process says it stalled. The line
carries what only this loop knows: the Janus servers' states (their connections live here)
and whether the replica is draining, written at once when the drain begins so /readyz turns
503 as soon as the main port closes.

A listener that dies (killed, out of memory, a bug) is logged as an ERROR, with its exit
status, and started again a second later: the app serves on, and the orchestrator's probes
are answered again, rather than failing until someone restarts a healthy replica. One that
cannot start at the app's start (its port taken) fails the start, as a port of the app would.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
import time
from collections.abc import AsyncIterator

from aiohttp import web

from app.health_process import LISTENING, Beat, ListenerSettings
from app.janus.pool import JanusPool
from app.keys import JANUS, SETTINGS
from app.live.drain import DRAINING
from app.paths import PACKAGE_DIR
from app.settings import Settings

log = logging.getLogger(__name__)
HEARTBEAT_INTERVAL = 0.5
START_TIMEOUT = 30.0
STOP_TIMEOUT = 5.0
RESTART_AFTER = 1.0


def listener_settings(settings: Settings) -> ListenerSettings:
    return ListenerSettings(
        host=settings.app.host,
        port=settings.app.health_port,
        stall_after=settings.app.health_stall_after,
        database_url=settings.database.url.get_secret_value(),
        command_timeout=settings.database.command_timeout,
        log_format=settings.app.log_format,
        log_level=settings.app.log_level,
        parent_pid=os.getpid(),
    )


def beat(janus: JanusPool, draining: bool) -> Beat:
    return Beat(time.monotonic(), janus.health(), bool(janus.healthy()), draining)


class HealthProcess:
    """One listener process at a time: started, fed, stopped."""

    def __init__(self, settings: ListenerSettings) -> None:
        self.settings = settings
        self.process: asyncio.subprocess.Process | None = None

    async def start(self, first: Beat) -> None:
        """Listening when this returns; a port that cannot be bound is raised here."""
        # Its stderr is the app's: its log lines go where the app's go.
        self.process = process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "app.health_process",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            cwd=PACKAGE_DIR.parent,  # where `app` is this app's package, wherever the app was started
        )
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(self.settings.line() + first.line())
        try:
            said = await asyncio.wait_for(process.stdout.readline(), START_TIMEOUT)
        except TimeoutError:
            said = b""
        if said != LISTENING:
            await self.stop()
            raise RuntimeError(
                f"the health listener did not start on port {self.settings.port} (see its log)"
            )

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def alive(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def send(self, line: Beat) -> None:
        assert self.process is not None and self.process.stdin is not None
        self.process.stdin.write(line.line())
        await self.process.stdin.drain()

    async def stop(self) -> None:
        """Its stdin closed: it leaves at once. Killed if it has not within STOP_TIMEOUT."""
        process, self.process = self.process, None
        if process is None:
            return
        if process.stdin is not None:
            process.stdin.close()
        try:
            await asyncio.wait_for(process.wait(), STOP_TIMEOUT)
        except TimeoutError:
            process.kill()
            await process.wait()


async def keep_beating(listener: HealthProcess, app: web.Application) -> None:
    """A beat every HEARTBEAT_INTERVAL and at once when the drain begins; a listener found
    dead is restarted."""
    drain = app[DRAINING]
    # asyncio.wait, not wait_for: Python 3.11's wait_for drops a cancellation that arrives as
    # the drain begins, and this task would outlive the app.
    drain_begins = asyncio.ensure_future(drain.wait())
    stall_after = app[SETTINGS].app.health_stall_after
    waited_from: float | None = None
    try:
        while True:
            # A wait of HEARTBEAT_INTERVAL that lasted past stall_after: the probes saw the
            # loop stalled. Said here, or nothing would show afterwards what /livez answered.
            if waited_from is not None and (stalled := time.monotonic() - waited_from) > stall_after:
                log.warning(
                    "the main loop did not turn for %.1f s (the health probes saw it stalled)", stalled
                )
            if listener.alive():
                with contextlib.suppress(ConnectionError):  # it died: found on the next turn
                    await listener.send(beat(app[JANUS], drain.is_set()))
            else:
                await restart(listener, app)
            waited_from = time.monotonic()
            if drain_begins.done():
                await asyncio.sleep(HEARTBEAT_INTERVAL)
            else:
                await asyncio.wait([drain_begins], timeout=HEARTBEAT_INTERVAL)
    finally:
        drain_begins.cancel()


async def restart(listener: HealthProcess, app: web.Application) -> None:
    if listener.process is not None:  # else the last restart failed, and said so
        status, pid = listener.process.returncode, listener.process.pid
        log.error("the health listener (pid %d) exited with status %s; starting a new one", pid, status)
        await listener.stop()  # reaps it
    await asyncio.sleep(RESTART_AFTER)
    try:
        await listener.start(beat(app[JANUS], app[DRAINING].is_set()))
    except (RuntimeError, OSError):
        log.exception("the health listener could not be started again")
    else:
        log.info("the health listener runs again (pid %s)", listener.pid)


async def health_listener(app: web.Application) -> AsyncIterator[None]:
    """The cleanup context: after every other resource has started (its first beat reads the
    Janus pool and the drain flag), stopped before they stop."""
    settings = app[SETTINGS]
    if not settings.app.health_port:
        yield
        return
    listener = HealthProcess(listener_settings(settings))
    await listener.start(beat(app[JANUS], app[DRAINING].is_set()))
    beating = asyncio.create_task(keep_beating(listener, app), name="health listener heartbeat")
    try:
        yield
    finally:
        beating.cancel()
        await asyncio.gather(beating, return_exceptions=True)
        await listener.stop()
