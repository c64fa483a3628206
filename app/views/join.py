"""POST /api/join: trade a ticket for what the browser needs to join its room, with TURN
credentials of its own that last as long as the ticket's interview (app/turn.py)."""

from __future__ import annotations

import json

from aiohttp import web

from app.keys import DB_POOL, SETTINGS
from app.live.interviews import planned_end
from app.tickets import TicketError, read_ticket, ticket_interview, with_turn

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
    try:
        info = read_ticket(request.app[SETTINGS], ticket)
    except TicketError:
        return web.json_response({"error": "invalid_ticket"}, status=403)
    interview_id = ticket_interview(info)
    if interview_id is not None and request.app[SETTINGS].turn.urls:
        async with request.app[DB_POOL].acquire() as connection:
            until = await planned_end(connection, interview_id)
        info = with_turn(request.app[SETTINGS], info, None if until is None else float(until))
    return web.json_response(info.for_browser(), headers={"Cache-Control": "no-store"})
