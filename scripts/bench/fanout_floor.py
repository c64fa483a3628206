"""`python -m scripts.bench.fanout_floor PORT`: the floor of the fan-out benchmark. A bare
aiohttp process that holds WebSockets and, on POST /round, sends each of them its own small
state (a position, as the app's candidate states differ by it), with nothing else: no
database, no view, no rules. What one Python process on this machine needs to put N
distinct frames on N sockets; the app's Next → every socket updated is compared with it.

POST /round?shared=HOW: one message the same for all, encoded once, written to each socket
by HOW: `send_str` (aiohttp encodes the text to bytes per socket), `send_frame` (the bytes
prepared once, aiohttp frames them per socket) or `write` (the whole WebSocket frame built
once, written to each transport: what no public aiohttp call does). Which is cheapest is the
floor of the app's shared `queue` message (app/live/hub.py writes the frame built once, as
`write` does).
"""

from __future__ import annotations

import asyncio
import json
import struct
import sys

from aiohttp import web

SLICE = 200


async def main(port: int) -> None:
    sockets: list[web.WebSocketResponse] = []
    rounds = [0]

    async def socket(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()  # no heartbeat: a late pong must not close one
        await ws.prepare(request)
        sockets.append(ws)
        await ws.send_str(
            json.dumps({"type": "state", "queue": {"position": len(sockets)}}, separators=(",", ":"))
        )
        try:
            async for _ in ws:
                pass
        finally:
            sockets.remove(ws)
        return ws

    async def one_round(request: web.Request) -> web.Response:
        rounds[0] += 1
        how = request.query.get("shared")
        if how:
            await shared_round(how, rounds[0])
            return web.json_response({"sockets": len(sockets)})
        for start in range(0, len(sockets), SLICE):
            for index, ws in enumerate(sockets[start : start + SLICE], start + 1):
                # Position index - round: each socket's own message, as in the app.
                await ws.send_str(
                    json.dumps(
                        {
                            "type": "state",
                            "now": "2026-12-01T12:00:00+00:00",
                            "queue": {
                                "state": "waiting",
                                "position": index + 1000 * rounds[0],
                                "wait_minutes": 5,
                            },
                            "offer": None,
                            "interview": None,
                        },
                        separators=(",", ":"),
                    )
                )
            await asyncio.sleep(0)
        return web.json_response({"sockets": len(sockets)})

    async def shared_round(how: str, round_: int) -> None:
        text = json.dumps({"type": "state", "queue": {"position": 1_000_000 * round_}}, separators=(",", ":"))
        payload = text.encode()
        frame = struct.pack("!BB", 0x81, len(payload)) + payload  # < 126 bytes: short form
        for start in range(0, len(sockets), SLICE):
            for ws in sockets[start : start + SLICE]:
                if how == "send_str":
                    await ws.send_str(text)
                elif how == "send_frame":
                    await ws.send_frame(payload, web.WSMsgType.TEXT)
                else:
                    ws._writer.transport.write(frame)
            await asyncio.sleep(0)

    app = web.Application()
    app.router.add_get("/{path:.*}/ws", socket)
    app.router.add_post("/round", one_round)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    # The app's backlog (app/__main__.py): the reconnect storm's floor is not held up by
    # connections the kernel dropped for want of room.
    await web.TCPSite(runner, "127.0.0.1", port, backlog=4096).start()
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
