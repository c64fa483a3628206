"""The operations page (README, "Operations page"): for operators only. Anyone else who is
logged in gets the same 404 as for a page that does not exist.

Operators also cordon, uncordon and drain Janus servers here and set their weights
(DEPLOYMENT.md, "The Janus fleet"); adding and removing a server, which needs its URLs,
stays with scripts/janus."""

from __future__ import annotations

from urllib.parse import urlencode

from aiohttp import web
from multidict import MultiDictProxy

from app import ops
from app.auth import require_user
from app.build_info import build_info
from app.janus import fleet
from app.keys import DB_POOL, JANUS, SETTINGS, URGENT_POOL
from app.ops_database import database_figures
from app.views.pages import render

routes = web.RouteTableDef()
# What the page says after an action (?fleet=…): one of a fixed few, never the query's text.
FLEET_NOTICES = ("cordon", "uncordon", "drain", "unknown", "invalid", "weight", "bad_weight")


def _operator(request: web.Request) -> None:
    if not require_user(request).operator:
        raise web.HTTPNotFound()


@routes.get("/ops")
async def ops_page(request: web.Request) -> web.Response:
    _operator(request)
    problems = request.app[JANUS].problems()
    async with request.app[DB_POOL].acquire() as connection:
        database = await database_figures(connection, request.app[DB_POOL], request.app[URGENT_POOL])
        events = await ops.live_events(connection)
        outbox = await ops.outbox(connection)
        servers = await ops.janus_servers(connection, request.app[SETTINGS], problems)
    notice = request.query.get("fleet")
    named = request.query.get("server")
    response = render(
        request,
        "ops.html",
        {
            "events": events,
            "outbox": outbox,
            "database": database,
            "servers": servers,
            "fleet_notice": notice if notice in FLEET_NOTICES else None,
            # Named back only when it is one of the fleet's: the page repeats no query text.
            "notice_server": next((s for s in servers if s.name == named), None),
            "weights": (fleet.MIN_WEIGHT, fleet.MAX_WEIGHT),
            "build": build_info(),
        },
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@routes.post("/ops/janus")
async def change_janus_server(request: web.Request) -> web.Response:
    """cordon, uncordon or drain one server; the page says what happened."""
    _operator(request)
    form = await request.post()
    name, action = _server_name(form), str(form.get("action", ""))
    if action not in fleet.ACTIONS:
        raise _back("invalid")
    try:
        async with request.app[DB_POOL].acquire() as connection:
            await fleet.set_state(connection, name, action)
    except fleet.FleetError:
        raise _back("unknown") from None
    raise _back(action, name)


def _server_name(form: MultiDictProxy[str | bytes | bytearray | web.FileField]) -> str:
    """The server the form names; a name no server can have (empty, a control character,
    which PostgreSQL would refuse outright) goes back as an invalid request."""
    name = str(form.get("server", ""))
    if not name or not name.isprintable():
        raise _back("invalid")
    return name


def _back(notice: str, server: str | None = None) -> web.HTTPSeeOther:
    query = {"fleet": notice} | ({"server": server} if server else {})
    return web.HTTPSeeOther("/ops?" + urlencode(query) + "#ops-servers")


@routes.post("/ops/janus/weight")
async def change_janus_weight(request: web.Request) -> web.Response:
    """A server's weight, as scripts/janus weight sets it; a bad number changes nothing
    and the page says what a weight may be."""
    _operator(request)
    form = await request.post()
    name = _server_name(form)
    try:
        weight = fleet.parse_weight(str(form.get("weight", "")))
    except fleet.FleetError:
        raise _back("bad_weight", name) from None
    try:
        async with request.app[DB_POOL].acquire() as connection:
            await fleet.set_weight(connection, name, weight)
    except fleet.FleetError:
        raise _back("unknown") from None
    raise _back("weight", name)
