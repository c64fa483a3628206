"""GET /i/{token}/roster: the registered candidates of the interviewer's event, a page at a
time, searched by name (app/live/roster.py), for the lobby's list and its *Pick* buttons
(web/static/js/live/interviewer-roster.js). Signed in as for the lobby's socket: the code
session cookie of this link, or the link's logged-in account.

Query: `q` (a part of the name, at most 200 characters; empty: everyone) and `page` (from 1).
A bad value is refused with 400 and {"error": "invalid_fields"}, which the page words.
"""

from __future__ import annotations

import time

from aiohttp import web

from app.headers import PRIVATE_NO_STORE

from app.events import queries as event_queries
from app.events.tokens import looks_like_link_token
from app.i18n import prefer_language
from app.keys import DB_POOL, LANGUAGE, LIVE_HUB, SETTINGS
from app.live.access import is_signed_in
from app.live.roster import MAX_QUERY, roster_page

routes = web.RouteTableDef()
MAX_PAGE = 100_000


def page_number(text: str) -> int | None:
    if not (text.isascii() and text.isdigit() and len(text) <= 6):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_PAGE else None


@routes.get("/i/{token}/roster", name="interviewer_roster")
async def roster(request: web.Request) -> web.Response:
    token = request.match_info["token"]
    if not looks_like_link_token(token):
        raise web.HTTPNotFound()
    pool = request.app[DB_POOL]
    async with pool.acquire() as connection:
        event = await event_queries.by_interviewer_token(connection, token)
    if event is None or event["deleted_at"] is not None:
        raise web.HTTPNotFound()
    if not is_signed_in(request, event["interviewer_id"], event["interviewer_user_id"]):
        raise web.HTTPForbidden()
    # Names in the order of the meeting web's language (app/views/interviewer_link.py load).
    prefer_language(request, event["interviewer_account_language"])
    query = request.query.get("q", "")
    page = page_number(request.query.get("page", "1"))
    if page is None or len(query) > MAX_QUERY or "\x00" in query:
        return web.json_response({"error": "invalid_fields"}, status=400, headers=PRIVATE_NO_STORE)
    reads = request.app[LIVE_HUB].roster_reads.of(event["interviewer_id"], time.monotonic())
    if not reads.take(time.monotonic()):
        return web.json_response(
            {"error": "too_fast"}, status=429, headers={**PRIVATE_NO_STORE, "Retry-After": "1"}
        )
    async with pool.acquire() as connection:
        found = await roster_page(
            connection, event["id"], query, page, request.app[SETTINGS].live.grace_seconds, request[LANGUAGE]
        )
    return web.json_response(found.as_json(), headers=PRIVATE_NO_STORE)
