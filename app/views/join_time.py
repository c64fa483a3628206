"""POST /api/join/time: a page reports how long its *Join* took, from the press (or a rejoin)
to the other person's first video frame, for the `snabb_join_seconds` histogram (README,
"Metrics"). Only a valid ticket may report, and only for its own role; nothing is stored."""

from __future__ import annotations

from aiohttp import web

from app.keys import SETTINGS
from app.metrics import METRICS
from app.tickets import TicketError, read_ticket
from app.views.join import BAD_BODY, body_with_ticket

routes = web.RouteTableDef()
# Longer than any join could take while the page waits: anything beyond is not a join time.
MAX_SECONDS = 600.0
ROLES = {"candidate", "interviewer"}


@routes.post("/api/join/time", name="api_join_time")
async def join_time(request: web.Request) -> web.Response:
    try:
        body, ticket = await body_with_ticket(request)
        seconds = body["seconds"]
        if (
            isinstance(seconds, bool)
            or not isinstance(seconds, (int, float))
            # The range alone: it refuses NaN and infinity too, and an integer beyond a
            # float's range (math.isfinite raised OverflowError for it).
            or not 0 < seconds <= MAX_SECONDS
        ):
            raise ValueError
    except BAD_BODY:
        return web.json_response({"error": "bad_request"}, status=400)
    try:
        info = read_ticket(request.app[SETTINGS], ticket)
    except TicketError:
        return web.json_response({"error": "invalid_ticket"}, status=403)
    METRICS.join.labels(role=info.role if info.role in ROLES else "other").observe(seconds)
    return web.Response(status=204)
