"""POST /api/join: trade a ticket for what the browser needs to join its room, with TURN
credentials of its own that last as long as the ticket's interview (app/turn.py). The
`ticket` and `dispatched` replies carry the same answer already (app/live/janus_access.py);
a page uses this for a ticket that came without it (a state's, `room_changed`'s) and to
join again with the ticket it holds."""

from __future__ import annotations

import json

from aiohttp import web

from app.keys import DB_POOL, SETTINGS
from app.live.janus_access import join_info, read_planned_end
from app.tickets import TicketError, read_ticket

routes = web.RouteTableDef()
MAX_TICKET_LENGTH = 4096


BAD_BODY = (ValueError, KeyError, TypeError, RecursionError)


async def body_with_ticket(request: web.Request) -> tuple[dict, str]:
    """The JSON body and its ticket; raises one of BAD_BODY when it is not such a body."""
    # Read as bytes: request.json() would trust the declared charset (an unknown one
    # raises LookupError), and JSON is UTF-8 anyway.
    body = json.loads(await request.read())
    ticket = body["ticket"]
    if not isinstance(ticket, str) or len(ticket) > MAX_TICKET_LENGTH:
        raise ValueError
    return body, ticket


@routes.post("/api/join", name="api_join")
async def join(request: web.Request) -> web.Response:
    try:
        _, ticket = await body_with_ticket(request)
    except BAD_BODY:
        return web.json_response({"error": "bad_request"}, status=400)
    settings = request.app[SETTINGS]
    try:
        info = read_ticket(settings, ticket)
    except TicketError:
        return web.json_response({"error": "invalid_ticket"}, status=403)
    until = await read_planned_end(settings, request.app[DB_POOL], info)
    return web.json_response(join_info(settings, info, until), headers={"Cache-Control": "no-store"})
