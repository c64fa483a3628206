"""Janus's Admin API, for the stored tokens that let browsers and the control plane in.

Janus runs with `token_auth` and no `token_auth_secret`: it admits a request only when its
token is one the Admin API added, and forgets the token when the Admin API removes it (see
"How the parts fit" in README.md). The Admin API listens on loopback or the private network
only, guarded by `janus.admin_secret`.

The control plane keeps one Admin API connection per server (`AdminLink`, held by
app/janus/connection.py): every room, *Join* again and end changes tokens, and a WebSocket
handshake per change (a TCP connect, an HTTP upgrade, a close) cost more than the call
itself on a busy event loop. Concurrent calls share it, each matched to its reply by its
transaction. It is opened on the first call, and opened again by the first call after it
dropped or a call went unanswered; a call that finds it closed before sending opens it
again once. Every call has a timeout, and a call pending when it drops fails at once.
`admin_session` is a connection of its own for one block (the operators' page, tests).
Neither the secret nor a token ever reaches a log or an exception's text.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator

import aiohttp

from app.background import Background
from app.janus.errors import CONNECTION_LOST, TIMED_OUT, JanusError, JanusUnavailable, problem_of
from app.janus.tokens import VIDEOROOM

ADMIN_PROTOCOL = "janus-admin-protocol"
# Janus answers remove_token for a token it does not have with this code (JANUS_ERROR_UNKNOWN).
TOKEN_NOT_REMOVED = 490
# Failures of the socket or of its frames: the call fails as JanusUnavailable.
_SOCKET_ERRORS = (TimeoutError, aiohttp.ClientError, OSError, ValueError, RuntimeError)
# How long a closing socket may wait for the server's close frame.
CLOSE_SECONDS = 1.0


class _Socket:
    """One opened WebSocket with its reader: replies go to the call waiting for their
    transaction; when it closes, every call still waiting fails at once."""

    def __init__(self, name: str, session: aiohttp.ClientSession, ws: aiohttp.ClientWebSocketResponse):
        self.name = name
        self.session = session
        self.ws = ws
        self.pending: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.reader = asyncio.create_task(self._read(), name=f"janus-admin-{name}")

    @property
    def open(self) -> bool:
        return not self.ws.closed and not self.reader.done()

    async def _read(self) -> None:
        try:
            async for frame in self.ws:
                if frame.type != aiohttp.WSMsgType.TEXT:
                    break
                try:
                    reply = json.loads(frame.data)
                except ValueError:
                    continue  # not ours to answer: the caller times out
                waiting = self.pending.pop(str(reply.get("transaction")), None)
                if waiting is not None and not waiting.done():
                    waiting.set_result(reply)
        except _SOCKET_ERRORS:
            pass
        finally:
            self.fail_pending()

    def fail_pending(self) -> None:
        pending, self.pending = self.pending, {}
        for waiting in pending.values():
            if not waiting.done():
                waiting.set_exception(
                    JanusUnavailable(f"{self.name}: Admin API connection closed", CONNECTION_LOST)
                )

    async def close(self) -> None:
        self.reader.cancel()
        await asyncio.gather(self.reader, return_exceptions=True)
        self.fail_pending()
        try:
            async with asyncio.timeout(CLOSE_SECONDS):  # a frozen server answers no close
                await self.ws.close()
        except _SOCKET_ERRORS:
            pass
        finally:
            await self.session.close()


class AdminLink:
    """A kept Admin API connection to one Janus server, shared by concurrent calls."""

    def __init__(self, name: str, url: str, secret: str, timeout: float):
        self.name = name
        self._url = url
        self._secret = secret
        self._timeout = timeout
        self._socket: _Socket | None = None
        self._opening = asyncio.Lock()
        self._closing = Background(f"janus-admin-close-{self.name}")
        self.handshakes = 0  # how many times it was opened (tests, and whoever wonders)

    async def _opened(self) -> _Socket:
        async with self._opening:  # calls that come together: one handshake
            socket = self._socket
            if socket is not None and socket.open:
                return socket
            if socket is not None:
                self._drop(socket)
            session = aiohttp.ClientSession()
            try:
                async with asyncio.timeout(self._timeout):
                    ws = await session.ws_connect(
                        self._url, protocols=(ADMIN_PROTOCOL,), autoping=True, max_msg_size=16 * 1024 * 1024
                    )
            except _SOCKET_ERRORS as error:
                await session.close()
                raise JanusUnavailable(
                    f"{self.name}: Admin API unreachable: {type(error).__name__}", problem_of(error)
                ) from None
            except BaseException:
                await session.close()
                raise
            self.handshakes += 1
            self._socket = _Socket(self.name, session, ws)
            return self._socket

    def _drop(self, socket: _Socket) -> None:
        """Give up `socket` (unanswered, or broken): the next call opens a new one. Closed
        in the background, so that the failing call does not wait for that too."""
        if self._socket is socket:
            self._socket = None
        socket.fail_pending()
        self._closing.start(socket.close())

    async def call(self, request: str, **fields: Any) -> dict[str, Any]:
        """One Admin API request; its reply, JanusError when refused, JanusUnavailable when
        the server cannot be asked within the timeout."""
        transaction = secrets.token_hex(8)
        message = json.dumps(
            {"janus": request, "transaction": transaction, "admin_secret": self._secret, **fields}
        )
        answer: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        socket: _Socket | None = None
        try:
            async with asyncio.timeout(self._timeout):
                for attempt in (1, 2):
                    socket = await self._opened()
                    socket.pending[transaction] = answer
                    try:
                        await socket.ws.send_str(message)
                        break
                    except _SOCKET_ERRORS:
                        # Closed under it before the request left: it never reached Janus.
                        socket.pending.pop(transaction, None)
                        self._drop(socket)
                        if attempt == 2:
                            raise
                        answer = asyncio.get_running_loop().create_future()
                reply = await answer
        except TimeoutError:
            if socket is not None:
                socket.pending.pop(transaction, None)
                self._drop(socket)  # a frozen server keeps its socket open: try a fresh one
            raise JanusUnavailable(f"{self.name}: Admin API {request}: no answer", TIMED_OUT) from None
        except _SOCKET_ERRORS as error:
            raise JanusUnavailable(
                f"{self.name}: Admin API {request}: {type(error).__name__}", problem_of(error)
            ) from None
        finally:
            if socket is not None:
                socket.pending.pop(transaction, None)
        if reply.get("janus") != "success":
            refusal = reply.get("error") or {}
            # The reason may quote the token (Janus's "Token %s not found"): never passed on.
            raise JanusError(int(refusal.get("code", 0)), f"Admin API {request} refused")
        return reply

    async def close(self) -> None:
        socket, self._socket = self._socket, None
        if socket is not None:
            await socket.close()
        await self._closing.wait()


class JanusAdmin:
    """The Admin API calls the control plane makes, over an `AdminLink`."""

    def __init__(self, link: AdminLink):
        self.name = link.name
        self._link = link

    async def add_token(self, token: str, plugins: tuple[str, ...] = (VIDEOROOM,)) -> None:
        """Admit `token`, for these plugins only. Adding a token twice is harmless."""
        await self._link.call("add_token", token=token, plugins=list(plugins))

    async def add_tokens(self, tokens: list[str], plugins: tuple[str, ...] = (VIDEOROOM,)) -> None:
        """Admit each of `tokens`, the requests sent together."""
        await asyncio.gather(*(self.add_token(token, plugins) for token in tokens))

    async def remove_token(self, token: str) -> bool:
        """Refuse `token` from now on; False when Janus did not have it (fine: it is gone)."""
        try:
            await self._link.call("remove_token", token=token)
            return True
        except JanusError as error:
            if error.code == TOKEN_NOT_REMOVED:
                return False
            raise

    async def remove_tokens(self, tokens: list[str]) -> None:
        """Refuse each of `tokens`, the requests sent together."""
        await asyncio.gather(*(self.remove_token(token) for token in tokens))

    async def count_sessions(self) -> int:
        """How many Janus sessions (one per open page in a call) the server holds."""
        reply = await self._link.call("list_sessions")
        return len(reply.get("sessions") or [])

    async def list_tokens(self) -> list[str]:
        reply = await self._link.call("list_tokens")
        return [str(entry.get("token")) for entry in (reply.get("data") or {}).get("tokens", [])]


@asynccontextmanager
async def admin_session(name: str, url: str, secret: str, timeout: float) -> AsyncIterator[JanusAdmin]:
    """An Admin API connection of its own to one Janus server, closed on leaving the block."""
    link = AdminLink(name, url, secret, timeout)
    try:
        await link._opened()  # unreachable: said here, as before any call
        yield JanusAdmin(link)
    finally:
        await link.close()
