"""Media through a dispatched interview's room, with aiortc as the two browsers.

A real interview: the candidate checks in over the socket, the interviewer presses *Next*,
the candidate accepts. Each side trades its ticket at POST /api/join, talks Janus's
WebSocket API itself (as web/static/js/janus-room.js does), publishes a synthetic camera
and subscribes to the other: both must decode a frame of the other's video. Then what must
not work: one interview's ticket in another interview's room, a forged ticket, an expired
ticket (refused by the control plane and, underneath, by Janus).

ICE stays on loopback: Janus offers 127.0.0.1 only (ice_enforce_list = "lo" and the
loopback shim), and aioice, which leaves out 127.0.0.1 and gathers on every other
interface, is made to gather on 127.0.0.1 alone.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
import time
from contextlib import asynccontextmanager
from typing import Any

import aioice.ice
import jwt
import pytest
from aiohttp import ClientSession, WSMsgType
from aiortc import (
    RTCConfiguration,
    RTCPeerConnection,
    RTCSessionDescription,
    VideoStreamTrack,
)

from app.keys import JANUS
from app.live import interviews
from app.live.dispatch import close_room
from app.tickets import ALGORITHM, mint_ticket
from tests.integration.channel_support import (
    new_client,
    recording,
    sign_in_candidate,
    sign_in_interviewer,
)
from tests.integration.live_support import make_live_event

TIMEOUT = 20.0
VIDEOROOM = "janus.plugin.videoroom"


@pytest.fixture(autouse=True)
def loopback_ice(monkeypatch):
    monkeypatch.setattr(aioice.ice, "get_host_addresses", lambda use_ipv4, use_ipv6: ["127.0.0.1"])


class JanusRefused(Exception):
    def __init__(self, code: int | None, reason: str):
        super().__init__(f"{code}: {reason}")
        self.code = code


class JanusSession:
    """Janus's WebSocket API, the few requests a browser makes: create, attach, message."""

    def __init__(self, ws, token: str):
        self.ws, self.token = ws, token
        self.session_id: int | None = None
        self._transactions = (f"t{n}" for n in itertools.count())
        self._waiting: dict[str, asyncio.Future] = {}
        self.events: dict[int, asyncio.Queue] = {}  # handle -> plugin events without a transaction
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for frame in self.ws:
            if frame.type != WSMsgType.TEXT:
                continue
            message = json.loads(frame.data)
            kind = message.get("janus")
            if kind in ("ack", "keepalive", "webrtcup", "media", "slowlink", "hangup", "trickle"):
                continue
            waiter = self._waiting.pop(message.get("transaction", ""), None)
            if waiter is not None and not waiter.done():
                waiter.set_result(message)
            elif kind == "event":
                self.events.setdefault(message.get("sender"), asyncio.Queue()).put_nowait(message)
        for waiter in self._waiting.values():
            if not waiter.done():
                waiter.set_exception(ConnectionError("Janus closed the socket"))

    async def request(self, body: dict[str, Any]) -> dict[str, Any]:
        transaction = next(self._transactions)
        waiter = self._waiting[transaction] = asyncio.get_running_loop().create_future()
        message = {**body, "transaction": transaction, "token": self.token}
        if self.session_id is not None:
            message["session_id"] = self.session_id
        await self.ws.send_str(json.dumps(message))
        reply = await asyncio.wait_for(waiter, TIMEOUT)
        if reply.get("janus") == "error":
            raise JanusRefused(reply["error"].get("code"), reply["error"].get("reason", ""))
        return reply

    async def create(self) -> None:
        self.session_id = (await self.request({"janus": "create"}))["data"]["id"]

    async def attach(self) -> int:
        handle = (await self.request({"janus": "attach", "plugin": VIDEOROOM}))["data"]["id"]
        self.events.setdefault(handle, asyncio.Queue())
        return handle

    async def message(self, handle: int, body: dict, jsep: dict | None = None) -> dict:
        """A plugin request; its (asynchronous) event. A plugin error raises."""
        request = {"janus": "message", "handle_id": handle, "body": body}
        if jsep is not None:
            request["jsep"] = jsep
        reply = await self.request(request)
        data = reply.get("plugindata", {}).get("data", {})
        if "error" in data:
            raise JanusRefused(data.get("error_code"), data["error"])
        return reply

    async def close(self) -> None:
        await self.ws.close()
        await asyncio.gather(self._reader, return_exceptions=True)


