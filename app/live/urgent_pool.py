"""The connections of the actions that move an interview (app/live/actions.py): a few kept
apart (`database.urgent_pool_size`, app/db.py), and when all of those are busy (a hundred
interviewers pressing *Next* at once) the main pool's idle ones.

Whoever has to wait is served in the order they came, by whichever of the two frees a
connection first. Waiting in the urgent pool's own queue instead let a *Next* that arrived
while both were busy wait for an urgent connection for seconds, while every later action
that happened to find a main connection idle went ahead of it. One line per process
(`line_of`): a line per socket is no line at all, as a hundred interviewers' *Next* would
each wait in a line of their own and race for whatever is freed.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import asyncpg

# How often the line is looked at besides each release here: the main pool's connections are
# also freed by what does not pass through here (pages, the heartbeat).
RECHECK_SECONDS = 0.02


class UrgentFirst:
    """Used as a pool: `async with urgent.acquire() as connection`."""

    def __init__(self, urgent: asyncpg.Pool, main: asyncpg.Pool):
        self.urgent, self.main = urgent, main
        self._line: deque[asyncio.Future[None]] = deque()
        self._watcher: asyncio.TimerHandle | None = None
        # Turns given and not yet taken (the waiter resumes a moment after its turn): the
        # connection freed for one still shows idle meanwhile, and a newcomer who found it
        # so would go ahead of the one whose turn it is.
        self._handed = 0

    def _free(self) -> asyncpg.Pool | None:
        """The pool that has a connection for the next in line now, if any."""
        urgent = self.urgent
        if urgent.get_idle_size() or urgent.get_size() < urgent.get_max_size():
            return urgent
        if self.main.get_idle_size():
            return self.main
        return None

    def _serve_next(self) -> None:
        while self._line:
            pool = self._free()
            if pool is None:
                return
            turn = self._line.popleft()
            if not turn.done():
                turn.set_result(pool)
                self._handed += 1
                return

    async def _wait_turn(self, first: bool) -> asyncpg.Pool:
        turn = asyncio.get_running_loop().create_future()
        if first:
            self._line.appendleft(turn)
        else:
            self._line.append(turn)
        self._watch()
        try:
            return await turn
        except BaseException:
            if turn.done() and not turn.cancelled():
                self._handed -= 1
                self._serve_next()  # the turn it was given goes to the next in line
            elif turn in self._line:
                self._line.remove(turn)
            raise

    def _watch(self) -> None:
        """One timer for the whole line, while there is one."""
        if self._watcher is None and self._line:
            self._watcher = asyncio.get_running_loop().call_later(RECHECK_SECONDS, self._recheck)

    def _recheck(self) -> None:
        self._watcher = None
        self._serve_next()
        self._watch()

    async def take(self, first: bool = False) -> Held:
        """A connection, held until `give_back`. `first`: ahead of everyone in line (the
        batched presses of *Next*, app/live/presses.py: one connection at a time, on which
        a hundred presses wait)."""
        pool = None if (self._line or self._handed) and not first else self._free()
        if pool is None:
            pool = await self._wait_turn(first)
            try:
                # The connection handed over may be taken by another user of the main pool
                # first (a page); then this waits in that pool's own queue, which is first
                # come, first served too.
                return Held(pool, await pool.acquire())
            finally:
                self._handed -= 1
        return Held(pool, await pool.acquire())

    async def give_back(self, held: Held) -> None:
        try:
            await held.pool.release(held.connection)
        finally:
            self._serve_next()

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[asyncpg.Connection]:
        held = await self.take()
        try:
            yield held.connection
        finally:
            await self.give_back(held)


@dataclass(frozen=True)
class Held:
    pool: asyncpg.Pool  # the pool it goes back to
    connection: asyncpg.Connection


# The process's lines, by the urgent pool's identity (an asyncpg pool takes no attributes
# nor weak references); a line whose pools were closed (an application stopped) is dropped.
_LINES: dict[int, UrgentFirst] = {}


def line_of(urgent: asyncpg.Pool, main: asyncpg.Pool) -> UrgentFirst:
    """The one line of the process over these two pools, for every socket's actions."""
    line = _LINES.get(id(urgent))
    if line is None or line.urgent is not urgent or line.main is not main:
        for key, old in list(_LINES.items()):
            if old.urgent.is_closing():
                del _LINES[key]
        line = _LINES[id(urgent)] = UrgentFirst(urgent, main)
    return line
