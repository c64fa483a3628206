"""The two realtime endpoints (protocol: app/live/PROTOCOL.md).

/c/{token}/ws  a candidate, by the PIN session cookie
/i/{token}/ws  an interviewer, by the code session cookie or the link's logged-in account

Under the personal link's own path on purpose: the session cookies are scoped to that path,
so the browser sends them to these sockets and to nothing else.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from app.candidates import queries as candidate_queries
from app.events import queries as event_queries
from app.events.tokens import looks_like_link_token
from app.keys import DB_POOL, JANUS, LIVE_HUB, SETTINGS
from app.link_sessions import CANDIDATE_SESSION
from app.live import (connections, dispatch, interviews, janus_access, outcome, presence,
                      queue)
from app.live.access import is_signed_in
from app.live.channel import Socket, serve
from app.live.connections import LIVE_PROCESS
from app.live.errors import LiveError
from app.live.event_view import EventView, read_event_view
from app.live.protocol import CANDIDATE_TYPES, INTERVIEWER_TYPES
from app.live.snapshots import RoomWatch, candidate_state, interviewer_state

routes = web.RouteTableDef()


def event_view_of(app: web.Application, event_id: int) -> Callable[[], Awaitable[EventView]]:
    """The event's current view, shared by every socket of the event in this process."""
    pool, settings, views = app[DB_POOL], app[SETTINGS], app[LIVE_HUB].views

    async def read() -> EventView:
        async with pool.acquire() as connection:
            return await read_event_view(connection, event_id, settings)

    return lambda: views.get(event_id, read)


async def closing_rooms_after(app: web.Application, act_on) -> dict[str, Any] | None:
    """Run a message's action, then destroy the rooms it ended: after its database
    connection is back in the pool, since a Janus call may take seconds."""
    to_close: list[tuple] = []
    try:
        return await act_on(to_close)
    finally:
        for server, room_id, secret in to_close:
            await dispatch.close_room(app[JANUS], server, room_id, secret)


def presence_hooks(app: web.Application, **person: int):
    """What a socket does when it opens and closes: list itself and record its person as
    back; unlist itself and, if it was the person's last (connections.gone), as gone, which
    starts a candidate's grace period (rule 5)."""
    pool, socket_ids = app[DB_POOL], []

    async def opened() -> None:
        async with pool.acquire() as connection:
            socket_ids.append(await connections.arrived(connection, app[LIVE_PROCESS], **person))

    async def closed() -> None:
        if socket_ids:
            async with pool.acquire() as connection:
                await connections.close_connection(connection, socket_ids[0])

    return opened, closed


def _token(request: web.Request) -> str:
    token = request.match_info["token"]
    if not looks_like_link_token(token):
        raise web.HTTPNotFound()
    return token


@routes.get("/c/{token}/ws", name="candidate_socket")
async def candidate_socket(request: web.Request) -> web.StreamResponse:
    app = request.app
    pool, settings = app[DB_POOL], app[SETTINGS]
    async with pool.acquire() as connection:
        candidate = await candidate_queries.by_access_token(connection, _token(request))
    if candidate is None or candidate["erased_at"] is not None:
        raise web.HTTPNotFound()
    if candidate["cancelled_at"] is not None or not CANDIDATE_SESSION.holds(request, candidate["id"]):
        raise web.HTTPForbidden()
    candidate_id, event_id = candidate["id"], candidate["event_id"]
    view = event_view_of(app, event_id)
    offered: set[int] = set()

    async def snapshot() -> dict[str, Any]:
        return await candidate_state(await view(), candidate_id, settings)

    rooms = RoomWatch()

    async def derive(state: dict[str, Any]) -> list[dict[str, Any]]:
        if rooms.moved(state["interview"]):
            interview_id = state["interview"]["id"]
            async with pool.acquire() as connection:
                tickets = await dispatch.reissue_tickets(connection, settings, interview_id)
            if tickets is not None:
                return [{"type": "room_changed", "interview": interview_id, "ticket": tickets[0]}]
        # "Your turn" once per offer, for the sound and the alert; the state has it too.
        offer = state["offer"]
        if offer is None or offer["interview"] in offered:
            return []
        offered.add(offer["interview"])
        return [{"type": "offer", **offer}]

    async def notice(named: dict[str, Any]) -> None:
        # The offer straight from the notification, ahead of the next state (which then
        # does not repeat it): the moment that matters most to the candidate.
        if named.get("kind") != "offer" or named.get("interview") in offered \
                or not isinstance(named.get("expires_at"), str):
            return
        offered.add(named["interview"])
        await sockets[0].send({"type": "offer", "interview": named["interview"],
                               "expires_at": named["expires_at"]})

    sockets: list[Socket] = []

    def socket_of(ws: web.WebSocketResponse) -> Socket:
        sockets.append(Socket(ws, event_id, snapshot, derive, ("candidate", candidate_id),
                              notice))
        return sockets[0]

    async def act(socket: Socket, message: dict[str, Any]) -> dict[str, Any] | None:
        return await closing_rooms_after(app, lambda to_close: act_on(message, to_close))

    async def act_on(message: dict[str, Any],
                     to_close: list[tuple]) -> dict[str, Any] | None:
        kind = message["type"]
        async with pool.acquire() as connection:
            if kind == "check_in":
                await queue.check_in(connection, candidate_id, settings.live)
            elif kind == "leave":
                live = await interviews.live_interview(connection, candidate_id=candidate_id)
                if live is not None and live["state"] == "active":
                    room = await interviews.end_interview(connection, live["id"], "candidate")
                    if room is not None:
                        to_close.append((room.server, room.room_id, room.secret))
                else:
                    await queue.leave(connection, candidate_id)
                    if live is not None:  # an offer withdrawn: its room goes now
                        room = await connection.fetchrow("""
                            SELECT janus_server, room_id, room_secret FROM interview
                            WHERE id = $1 AND state <> 'offered'""", live["id"])
                        if room is not None:
                            to_close.append(tuple(room))
            elif kind == "accept":
                live = await interviews.live_interview(connection, candidate_id=candidate_id)
                if live is None:
                    raise LiveError("offer_gone")
                if live["state"] == "offered":
                    await interviews.accept_offer(connection, live["id"], candidate_id)
                # Accepting again (a reload during the interview) gives a new ticket, with
                # a new Janus token: the previous one stops working.
                await janus_access.renew_candidate_token(connection, app[JANUS], live["id"])
                tickets = await dispatch.reissue_tickets(connection, settings, live["id"])
                if tickets is None:
                    raise LiveError("offer_gone")
                return {"type": "ticket", "interview": live["id"], "ticket": tickets[0]}
            elif kind == "feedback":
                interview_id = await connection.fetchval("""
                    SELECT id FROM interview WHERE candidate_id = $1 AND state = 'ended'
                    ORDER BY ended_at DESC LIMIT 1""", candidate_id)
                if interview_id is None:
                    raise LiveError("feedback_not_open")
                await outcome.save_feedback(connection, interview_id, candidate_id,
                                            interested=message["interested"],
                                            comment=message["comment"])
        return None

    opened, closed = presence_hooks(app, candidate_id=candidate_id)

    return await serve(request, socket_of, CANDIDATE_TYPES, act, opened, closed)


