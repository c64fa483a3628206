"""Each server's live rooms and weight, read for placement (app/janus/pool.py), on a database
connection kept for it, the reads of placements that come together shared.

A room is made after its offer went out, while the interviewer waits for `dispatched`: a
count that waited for a connection of the main pool (busy with the events' reads at a
changeover) held every new room for that long. Here one connection is taken from the main
pool when a read is needed and kept while placements keep coming (given back when none
waits); while a read runs, the placements that arrive wait for the next one, which they all
share. A read begun before a placement arrived is never shared with
it, so a cordon counts from its commit on, as with a read of its own. A failed read gives the
connection back (the next takes a fresh one) and fails only the placements that waited for it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Callable

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from app.janus import fleet


class CountsNotRead(Exception):
    """The read failed: the database went, or its connection ended under the statement
    (which asyncpg may report as its own InternalClientError). Its text: the cause's name."""


@dataclass
class _Read:
    """One read to come: the servers its placements ask about, and its answer."""

    names: set[str] = field(default_factory=set)
    answer: asyncio.Future[dict[str, tuple[int, float]]] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class RoomCounts:
    def __init__(self, database: asyncpg.Pool, fleet_table: Callable[[], bool]):
        self._database = database
        # Whether the fleet's table holds each server's state and weight (`janus.fleet =
        # "database"`, once read); without it every server takes rooms at weight 1.
        self._fleet_table = fleet_table
        self._connection: PoolConnectionProxy | None = None
        self._coming: _Read | None = None
        self._reader: asyncio.Task[None] | None = None
        self.reads = 0  # how many reads were sent (tests: the shared ones count once)

    async def read(self, names: list[str]) -> dict[str, tuple[int, float]]:
        """{server: (live rooms, weight)} of the servers in `names` that take new rooms now,
        read after this call began; CountsNotRead when it failed."""
        coming = self._coming
        if coming is None:
            coming = self._coming = _Read()
        coming.names.update(names)
        if self._reader is None or self._reader.done():
            self._reader = asyncio.create_task(self._read_all(), name="janus-room-counts")
        found = await asyncio.shield(coming.answer)
        return {name: found[name] for name in names if name in found}

    async def _read_all(self) -> None:
        while self._coming is not None:
            while self._coming is not None:
                now, self._coming = self._coming, None
                try:
                    counted = await self._count(sorted(now.names))
                except Exception as error:
                    now.answer.set_exception(CountsNotRead(type(error).__name__))
                    now.answer.exception()  # retrieved: whoever waited has it; nobody may wait
                    await self._give_back()
                    continue
                except BaseException:
                    now.answer.cancel()
                    raise
                now.answer.set_result(counted)
            # Nobody waits: the connection goes back to the main pool, which must not lose one
            # for good to this (a process's every main connection may be needed at once). A
            # placement that comes meanwhile is read by this loop's next turn.
            await self._give_back()

    async def _count(self, names: list[str]) -> dict[str, tuple[int, float]]:
        if self._connection is None:
            self._connection = await self._database.acquire()
        self.reads += 1
        rows = await self._connection.fetch(
            f"""
            SELECT n.name, coalesce(s.weight, 1) AS weight,
                   (SELECT count(*) FROM interview i
                    WHERE i.janus_server = n.name AND i.{fleet.LIVE}) AS rooms
            FROM unnest($1::text[]) AS n (name)
            LEFT JOIN janus_server s ON s.name = n.name
            WHERE NOT $2 OR s.state = 'active'""",
            names,
            self._fleet_table(),
        )
        return {row["name"]: (int(row["rooms"]), float(row["weight"])) for row in rows}

    async def _give_back(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                await self._database.release(connection)
            except Exception:  # a broken connection: the pool makes a new one when it needs it
                connection.terminate()

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            await asyncio.gather(self._reader, return_exceptions=True)
        if self._coming is not None:
            self._coming.answer.cancel()
        await self._give_back()
