"""The shared `queue` message written to every waiting socket, in CPU time: python -m
scripts.bench.fanout_writes [--sockets N] [--rounds K] [--app-root PATH].

What the hub's round costs the app's process per waiting socket when a *Next* moves everyone:
the message handed to each socket (app/live/channel.Socket: `write_shared`, or the
`send_shared` coroutine of a checkout from before it), on N real connected sockets (socket
pairs: the app's end an asyncio transport with aiohttp's own WebSocket writer on it, the other
end read out between rounds, outside the measured time). Measured in CPU time
(time.process_time), so that a machine shared with other work charges less of its waiting to
the figure than a wall clock would.

The baseline, measured in the same run: the same message framed once and written to each
transport, with nothing else per socket (the floor's `write`, scripts/bench/fanout_floor.py).
With --app-root the same is measured for another checkout's app (main, say).
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import sys
import time
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType
from aiohttp._websocket.writer import WebSocketWriter


class Endpoint(asyncio.Protocol):
    """The app's end of a connection; WebSocketWriter's flow control reads `_paused`."""

    _paused = False


class PreparedSocket:
    """What channel.Socket reads of a prepared aiohttp WebSocketResponse: its writer, on a
    real transport, and the two flags it checks."""

    closed = False
    compress = 0

    def __init__(self, writer: WebSocketWriter):
        self._writer = writer

    async def send_frame(self, message: bytes, opcode: WSMsgType, compress: int | None = None) -> None:
        await self._writer.send_frame(message, opcode, compress)


def frame(payload: bytes) -> bytes:
    header = (
        bytes([0x81, len(payload)]) if len(payload) < 126 else bytes([0x81, 126]) + len(payload).to_bytes(2)
    )
    return header + payload


async def measure(args: argparse.Namespace) -> dict[str, float]:
    from app.live import channel

    loop = asyncio.get_running_loop()
    pairs = [socket.socketpair() for _ in range(args.sockets)]
    transports = []
    for ours, theirs in pairs:
        theirs.setblocking(False)
        transport, protocol = await loop.connect_accepted_socket(Endpoint, ours)
        transports.append((transport, protocol))
    sockets = []
    for transport, protocol in transports:
        page = channel.Socket(PreparedSocket(WebSocketWriter(protocol, transport)), 1, snapshot=None)  # type: ignore[arg-type]
        page.queue_version = 0
        sockets.append(page)

    def read_out() -> None:
        for _, theirs in pairs:
            try:
                while theirs.recv(65536):
                    pass
            except BlockingIOError:
                pass

    new_way = hasattr(channel.Socket, "write_shared")
    app_cpu: list[float] = []
    floor_cpu: list[float] = []
    for round_ in range(1, args.rounds + 1):
        payload = (
            b'{"type":"queue","v":%d,"prev":%d,"now":"2026-12-01T12:00:00+00:00",'
            b'"left":[1],"joined":[],"wait":{"free_in":[0.0,312.5,80.0],"average":600.0}}'
            % (round_, round_ - 1)
        )
        await asyncio.sleep(0.05)
        read_out()
        started = time.process_time()
        if new_way:
            from app.live.queue_frames import wire_frames

            wire = wire_frames([payload])
            for page in sockets:
                page.write_shared([payload], wire, round_, round_)
        else:
            for page in sockets:
                await page.send_shared([payload], round_, round_)  # type: ignore[attr-defined]
        app_cpu.append(time.process_time() - started)
        await asyncio.sleep(0.05)
        read_out()
        started = time.process_time()
        built = frame(payload)
        for transport, _ in transports:
            transport.write(built)
        floor_cpu.append(time.process_time() - started)
    read_out()
    assert all(page.queue_version == args.rounds for page in sockets), "every page took every message"
    for transport, _ in transports:
        transport.close()
    for _, theirs in pairs:
        theirs.close()
    app_cpu.sort()
    floor_cpu.sort()
    return {
        "app": app_cpu[len(app_cpu) // 2] * 1000,
        "floor": floor_cpu[len(floor_cpu) // 2] * 1000,
        "way": 1.0 if new_way else 0.0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.bench.fanout_writes", description=__doc__)
    parser.add_argument("--sockets", type=int, default=9_000, help="at most half the open files allowed")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--app-root", default=str(Path(__file__).resolve().parents[2]))
    args = parser.parse_args()
    sys.path.insert(0, str(Path(args.app_root).resolve()))
    figures: dict[str, Any] = asyncio.run(measure(args))
    way = (
        "write_shared (one call, the frame built once)"
        if figures["way"]
        else "send_shared (a coroutine, send_frame)"
    )
    print(f"The queue message to {args.sockets} sockets, the app of {args.app_root}: {way}")
    print(f"  the app's Socket, median of {args.rounds} rounds  {figures['app']:8.2f} ms CPU")
    print(f"  floor: the frame written to each transport      {figures['floor']:8.2f} ms CPU")
    print(f"  ratio to the floor                              {figures['app'] / figures['floor']:8.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