@routes.get("/i/{token}/ws", name="interviewer_socket")
async def interviewer_socket(request: web.Request) -> web.StreamResponse:
    app = request.app
    pool, settings = app[DB_POOL], app[SETTINGS]
    async with pool.acquire() as connection:
        event = await event_queries.by_interviewer_token(connection, _token(request))
    if event is None or event["deleted_at"] is not None:
        raise web.HTTPNotFound()
    if not is_signed_in(request, event["interviewer_id"], event["interviewer_user_id"]):
        raise web.HTTPForbidden()
    interviewer_id, event_id = event["interviewer_id"], event["id"]
    view = event_view_of(app, event_id)

    async def snapshot() -> dict[str, Any]:
        return await interviewer_state(await view(), interviewer_id, settings)

    async def act(socket: Socket, message: dict[str, Any]) -> dict[str, Any] | None:
        return await closing_rooms_after(app, lambda to_close: act_on(message, to_close))

    async def act_on(message: dict[str, Any],
                     to_close: list[tuple]) -> dict[str, Any] | None:
        kind = message["type"]
        if kind in ("next", "pick"):
            if kind == "next":
                done = await dispatch.next_candidate(pool, app[JANUS], settings, interviewer_id)
                if done is None:
                    return {"type": "queue_empty"}
            else:
                done = await dispatch.pick_candidate(pool, app[JANUS], settings, interviewer_id,
                                                     message["candidate"])
            return {"type": "dispatched", "interview": done.offer.interview_id,
                    "candidate": done.offer.candidate_id, "ticket": done.interviewer_ticket}
        async with pool.acquire() as connection:
            if kind in ("pause", "resume"):
                await presence.set_presence(connection, interviewer_id, paused=kind == "pause")
                return None
            if kind == "message":
                async with connection.transaction():
                    await connection.execute("""
                        INSERT INTO live_message (event_id, interviewer_id, text)
                        VALUES ($1, $2, $3)""", event_id, interviewer_id, message["text"])
                    await queue.notify(connection, event_id, "message")
                return None
            if kind == "withdraw":
                room = await interviews.withdraw_offer(connection, interviewer_id)
                to_close.append((room.server, room.room_id, room.secret))
                return None
            live = await interviews.live_interview(connection, interviewer_id=interviewer_id)
            if kind == "extend":
                if live is None:
                    raise LiveError("not_active")
                await interviews.extend_interview(connection, live["id"], interviewer_id,
                                                  settings.live)
            elif kind == "end":
                if live is None or live["state"] != "active":
                    raise LiveError("not_active")
                room = await interviews.end_interview(connection, live["id"], "interviewer")
                if room is not None:
                    to_close.append((room.server, room.room_id, room.secret))
            elif kind == "save":
                # The interview the page names (save_record checks it is the interviewer's
                # own); from an older page without it, the live one or else the one just
                # ended (notes are saved as typed, also after the end).
                interview_id = message["interview"] or (
                    live["id"] if live is not None else await connection.fetchval("""
                    SELECT id FROM interview WHERE interviewer_id = $1 AND state = 'ended'
                    ORDER BY ended_at DESC LIMIT 1""", interviewer_id))
                if interview_id is None:
                    raise LiveError("not_active")
                await outcome.save_record(connection, interview_id, interviewer_id,
                                          notes=message["notes"], covered=message["covered"],
                                          ratings=message["ratings"])
        return None

    opened, closed = presence_hooks(app, interviewer_id=interviewer_id)

    rooms = RoomWatch()

    async def derive(state: dict[str, Any]) -> list[dict[str, Any]]:
        own = state["interview"]
        if rooms.moved(own) and own["ticket"]:
            return [{"type": "room_changed", "interview": own["id"], "ticket": own["ticket"]}]
        return []

    return await serve(request, lambda ws: Socket(ws, event_id, snapshot, derive,
                                                  ("interviewer", interviewer_id)),
                       INTERVIEWER_TYPES, act, opened, closed)
