"""The two realtime endpoints (protocol: app/live/PROTOCOL.md).

/c/{token}/ws  a candidate, by the PIN session cookie
/i/{token}/ws  an interviewer, by the code session cookie or the link's logged-in account

Under the personal link's own path on purpose: the session cookies are scoped to that path,
so the browser sends them to these sockets and to nothing else.

Sockets opening at once are admitted a few hundred at a time (app/live/arrivals.py,
Admission): each holds its slot from before its link is looked up until its first state is
made.

The same address without a WebSocket upgrade answers whether a socket would be let in now:
204, or the refusal (403: the registration ended or the session is gone; 404: no such link).
A browser does not show a page why its handshakes fail; a page whose handshakes keep failing
asks this, and loads itself again when it is refused rather than reconnecting for ever
(web/static/js/live/channel.js, `accessUrl`; PROTOCOL.md, "Connection").
"""

from __future__ import annotations

import asyncio
import uuid
from contextlib import asynccontextmanager
from typing import AsyncIterator

from aiohttp import WSCloseCode, web

from app.auth.csrf import SESSION_TOKEN
from app.auth.sessions import session_tag
from app.events.tokens import looks_like_link_token
from app.link_sessions import CANDIDATE_SESSION, INTERVIEWER_SESSION
from app.live.access import is_signed_in
from app.live.actions import CANDIDATE, INTERVIEWER, Role, Services
from app.live.arrivals import Admitted, Arrival
from app.live.channel import Socket, is_upgrade, let_in, serve
from app.live.connections import ARRIVALS, DEPARTURES
from app.live.feeds import CandidateFeed, InterviewerFeed

routes = web.RouteTableDef()


class Listing:
    """A socket in live_connection while it is open: listed, and its person recorded as
    back, when it opens; unlisted when it closes and, if it was the person's last
    (connections.gone), recorded as gone, which starts a candidate's grace period.
    Listed together with the other sockets opening at the same moment (app/live/arrivals.py);
    its id is drawn first, so that a socket closed while its listing is under way is still
    unlisted once it is through."""

    def __init__(self, app: web.Application, **person: int):
        self.app, self.person = app, person
        self.socket_id = uuid.uuid4()
        self._listing: asyncio.Future[bool | None] | None = None

    async def opened(self) -> bool:
        """True when the person's return was announced: the event changed with it."""
        arrival = Arrival(self.socket_id, **self.person)
        self._listing = asyncio.ensure_future(self.app[ARRIVALS].arrived(arrival))
        return bool(await asyncio.shield(self._listing))

    async def closed(self) -> None:
        if self._listing is None:
            return
        await asyncio.wait([self._listing])  # a listing under way finishes first
        await self.app[DEPARTURES](self.socket_id)


def _token(request: web.Request) -> str:
    token = request.match_info["token"]
    if not looks_like_link_token(token):
        raise web.HTTPNotFound()
    return token


def _socket(
    ws: web.WebSocketResponse, event_id: int, feed, who: tuple[str, int], admitted: Admitted
) -> Socket:
    socket = Socket(ws, event_id, feed.snapshot, feed.derive, who, feed.notice, feed.holds, feed.cut)
    feed.send = socket.send_ahead  # the feed's notices are drawn ahead of the state
    # Ended when the person's link is replaced, or an interviewer is taken off the event.
    feed.close = lambda: ws.close(code=WSCloseCode.POLICY_VIOLATION)

    async def first_snapshot():
        """The socket's admission ends with its first state made; every later state is the
        feed's own."""
        socket.snapshot = feed.snapshot
        try:
            return await feed.snapshot()
        finally:
            admitted.release()

    socket.snapshot = first_snapshot
    return socket


@asynccontextmanager
async def _admission(request: web.Request) -> AsyncIterator[Admitted]:
    """A slot among the sockets opening at once (app/live/arrivals.py, Admission), held until
    the socket's first state is made (`_socket`) or, at the latest, until it is refused,
    fails or closes. A page that went while it waited for one is not served."""
    admitted = await request.app[ARRIVALS].admission.enter()
    try:
        if request.transport is None or request.transport.is_closing():
            raise web.HTTPServiceUnavailable(headers={"Retry-After": "1"})
        yield admitted
    finally:
        admitted.release()


async def _serve_as(
    request: web.Request,
    role: Role,
    feed_of,
    person_id: int,
    event_id: int,
    admitted: Admitted,
    account_session: str | None = None,
):
    """The channel (app/live/channel.py) for one admitted person of `role`;
    `account_session`: an interviewer let in as the link's account (InterviewerFeed)."""
    app = request.app
    listing = Listing(app, **{f"{role.name}_id": person_id})
    page = listing.socket_id.hex  # the socket's key among the person's pages
    me = role.person(Services.of(app), person_id, event_id, page)
    feed = feed_of(app, person_id, event_id)
    feed.page = page
    if account_session is not None:
        feed.account_session = account_session
    return await serve(
        request,
        lambda ws: _socket(ws, event_id, feed, (role.name, person_id), admitted),
        role.types,
        role.actions,
        lambda action, message: action.run(me, message),
        listing.opened,
        listing.closed,
    )


async def _admitted_candidate(request: web.Request, token: str):
    candidate = await request.app[ARRIVALS].candidate(token)
    if candidate is None or candidate["erased_at"] is not None:
        raise web.HTTPNotFound()
    if candidate["cancelled_at"] is not None or not CANDIDATE_SESSION.holds(request, candidate["id"]):
        raise web.HTTPForbidden()
    return candidate


async def _admitted_interviewer(request: web.Request, token: str):
    event = await request.app[ARRIVALS].interviewer(token)
    if event is None or event["deleted_at"] is not None:
        raise web.HTTPNotFound()
    if not is_signed_in(request, event["interviewer_id"], event["interviewer_user_id"]):
        raise web.HTTPForbidden()
    return event


@routes.get("/c/{token}/ws", name="candidate_socket")
async def candidate_socket(request: web.Request) -> web.StreamResponse:
    token = _token(request)
    if not is_upgrade(request):  # would it be let in? (above)
        await _admitted_candidate(request, token)
        return let_in(request)
    async with _admission(request) as admitted:
        candidate = await _admitted_candidate(request, token)
        return await _serve_as(
            request, CANDIDATE, CandidateFeed, candidate["id"], candidate["event_id"], admitted
        )


@routes.get("/i/{token}/ws", name="interviewer_socket")
async def interviewer_socket(request: web.Request) -> web.StreamResponse:
    token = _token(request)
    if not is_upgrade(request):
        await _admitted_interviewer(request, token)
        return let_in(request)
    async with _admission(request) as admitted:
        event = await _admitted_interviewer(request, token)
        # Let in as the account, not with the code: the socket ends with the account's session.
        by_account = not INTERVIEWER_SESSION.holds(request, event["interviewer_id"])
        return await _serve_as(
            request,
            INTERVIEWER,
            InterviewerFeed,
            event["interviewer_id"],
            event["id"],
            admitted,
            session_tag(request.get(SESSION_TOKEN)) if by_account else None,
        )
