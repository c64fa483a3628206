"""Every live socket of the process pinged by one sweep, and those that stopped answering cut.

aiohttp's own heartbeat (`heartbeat=` on each WebSocketResponse) gives every socket a timer,
a second timer per ping for its pong, a task per ping and a reschedule after every frame
received: at 10,000 sockets a timer heap of some 20,000 handles (their comparisons are
Python, and every other timer of the process pays for the heap's depth too), which was the
largest item of the fan-out's profile (BENCHMARKS.md, "One heartbeat sweep"). Here one task
does the same for all of them:

- every TICK_SECONDS it visits the next slice of the sockets, so that each is visited once
  per PING_SECONDS, and writes it a ping: one prebuilt frame, the same bytes for everyone,
  straight to the socket's transport (as the shared `queue` message is written);
- ANSWER_SECONDS after a slice was pinged, every socket of it not heard from since (a pong
  or any other frame: `Socket.heard`, stamped by channel.serve) is cut, unless one of its
  messages is still being answered, for less than LONGEST_ANSWER_SECONDS (`Socket.answering_since`:
  its pong waits unread behind it, and a slow database must not cut every page whose action
  waits for it; no answer takes that long, unless it waits to write to a page gone): its transport
  aborted (nothing to flush to a peer that is gone), which ends its `serve` as a dropped
  connection does (the candidate keeps the place for the grace period, queue.py).

So a connection that went silent is cut at most PING_SECONDS + ANSWER_SECONDS (plus a
tick) after the last frame it sent, the bound aiohttp's heartbeat gave: it pinged a socket
PING_SECONDS after its last frame and cut it when nothing came within half that.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import deque
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from aiohttp import web

from app.keys import LIVE_PINGS

if TYPE_CHECKING:
    from app.live.channel import Socket

log = logging.getLogger(__name__)
# A page that went away (a phone out of coverage) is noticed within about a minute, and
# proxies see traffic on idle sockets well within their read timeout (nginx: 60 s).
PING_SECONDS = 25.0
# How long a pinged socket has to answer (anything it sends counts).
ANSWER_SECONDS = PING_SECONDS / 2
TICK_SECONDS = 1.0
# Longer than any answer to a page's message takes (its statements stop after 10 s, its
# Janus calls after 5 s): a socket whose answer has taken longer is cut for silence all the
# same (the answer waits to write to a page that is gone).
LONGEST_ANSWER_SECONDS = 25.0
# A WebSocket ping as a server sends it: FIN + opcode 9, no mask, no payload (RFC 6455 5.5.2).
PING_FRAME = b"\x89\x00"


def _answering(socket: Socket, now: float) -> bool:
    """One of the socket's messages is being answered, and not for longer than any answer
    takes: an answer stuck writing to a page that is gone must not keep its socket."""
    since = socket.answering_since
    return since is not None and now - since < LONGEST_ANSWER_SECONDS


class PingSweep:
    """The process's sockets, pinged a slice per tick (`run`)."""

    def __init__(self) -> None:
        self._sockets: set[Socket] = set()
        self._cycle: list[Socket] = []  # this cycle's sockets not yet pinged, last first
        self._slice = 0
        self._cycle_started = -math.inf
        # Slices pinged and not yet checked, oldest first: (when pinged, the sockets).
        self._waiting: deque[tuple[float, list[Socket]]] = deque()
        self.cut = 0  # sockets cut for not answering, since the start

    def __len__(self) -> int:
        """The live sockets the process holds (every one is pinged)."""
        return len(self._sockets)

    def add(self, socket: Socket) -> None:
        self._sockets.add(socket)

    def discard(self, socket: Socket) -> None:
        self._sockets.discard(socket)

    def tick(self, now: float) -> None:
        """Cut the sockets whose answer is overdue, then ping the next slice."""
        while self._waiting and self._waiting[0][0] + ANSWER_SECONDS <= now:
            ping_time, sockets = self._waiting.popleft()
            for socket in sockets:
                if socket.heard < ping_time and not _answering(socket, now) and not socket.ws.closed:
                    self._cut(socket)
        if not self._cycle:
            if now - self._cycle_started < PING_SECONDS:
                return  # a small process's sockets are not pinged more often than large ones'
            self._cycle = list(self._sockets)
            self._slice = math.ceil(len(self._cycle) * TICK_SECONDS / PING_SECONDS)
            self._cycle_started = now
        pinged: list[Socket] = []
        for _ in range(min(self._slice, len(self._cycle))):
            socket = self._cycle.pop()
            transport = socket.transport()
            if transport is None or socket.ws.closed or transport.is_closing():
                continue  # gone meanwhile: serve() ends it
            transport.write(PING_FRAME)
            pinged.append(socket)
        if pinged:
            self._waiting.append((now, pinged))

    def _cut(self, socket: Socket) -> None:
        self.cut += 1
        log.info("live socket cut: no answer to a ping within %.1f s", ANSWER_SECONDS)
        transport = socket.transport()
        if transport is not None:
            transport.abort()

    async def run(self) -> None:
        while True:
            await asyncio.sleep(TICK_SECONDS)
            try:
                self.tick(time.monotonic())
            except Exception:  # noqa: BLE001 (the sweep outlives any one socket's failure)
                log.exception("live ping sweep failed")


async def live_pings(app: web.Application) -> AsyncIterator[None]:
    """The sweep, for as long as the application runs (a cleanup_ctx)."""
    sweep = app[LIVE_PINGS] = PingSweep()
    task = asyncio.create_task(sweep.run(), name="live-pings")
    try:
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
