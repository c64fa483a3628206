"""`python -m app [--host H] [--port P]`: load settings, take the open files' hard limit
(app/open_files.py), run create_app. Nothing else."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from app.settings import load_settings_or_exit

# Connections the kernel holds for the process before it accepts them. When a process
# restarts, every page it held reconnects within a second or two: with aiohttp's 128 the
# rest are dropped, and each browser's TCP retries them after 1, 3, 7, 15 ... s, which was
# most of the time a storm of thousands took to be back (BENCHMARKS.md, "Fan-out"). The
# kernel caps it at net.core.somaxconn (DEPLOYMENT.md).
LISTEN_BACKLOG = 4096


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app", description="Snabbintervjuer control plane")
    parser.add_argument("--host", help="address to listen on (overrides app.host)")
    parser.add_argument("--port", type=int, help="port to listen on (overrides app.port)")
    args = parser.parse_args(argv)
    environ = dict(os.environ)
    if args.host:
        environ["SNABB_APP_HOST"] = args.host
    if args.port is not None:
        environ["SNABB_APP_PORT"] = str(args.port)
    settings = load_settings_or_exit(environ)

    from aiohttp import web

    from app.logs import configure_logging

    configure_logging(settings)
    from app.application import SERVER_OPTIONS, create_app
    from app.build_info import build_info
    from app.open_files import live_sockets_allowed, take_the_hard_limit

    logging.getLogger("app").info(
        "open files: at most %s; live sockets: at most %s", take_the_hard_limit(), live_sockets_allowed()
    )

    log = logging.getLogger("app")
    # What runs, first thing an operator asks after an upgrade (app/build_info.py).
    log.info("Snabbintervjuer %s", build_info())
    address = f"{settings.app.host}:{settings.app.port}"
    # SIGTERM drains: see app/live/drain.py; the rest is cancelled after shutdown_timeout.
    try:
        web.run_app(
            create_app(settings),
            host=settings.app.host,
            port=settings.app.port,
            # (called once the socket listens: one line, in the logs' format)
            print=lambda _: log.info("listening on %s", address),
            handle_signals=True,
            shutdown_timeout=settings.app.shutdown_timeout,
            backlog=LISTEN_BACKLOG,
            **SERVER_OPTIONS,
        )
    except Exception as error:
        if not _database_unreachable(error):
            raise
        # A wrong address or role is the operator's to mend: the setting named, no traceback.
        log.error(
            "not started: the database named by database.url (DATABASE_URL) cannot be used: %s: %s",
            type(error).__name__,
            error,
        )
        return 1
    log.info("stopped (was listening on %s)", address)
    return 0


def _database_unreachable(error: BaseException) -> bool:
    import asyncpg

    from app.outages import from_the_database

    return isinstance(error, (asyncpg.PostgresError, asyncpg.InterfaceError)) or from_the_database(error)


if __name__ == "__main__":
    sys.exit(main())
