"""Fan-out: one LISTEN connection per process, and the sockets of this process per event.

Any process may change the queue; it sends NOTIFY on the event's channel (queue.notify).
Here each process listens on the channels of the events it has sockets for and, on a
notification, has every socket of that event send a fresh snapshot. Bursts (a dispatch
sends several notifications) are folded into one refresh per DEBOUNCE. The sockets are the
only thing held in memory, and they belong to this process anyway.

The listening connection is supervised: when it drops it is made again, LISTENs again and
every socket is refreshed, since notifications sent meanwhile are lost.
"""
from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Protocol

import asyncpg
from aiohttp import web

from app.keys import LIVE_HUB, SETTINGS
from app.live.event_view import EventViews
from app.live.queue import channel

log = logging.getLogger(__name__)
DEBOUNCE = 0.05
SLICE = 32
RETRY_SECONDS = 1.0
PROBE_SECONDS = 5.0
# Named, so operators (and a test) can tell the listeners among the connections.
APPLICATION_NAME = "snabb-live-listener"

# What a statement on the listening connection raises when that connection is gone or
# going: asyncpg raises AttributeError for a statement that was in flight when the
# connection was terminated. Any of them only means "listen again on a new connection".
CONNECTION_LOST = (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, AttributeError)

# Whose socket it is: ("candidate", id) or ("interviewer", id).
Who = tuple[str, int]


class Subscriber(Protocol):
    who: Who | None
    notice: Callable[[dict], Awaitable[None]] | None

    async def refresh(self, only_if_changed: bool = False) -> None: ...


