"""One browser's WebSocket: the loop both sides share. Pongs noted, typed JSON in and out,
a "state" snapshot on connect and after every change, errors as messages, never a crash.

What each side may do is given as a table of actions (app/live/actions.py), and what it
is sent as a feed (app/live/feeds.py); this module knows nothing of candidates or
interviewers.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import asyncpg
from aiohttp import WSCloseCode, WSMsgType, web

from app.auth.client import is_https
from app.background import Background
from app.keys import JANUS, LIVE_HUB, LIVE_PINGS, SETTINGS
from app.live.dispatch import close_room
from app.live.action_bound import within_bound
from app.live.drain import track
from app.live.errors import LiveError
from app.live.pace import Pace
from app.live.protocol import MAX_FRAME, BadMessage, error, parse
from app.live.snapshots import QUEUE_VERSION, VIEW_SEQ, SharedState
from app.metrics import METRICS
from app.open_files import live_sockets_allowed
from app.outages import DATABASE_GONE, Outage

if TYPE_CHECKING:  # (actions.py tells sockets of their offers through this module)
    from app.live.actions import Action, Done
    from app.live.event_view import EventView

log = logging.getLogger(__name__)
# A socket with more than this written and not yet sent gets no shared message (writing
# it would make the fan-out wait for that reader): a whole state through its own writer.
SHARED_BACKLOG = 16 * 1024


@dataclass(eq=False)  # sockets are told apart by identity (the hub keeps a set)
class Socket:
    ws: web.WebSocketResponse
    event_id: int
    snapshot: Callable[[], Awaitable[dict[str, Any]]]
    # Called with each new snapshot before it is sent, for messages derived from a change
    # ("offer", "room_changed"); returns extra messages to send first.
    derive: Callable[[dict[str, Any]], Awaitable[list[dict[str, Any]]]] | None = None
    # Whose socket: ("candidate", id) or ("interviewer", id); ("user", id) for the
    # organizer's view, by the account it was opened with (closed when that account is
    # disabled: app/live/organizer.py).
    who: tuple[str, int] | None = None
    # Called at once with a notification naming this socket's person, before the folded
    # refresh: "your turn" goes out without waiting for the view (the dispatch benchmark).
    notice: Callable[[dict[str, Any]], Awaitable[None]] | None = None
    # Told of the room of a ticket a reply gives the page (interview, generation); True when
    # a state sent before showed another room, so the page needs a fresh state (with
    # `room_changed`) after the reply.
    holds: Callable[[int, int], bool] | None = None
    # The socket's state cut from a view already read (the hub's round passes the view it
    # read for the round): None when the state is not cut from the event's view.
    cut: Callable[[EventView], Awaitable[dict[str, Any]]] | None = None
    _send_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _last_state: Any = None  # _lasting of the last state handed on (None: send the next)
    # The hub's states wait here for this socket's own writer, so that a browser reading
    # slowly (a phone on a poor network) holds up nobody else's states; a newer state
    # replaces one not yet sent. Derived messages are kept in order.
    _outbox: list[dict[str, Any]] = field(default_factory=list)
    _latest: tuple[int, int | None, dict[str, Any]] | None = None
    _wake: asyncio.Event = field(default_factory=asyncio.Event)
    _made: int = 0  # states made so far: a state's number says which is newer
    _sent: int = 0  # the number of the last state sent
    # The queue's version the page is at (its last state's `queue.v`, or the last `queue`
    # message's `v`): the hub sends the next `queue` message only to a page at its `prev`.
    queue_version: int | None = None
    # The socket's transport, once asked for, when the shared frames may be written to it
    # as they are (see write_shared): it is the connection's for as long as the socket lives.
    _raw: asyncio.Transport | None = None
    # When the page last sent anything (a pong included): the process's ping sweep cuts a
    # socket not heard from since a ping it was sent (app/live/pings.py).
    heard: float = field(default_factory=time.monotonic)
    # Since when one of the page's messages is being answered (None: none is): its next
    # frames, its pong too, wait unread meanwhile, and the sweep does not cut it for silence
    # (a database slow to answer is not the page gone: app/live/pings.py).
    answering_since: float | None = None

    def transport(self) -> asyncio.Transport | None:
        """The connection's transport, for what is written as bytes framed once."""
        return _transport(self.ws)

    async def send(self, message: dict[str, Any]) -> None:
        if isinstance(message, SharedState):  # its common part is encoded already
            own = json.dumps(message.own, separators=(",", ":"))
            text = f"{own[:-1]},{message.common_json[1:]}"
        else:
            text = json.dumps(message, separators=(",", ":"))
        async with self._send_lock:
            if not self.ws.closed:
                try:
                    await self.ws.send_str(text)
                except ConnectionResetError:
                    pass  # the browser went meanwhile; serve() ends the socket as usual

    async def refresh(self, only_if_changed: bool = False, view: EventView | None = None) -> None:
        """A new state. From the hub (`only_if_changed`): handed to the socket's writer, and
        not at all when nothing but the clock differs from the last one: most changes of a
        large event move nobody's place (an accept, an end), and a thousand identical states
        would be sent for nothing. After the socket's own message or on connect: sent before
        this returns (the reply follows it).

        `view`: the hub's round cuts every socket's state from the one view it read for the
        round. Each socket asking for the latest view instead waited for a read of its own
        whenever the event had changed meanwhile, which in a busy event is always: a round of
        a hundred interviewers took a hundred reads one after another, seconds (BENCHMARKS.md,
        "The closed loop's p99"). A change after the round's read is the next round's."""
        state = await (self.cut(view) if view is not None and self.cut is not None else self.snapshot())
        self._made += 1
        # States cut from the event's shared view are ordered by its reads; a page's own
        # (an organizer's) by when they were made.
        number = state.pop(VIEW_SEQ, None)
        number = self._made if number is None else number
        version = state.pop(QUEUE_VERSION, None)
        if only_if_changed and number <= self._sent:
            return  # the page has a newer state already (its own action's, read since)
        derived = await self.derive(state) if self.derive else []
        lasting = _lasting(state)
        changed = lasting != self._last_state
        self._last_state = lasting
        if only_if_changed:
            self._outbox.extend(derived)
            if changed:
                self._latest = (number, version, state)
            if derived or changed:
                self._wake.set()
            return
        for message in derived:
            await self.send(message)
        await self._send_state(number, version, state)

    async def send_ahead(self, message: dict[str, Any]) -> None:
        """A message the page draws from before a state shows it (the `offer`): the page
        has moved on from the last state sent, so the next one is sent even when it equals
        that one (an offer withdrawn before its state came leaves the same state as before
        it, which the page must still be told)."""
        self._last_state = None
        await self.send(message)

    async def tell_at_once(self, named: dict[str, Any]) -> None:
        """A notification this process made itself (the dispatcher's offer:
        app/live/presses.py), told now when it can be written without waiting: nothing of
        the socket's own is being written and the network takes it. Otherwise its NOTIFY
        brings it, as to the sockets of other processes (the feed tells it once)."""
        if (
            self.notice is None
            or self.ws.closed
            or self._send_lock.locked()
            or _backlog(self.ws) > SHARED_BACKLOG
        ):
            return
        await self.notice(named)

    async def _send_state(self, number: int, version: int | None, state: dict[str, Any]) -> None:
        if number > self._sent:  # never an older state after a newer one, nor one twice
            self._sent, self.queue_version = number, version
            await self.send(state)

    def write_shared(self, frames: list[bytes], wire: bytes, number: int, version: int) -> bool:
        """Write messages that are the same for every socket, encoded and framed once (the
        `queue` messages, app/live/queue_frames.py; `wire`: `frames` as WebSocket frames),
        when the page can apply them: they take it from its version (or one the hub counted
        it at, moved by none of the messages before them) to `version`, and nothing of its
        own waits to go out before them (a state in the outbox, a send under way, a backlog
        of a slow reader). False: it cannot, and the caller gives it a whole state instead.

        Not a coroutine, and the bytes go straight to the transport: ten thousand sockets
        are written in one pass of the hub's round, each one call (aiohttp's send_frame
        would frame the same bytes again per socket, in a coroutine per socket)."""
        transport = self._raw
        if transport is None:
            # A compressed socket's frames are its own (never: serve() turns it off).
            transport = self._raw = None if self.ws.compress else _transport(self.ws)
        if (
            transport is None
            or self.queue_version != version - len(frames)
            or number <= self._sent
            or self.ws.closed
            or self._outbox
            or self._latest is not None
            or self._send_lock.locked()
            or transport.get_write_buffer_size() > SHARED_BACKLOG
        ):
            return False
        self._sent, self.queue_version = number, version
        self._last_state = None  # the page moved on from it: the next state is sent
        if not transport.is_closing():  # else the browser went; serve() ends the socket
            transport.write(wire)
        return True

    def post(self, message: dict[str, Any]) -> None:
        """A message for the socket's writer, sent after what it has to send: not waited
        for, so a page slow to take its messages holds up no other."""
        self._outbox.append(message)
        self._wake.set()

    async def write(self) -> None:
        """The socket's writer: what the hub's rounds left in the outbox, newest state only."""
        while True:
            await self._wake.wait()
            self._wake.clear()
            messages, self._outbox = self._outbox, []
            try:
                for message in messages:
                    await self.send(message)
                if self._latest is not None:
                    (number, version, state), self._latest = self._latest, None
                    await self._send_state(number, version, state)
            except (RuntimeError, OSError) as failure:  # closing under our feet
                log.debug("live socket write ended: %s", type(failure).__name__)
                return


