"""Work a form's answer does not wait for, because what it does tells something: "Send my
link again", "Forgot your password?" and a registration of an address registered already
(or sent to a full or closed event) look an address up and, only when it is registered (or
has an account), mail it. Done before the answer, that took longer for a registered
address: a stranger timing the answers could tell who had registered, though the page said
the same either way. Started here, the answer goes out at once for every address, and the
lookup and the mail follow.

Bounded: AT_ONCE pieces of work run at a time, each on a connection of the pool, so a flood
of posts never takes the connections the pages need; beyond MAX_WAITING waiting, new work
is dropped and logged. The database away is logged once (app/outages.py), anything else with
its traceback. What was started is finished at shutdown (a mail queued, not cut off),
before the database pool closes: `after_answers` is a cleanup_ctx entry placed after the
pool's.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

import asyncpg
from aiohttp import web

from app.background import Background
from app.keys import DB_POOL
from app.outages import Outage, from_the_database

log = logging.getLogger(__name__)

AT_ONCE = 4
MAX_WAITING = 1000
# How long a piece of work waits for a connection of the pool before it gives up.
ACQUIRE_SECONDS = 30.0
# At shutdown, how long the work under way may take before it is cancelled.
FINISH_SECONDS = 5.0

Work = Callable[[asyncpg.Connection], Awaitable[object]]


class AfterAnswer:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self.tasks = Background("after the answer")  # failures are handled in _run
        self.turns = asyncio.Semaphore(AT_ONCE)
        self.outage = Outage(log, "work after an answer", "its mail is not sent; the form may be sent again")

    def start(self, work: Work) -> None:
        if len(self.tasks) >= MAX_WAITING:
            log.warning("work after an answer dropped: %d already waiting", len(self.tasks))
            return
        self.tasks.start(self._run(work))

    async def _run(self, work: Work) -> None:
        async with self.turns:
            try:
                async with self.pool.acquire(timeout=ACQUIRE_SECONDS) as connection:
                    await work(connection)
                self.outage.over()
            except Exception as error:
                if from_the_database(error):
                    self.outage.seen(error)
                else:
                    log.exception("work after an answer failed")

    async def finish(self) -> None:
        under_way = list(self.tasks)
        if under_way:
            _, late = await asyncio.wait(under_way, timeout=FINISH_SECONDS)
            for task in late:
                task.cancel()


AFTER_ANSWER = web.AppKey("after_answer", AfterAnswer)


def after_answer(request: web.Request, work: Work) -> None:
    """Run `work` with a connection of the pool once the handler has answered."""
    request.app[AFTER_ANSWER].start(work)


async def after_answers(app: web.Application) -> AsyncIterator[None]:
    app[AFTER_ANSWER] = started = AfterAnswer(app[DB_POOL])
    yield
    await started.finish()


async def database_answers(request: web.Request) -> None:
    """For a form whose answer reads nothing of its own: the database is asked the same
    question for any address before the answer, so that while it is away the page says so
    (the error middleware's 503) rather than that a mail is on its way. (The other forms'
    answers read their event, which does the same.)"""
    async with request.app[DB_POOL].acquire() as connection:
        await connection.execute("SELECT 1")