@asynccontextmanager
async def janus_session(http: ClientSession, join: dict):
    async with http.ws_connect(join["janus_url"], protocols=("janus-protocol",)) as ws:
        session = JanusSession(ws, join["janus_token"])
        try:
            await session.create()
            yield session
        finally:
            await session.close()


def description(pc: RTCPeerConnection) -> dict:
    # aiortc's local description already holds every candidate: no trickling.
    return {"type": pc.localDescription.type, "sdp": pc.localDescription.sdp, "trickle": False}


class Participant:
    """One side of the call: publishes a synthetic camera, subscribes to the other's feed."""

    def __init__(self, session: JanusSession, join: dict):
        self.session, self.join = session, join
        self.peers: list[RTCPeerConnection] = []
        self.feed_id: int | None = None
        self.private_id: int | None = None
        self.others: list[dict] = []

    def _peer(self) -> RTCPeerConnection:
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))  # no STUN: loopback only
        self.peers.append(pc)
        return pc

    async def publish(self) -> None:
        self.publisher = await self.session.attach()
        joined = await self.session.message(
            self.publisher,
            {
                "request": "join",
                "ptype": "publisher",
                "room": self.join["room"],
                "pin": self.join["pin"],
                "token": self.join["room_token"],
                "display": self.join["display"],
            },
        )
        data = joined["plugindata"]["data"]
        assert data["videoroom"] == "joined", data
        self.feed_id, self.private_id = data["id"], data["private_id"]
        self.others += data.get("publishers", [])
        pc = self._peer()
        pc.addTransceiver(VideoStreamTrack(), direction="sendonly")
        await pc.setLocalDescription(await pc.createOffer())
        configured = await self.session.message(
            self.publisher, {"request": "configure", "audio": False, "video": True}, description(pc)
        )
        await pc.setRemoteDescription(
            RTCSessionDescription(**{k: configured["jsep"][k] for k in ("type", "sdp")})
        )

    async def other_feed(self) -> int:
        """The other participant's feed: in the join's list, or announced later."""
        while not self.others:
            event = await asyncio.wait_for(self.session.events[self.publisher].get(), TIMEOUT)
            self.others += event.get("plugindata", {}).get("data", {}).get("publishers", [])
        return self.others[0]["id"]

    async def first_remote_frame(self, feed: int):
        handle = await self.session.attach()
        pc = self._peer()
        arrived: asyncio.Queue = asyncio.Queue()
        pc.on("track", arrived.put_nowait)
        attached = await self.session.message(
            handle,
            {
                "request": "join",
                "ptype": "subscriber",
                "room": self.join["room"],
                "pin": self.join["pin"],
                "private_id": self.private_id,
                "streams": [{"feed": feed}],
            },
        )
        await pc.setRemoteDescription(
            RTCSessionDescription(**{k: attached["jsep"][k] for k in ("type", "sdp")})
        )
        await pc.setLocalDescription(await pc.createAnswer())
        await self.session.message(handle, {"request": "start", "room": self.join["room"]}, description(pc))
        track = await asyncio.wait_for(arrived.get(), TIMEOUT)
        assert track.kind == "video"
        return await asyncio.wait_for(track.recv(), TIMEOUT)  # decoded by aiortc

    async def close(self) -> None:
        await asyncio.gather(*(pc.close() for pc in self.peers), return_exceptions=True)


async def join_info(http: ClientSession, base_url: str, ticket: str) -> tuple[int, dict]:
    async with http.post(f"{base_url}/api/join", json={"ticket": ticket}) as response:
        return response.status, await response.json()


