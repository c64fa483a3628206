"""Calls that wait while one is under way go together in the next: one statement for many.

    claim = Batched(claim_many)      # claim_many(list of requests) -> one result per request
    mail = await claim(request)      # from any number of tasks at once

The first call starts a task that runs `claim_many` on every call waiting, then again on
those that arrived meanwhile, until none waits. Alone, a call costs what it did; under load
the worker's lanes claim their mails and record them sent in one statement and one commit
for all that are ready at that moment, rather than one each (BENCHMARKS.md, "Registration").
Nothing waits for a batch to fill: a batch is whatever came while the last one ran.

The task is not any caller's: a caller cancelled meanwhile (a shutdown cutting a lane) does
not cut a statement that carries the others' calls. An error of a batch goes to each of its
callers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Batched(Generic[T, R]):
    def __init__(self, run: Callable[[list[T]], Awaitable[list[R]]]):
        self._run = run
        self._waiting: list[tuple[T, asyncio.Future[R]]] = []
        self._task: asyncio.Task[None] | None = None

    async def __call__(self, item: T) -> R:
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                results = await self._run([item for item, _ in batch])
            except asyncio.CancelledError:
                for _, future in batch + self._waiting:
                    future.cancel()
                self._waiting = []
                raise
            except Exception as error:
                for _, future in batch:
                    if not future.done():
                        future.set_exception(error)
                continue
            for (_, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)

    async def close(self) -> None:
        """Wait for a batch under way (its statement is not cut)."""
        if self._task is not None:
            await asyncio.shield(self._task)
