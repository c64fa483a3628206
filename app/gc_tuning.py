"""The garbage collector of a process holding thousands of live sockets.

CPython's full (generation 2) collection walks every object the collector tracks, and
nothing else runs meanwhile: not the fan-out of a *Next*, not `/healthz`. Ten thousand
sockets with their aiohttp objects are a few million such objects, and a full collection
comes whenever a quarter as many again have survived the younger generations: pauses of
0.3–6 s every 20–30 s on a loaded machine (BENCHMARKS.md, "Fan-out"). So:

- **Frozen every few seconds.** What survives start-up is frozen (`gc.freeze`: moved to a
  generation the collector never walks), and every TICK_SECONDS after a young collection,
  what has survived since: full collections then walk only what was made within the last
  few seconds. (Each tick's young collection costs CPU: every second, it was a tenth of a
  loaded process's CPU under churn.) Freezing only as sockets were admitted was not enough: a socket's long-lived
  objects are replaced as it lives (its last state; then also aiohttp's heartbeat timers,
  since replaced by one sweep: app/live/pings.py), the new ones
  reach the old generation unfrozen, and full collections of 0.3–1 s came back within a
  minute (BENCHMARKS.md). A frozen object freed by its reference count is freed as ever;
  only one that ends in a reference cycle stays until it is unfrozen (the full collections
  that freezing replaces found 0–40 such objects each).
- **Thawed when the process has shed what it held.** A closed socket leaves a few dozen
  objects in cycles (aiohttp's response, its reader and protocol). When as many sockets have
  closed since the last thaw as are open now (and at least THAW_MIN), everything is
  unfrozen, collected once and frozen again: one full pause when a process has shed at least
  half of its sockets, such as at an event's end, instead of one every half minute.
- **Thawed by the clock while it holds few sockets.** Cycles are not only a closed socket's:
  a page request, a health probe, an admin page in flight at a tick leave theirs frozen
  too. A process holding fewer than THAW_MIN sockets has a small heap whose full collection
  is short, so it thaws by the clock and never keeps such garbage for long; a large one
  sheds it at its event's end, as above. Short is still 0.1–0.5 s on a loaded machine, a
  pause every page of a small event would feel: with no live socket (between events) it
  thaws every THAW_IDLE_SECONDS, with some every THAW_FEW_SECONDS, which keeps what a small
  event's pages and requests leave for minutes at most.
- **The young generations' thresholds are left as they are** (700, 10, 10): raised to 20,000
  allocations, each young collection walked that many and paused 25–160 ms (a generation-1
  one up to 0.5 s) on a loaded machine, within the fan-out of a *Next* (BENCHMARKS.md).

The sockets are counted by the live hub (app/live/hub.py, `Hub.opened`, `Hub.closed`).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import Callable

from aiohttp import web

from app.keys import LIVE_HUB

log = logging.getLogger(__name__)

THAW_MIN = 1_000  # sockets closed since the last thaw, at the least, before a thaw
TICK_SECONDS = 5.0
THAW_IDLE_SECONDS = 60.0  # between thaws while no live socket is open
THAW_FEW_SECONDS = 600.0  # between thaws while some, fewer than THAW_MIN, are open
NOTEWORTHY_PAUSE_MS = 50.0  # a thaw this long is logged at INFO, a shorter one at DEBUG


class Collector:
    """Freezes, and thaws by the counts of sockets opened and closed (`counts`: both totals
    since the process started). `tick` is called once per TICK_SECONDS."""

    def __init__(self, counts: Callable[[], tuple[int, int]], clock: Callable[[], float] = time.monotonic):
        self._counts = counts
        self._clock = clock
        self._closed_at_thaw = 0
        self._thawed_at = clock()

    def start(self) -> None:
        gc.collect()
        gc.freeze()

    def tick(self) -> str:
        """Thaw if due, else freeze what survived since the last tick: "thaw" or "freeze"."""
        opened, closed = self._counts()
        now = self._clock()
        shed = closed - self._closed_at_thaw >= max(THAW_MIN, opened - closed)
        holding = opened - closed
        every = THAW_IDLE_SECONDS if holding <= 0 else THAW_FEW_SECONDS
        idle = holding < THAW_MIN and now - self._thawed_at >= every
        if shed or idle:
            self._closed_at_thaw, self._thawed_at = closed, now
            started = time.perf_counter()
            gc.unfreeze()
            gc.collect()
            gc.freeze()
            took = (time.perf_counter() - started) * 1000
            # An idle process thaws every minute: a line an operator needs only when the pause
            # was long enough for the pages to feel it.
            log.log(
                logging.INFO if took >= NOTEWORTHY_PAUSE_MS else logging.DEBUG,
                "garbage collector thawed and froze again in %.0f ms",
                took,
            )
            return "thaw"
        gc.collect(1)  # the young garbage is not frozen with the rest
        gc.freeze()
        return "freeze"


def setup_garbage_collector(app: web.Application) -> None:
    """Started once everything else has started (what the resources made at start-up is
    frozen with the rest), stopped once everything else has stopped: unfrozen then, so that
    a process making many apps (the tests) collects what each left, and never while the
    sockets are still being closed (a thaw walks every object)."""
    tasks: list[asyncio.Task[None]] = []

    async def ticking(collector: Collector) -> None:
        while True:
            await asyncio.sleep(TICK_SECONDS)
            collector.tick()

    async def start(app: web.Application) -> None:
        hub = app[LIVE_HUB]  # made by its own start-up, which came first
        collector = Collector(lambda: (hub.opened, hub.closed))
        collector.start()
        tasks.append(asyncio.create_task(ticking(collector), name="garbage-collector"))

    async def stop_ticking(app: web.Application) -> None:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def stop(app: web.Application) -> None:
        await stop_ticking(app)
        gc.unfreeze()

    app.on_startup.append(start)
    # First of the shutdown's steps: no thaw while the drain closes the sockets (their closes
    # would make one due, a walk of every object while the pages are being sent elsewhere).
    app.on_shutdown.insert(0, stop_ticking)
    app.on_cleanup.append(stop)
