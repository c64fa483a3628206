"""One supervised connection to one Janus server, built on janus-client's WebSocket transport.

janus-client gives us the transport: the WebSocket, transaction matching and the token on
every message. What it lacks we add here:
- every call has a timeout, and a call pending when the connection drops fails at once
  instead of hanging (the library only notices a drop in its reader task);
- a supervisor opens the connection, a Janus session and a VideoRoom handle, keeps the session
  alive, and after any failure opens a fresh one with back-off (a new transport each time:
  the library's own reconnect races and the old Janus session is gone anyway);
- a lost server is noticed within seconds: its WebSocket closing at once, a frozen one by a
  keepalive unanswered within `keepalive_timeout`; whoever waits on `on_change` (the
  reconciler, app/live/reconciler.py) hears of every loss and every return;
- before each connection the control plane's own stored token is added through the Admin API
  (app/janus/tokens.py): a restarted Janus has forgotten every token;
- the server's Admin API connection is kept here too (`admin()`, app/janus/admin.py), and
  opened again on its own after a drop;
- janus-client's loggers, which print whole request bodies (tokens, pins, room secrets), are
  silenced, and importing it may not reconfigure our logging.
"""

from __future__ import annotations

import asyncio
import logging
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Callable

from app.janus.admin import AdminLink, JanusAdmin

# Re-exported: callers catch them as app.janus.connection's.
from app.janus.errors import JanusError as JanusError, JanusUnavailable as JanusUnavailable
from app.janus.errors import CONNECTING, CONNECTION_LOST, TIMED_OUT, problem_of
from app.janus.tokens import VIDEOROOM, control_token
from app.metrics import METRICS
from app.settings import JanusServer


def _import_transport() -> Any:
    # janus-client calls logging.basicConfig(level=INFO) when imported; undo that side effect.
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    from janus_client import JanusTransportWebsocket

    root.handlers[:] = handlers
    root.setLevel(level)
    quiet = logging.getLogger("janus_client")
    quiet.setLevel(logging.CRITICAL)
    quiet.propagate = False
    return JanusTransportWebsocket


JanusTransportWebsocket = _import_transport()
log = logging.getLogger(__name__)


@dataclass
class _Link:
    """One generation of the connection: a transport with its session and VideoRoom handle."""

    transport: Any
    session_id: int = 0
    handle_id: int = 0
    lost: asyncio.Event = field(default_factory=asyncio.Event)
    lost_reason: str = ""
    lost_problem: str = CONNECTION_LOST  # app/janus/errors.py's kind of lost_reason

    def mark_lost(self, reason: str, problem: str = CONNECTION_LOST) -> None:
        if not self.lost.is_set():
            self.lost_reason = reason
            self.lost_problem = problem
            self.lost.set()


def _accept_reply(message: dict[str, Any]) -> bool:
    return message.get("janus") != "ack"


def _core_data(reply: dict[str, Any]) -> dict[str, Any]:
    """The `data` of a core reply (create, attach), or JanusError."""
    if reply.get("janus") == "error":
        error = reply.get("error") or {}
        raise JanusError(int(error.get("code", 0)), str(error.get("reason", "unknown")))
    return reply.get("data") or {}


def _raise_for_error(reply: dict[str, Any]) -> dict[str, Any]:
    """The plugin's data of a VideoRoom reply, or JanusError (core or plugin level)."""
    _core_data(reply)
    data = (reply.get("plugindata") or {}).get("data") or {}
    if "error_code" in data or "error" in data:
        raise JanusError(int(data.get("error_code", 0)), str(data.get("error", "unknown")))
    return data


