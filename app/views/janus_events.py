"""POST /janus/events: Janus's HTTP event handler (sampleevh) reports here.

Janus authenticates with HTTP basic auth, the password being `janus.event_secret`. Events
arrive one by one or grouped in a JSON array. They are handed to the subscribers registered
on the application (the live-event code records media start and stop per interview).
"""

from __future__ import annotations

import base64
import hmac
import json
import logging
from typing import Awaitable, Callable

from aiohttp import web

from app.keys import SETTINGS

EVENT_USER = "janus"
MAX_BODY = 1024 * 1024
log = logging.getLogger(__name__)
routes = web.RouteTableDef()

EventSubscriber = Callable[[web.Application, list[dict]], Awaitable[None]]
EVENT_SUBSCRIBERS = web.AppKey("janus_event_subscribers", list)


def credentials_match(header: str | None, password: str) -> bool:
    if not header or not header.startswith("Basic "):
        return False
    try:
        user, _, given = base64.b64decode(header[6:], validate=True).decode().partition(":")
    except ValueError:  # binascii.Error, UnicodeDecodeError, or a non-ASCII header
        return False
    # compare_digest on both so the time taken says nothing about either.
    return hmac.compare_digest(user.encode(), EVENT_USER.encode()) & hmac.compare_digest(
        given.encode(), password.encode()
    )


def parse_events(body: bytes) -> list[dict]:
    data = json.loads(body)
    events = data if isinstance(data, list) else [data]
    if not all(isinstance(event, dict) and isinstance(event.get("type"), int) for event in events):
        raise ValueError("every event is an object with a numeric type")
    return events


@routes.post("/janus/events", name="janus_events")
async def janus_events(request: web.Request) -> web.Response:
    secret = request.app[SETTINGS].janus.event_secret.get_secret_value()
    if not credentials_match(request.headers.get("Authorization"), secret):
        raise web.HTTPUnauthorized(headers={"WWW-Authenticate": 'Basic realm="janus-events"'})
    if (request.content_length or 0) > MAX_BODY:
        raise web.HTTPRequestEntityTooLarge(max_size=MAX_BODY, actual_size=request.content_length or 0)
    try:
        events = parse_events(await request.read())
    except (ValueError, RecursionError) as error:  # UnicodeDecodeError is a ValueError
        raise web.HTTPBadRequest(text=f"malformed events: {type(error).__name__}") from None
    for subscriber in request.app[EVENT_SUBSCRIBERS]:
        await subscriber(request.app, events)
    log.debug("received %d Janus event(s)", len(events))
    return web.Response(status=204)