class Hub:
    def __init__(self, dsn: str):
        self._dsn = dsn
        self._sockets: dict[int, set[Subscriber]] = {}
        # The same sockets by person, for the notices (a thousand sockets per event).
        self._by_person: dict[Who, set[Subscriber]] = {}
        self._pending: set[int] = set()
        self._running: set[int] = set()
        # The people a pending notification names (the candidate offered, the interviewer
        # who took them): their sockets are refreshed before everyone else's.
        self._first: dict[int, set[Who]] = {}
        self.views = EventViews()
        self._tasks: set[asyncio.Task] = set()  # the loop keeps only weak references
        self._connection: asyncpg.Connection | None = None
        self._lock = asyncio.Lock()
        self._dropped = asyncio.Event()
        self.ready = asyncio.Event()

    async def subscribe(self, event_id: int, socket: Subscriber) -> None:
        async with self._lock:
            first = event_id not in self._sockets
            self._sockets.setdefault(event_id, set()).add(socket)
            if socket.who is not None:
                self._by_person.setdefault(socket.who, set()).add(socket)
            if first and self._connection is not None:
                await self._listen(event_id)

    async def unsubscribe(self, event_id: int, socket: Subscriber) -> None:
        async with self._lock:
            sockets = self._sockets.get(event_id, set())
            sockets.discard(socket)
            mine = self._by_person.get(socket.who, set())
            mine.discard(socket)
            if not mine:
                self._by_person.pop(socket.who, None)
            if not sockets:
                self._sockets.pop(event_id, None)
                self.views.forget(event_id)
                if self._connection is not None and not self._connection.is_closed():
                    try:
                        await self._connection.remove_listener(channel(event_id), self._notified)
                    except CONNECTION_LOST:
                        self._dropped.set()

    async def _listen(self, event_id: int) -> None:
        try:
            await self._connection.add_listener(channel(event_id), self._notified)
        except CONNECTION_LOST:
            self._dropped.set()  # the supervisor listens again on the new connection

    def _notified(self, connection, pid, name: str, payload: str) -> None:
        event_id = int(name.rsplit("_", 1)[1])
        self.views.changed(event_id)
        try:
            named = json.loads(payload)
            people = {(role, named[role]) for role in ("candidate", "interviewer")
                      if isinstance(named.get(role), int)}
        except (ValueError, AttributeError, TypeError):
            named, people = {}, set()  # only the order of the refresh depends on it
        self._first.setdefault(event_id, set()).update(people)
        for who in people:
            for socket in self._by_person.get(who, ()):
                if socket.notice is not None:
                    self._spawn(socket.notice(named))
        if event_id not in self._pending:
            self._pending.add(event_id)
            if event_id not in self._running:  # else the running round starts the next
                asyncio.get_running_loop().call_later(DEBOUNCE, self._start_refresh, event_id)

    def _start_refresh(self, event_id: int) -> None:
        self._running.add(event_id)
        self._spawn(self._refresh_event(event_id))

    def _spawn(self, coroutine: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("live push failed: %s", type(task.exception()).__name__)

    async def _refresh_event(self, event_id: int) -> None:
        """Rounds of one event never overlap: changes during a round are folded into the
        next, so a busy event costs one round at a time however fast it changes."""
        try:
            while event_id in self._pending:
                self._pending.discard(event_id)
                await self.refresh(event_id, self._first.pop(event_id, set()))
                if event_id in self._pending:
                    await asyncio.sleep(DEBOUNCE)
        finally:
            self._running.discard(event_id)

    async def refresh(self, event_id: int, first: set[Who] = frozenset()) -> None:
        """Every socket of the event sends a new snapshot (one failing stops no other);
        those of the people in `first` before the rest, so that "your turn" does not wait
        for a thousand queue positions to go out."""
        sockets = list(self._sockets.get(event_id, ()))
        ordered = ([s for s in sockets if s.who in first]
                   + [s for s in sockets if s.who not in first])
        # In slices: a thousand coroutines made ready at once would put everything else the
        # loop has to do (a dispatch, an offer's notice) behind all of them.
        for start in range(0, len(ordered), SLICE):
            results = await asyncio.gather(
                *(s.refresh(only_if_changed=True) for s in ordered[start:start + SLICE]),
                return_exceptions=True)
            for result in results:
                if isinstance(result, Exception):
                    log.warning("live refresh failed: %s", type(result).__name__)

    async def run(self) -> None:
        """Keep one listening connection up for as long as the application runs."""
        while True:
            try:
                self._connection = await asyncpg.connect(
                    self._dsn, server_settings={"application_name": APPLICATION_NAME})
                self._dropped.clear()
                self._connection.add_termination_listener(lambda _: self._dropped.set())
                async with self._lock:
                    for event_id in list(self._sockets):
                        await self._listen(event_id)
                self.ready.set()
                # After a drop: whatever was notified meanwhile is lost, so refresh all.
                for event_id in list(self._sockets):
                    await self.refresh(event_id)
                while not self._dropped.is_set():
                    try:
                        await asyncio.wait_for(self._dropped.wait(), PROBE_SECONDS)
                    except TimeoutError:
                        # A half-open TCP connection does not terminate by itself. Under
                        # the lock: a connection runs one statement at a time, and a probe
                        # beside a (UN)LISTEN fails as if the database were gone.
                        async with self._lock:
                            await asyncio.wait_for(self._connection.fetchval("SELECT 1"),
                                                   PROBE_SECONDS)
            except (*CONNECTION_LOST, TimeoutError) as error:
                log.warning("live listener lost the database: %s", type(error).__name__)
            finally:
                self.ready.clear()
                connection, self._connection = self._connection, None
                if connection is not None:
                    connection.terminate()
            await asyncio.sleep(RETRY_SECONDS)


async def live_hub(app: web.Application) -> AsyncIterator[None]:
    hub = app[LIVE_HUB] = Hub(app[SETTINGS].database.url.get_secret_value())
    task = asyncio.create_task(hub.run(), name="live-listener")
    try:
        yield
    finally:
        for running in (task, *hub._tasks):
            running.cancel()
        await asyncio.gather(task, *hub._tasks, return_exceptions=True)