class JanusConnection:
    def __init__(
        self,
        server: JanusServer,
        admin_secret: str,
        call_timeout: float,
        keepalive_interval: float,
        reconnect_max_delay: float,
        keepalive_timeout: float | None = None,
        on_change: Callable[[], None] | None = None,
    ):
        self.server = server
        self._admin_secret = admin_secret
        self.call_timeout = call_timeout
        self.keepalive_interval = keepalive_interval
        self.keepalive_timeout = keepalive_timeout or call_timeout
        self.reconnect_max_delay = reconnect_max_delay
        self._on_change = on_change
        self._admin = AdminLink(server.name, server.admin_url, admin_secret, call_timeout)
        self._link: _Link | None = None
        self._state = "connecting"
        self._problem = CONNECTING
        self._ready = asyncio.Event()
        # When the server was last lost (time.monotonic()), or None while connected; never
        # connected yet counts as lost since the start.
        self._lost_since: float | None = time.monotonic()

    @property
    def name(self) -> str:
        return self.server.name

    @property
    def state(self) -> str:
        """'ok', or why not: fit for /healthz (never a secret or a request body)."""
        link = self._link
        return "ok" if link is not None and not link.lost.is_set() else self._state

    @property
    def problem(self) -> str | None:
        """Why it cannot be used, as one of app/janus/errors.py's few kinds; None while ok."""
        link = self._link
        return None if link is not None and not link.lost.is_set() else self._problem

    def down_seconds(self) -> float:
        """How long the server has been unusable (0 while it works)."""
        if self.state == "ok" or self._lost_since is None:
            return 0.0
        return time.monotonic() - self._lost_since

    def _changed(self) -> None:
        if self._on_change is not None:
            self._on_change()

    def _link_lost(self, link: _Link, reason: str, problem: str = CONNECTION_LOST) -> None:
        """The link is gone: said at once, not when the supervisor next looks."""
        if link.lost.is_set():
            return
        link.mark_lost(reason, problem)
        if link is self._link:
            self._state = f"unavailable: {reason}"
            self._problem = problem
            self._lost_since = time.monotonic()
            self._changed()

    async def wait_ready(self, timeout: float) -> None:
        async with asyncio.timeout(timeout):
            await self._ready.wait()

    # --- calls -------------------------------------------------------------------------------

    async def _exchange(
        self,
        link: _Link,
        message: dict[str, Any],
        *,
        handle: bool = True,
        accept: Callable[[dict[str, Any]], bool] = _accept_reply,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        timeout = timeout or self.call_timeout
        if link.lost.is_set():
            raise JanusUnavailable(f"{self.name}: {link.lost_reason}", link.lost_problem)
        try:
            # send() changes the dict it is given: always a copy.
            async with asyncio.timeout(timeout):
                transaction = await link.transport.send(
                    dict(message),
                    session_id=link.session_id or None,
                    handle_id=link.handle_id if handle else None,
                )
        except Exception as error:
            self._link_lost(link, f"send failed: {type(error).__name__}", problem_of(error))
            raise JanusUnavailable(f"{self.name}: could not send", problem_of(error)) from None
        reply = asyncio.ensure_future(transaction.get(matcher=accept))
        lost = asyncio.ensure_future(link.lost.wait())
        try:
            done, _ = await asyncio.wait({reply, lost}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            if reply in done:
                return reply.result()
            if lost in done:
                raise JanusUnavailable(f"{self.name}: connection lost during the call", link.lost_problem)
            raise JanusUnavailable(f"{self.name}: no answer within {timeout:g} s", TIMED_OUT)
        finally:
            reply.cancel()
            lost.cancel()
            await transaction.done()

    async def request(self, body: dict[str, Any]) -> dict[str, Any]:
        """A synchronous VideoRoom request; returns the plugin's data or raises JanusError."""
        link = self._link
        if link is None:
            raise JanusUnavailable(f"{self.name}: {self._state}", self._problem)
        try:
            reply = await self._exchange(link, {"janus": "message", "body": body})
            return _raise_for_error(reply)
        except (JanusUnavailable, JanusError):
            METRICS.janus_failures.labels(server=self.name).inc()
            raise

    # --- supervision ---------------------------------------------------------------------------

    @property
    def admin_link(self) -> AdminLink:
        """The kept Admin API connection (its `handshakes` say how often it was opened)."""
        return self._admin

    @asynccontextmanager
    async def admin(self) -> AsyncIterator[JanusAdmin]:
        """This server's Admin API, over the connection kept for it (`async with
        connection.admin() as admin`): no handshake per call (app/janus/admin.py)."""
        yield JanusAdmin(self._admin)

    async def _open(self) -> _Link:
        token = control_token(self._admin_secret, self.name)
        async with self.admin() as admin:
            await admin.add_token(token, (VIDEOROOM,))
        transport = JanusTransportWebsocket(base_url=self.server.url, token=token)
        link = _Link(transport)
        try:
            async with asyncio.timeout(self.call_timeout):
                await transport.connect()
            reader = transport.receive_message_task
            reader.add_done_callback(lambda _task: self._link_lost(link, "connection closed"))
            created = await self._exchange(link, {"janus": "create"}, handle=False)
            link.session_id = int(_core_data(created)["id"])
            attached = await self._exchange(link, {"janus": "attach", "plugin": VIDEOROOM}, handle=False)
            link.handle_id = int(_core_data(attached)["id"])
            return link
        except BaseException:
            await self._close(link)
            raise

    async def _close(self, link: _Link) -> None:
        link.mark_lost("closed")
        try:
            async with asyncio.timeout(self.call_timeout):
                await link.transport.disconnect()
        except (Exception, TimeoutError):
            pass

    async def _keepalive(self, link: _Link) -> None:
        while not link.lost.is_set():
            try:
                async with asyncio.timeout(self.keepalive_interval):
                    await link.lost.wait()
                return
            except TimeoutError:
                pass
            try:
                # A short timeout: a frozen Janus keeps its socket open and answers nothing.
                reply = await self._exchange(
                    link,
                    {"janus": "keepalive"},
                    handle=False,
                    accept=lambda _m: True,
                    timeout=self.keepalive_timeout,
                )
                _raise_for_error(reply)
            except (JanusUnavailable, JanusError) as error:
                self._link_lost(link, f"keepalive failed: {error}", problem_of(error))

    async def run(self) -> None:
        """Keep a working link until cancelled."""
        delay = 0.2
        connected_before = False
        while True:
            try:
                link = await self._open()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                self._cannot_connect(error)
            else:
                previous, self._link = self._link, link
                if previous is not None:
                    await self._close(previous)
                if connected_before:
                    METRICS.janus_reconnects.labels(server=self.name).inc()
                connected_before = True
                if self._state != "ok":
                    log.info("Janus %s connected", self.name)
                self._state = "ok"
                self._lost_since = None
                self._ready.set()
                self._changed()
                delay = 0.2
                keepalive = asyncio.create_task(self._keepalive(link))
                try:
                    await link.lost.wait()
                finally:
                    keepalive.cancel()
                self._state = f"unavailable: {link.lost_reason}"
                self._problem = link.lost_problem
                log.warning("Janus %s: %s", self.name, link.lost_reason)
                self._ready.clear()
                await self._close(link)
                self._link = None
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.reconnect_max_delay)

    def _cannot_connect(self, error: Exception) -> None:
        """Why this try failed, for /healthz and /ops; logged when it is new, not at every
        try of the back-off. A JanusUnavailable's own text says more than its name (the
        Admin API unreachable, and why), and never holds a secret."""
        if isinstance(error, JanusError):
            state = f"refused: {error.reason}"
        elif isinstance(error, JanusUnavailable):
            state = f"unreachable: {str(error).removeprefix(f'{self.name}: ')}"
        else:
            state = f"unreachable: {type(error).__name__}"
        if state != self._state:
            log.warning("Janus %s cannot be connected: %s; trying again", self.name, state)
        self._state, self._problem = state, problem_of(error)

    async def close(self) -> None:
        if self._link is not None:
            await self._close(self._link)
            self._link = None
        await self._admin.close()