def _transport(ws: web.WebSocketResponse) -> asyncio.Transport | None:
    """The socket's transport (None before it is prepared or once it is gone)."""
    transport: asyncio.Transport | None = getattr(getattr(ws, "_writer", None), "transport", None)
    return transport


def _gone(ws: web.WebSocketResponse) -> bool:
    """The socket's connection closed or closing (frames received before may still be queued)."""
    transport = _transport(ws)
    return ws.closed or transport is None or transport.is_closing()


def _backlog(ws: web.WebSocketResponse) -> int:
    """Bytes written to the socket and not yet taken by the network."""
    transport = _transport(ws)
    return 0 if transport is None else transport.get_write_buffer_size()


def _lasting(state: dict[str, Any]) -> Any:
    """A state without what differs without anything happening: the clock, and the
    interviewer's ticket (renewed now and then for the same room: app/tickets.KeptTickets).
    A state with a shared part is compared by that part's encoding, one string (what goes on
    the wire), not as the nested dicts it was encoded from: a hundred interviewers' lobbies
    compared item by item every round cost about 30 µs each."""
    if isinstance(state, SharedState):
        return _without_clock(state.own), state.common_json
    return _without_clock(state)


def _without_clock(state: dict[str, Any]) -> dict[str, Any]:
    lasting = {key: value for key, value in state.items() if key != "now"}
    interview = lasting.get("interview")
    if isinstance(interview, dict) and "ticket" in interview:
        lasting["interview"] = {k: v for k, v in interview.items() if k != "ticket"}
    return lasting


