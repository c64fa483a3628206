"""Janus's Admin API, for the stored tokens that let browsers and the control plane in.

Janus runs with `token_auth` and no `token_auth_secret`: it admits a request only when its
token is one the Admin API added, and forgets the token when the Admin API removes it (see
"How the parts fit" in README.md). The Admin API listens on loopback or the private network
only, guarded by `janus.admin_secret`.

A short WebSocket connection per batch of calls, not a supervised one: token changes are few
(a room made, an interview ended, a reconciler round), and a fresh connection has no state
to lose. Every call has a timeout; neither the secret nor a token ever reaches a log or an
exception's text.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator

import aiohttp

from app.janus.errors import JanusError, JanusUnavailable
from app.janus.tokens import VIDEOROOM

ADMIN_PROTOCOL = "janus-admin-protocol"
# Janus answers remove_token for a token it does not have with this code (JANUS_ERROR_UNKNOWN).
TOKEN_NOT_REMOVED = 490


class JanusAdmin:
    """One open Admin API connection; made by `admin_session`."""

    def __init__(self, name: str, ws: aiohttp.ClientWebSocketResponse, secret: str, timeout: float):
        self.name = name
        self._ws = ws
        self._secret = secret
        self._timeout = timeout

    async def _call(self, request: str, **fields: Any) -> dict[str, Any]:
        transaction = secrets.token_hex(8)
        message = {"janus": request, "transaction": transaction, "admin_secret": self._secret, **fields}
        try:
            async with asyncio.timeout(self._timeout):
                await self._ws.send_str(json.dumps(message))
                while True:
                    frame = await self._ws.receive()
                    if frame.type != aiohttp.WSMsgType.TEXT:
                        raise JanusUnavailable(f"{self.name}: Admin API connection closed")
                    reply = json.loads(frame.data)
                    if reply.get("transaction") == transaction:
                        break
        except (TimeoutError, aiohttp.ClientError, ValueError) as error:
            raise JanusUnavailable(f"{self.name}: Admin API {request}: {type(error).__name__}") from None
        if reply.get("janus") != "success":
            refusal = reply.get("error") or {}
            # The reason may quote the token (Janus's "Token %s not found"): never passed on.
            raise JanusError(int(refusal.get("code", 0)), f"Admin API {request} refused")
        return reply

    async def add_token(self, token: str, plugins: tuple[str, ...] = (VIDEOROOM,)) -> None:
        """Admit `token`, for these plugins only. Adding a token twice is harmless."""
        await self._call("add_token", token=token, plugins=list(plugins))

    async def remove_token(self, token: str) -> bool:
        """Refuse `token` from now on; False when Janus did not have it (fine: it is gone)."""
        try:
            await self._call("remove_token", token=token)
            return True
        except JanusError as error:
            if error.code == TOKEN_NOT_REMOVED:
                return False
            raise

    async def count_sessions(self) -> int:
        """How many Janus sessions (one per open page in a call) the server holds."""
        reply = await self._call("list_sessions")
        return len(reply.get("sessions") or [])

    async def list_tokens(self) -> list[str]:
        reply = await self._call("list_tokens")
        return [str(entry.get("token")) for entry in (reply.get("data") or {}).get("tokens", [])]


@asynccontextmanager
async def admin_session(name: str, url: str, secret: str, timeout: float) -> AsyncIterator[JanusAdmin]:
    """An Admin API connection to one Janus server, closed on leaving the block."""
    session = aiohttp.ClientSession()
    try:
        try:
            async with asyncio.timeout(timeout):
                ws = await session.ws_connect(
                    url, protocols=(ADMIN_PROTOCOL,), autoping=True, max_msg_size=16 * 1024 * 1024
                )
        except (TimeoutError, aiohttp.ClientError, OSError) as error:
            raise JanusUnavailable(f"{name}: Admin API unreachable: {type(error).__name__}") from None
        try:
            yield JanusAdmin(name, ws, secret, timeout)
        finally:
            await ws.close()
    finally:
        await session.close()
