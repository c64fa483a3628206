"""The retention worker: what is past its time is erased by the running service itself.

Every `candidates.retention_interval` seconds each application process tries one round:
candidates whose event ended `candidates.retention_days` ago are erased
(app/candidates/erasure.py: the same erasure a candidate can ask for), and the sign-up,
password-reset and colleague-invitation links whose time is over are deleted
(app/auth/links.py), and so are the client addresses of mail-form posts over an hour old
(app/mail_forms.py), the counts of wrong tries a day after the last one (30 days for one
that closed a secret) and the known devices no cookie can name any more (app/guessing.py).
A round runs under a PostgreSQL advisory lock taken with `pg_try_advisory_lock`: with many
processes one does the round and the others skip it until their next; the erasure takes
its candidates FOR NO KEY UPDATE SKIP LOCKED as well, so a registration being changed by a
request is simply left for the next round.
"""

from __future__ import annotations

import asyncio
import time
import logging
from collections.abc import AsyncIterator

import asyncpg
from aiohttp import web

from app.auth.links import delete_expired
from app.candidates.erasure import erase_expired
from app.guessing import forget_old_devices, forget_stale
from app.keys import DB_POOL, SETTINGS
from app.mail_forms import forget_old
from app.outages import Outage
from app.settings import Settings

log = logging.getLogger(__name__)

# The advisory lock's key: any fixed number no other part of the service uses.
ROUND_LOCK = 0x736E6162_72657431 & 0x7FFFFFFFFFFFFFFF
DATABASE_ERRORS = (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError)


async def retention_round(connection: asyncpg.Connection, settings: Settings) -> tuple[int, int] | None:
    """One round: (candidates erased, links deleted), or None when another process holds
    the round's lock."""
    try:
        locked = await connection.fetchval("SELECT pg_try_advisory_lock($1)", ROUND_LOCK)
    except BaseException:
        # Taken or not is unknown (a timeout or a cancel may come after the server took
        # it): the connection is closed, not given back to the pool holding it.
        connection.terminate()
        raise
    if not locked:
        return None
    try:
        erased = await erase_expired(connection, settings.candidates.retention_days)
        links = await delete_expired(connection)
        await forget_old(connection)
        # Wrong tries (their client addresses) a day after the last one, and devices no
        # cookie can name any more: also when nobody enters that secret right again.
        await forget_stale(connection)
        await forget_old_devices(connection, settings.limits.known_device_days)
    finally:
        try:
            await connection.execute("SELECT pg_advisory_unlock($1)", ROUND_LOCK)
        except BaseException:
            # The lock outlives a transaction, and the pool does not reset a session
            # (app/db.py): a connection that may still hold it is closed, not reused.
            connection.terminate()
            raise
    if links:
        log.info("deleted %d expired link(s)", links)
    return erased, links


async def _run(app: web.Application) -> None:
    settings = app[SETTINGS]
    outage = Outage(log, "retention", "trying again every round, nothing is lost")
    while True:
        began = time.monotonic()
        try:
            async with app[DB_POOL].acquire() as connection:
                await retention_round(connection, settings)
            outage.over()
        except DATABASE_ERRORS as error:
            outage.seen(error, began)
        except Exception:
            log.exception("retention: unexpected error")
        await asyncio.sleep(settings.candidates.retention_interval)


async def retention_worker(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: the loop runs for the application's life and is cancelled and awaited."""
    if not app[SETTINGS].candidates.retention_interval:
        yield  # turned off
        return
    task = asyncio.create_task(_run(app), name="retention")
    try:
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
