"""Graceful shutdown of a replica (DEPLOYMENT.md, "Upgrades"): SIGTERM drains it.

aiohttp's runner (run_app with handle_signals) on SIGTERM first closes the listening socket,
so the proxy sends every new connection to another replica, then runs `on_shutdown`, then
waits at most `app.shutdown_timeout` seconds for the requests in flight, then cancels what
is left and runs the cleanup contexts. An event-day WebSocket never finishes by itself, so
`on_shutdown` closes each with 1001 "going away": the page's channel reconnects at once,
through the proxy, to a replica that runs (web/static/js/live/channel.js), and gets the
whole state there (app/live/PROTOCOL.md). Each socket's own handler then records it closed,
as for any other close; the person is connected again elsewhere within about a second.
"""

from __future__ import annotations

import asyncio
import logging
import weakref

from aiohttp import WSCloseCode, web

log = logging.getLogger(__name__)
LIVE_SOCKETS = web.AppKey("live_sockets", weakref.WeakSet)
DRAINING = web.AppKey("draining", asyncio.Event)
GOING_AWAY = b"going away"


def setup_drain(app: web.Application) -> None:
    app[LIVE_SOCKETS] = weakref.WeakSet()
    app[DRAINING] = asyncio.Event()
    app.on_shutdown.append(close_live_sockets)


def track(app: web.Application, ws: web.WebSocketResponse) -> bool:
    """Count a live socket in; False when the replica is shutting down (refuse it)."""
    if draining(app):
        return False
    app[LIVE_SOCKETS].add(ws)
    return True


def draining(app: web.Application) -> bool:
    return DRAINING in app and app[DRAINING].is_set()


async def close_live_sockets(app: web.Application) -> None:
    app[DRAINING].set()
    sockets = [ws for ws in app[LIVE_SOCKETS] if not ws.closed]
    if sockets:
        log.info("shutting down: %d live socket(s) told to reconnect elsewhere", len(sockets))
    await asyncio.gather(
        *(ws.close(code=WSCloseCode.GOING_AWAY, message=GOING_AWAY) for ws in sockets), return_exceptions=True
    )