async def dispatched_interview(db, http_for, base_url: str, finished: list[int]) -> list[tuple[str, dict]]:
    """A real interview through the sockets: check in, Next, accept. The candidate's and
    the interviewer's (ticket, join info from POST /api/join). Its id goes to `finished`,
    to be ended after the test."""
    live = await make_live_event(db, interviewers=1, candidates=1)
    candidate_token = await db.fetchval(
        "SELECT access_token FROM candidate WHERE id = $1", live.candidates[0]
    )
    interviewer_token = await db.fetchval(
        "SELECT access_token FROM event_interviewer WHERE id = $1", live.interviewers[0]
    )
    candidate_http, interviewer_http = http_for(), http_for()
    await sign_in_candidate(candidate_http, base_url, candidate_token)
    assert await sign_in_interviewer(interviewer_http, base_url, interviewer_token) == 303
    async with (
        recording(candidate_http, f"{base_url}/c/{candidate_token}/ws") as candidate,
        recording(interviewer_http, f"{base_url}/i/{interviewer_token}/ws") as lobby,
    ):
        assert (await candidate.request({"ok"}, type="check_in"))["type"] == "ok"
        dispatched = await lobby.request({"dispatched", "queue_empty"}, type="next")
        assert dispatched["type"] == "dispatched", dispatched
        finished.append(dispatched["interview"])
        await candidate.wait_for(lambda m: m["type"] == "offer", timeout=TIMEOUT)
        ticket = await candidate.request({"ticket"}, type="accept")
        assert ticket["type"] == "ticket", ticket
    sides = []
    for http, held in ((candidate_http, ticket["ticket"]), (interviewer_http, dispatched["ticket"])):
        status, join = await join_info(http, base_url, held)
        assert status == 200, join
        sides.append((held, join))
    return sides


@pytest.fixture
async def finished(app_server, db):
    """Interviews to end (and rooms to destroy) after the test, so that no other test's
    reconciler finds them still live."""
    ids: list[int] = []
    yield ids
    for interview_id in ids:
        room = await interviews.end_interview(db, interview_id, "interviewer")
        if room is not None:
            await close_room(app_server[JANUS], room.server, room.room_id, room.secret)


@pytest.fixture
async def http_for():
    clients = []

    def make() -> ClientSession:
        clients.append(new_client())
        return clients[-1]

    try:
        yield make
    finally:
        for client in clients:
            await client.close()


async def test_both_sides_of_a_dispatched_interview_see_each_other(
    app_server, base_url, db, http_for, finished
):
    (_, candidate_join), (_, interviewer_join) = await dispatched_interview(db, http_for, base_url, finished)
    assert (candidate_join["role"], interviewer_join["role"]) == ("candidate", "interviewer")
    assert candidate_join["room"] == interviewer_join["room"]
    http = http_for()
    async with janus_session(http, candidate_join) as one, janus_session(http, interviewer_join) as other:
        sides = [Participant(one, candidate_join), Participant(other, interviewer_join)]
        try:
            for side in sides:
                await side.publish()
            assert sides[0].feed_id != sides[1].feed_id
            feeds = [await side.other_feed() for side in sides]
            assert feeds == [sides[1].feed_id, sides[0].feed_id]
            frames = await asyncio.gather(
                *(side.first_remote_frame(feed) for side, feed in zip(sides, feeds))
            )
            for frame in frames:
                assert frame.width > 0 and frame.height > 0
            # Janus itself lists the two, under the names their tickets gave them.
            listed = (
                await app_server[JANUS]
                .connections["janus1"]
                .request({"request": "listparticipants", "room": candidate_join["room"]})
            )
            assert sorted(p["display"] for p in listed["participants"]) == sorted(
                [candidate_join["display"], interviewer_join["display"]]
            )
        finally:
            for side in sides:
                await side.close()


