"""/events/{id}/live: the organizer's live view of the event day (interviews under way,
queue length, interviews done, no-shows, each interviewer's status, who is waiting and the
messages sent to the queue), for the users of the
organization that owns the event; anyone else gets 404. The page draws itself from the
state its socket /events/{id}/live/ws sends on connect and after every change
(app/live/organizer.py), with the same channel loop as the event-day pages."""

from __future__ import annotations

from typing import Any

from aiohttp import WSCloseCode, web

from app.auth import current_user, require_user
from app.auth.csrf import SESSION_TOKEN
from app.auth.sessions import session_tag
from app.events import queries
from app.keys import DB_POOL
from app.live.channel import Socket, is_upgrade, let_in, serve
from app.live.event_view import EventView
from app.live.feeds import event_view_of
from app.live.organizer import ends_session, organizer_state
from app.views.events import event_id_of
from app.views.pages import render

routes = web.RouteTableDef()
ORGANIZER_TYPES = frozenset({"ping"})


async def owned_event(request: web.Request):
    """The event, if the logged-in user's organization owns it (else 404)."""
    user = require_user(request)
    async with request.app[DB_POOL].acquire() as connection:
        event = await queries.get_for_user(connection, event_id_of(request), user.id, user.organization_id)
    if event is None or not event["editable"]:
        raise web.HTTPNotFound()
    return event


@routes.get("/events/{event_id}/live", name="organizer_live")
async def live_view(request: web.Request) -> web.Response:
    event = await owned_event(request)
    response = render(request, "events/live.html", {"event": event})
    response.headers["Cache-Control"] = "private, no-store"
    return response


@routes.get("/events/{event_id}/live/ws", name="organizer_live_socket")
async def live_socket(request: web.Request) -> web.StreamResponse:
    if not is_upgrade(request):
        # Would a socket be let in? (app/views/live_sockets.py): 204, 401 logged out, 404.
        if current_user(request) is None:
            raise web.HTTPUnauthorized()
        await owned_event(request)
        return let_in(request)
    event = await owned_event(request)
    event_id = event["id"]
    user = require_user(request)
    session = session_tag(request.get(SESSION_TOKEN))
    view = event_view_of(request.app, event_id)

    async def cut(read: EventView) -> dict[str, Any]:
        return organizer_state(read)

    async def snapshot() -> dict[str, Any]:
        return organizer_state(await view())

    async def nothing() -> None:
        return None

    def socket_of(ws: web.WebSocketResponse) -> Socket:
        async def notice(named: dict[str, Any]) -> None:
            # The account was disabled, or this socket's session ended (a log-out here, a new
            # password set elsewhere): no more of the event for it.
            if ends_session(named, session):
                await ws.close(code=WSCloseCode.POLICY_VIOLATION)

        return Socket(ws, event_id, snapshot, cut=cut, who=("user", user.id), notice=notice)

    # No actions: only pings, which the channel answers itself. Its state is cut from the
    # round's view of the event, as the other sides' are (app/live/organizer.py).
    return await serve(
        request,
        socket_of,
        ORGANIZER_TYPES,
        {},
        None,
        nothing,
        nothing,
    )
