"""Work started and not awaited (a connection given back, a room closed, a push to the
sockets), held until it is done.

The event loop keeps only weak references to tasks, so a task that nobody else holds may
be collected before it finishes (asyncio's documentation of `create_task`). Each user keeps
its own set, so that it can wait for or cancel what it started when it stops.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Iterator
from typing import Any


class Background:
    """`start` runs an awaitable as a task kept here until it is done. With `log`, a task
    that fails is logged there (its exception's type only: what it carried may hold
    secrets, such as a database URL); without, the starter handles its own failures."""

    def __init__(self, name: str, log: logging.Logger | None = None) -> None:
        self.name = name
        self._log = log
        self._tasks: set[asyncio.Future[Any]] = set()

    def start(self, work: Awaitable[Any]) -> asyncio.Future[Any]:
        task = asyncio.ensure_future(work)
        if isinstance(task, asyncio.Task):
            task.set_name(self.name)
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Future[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        failure = task.exception()  # retrieved either way: no "never retrieved" warning
        if failure is not None and self._log is not None:
            self._log.warning("%s failed: %s", self.name, type(failure).__name__)

    def __iter__(self) -> Iterator[asyncio.Future[Any]]:
        return iter(list(self._tasks))  # a copy: tasks leave the set as they finish

    def __len__(self) -> int:
        return len(self._tasks)

    async def wait(self) -> None:
        """Until everything started here is done (failures are not raised)."""
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def cancel(self) -> None:
        for task in self:
            task.cancel()
