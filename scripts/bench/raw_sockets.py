"""Thousands of WebSocket clients in one process, cheap enough not to be the bottleneck.

aiohttp's client costs tens of microseconds per message received; ten thousand sockets
receiving a state each after every change would make the load generator slower than the
app it measures. These clients speak just enough RFC 6455 over a raw asyncio.Protocol: the
upgrade request (with the session cookie), unmasked server frames read by their header,
masked client frames, pongs for the server's heartbeat pings. A state is not parsed as
JSON: its arrival time, size and the candidate's position (one regular expression) are all
the benchmark needs.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import random
import re
import struct
import time
from collections.abc import Callable

from app.live.queue_frames import place_after

POSITION = re.compile(rb'"position":(\d+|null)')
VERSION = re.compile(rb'"v":(\d+|null)')
STATE_PREFIX = b'{"type":"state"'
# The queue message all waiting pages share (app/live/PROTOCOL.md): small, parsed, applied
# as the page does (app/live/queue_frames.place_after).
QUEUE_PREFIX = b'{"type":"queue"'


def mask(payload: bytes) -> bytes:
    key = os.urandom(4)
    repeated = (key * (len(payload) // 4 + 1))[: len(payload)]
    masked = (
        (int.from_bytes(payload, "big") ^ int.from_bytes(repeated, "big")).to_bytes(len(payload), "big")
        if payload
        else b""
    )
    return key + masked


def client_frame(opcode: int, payload: bytes) -> bytes:
    length = len(payload)
    if length < 126:
        header = struct.pack("!BB", 0x80 | opcode, 0x80 | length)
    elif length < 65536:
        header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, length)
    else:
        header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, length)
    return header + mask(payload)


class RawSocket(asyncio.Protocol):
    """One page's socket. `states` counts the states received, `position` is the last one
    a candidate's state gave, `waiting_for` (a position) notes when it arrives."""

    def __init__(self, path: str, host: str, cookie: str, who: tuple[str, int]):
        self.request = (
            f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: "
            f"{base64.b64encode(os.urandom(16)).decode()}\r\n"
            f"Sec-WebSocket-Version: 13\r\nOrigin: http://{host}\r\n"
            f"Cookie: {cookie}\r\n\r\n"
        ).encode()
        self.who = who
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.upgraded = False
        self.closed = asyncio.get_running_loop().create_future()
        self.first_state = asyncio.get_running_loop().create_future()
        self.states = 0
        self.state_bytes = 0
        self.largest = 0
        self.position: int | None = None
        self.version: int | None = None  # the queue's version the page is at
        self.queue_messages = 0
        self.unapplied = 0  # queue messages a page could not apply
        self.last_state: bytes = b""
        self.waiting_for: int | None = None  # a position this socket is expected to reach
        self.reached_at: float | None = None
        self.initial: int | None = None  # scripts/bench/fanout.py: the first position seen
        self.other: list[bytes] = []  # non-state messages (replies, offers)
        self.on_other: Callable[[RawSocket, bytes], None] | None = None

    def connection_made(self, transport) -> None:
        self.transport = transport
        transport.write(self.request)

    def connection_lost(self, exc) -> None:
        if not self.closed.done():
            self.closed.set_result(None)
        if not self.first_state.done():
            self.first_state.set_exception(
                ConnectionError(f"closed before a state ({getattr(self, 'refused', b'')!r}, {exc!r})")
            )

    def send(self, text: str) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(client_frame(0x1, text.encode()))

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if not self.upgraded:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            status = bytes(self.buffer[:12])
            del self.buffer[: end + 4]
            if b" 101" not in status:
                self.refused = status
                self.transport.close()
                return
            self.upgraded = True
        self._frames()

    def _frames(self) -> None:
        buffer = self.buffer
        while len(buffer) >= 2:
            opcode, length = buffer[0] & 0x0F, buffer[1] & 0x7F
            start = 2
            if length == 126:
                if len(buffer) < 4:
                    return
                length, start = struct.unpack_from("!H", buffer, 2)[0], 4
            elif length == 127:
                if len(buffer) < 10:
                    return
                length, start = struct.unpack_from("!Q", buffer, 2)[0], 10
            if len(buffer) < start + length:
                return
            payload = bytes(buffer[start : start + length])
            del buffer[: start + length]
            if opcode == 0x1:
                self._text(payload)
            elif opcode == 0x9:
                self.transport.write(client_frame(0xA, payload))
            elif opcode == 0x8:
                self.transport.close()
                return

    def _reached(self, now: float) -> None:
        if self.waiting_for is not None and self.position == self.waiting_for and self.reached_at is None:
            self.reached_at = now

    def _text(self, payload: bytes) -> None:
        if payload.startswith(STATE_PREFIX):
            now = time.perf_counter()
            self.states += 1
            self.state_bytes += len(payload)
            self.largest = max(self.largest, len(payload))
            self.last_state = payload
            if self.who[0] == "c":
                found = POSITION.search(payload)
                self.position = None if found is None or found[1] == b"null" else int(found[1])
                found = VERSION.search(payload)
                self.version = None if found is None or found[1] == b"null" else int(found[1])
                self._reached(now)
            if not self.first_state.done():
                self.first_state.set_result(now)
            return
        if payload.startswith(QUEUE_PREFIX):
            now = time.perf_counter()
            message = json.loads(payload)
            self.queue_messages += 1
            if self.version is None or self.version > message["prev"] or self.position is None:
                self.unapplied += 1
                return
            self.position = place_after(self.position, message["left"], message["joined"])
            self.version = message["v"]
            self._reached(now)
            return
        self.other.append(payload)
        if self.on_other is not None:
            self.on_other(self, payload)


async def open_socket(host: str, port: int, path: str, cookie: str, who: tuple[str, int]) -> RawSocket:
    loop = asyncio.get_running_loop()
    _, protocol = await loop.create_connection(
        lambda: RawSocket(path, f"{host}:{port}", cookie, who), host, port
    )
    return protocol


async def open_many(
    host: str,
    port: int,
    people: list[tuple[tuple[str, int], str, str]],
    concurrency: int,
    timeout: float,
    retry: bool = False,
) -> list[RawSocket]:
    """people: (who, path, cookie). Opened `concurrency` at a time, each until its first
    state. With `retry`, a refused or reset connection is tried again after about a second,
    as the pages do (web/static/js/live/channel.js), until `timeout`."""
    gate = asyncio.Semaphore(concurrency)
    deadline = time.perf_counter() + timeout

    async def one(who, path, cookie) -> RawSocket:
        while True:
            async with gate:
                try:
                    socket = await open_socket(host, port, path, cookie, who)
                    await asyncio.wait_for(socket.first_state, deadline - time.perf_counter())
                    return socket
                except (OSError, ConnectionError):
                    if not retry or time.perf_counter() > deadline:
                        raise
            await asyncio.sleep(random.uniform(0.5, 1.5))

    return await asyncio.gather(*(one(*person) for person in people))
