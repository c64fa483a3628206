"""A frame over 64 KiB on a live socket: the protocol's `malformed` error, then the close with
1009 (app/live/PROTOCOL.md, "Error codes"); other sockets carry on, the page reconnects."""

from __future__ import annotations

import json

import aiohttp
import pytest

from app.live.protocol import MAX_FRAME
from tests.integration.channel_support import (
    new_client,
    recording,
    sign_in_candidate,
    sign_in_interviewer,
)
from tests.integration.live_support import make_live_event


async def token_of(db, table: str, row_id: int) -> str:
    return await db.fetchval(f"SELECT access_token FROM {table} WHERE id = $1", row_id)


async def until_closed(ws) -> list[dict]:
    """The text messages received until the server closed the socket."""
    received = []
    while (frame := await ws.receive(timeout=10)).type == aiohttp.WSMsgType.TEXT:
        received.append(json.loads(frame.data))
    assert frame.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED), frame
    return received


@pytest.mark.parametrize("compress", [0, 15], ids=["plain", "deflate"])
async def test_an_oversized_frame_gets_malformed_then_1009(app_server, db, base_url, compress):
    live = await make_live_event(db, interviewers=1, candidates=1)
    candidate = await token_of(db, "candidate", live.candidates[0])
    interviewer = await token_of(db, "event_interviewer", live.interviewers[0])
    async with new_client() as http, new_client() as other:
        await sign_in_candidate(http, base_url, candidate)
        await sign_in_interviewer(other, base_url, interviewer)
        async with (
            recording(other, f"{base_url}/i/{interviewer}/ws") as bystander,
            http.ws_connect(f"{base_url}/c/{candidate}/ws", compress=compress) as ws,
        ):
            # Over the limit once decompressed, too: a repeated character deflates to little.
            await ws.send_str(json.dumps({"type": "ping", "pad": "x" * (MAX_FRAME + 1)}))
            received = await until_closed(ws)
            assert received[-1] == {"type": "error", "code": "malformed"}
            assert ws.close_code == aiohttp.WSCloseCode.MESSAGE_TOO_BIG
            # Only that socket: the interviewer's carries on.
            assert (await bystander.request({"pong"}, type="ping"))["type"] == "pong"
        # The page reconnects and carries on.
        async with recording(http, f"{base_url}/c/{candidate}/ws") as socket:
            assert (await socket.request({"pong"}, type="ping"))["type"] == "pong"


async def test_a_frame_just_within_the_limit_is_read(app_server, db, base_url):
    live = await make_live_event(db, interviewers=0, candidates=1)
    candidate = await token_of(db, "candidate", live.candidates[0])
    async with new_client() as http:
        await sign_in_candidate(http, base_url, candidate)
        async with recording(http, f"{base_url}/c/{candidate}/ws") as socket:
            frame = json.dumps({"type": "ping", "pad": ""})
            frame = frame[:-2] + "x" * (MAX_FRAME - len(frame)) + '"}'
            assert len(frame.encode()) == MAX_FRAME
            await socket.ws.send_str(frame)
            reply = await socket.wait_for(lambda m: m["type"] in ("pong", "error"))
            assert reply["type"] == "pong", reply
            assert not socket.ws.closed
