"""A bare Janus API client for tests that must send what our wrapper never would
(no token, an expired one, another room's pin)."""

from __future__ import annotations

import json
import secrets
import uuid

import websockets
from websockets.asyncio.client import ClientConnection
from websockets.typing import Subprotocol

from app.janus.admin import admin_session


class JanusProbe:
    def __init__(self, url: str, token: str | None):
        self.url = url
        self.token = token
        self.ws: ClientConnection | None = None
        self.session_id = None
        self.handle_id = None

    async def __aenter__(self) -> "JanusProbe":
        self.ws = await websockets.connect(self.url, subprotocols=[Subprotocol("janus-protocol")])
        return self

    async def __aexit__(self, *exc) -> None:
        await self.ws.close()

    async def call(self, message: dict, timeout: float = 5) -> dict:
        message = dict(message, transaction=uuid.uuid4().hex)
        if self.token is not None:
            message["token"] = self.token
        if self.session_id is not None:
            message["session_id"] = self.session_id
        if self.handle_id is not None and message["janus"] != "attach":
            message["handle_id"] = self.handle_id
        await self.ws.send(json.dumps(message))
        while True:
            reply = json.loads(await self.ws.recv())
            if reply.get("transaction") == message["transaction"] and reply["janus"] != "ack":
                return reply

    async def open_videoroom(self) -> dict:
        reply = await self.call({"janus": "create"})
        if reply["janus"] != "success":
            return reply
        self.session_id = reply["data"]["id"]
        reply = await self.call({"janus": "attach", "plugin": "janus.plugin.videoroom"})
        if reply["janus"] == "success":
            self.handle_id = reply["data"]["id"]
        return reply

    async def videoroom(self, body: dict) -> dict:
        """The plugin's answer data (sync requests and the event that answers a join)."""
        reply = await self.call({"janus": "message", "body": body})
        if reply["janus"] == "error":
            return {"error_code": reply["error"]["code"], "error": reply["error"]["reason"]}
        return reply["plugindata"]["data"]


async def added_token(settings, server_index: int = 0) -> str:
    """A fresh token that Janus admits (added through the Admin API, as the control plane
    does), for tests that need a session of their own outside any interview."""
    server = settings.janus.servers[server_index]
    token = "t." + secrets.token_urlsafe(18)
    async with admin_session(
        server.name, server.admin_url, settings.janus.admin_secret.get_secret_value(), 5
    ) as admin:
        await admin.add_token(token)
    return token
