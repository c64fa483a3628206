"""POST /api/join: trade a ticket for what the browser needs to join its room."""
from __future__ import annotations

import dataclasses
import json

from aiohttp import web

from app.keys import SETTINGS
from app.tickets import TicketError, read_ticket

routes = web.RouteTableDef()
MAX_TICKET_LENGTH = 4096


@routes.post("/api/join", name="api_join")
async def join(request: web.Request) -> web.Response:
    try:
        # Read as bytes: request.json() would trust the declared charset (an unknown one
        # raises LookupError), and JSON is UTF-8 anyway.
        body = json.loads(await request.read())
        ticket = body["ticket"]
        if not isinstance(ticket, str) or len(ticket) > MAX_TICKET_LENGTH:
            raise ValueError
    except (ValueError, KeyError, TypeError, RecursionError):
        return web.json_response({"error": "bad_request"}, status=400)
    try:
        info = read_ticket(request.app[SETTINGS], ticket)
    except TicketError:
        return web.json_response({"error": "invalid_ticket"}, status=403)
    return web.json_response(dataclasses.asdict(info), headers={"Cache-Control": "no-store"})