def same_origin(request: web.Request) -> bool:
    """A browser always sends Origin with a WebSocket; a page of another site must not open
    one with our cookies (cross-site WebSocket hijacking). No Origin: not a browser."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    # Scheme and host both: a page of plain http://our-host (traffic anyone on the way may
    # write into) is another origin than the https site.
    try:
        allowed = {
            _origin_of(request.app[SETTINGS].app.public_url),
            # Behind the TLS proxy the request itself came over http: what the browser
            # used is the proxy's (app/auth/client.py is_https).
            _origin_of(f"{'https' if is_https(request) else request.scheme}://{request.host}"),
        }
        return _origin_of(origin) in allowed
    except ValueError:  # not a URL at all ("http://["), or a Host with a port that is none
        return False


DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin_of(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) as a browser's Origin names them: case and a default port aside."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port if parts.port != DEFAULT_PORTS.get(scheme) else None
    return scheme, (parts.hostname or "").lower(), port


def is_upgrade(request: web.Request) -> bool:
    """A WebSocket handshake; without it a socket's address answers whether one would be
    let in (`let_in`, app/views/live_sockets.py)."""
    return request.headers.get("Upgrade", "").lower() == "websocket"


def let_in(request: web.Request) -> web.Response:
    """204, the handshake's checks having passed; like the handshake, only to the site's own
    pages (a page of another site asking with our cookies learns nothing: 403)."""
    if not same_origin(request):
        raise web.HTTPForbidden()
    return web.Response(status=204, headers={"Cache-Control": "no-store"})


# Sockets one person may hold in one process: far more than their tabs and devices, and a
# bound on what one link can make a process hold (each socket is sent every change of its
# event). Sockets opening at once may pass it by the admission's slots
# (app/live/arrivals.py), no more.
WINDOWS_PER_PERSON = 20

# Run one action for this socket's person: (action, message) -> Done.
Perform = Callable[["Action", dict[str, Any]], Awaitable["Done"]]

# What an action raises while PostgreSQL cannot be reached (down, restarting, the
# connection cut): the answer is `unavailable` (try again), not `server_error` (our bug).
# Any network error or time-out an action lets through counts as one, and so does a
# statement cancelled on the server (an action past its bound: app/live/action_bound.py).
DATABASE_UNAVAILABLE = (OSError, TimeoutError, asyncpg.QueryCanceledError, *DATABASE_GONE)


# Logged once when the first action meets it, and once when an action succeeds again: not
# a traceback per refused action.
OUTAGE = Outage(log, "live actions", "answering 'unavailable' until it is back")  # one per process


class ChannelResponse(web.WebSocketResponse):
    """A frame over MAX_FRAME gets the protocol's `malformed` error, then the close with 1009
    (app/live/PROTOCOL.md, "Error codes"). aiohttp refuses such a frame without reading it
    and closes the socket with 1009 from inside receive(), before the loop sees anything;
    that close passes through here, where the error still can go out first."""

    too_big: Callable[[], Awaitable[None]] | None = None

    async def close(self, *, code: int = WSCloseCode.OK, message: bytes = b"", drain: bool = True) -> bool:
        if code == WSCloseCode.MESSAGE_TOO_BIG and self.too_big is not None and not self.closed:
            too_big, self.too_big = self.too_big, None
            await too_big()
        return await super().close(code=code, message=message, drain=drain)


async def serve(
    request: web.Request,
    socket_of: Callable[[web.WebSocketResponse], Socket],
    allowed: frozenset[str],
    actions: dict[str, Action],
    run: Perform | None,
    opened: Callable[[], Awaitable[bool | None]],  # True: the opening changed the event
    closed: Callable[[], Awaitable[None]],
) -> web.WebSocketResponse:
    if not same_origin(request):
        raise web.HTTPForbidden()
    # + 1: aiohttp refuses a frame of max_msg_size bytes already; one of MAX_FRAME is allowed.
    # Not compressed (no permessage-deflate): a compressed socket's frames are made with its
    # own zlib state, so the `queue` message could not be the same bytes for every socket,
    # and each frame would cost a compression per socket; the states are small (at most
    # 16 kB, snapshots.STATE_BUDGET).
    # No heartbeat of aiohttp's (a timer, a ping task and a pong timer per socket): the
    # process's one ping sweep (app/live/pings.py) pings every socket, and since the pongs
    # must reach the loop below to be counted, pings are answered there (autoping off).
    ws = ChannelResponse(autoping=False, max_msg_size=MAX_FRAME + 1, compress=False)
    socket = socket_of(ws)
    hub, pings = request.app[LIVE_HUB], request.app[LIVE_PINGS]
    if socket.who is not None and hub.windows(socket.who, socket.event_id) >= WINDOWS_PER_PERSON:
        # Not a person's windows but a client opening socket after socket: refused before
        # the handshake, so a page would go on retrying with its back-off (1 s to 10 s) and
        # get in once a window of its person closes.
        METRICS.errors.labels(code="too_many_windows").inc()
        raise web.HTTPTooManyRequests(headers={"Retry-After": "10"})
    if len(pings) >= live_sockets_allowed():
        # The process's open files would run out (app/open_files.py): the page retries, and
        # reaches another replica or this one once sockets have closed.
        METRICS.errors.labels(code="too_many_sockets").inc()
        raise web.HTTPServiceUnavailable(headers={"Retry-After": "5"})
    # The person's pace, shared by their sockets (a page without a person has its own); a
    # handshake takes a message's token, so opening socket after socket is no way around it.
    now = time.monotonic()
    pace = hub.paces.of(socket.who, now) if socket.who is not None else Pace()
    if not pace.take(now):
        METRICS.errors.labels(code="too_fast").inc()
        raise web.HTTPTooManyRequests(headers={"Retry-After": "1"})
    if not track(request.app, ws):  # shutting down: the page retries, reaching another
        raise web.HTTPServiceUnavailable(headers={"Retry-After": "1"})
    await ws.prepare(request)
    ws.too_big = lambda: socket.send(error("malformed"))
    await hub.subscribe(socket.event_id, socket)
    pings.add(socket)
    writer = asyncio.create_task(socket.write(), name="live-socket-writer")
    # What the socket's actions leave to run beside its next messages: the Janus rooms they
    # ended, being destroyed once the action has committed, and what others are told once
    # the reply is out (Done.then).
    closing = Background("live-after-action", log)

    def close_later(rooms: tuple[Any, ...]) -> None:
        closing.start(_close_rooms(request.app, rooms))

    try:
        if await opened():
            # The person's return changed the event (an away candidate back in the queue):
            # a view this process read before it must not be their first state.
            hub.views.changed(socket.event_id)
        await socket.refresh()  # resume: the whole current state, nothing to replay
        async for frame in ws:
            if _gone(ws):
                # The connection ended (the browser went, the sweep cut it): what it sent
                # before and is still queued here is not run. A flood left behind would be
                # read at the pace for minutes after its client went.
                break
            now = time.monotonic()
            if frame.type != WSMsgType.PONG and (wait := pace.wait(now)):
                # A flood is read at the pace's rate (app/live/pace.py). Its frames are not
                # heard from it: only its pongs, which come behind the flood, so a client
                # sending faster than the rate answers its pings late and is cut.
                METRICS.paced.inc()
                await asyncio.sleep(wait)
                if _gone(ws):  # closed meanwhile (a link replaced, the browser gone): not run
                    break
            else:
                socket.heard = now
            if frame.type != WSMsgType.TEXT:
                if frame.type == WSMsgType.PING:
                    await ws.pong(frame.data)
                elif frame.type == WSMsgType.BINARY:
                    await socket.send(error("malformed"))
                continue
            socket.answering_since = time.monotonic()
            try:
                await _answer(
                    socket,
                    frame.data,
                    allowed,
                    actions,
                    run,
                    lambda: hub.views.changed(socket.event_id),
                    close_later,
                    closing.start,
                )
            finally:
                socket.answering_since = None
    finally:
        pings.discard(socket)
        writer.cancel()
        await closing.wait()
        await hub.unsubscribe(socket.event_id, socket)
        try:
            await asyncio.shield(closed())
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as failure:
            log.warning("live socket close not recorded: %s", type(failure).__name__)
    return ws


async def _close_rooms(app: web.Application, rooms: tuple[Any, ...]) -> None:
    """Destroy the rooms an action ended: after its database connection is back in the pool
    and its reply is out, since a Janus call may take seconds (and *End* then *Next* must
    not wait for them)."""
    for room in rooms:
        await close_room(app[JANUS], room.server, room.room_id, room.secret)


async def _answer(
    socket: Socket,
    text: str,
    allowed: frozenset[str],
    actions: dict[str, Action],
    perform: Perform | None,
    changed: Callable[[], None],
    close_later: Callable[[tuple[Any, ...]], None],
    after_reply: Callable[[Awaitable[None]], object],
) -> None:
    """Exactly one reply to one message: its result, or an error with a stable code. The
    state reflecting the change comes before it, read afresh for this socket; or
    (Action.reply_first) the reply goes at once and the state comes with the hub's round that
    the action's own notification sets off (it names this person), so that *Next* costs no
    read of the whole event of its own and its reply waits for none."""
    stale = False
    done: Done | None = None
    try:
        message = parse(text, allowed)
        if message["type"] == "ping":
            # The server's time: a page that was frozen measures its clock afresh with it.
            reply = {"type": "pong", "now": dt.datetime.now(dt.UTC).isoformat()}
        else:
            action = actions[message["type"]]
            assert perform is not None, "only a channel without actions (the organizer's) has none"
            # Done within a few seconds, or refused `unavailable` and undone (action_bound.py).
            done = await within_bound(perform(action, message))
            if done.rooms:
                close_later(done.rooms)
            OUTAGE.over()
            reply = done.reply or {"type": "ok", "for": message["type"]}
            stale = done.holds is not None and socket.holds is not None and socket.holds(*done.holds)
            if not action.reply_first:
                # This socket sees its own change at once, before the notification comes round.
                changed()
                await socket.refresh()
    except BadMessage as bad:
        reply = error(bad.code)
    except LiveError as refused:
        reply = error(refused.code, **{"for": _type_of(text)})
    except (asyncpg.DeadlockDetectedError, asyncpg.SerializationError):
        reply = error("busy_retry", **{"for": _type_of(text)})
    except DATABASE_UNAVAILABLE as failure:
        OUTAGE.seen(failure)
        reply = error("unavailable", **{"for": _type_of(text)})
    except Exception:
        log.exception("live message failed")
        reply = error("server_error")
    if reply.get("type") == "error":
        METRICS.errors.labels(code=reply["code"]).inc()
    await socket.send(reply)
    if done is not None and done.then is not None:
        after_reply(done.then())
    if stale:  # the room moved before the page got its ticket: after the reply, its news
        try:
            await socket.refresh()
        except DATABASE_UNAVAILABLE as failure:  # the hub's next round brings it
            OUTAGE.seen(failure)


def _type_of(text: str) -> str | None:
    try:
        kind = json.loads(text).get("type")
    except (ValueError, AttributeError, RecursionError):
        return None
    return kind if isinstance(kind, str) else None
