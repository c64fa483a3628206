"""The Janus servers of the fleet: one supervised connection each, and where a new room goes.

The fleet lives in the database (app/janus/fleet.py, DEPLOYMENT.md "The Janus fleet"); the
pool follows it while the process runs: a server added gets a connection, one removed loses
it, within moments of the change (LISTEN janus_fleet, and a re-read every
`janus.fleet_refresh` seconds in case a notification was lost).

A new room goes to the active server that works and has the fewest rooms per unit of
weight. Rooms are counted from the interviews that hold one (an indexed count, no Janus
call, on a connection kept for it and shared by the placements that come together:
app/janus/room_counts.py), plus the rooms this process placed in the last few seconds, whose
interviews may not be written yet. The reconciler compares the count with Janus's own list (app/live/reconciler.py).

With `janus.fleet = "settings"` the pool places on exactly the settings' servers, all
active, weight 1 (rooms still counted from the interviews); a `JanusPool(settings)` without
any database (a benchmark's worker) counts only the rooms it placed itself.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections import deque
from collections.abc import AsyncIterator

import asyncpg
from aiohttp import web

from app.janus import fleet
from app.janus.connection import JanusConnection, JanusError, JanusUnavailable
from app.janus.fleet import PUBLIC_URLS, FleetServer
from app.janus.room_counts import CountsNotRead, RoomCounts
from app.janus.rooms import Room, RoomMedia, create_room, destroy_room, new_room
from app.janus.tokens import (
    VIDEOROOM,
    participant_token,
    room_janus_tokens,
    room_tokens_among,
)
from app.keys import DB_POOL, JANUS, SETTINGS
from app.outages import Outage
from app.settings import JanusServer, JanusSettings

log = logging.getLogger(__name__)
# Rooms placed this recently count towards their server's load even before their interview
# row holds them (the dispatch writes it after the room exists).
RECENT_SECONDS = 5.0
# A replica's health report holds this many rounds of its fleet follower: one round late
# (a busy database) is no outage, and a replica that stopped drops out soon after.
HEALTH_ROUNDS = 3
DATABASE_ERRORS = (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError)
# The first pause before the fleet's follower tries the database again after a failure; it
# doubles up to the fleet's refresh interval while the database stays away.
FOLLOW_RETRY_SECONDS = 0.5


def least_loaded(loads: dict[str, float]) -> str | None:
    """The server with the lowest load; ties go to the first in the fleet (dicts keep order)."""
    return min(loads, key=lambda name: loads[name]) if loads else None


class JanusPool:
    def __init__(self, settings: JanusSettings):
        self.settings = settings
        # Set whenever a server is lost or comes back: the reconciler acts on it at once
        # instead of waiting for its next round (app/live/reconciler.py).
        self.changed = asyncio.Event()
        self._health_changed = asyncio.Event()
        self.connections: dict[str, JanusConnection] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._started = False
        # The fleet as last read (database mode), in fleet order; None: the settings' list.
        self.fleet: dict[str, FleetServer] | None = None
        self._database: asyncpg.Pool | None = None
        # Where placement counts rooms: the main pool. Not the live actions' urgent
        # connections: a room is made after its offer went out (app/live/dispatch.py), and
        # its count taking one of those made the next offers and joins wait.
        self._placement_database: asyncpg.Pool | None = None
        # Its reads, on a connection of that pool kept while placements keep coming
        # (app/janus/room_counts.py).
        self._room_counts: RoomCounts | None = None
        self._follower: asyncio.Task[None] | None = None
        self._refreshing = asyncio.Lock()
        self._recent: deque[tuple[float, str]] = deque()
        # Who this process is in the fleet's health reports (app/janus/fleet.py).
        self.replica = fleet.Replica.this_process()
        for server in settings.servers:
            self._open(server)

    @property
    def admin_key(self) -> str:
        return self.settings.room_admin_key.get_secret_value()

    @property
    def admin_secret(self) -> str:
        return self.settings.admin_secret.get_secret_value()

    # --- connections -------------------------------------------------------------------------

    def _on_connection_change(self) -> None:
        self.changed.set()
        self._health_changed.set()

    def _open(self, server: JanusServer) -> None:
        s = self.settings
        self.connections[server.name] = JanusConnection(
            server,
            s.admin_secret.get_secret_value(),
            s.call_timeout,
            s.keepalive_interval,
            s.reconnect_max_delay,
            keepalive_timeout=s.keepalive_timeout,
            on_change=self._on_connection_change,
        )
        if self._started:
            self._run(server.name)

    def _run(self, name: str) -> None:
        self._tasks[name] = asyncio.create_task(self.connections[name].run(), name=f"janus-{name}")

    async def _close(self, name: str) -> None:
        connection = self.connections.pop(name)
        task = self._tasks.pop(name, None)
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        await connection.close()

    def _publish_urls(self) -> None:
        PUBLIC_URLS.publish(self, {name: c.server.public_url for name, c in self.connections.items()})

    def start(self) -> None:
        self._started = True
        for name in self.connections:
            self._run(name)
        self._publish_urls()

    async def stop(self) -> None:
        PUBLIC_URLS.withdraw(self)
        if self._follower is not None:
            self._follower.cancel()
            await asyncio.gather(self._follower, return_exceptions=True)
            await self._forget_health()
        for task in self._tasks.values():
            task.cancel()
        await asyncio.gather(*self._tasks.values(), return_exceptions=True)
        await asyncio.gather(*(c.close() for c in self.connections.values()))
        if self._room_counts is not None:
            await self._room_counts.close()

    def public_urls(self) -> list[str]:
        """Where browsers reach the servers this process knows (the CSP's connect-src)."""
        return [c.server.public_url for c in self.connections.values()]

    def health(self) -> dict[str, str]:
        return {name: connection.state for name, connection in self.connections.items()}

    def problems(self) -> dict[str, str | None]:
        """{name: why it cannot be used (app/janus/errors.py's kinds), None while ok}."""
        return {name: connection.problem for name, connection in self.connections.items()}

    def healthy(self) -> list[JanusConnection]:
        return [c for c in self.connections.values() if c.state == "ok"]

    def connection(self, name: str) -> JanusConnection:
        return self.connections[name]

    async def knows(self, name: str) -> bool:
        """Whether `name` is in the fleet, read afresh when this process has not heard of it:
        another replica may have placed a room on a server added a moment ago, before the
        change's notification reached this one (DEPLOYMENT.md, "The Janus fleet")."""
        if name in self.connections:
            return True
        if self.fleet is None or self._database is None:
            return False  # the settings' list: nothing more to learn
        async with self._refreshing:  # many sockets asking at once: one read
            if name not in self.connections:
                try:
                    await self._refresh_fleet()
                except DATABASE_ERRORS as error:
                    log.warning("Janus fleet not read for %s: %s", name, type(error).__name__)
        return name in self.connections

    async def _known(self, name: str) -> JanusConnection:
        """The connection to `name`, the fleet read afresh if need be; JanusUnavailable
        when the server is in no fleet (removed meanwhile)."""
        if not await self.knows(name):
            raise JanusUnavailable(f"{name} is not in the fleet")
        return self.connections[name]

    # --- following the fleet ------------------------------------------------------------------

    def count_rooms_in(self, database: asyncpg.Pool) -> None:
        """Count each server's rooms from the interviews in `database` at placement."""
        self._database = self._placement_database = database

    async def follow_fleet(
        self, database: asyncpg.Pool, dsn: str, placement: asyncpg.Pool | None = None
    ) -> None:
        """Seed the fleet with the settings' servers, take it as it is, and follow it;
        placement counts rooms on `placement` (default: `database`)."""
        self._database = database
        self._placement_database = placement or database
        async with database.acquire() as connection:
            await fleet.seed(connection, self.settings.servers)
        await self.refresh_fleet()
        self._follower = asyncio.create_task(self._follow(dsn), name="janus-fleet")

    async def refresh_fleet(self) -> None:
        """Open connections to servers added since, close those of servers removed."""
        async with self._refreshing:  # one at a time: two would open one server twice
            await self._refresh_fleet()

    async def _refresh_fleet(self) -> None:
        assert self._database is not None, "follow() sets the database before any refresh"
        async with self._database.acquire() as connection:
            servers = await fleet.read_fleet(connection)
        wanted = {server.name: server for server in servers}
        for name in [n for n in self.connections if n not in wanted]:
            log.info("Janus %s left the fleet: connection closed", name)
            await self._close(name)
            self.changed.set()
        for name, server in wanted.items():
            current = self.connections.get(name)
            settings = server.as_settings()
            if current is not None and current.server == settings:
                continue
            if current is not None:  # its URLs changed
                await self._close(name)
            log.info("Janus %s is in the fleet: connecting", name)
            self._open(settings)
            self.changed.set()
        # Fleet order: ties in placement go to the longest-serving server.
        self.connections = {name: self.connections[name] for name in wanted}
        self.fleet = wanted
        self._publish_urls()

    @property
    def health_valid_for(self) -> float:
        """How long a health report of this replica holds: a few rounds of the follower,
        which renews it at least every `janus.fleet_refresh` seconds."""
        return HEALTH_ROUNDS * self.settings.fleet_refresh

    async def _forget_health(self) -> None:
        assert self._database is not None, "only a pool that followed the fleet has reports"
        try:
            async with asyncio.timeout(2):
                async with self._database.acquire() as connection:
                    await fleet.forget_health(connection, self.replica)
        except DATABASE_ERRORS as error:  # they expire by themselves
            log.warning("Janus health reports not withdrawn: %s", type(error).__name__)

    def _health(self) -> tuple[list[str], dict[str, dt.datetime]]:
        up, lost = [], {}
        now = dt.datetime.now(dt.UTC)
        for name, connection in self.connections.items():
            if connection.state == "ok":
                up.append(name)
            elif connection.state != "connecting":  # tried and failed: lost
                lost[name] = now - dt.timedelta(seconds=connection.down_seconds())
        return up, lost

    async def _follow(self, dsn: str) -> None:
        wake = asyncio.Event()
        listener: asyncpg.Connection | None = None
        retry = 0.0  # seconds before the next try after a failed one; 0: the last one worked
        outage = Outage(log, "Janus fleet", "read again as soon as it answers")
        while True:
            try:
                if listener is None or listener.is_closed():
                    listener = await asyncpg.connect(
                        dsn, server_settings={"application_name": "snabb-janus-fleet"}
                    )
                    await listener.add_listener(fleet.CHANNEL, lambda *_: wake.set())
                    wake.set()  # changes made while nobody listened: read at once
                if wake.is_set():
                    wake.clear()
                    await self.refresh_fleet()
                self._health_changed.clear()
                assert self._database is not None, "follow() sets it before this task starts"
                async with self._database.acquire() as connection:
                    await fleet.record_health(
                        connection, self.replica, *self._health(), self.health_valid_for
                    )
                outage.over()
                retry = 0.0
            except asyncio.CancelledError:
                if listener is not None:
                    await listener.close(timeout=2)
                raise
            except DATABASE_ERRORS as error:
                if listener is not None:
                    listener.terminate()
                listener = None
                # Tried again after a growing pause: the fleet is read at once when the
                # listener is back, so nothing is missed by waiting. (A failed try left
                # `wake` set: without the pause the loop spun, a refused connection and a
                # warning per turn, while the database was down.)
                outage.seen(error)
                retry = min(max(retry * 2, FOLLOW_RETRY_SECONDS), self.settings.fleet_refresh)
                await asyncio.sleep(retry)
                continue
            waits = [asyncio.ensure_future(wake.wait()), asyncio.ensure_future(self._health_changed.wait())]
            try:
                done, _ = await asyncio.wait(
                    waits, timeout=self.settings.fleet_refresh, return_when=asyncio.FIRST_COMPLETED
                )
                if not done:
                    wake.set()  # the backstop: read the fleet again anyway
            finally:
                for waiting in waits:
                    waiting.cancel()

    async def record_listing(self, counts: dict[str, int]) -> None:
        """The reconciler's count of each server's own rooms (shown beside the app's)."""
        if self._database is None or self.fleet is None:
            return
        try:
            async with self._database.acquire() as connection:
                await fleet.record_listing(connection, counts)
        except DATABASE_ERRORS as error:
            log.warning("room listing not recorded: %s", type(error).__name__)

    # --- placement ---------------------------------------------------------------------------

    def _recently_placed(self) -> dict[str, int]:
        horizon = time.monotonic() - RECENT_SECONDS
        while self._recent and self._recent[0][0] < horizon:
            self._recent.popleft()
        counts: dict[str, int] = {}
        for _, name in self._recent:
            counts[name] = counts.get(name, 0) + 1
        return counts

    async def _loads(self, names: list[str]) -> dict[str, float]:
        """{server: rooms ÷ weight} of the servers in `names` that take new rooms now."""
        if self._placement_database is None:
            recent = self._recently_placed()
            return {name: recent.get(name, 0) for name in names}
        if self._room_counts is None:
            self._room_counts = RoomCounts(self._placement_database, lambda: self.fleet is not None)
        try:
            # The state is read here, not from memory: a cordon counts from its commit on.
            # (Without the fleet, `janus.fleet = "settings"`: every server, weight 1.)
            counted = await self._room_counts.read(names)
            # The rooms placed meanwhile too: placements that shared the read go one by one.
            recent = self._recently_placed()
            found = {
                name: (rooms + recent.get(name, 0)) / weight for name, (rooms, weight) in counted.items()
            }
        except (*DATABASE_ERRORS, CountsNotRead) as error:
            # The fleet as last read: a room on a working server beats none.
            reason = str(error) if isinstance(error, CountsNotRead) else type(error).__name__
            log.warning("placement without the database's room counts: %s", reason)
            recent = self._recently_placed()
            known = self.fleet
            found = (
                {name: recent.get(name, 0) for name in names}
                if known is None
                else {
                    name: recent.get(name, 0) / known[name].weight
                    for name in names
                    if name in known and known[name].takes_rooms
                }
            )
        return {name: found[name] for name in names if name in found}

    async def create_private_room(self, participants: int, description: str = "interview") -> Room:
        """A new private room on the least-loaded active server that works."""
        candidates = [c.name for c in self.healthy()]
        name = least_loaded(await self._loads(candidates))
        if name is None:
            raise JanusUnavailable("no active Janus server is reachable")
        connection = self.connections.get(name)
        if connection is None:  # removed from the fleet meanwhile
            raise JanusUnavailable(f"{name} left the fleet")
        self._recent.append((time.monotonic(), name))
        room = new_room(name, participants, self.admin_key)
        room = await create_room(connection, self.admin_key, room, description, RoomMedia.of(self.settings))
        # Then the participants' Janus tokens (the order matters to the reconciler, which
        # keeps a token only while its room exists). Without them the room is no use.
        try:
            await self.add_tokens(name, room.room_id, participants)
        except BaseException:
            try:
                await destroy_room(connection, room.room_id, room.secret)
            except (JanusUnavailable, JanusError):
                pass  # the reconciler destroys it: no live interview owns it
            raise
        return room

    @property
    def deployment(self) -> str:
        return self.settings.deployment_id

    def janus_token(self, server: str, room_id: int, participant: int, serial: int = 0) -> str:
        return participant_token(self.admin_secret, server, room_id, participant, serial, self.deployment)

    async def add_tokens(self, server: str, room_id: int, participants: int) -> None:
        async with (await self._known(server)).admin() as admin:
            await admin.add_tokens(
                room_janus_tokens(self.admin_secret, server, room_id, participants, self.deployment),
                (VIDEOROOM,),
            )

    async def renew_token(self, server: str, room_id: int, participant: int, serial: int) -> None:
        """The participant's token number `serial` works from now on, the one before not."""
        async with (await self._known(server)).admin() as admin:
            await asyncio.gather(  # together: the ticket goes once both are done
                admin.add_token(self.janus_token(server, room_id, participant, serial), (VIDEOROOM,)),
                admin.remove_token(self.janus_token(server, room_id, participant, serial - 1)),
            )

    async def remove_tokens(self, server: str, room_id: int) -> None:
        """Janus refuses every token of the room's participants from now on. Raises
        JanusUnavailable or JanusError when it cannot be told (the reconciler then removes
        them on its next round)."""
        async with (await self._known(server)).admin() as admin:
            listed = await admin.list_tokens()
            await admin.remove_tokens(room_tokens_among(listed, room_id, self.deployment))


async def janus_pool(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    pool = JanusPool(settings.janus)
    app[JANUS] = pool
    pool.start()
    try:
        if settings.janus.fleet == "database":
            await pool.follow_fleet(app[DB_POOL], settings.database.url.get_secret_value())
        else:
            pool.count_rooms_in(app[DB_POOL])
        yield
    finally:
        await pool.stop()
