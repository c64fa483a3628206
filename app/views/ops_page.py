"""The operations page (README, "Operations page"): for operators only. Anyone else who is
logged in gets the same 404 as for a page that does not exist."""
from __future__ import annotations

from aiohttp import web

from app import ops
from app.auth import require_user
from app.keys import DB_POOL, JANUS, SETTINGS
from app.views.pages import render

routes = web.RouteTableDef()


@routes.get("/ops")
async def ops_page(request: web.Request) -> web.Response:
    if not require_user(request).operator:
        raise web.HTTPNotFound()
    states = request.app[JANUS].health()
    async with request.app[DB_POOL].acquire() as connection:
        events = await ops.live_events(connection)
        outbox = await ops.outbox(connection)
        servers = await ops.janus_servers(connection, request.app[SETTINGS], states)
    response = render(request, "ops.html", {"events": events, "outbox": outbox,
                                            "servers": servers})
    response.headers["Cache-Control"] = "no-store"
    return response
