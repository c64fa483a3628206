"""Work a form's answer does not wait for, because what it does tells something: "Send my
link again" and "Forgot your password?" look an address up and, only when it is registered
(or has an account), mail it. Done before the answer, that took longer for a registered
address: a stranger timing the answers could tell who had registered, though the page said
the same either way. Started here, the answer goes out at once for every address, and the
lookup and the mail follow on a connection of their own.

What was started is finished at shutdown (a mail queued, not cut off), before the database
pool closes: `after_answers` is a cleanup_ctx entry placed after the pool's.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

import asyncpg
from aiohttp import web

from app.background import Background
from app.keys import DB_POOL

log = logging.getLogger(__name__)

AFTER_ANSWER = web.AppKey("after_answer", Background)
# At shutdown, how long the work under way may take before it is cancelled.
FINISH_SECONDS = 5.0


def after_answer(request: web.Request, work: Callable[[asyncpg.Connection], Awaitable[object]]) -> None:
    """Run `work` with a connection of the pool once the handler has answered (a failure is
    logged by its type)."""
    pool = request.app[DB_POOL]

    async def run() -> None:
        async with pool.acquire() as connection:
            await work(connection)

    request.app[AFTER_ANSWER].start(run())


async def after_answers(app: web.Application) -> AsyncIterator[None]:
    app[AFTER_ANSWER] = started = Background("after the answer", log)
    yield
    under_way = list(started)
    if under_way:
        _, late = await asyncio.wait(under_way, timeout=FINISH_SECONDS)
        for task in late:
            task.cancel()
