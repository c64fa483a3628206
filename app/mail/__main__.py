"""`python -m app.mail`: the outbox worker as a process of its own, until SIGTERM or SIGINT.

For a deployment whose web processes only write mails (mail.worker_in_app = false,
DEPLOYMENT.md): sending (building each message, the SMTP exchange, marking it sent) then
takes none of their CPU. The process beats like an application process (app/live/
connections.py), so when it dies its mail claims are released within seconds, as theirs
are; any number of these and of in-app workers may share one database.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from collections.abc import AsyncIterator

from aiohttp import web

from app.db import close_pool, open_pool
from app.keys import DB_POOL, SETTINGS
from app.live.connections import live_connections
from app.mail.worker import mail_worker
from app.settings import Settings, load_settings_or_exit

log = logging.getLogger("app.mail")
# The worker holds one connection at a time, the heartbeat another now and then.
POOL_SIZE = 3


async def worker_pool(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: the process's own small pool. No session reset between uses: the worker
    and the heartbeat take no session-level locks, cursors or settings (app/db.py)."""
    database = app[SETTINGS].database
    app[DB_POOL] = await open_pool(
        database.url.get_secret_value(),
        min_size=1,
        max_size=POOL_SIZE,
        command_timeout=database.command_timeout,
    )
    try:
        yield
    finally:
        await close_pool(app[DB_POOL], database.command_timeout)


def worker_app(settings: Settings) -> web.Application:
    """No routes: the cleanup contexts are the process (pool, heartbeat, worker)."""
    app = web.Application()
    app[SETTINGS] = settings
    app.cleanup_ctx.extend([worker_pool, live_connections, mail_worker])
    return app


async def run(settings: Settings) -> None:
    runner = web.AppRunner(worker_app(settings), handle_signals=False)
    await runner.setup()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    log.info("mail worker %d sending", os.getpid())
    try:
        await stop.wait()
    finally:
        await runner.cleanup()  # lets a mail being sent finish (MailWorker.stop)
    log.info("mail worker %d stopped", os.getpid())


def main() -> int:
    settings = load_settings_or_exit(dict(os.environ))
    from app.logs import configure_logging

    configure_logging(settings)
    asyncio.run(run(settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
