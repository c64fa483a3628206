"""What the PIN page (/c/<token>) and the meeting code page (/i/<token>) share: who is trying
(address and device cookie), checking an entry, and telling a refused client how long to
wait, in its language and Swedish time (README "Limits on guessing")."""

from __future__ import annotations

import datetime as dt

from aiohttp import web

from app import guessing, known_devices
from app.auth.client import client_address
from app.keys import DB_POOL, SETTINGS
from app.link_codes import GuardedCode, check_code, refusal
from app.views.waits import lock_context, retry_after


def client_of(request: web.Request) -> guessing.Client:
    return guessing.Client(client_address(request), known_devices.nonce_of(request))


def refused_context(request: web.Request, until: dt.datetime | None, closed: bool) -> dict:
    """Template context for a refused client: `locked_closed`, or the wait."""
    if closed:
        return {"locked_closed": True}
    return lock_context(request, until) if until is not None else {}


def mark_refused(response: web.Response, until: dt.datetime | None, closed: bool) -> None:
    """A refused entry answers 429; Retry-After when there is a time to give."""
    if until is None and not closed:
        return
    response.set_status(429)
    if until is not None:
        response.headers["Retry-After"] = retry_after(until)


async def current_refusal(request: web.Request, kind: GuardedCode, row_id: int) -> dict:
    """For the page's GET: when this browser may not try now, what to say instead."""
    async with request.app[DB_POOL].acquire() as connection:
        verdict = await refusal(connection, kind, row_id, client_of(request), request.app[SETTINGS].limits)
    return {} if verdict.allowed else refused_context(request, verdict.wait_until, verdict.closed)


async def check_entry(
    request: web.Request, kind: GuardedCode, row_id: int, event_id: int, given: str
) -> guessing.Outcome:
    async with request.app[DB_POOL].acquire() as connection:
        return await check_code(
            connection, kind, row_id, event_id, given, client_of(request), request.app[SETTINGS].limits
        )


def remember_device(request: web.Request, response: web.StreamResponse, outcome: guessing.Outcome) -> None:
    if outcome.ok and outcome.device:
        known_devices.remember(request, response, outcome.device)