async def test_one_interviews_ticket_does_not_open_another_interviews_room(
    app_server, base_url, db, http_for, finished
):
    (first_ticket, first), _ = await dispatched_interview(db, http_for, base_url, finished)
    (_, second), _ = await dispatched_interview(db, http_for, base_url, finished)
    assert first["room"] != second["room"]
    http = http_for()
    async with janus_session(http, first) as session:
        handle = await session.attach()
        # The first ticket's pin and allow-list token, aimed at the second room.
        with pytest.raises(JanusRefused) as refused:
            await session.message(
                handle,
                {
                    "request": "join",
                    "ptype": "publisher",
                    "room": second["room"],
                    "pin": first["pin"],
                    "token": first["room_token"],
                    "display": "Inkräktare",
                },
            )
        assert refused.value.code is not None
        # Even knowing the second room's pin, the first ticket's token is not on its list.
        with pytest.raises(JanusRefused):
            await session.message(
                handle,
                {
                    "request": "join",
                    "ptype": "publisher",
                    "room": second["room"],
                    "pin": second["pin"],
                    "token": first["room_token"],
                    "display": "Inkräktare",
                },
            )
        # While the right room still lets it in.
        joined = await session.message(
            handle,
            {
                "request": "join",
                "ptype": "publisher",
                "room": first["room"],
                "pin": first["pin"],
                "token": first["room_token"],
                "display": "Kandidat",
            },
        )
        assert joined["plugindata"]["data"]["videoroom"] == "joined"

    # The first ticket edited to name the second room: the signature no longer holds.
    header, _, signature = first_ticket.split(".")
    claims = jwt.decode(first_ticket, options={"verify_signature": False})
    edited = jwt.utils.base64url_encode(
        json.dumps({**claims, "room": second["room"], "pin": second["pin"]}).encode()
    ).decode()
    status, body = await join_info(http, base_url, f"{header}.{edited}.{signature}")
    assert (status, body) == (403, {"error": "invalid_ticket"})
    # A ticket for the second room signed by someone without the secret key: refused.
    forged = jwt.encode(
        {**claims, "room": second["room"], "pin": second["pin"], "room_token": second["room_token"]},
        secrets.token_urlsafe(32),
        algorithm=ALGORITHM,
    )
    status, body = await join_info(http, base_url, forged)
    assert (status, body) == (403, {"error": "invalid_ticket"})


async def test_an_expired_ticket_is_refused(app_server, base_url, settings, db, http_for):
    room = await app_server[JANUS].create_private_room(participants=2)
    an_hour_ago = time.time() - 3600
    expired = mint_ticket(
        settings, room, 0, "candidate", "Kandidat", "test:candidate", lifetime=60, now=an_hour_ago
    )
    http = http_for()
    status, body = await join_info(http, base_url, expired)
    assert (status, body) == (403, {"error": "invalid_ticket"})
    # A fresh ticket for the same room works: the refusal was the expiry's doing.
    fresh = mint_ticket(settings, room, 0, "candidate", "Kandidat", "test:candidate")
    status, body = await join_info(http, base_url, fresh)
    assert status == 200 and body["room"] == room.room_id
    async with janus_session(http, body) as session:
        handle = await session.attach()
        joined = await session.message(
            handle,
            {
                "request": "join",
                "ptype": "publisher",
                "room": body["room"],
                "pin": body["pin"],
                "token": body["room_token"],
                "display": "Kandidat",
            },
        )
        assert joined["plugindata"]["data"]["videoroom"] == "joined"
    # The Janus token a ticket carries (readable without the key) lives as long as its room,
    # not as long as the ticket: once the room is closed, Janus refuses it.
    await close_room(app_server[JANUS], room.server, room.room_id, room.secret)
    claims = jwt.decode(expired, options={"verify_signature": False})
    assert claims["janus_token"] == body["janus_token"]
    async with http.ws_connect(claims["janus_url"], protocols=("janus-protocol",)) as ws:
        session = JanusSession(ws, claims["janus_token"])
        try:
            with pytest.raises(JanusRefused) as refused:
                await session.create()
            assert refused.value.code == 403  # JANUS_ERROR_UNAUTHORIZED
        finally:
            await session.close()
