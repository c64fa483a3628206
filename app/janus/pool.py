"""All configured Janus servers: one supervised connection each, and where a new room goes."""
from __future__ import annotations

import asyncio
import logging
from typing import Any, AsyncIterator

from aiohttp import web

from app.janus.connection import JanusConnection, JanusError, JanusUnavailable
from app.janus.rooms import (
    Room,
    RoomMedia,
    create_room,
    destroy_room,
    list_rooms,
    new_room,
)
from app.janus.tokens import VIDEOROOM, participant_token, room_janus_tokens, token_owner
from app.keys import JANUS, SETTINGS
from app.settings import JanusSettings

log = logging.getLogger(__name__)


def least_loaded(loads: dict[str, int]) -> str | None:
    """The server with the fewest rooms; ties go to the first configured (dicts keep order)."""
    return min(loads, key=lambda name: loads[name]) if loads else None


class JanusPool:
    def __init__(self, settings: JanusSettings):
        self.settings = settings
        # Set whenever a server is lost or comes back: the reconciler acts on it at once
        # instead of waiting for its next round (app/live/reconciler.py).
        self.changed = asyncio.Event()
        self.connections = {
            server.name: JanusConnection(
                server, settings.admin_secret.get_secret_value(), settings.call_timeout,
                settings.keepalive_interval, settings.reconnect_max_delay,
                keepalive_timeout=settings.keepalive_timeout, on_change=self.changed.set)
            for server in settings.servers}
        self._tasks: list[asyncio.Task[Any]] = []

    @property
    def admin_key(self) -> str:
        return self.settings.room_admin_key.get_secret_value()

    @property
    def admin_secret(self) -> str:
        return self.settings.admin_secret.get_secret_value()

    def start(self) -> None:
        self._tasks = [asyncio.create_task(connection.run(), name=f"janus-{name}")
                       for name, connection in self.connections.items()]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await asyncio.gather(*(c.close() for c in self.connections.values()))

    def health(self) -> dict[str, str]:
        return {name: connection.state for name, connection in self.connections.items()}

    def healthy(self) -> list[JanusConnection]:
        return [c for c in self.connections.values() if c.state == "ok"]

    def connection(self, name: str) -> JanusConnection:
        return self.connections[name]

    async def _room_count(self, connection: JanusConnection) -> int | None:
        try:
            return len(await list_rooms(connection, self.admin_key))
        except (JanusUnavailable, JanusError) as error:
            log.warning("Janus %s left out of placement: %s", connection.name, error)
            return None

    async def create_private_room(self, participants: int, description: str = "interview") -> Room:
        """A new private room on the least-loaded healthy server (Janus's own room count,
        so every control-plane process sees the same load)."""
        candidates = self.healthy()
        counts = await asyncio.gather(*(self._room_count(c) for c in candidates))
        loads = {c.name: n for c, n in zip(candidates, counts) if n is not None}
        name = least_loaded(loads)
        if name is None:
            raise JanusUnavailable("no healthy Janus server")
        room = new_room(name, participants, self.admin_key)
        connection = self.connections[name]
        room = await create_room(connection, self.admin_key, room, description,
                                 RoomMedia.of(self.settings))
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
        return participant_token(self.admin_secret, server, room_id, participant, serial,
                                 self.deployment)

    async def add_tokens(self, server: str, room_id: int, participants: int) -> None:
        async with self.connections[server].admin() as admin:
            for token in room_janus_tokens(self.admin_secret, server, room_id, participants,
                                           self.deployment):
                await admin.add_token(token, (VIDEOROOM,))

    async def renew_token(self, server: str, room_id: int, participant: int,
                          serial: int) -> None:
        """The participant's token number `serial` works from now on, the one before not."""
        async with self.connections[server].admin() as admin:
            await admin.add_token(self.janus_token(server, room_id, participant, serial),
                                  (VIDEOROOM,))
            await admin.remove_token(self.janus_token(server, room_id, participant, serial - 1))

    async def remove_tokens(self, server: str, room_id: int) -> None:
        """Janus refuses every token of the room's participants from now on. Raises
        JanusUnavailable or JanusError when it cannot be told (the reconciler then removes
        them on its next round)."""
        async with self.connections[server].admin() as admin:
            for token in await admin.list_tokens():
                owner = token_owner(token, self.deployment)
                if owner is not None and owner[0] == room_id:
                    await admin.remove_token(token)


async def janus_pool(app: web.Application) -> AsyncIterator[None]:
    pool = JanusPool(app[SETTINGS].janus)
    app[JANUS] = pool
    pool.start()
    try:
        yield
    finally:
        await pool.stop()
