"""Odd frames on the realtime channel (app/live/PROTOCOL.md): every client message type of
the candidate's and the interviewer's sockets, with odd and plausible fields, wrong types,
empty and large frames, binary frames, and the types of the other side and of the server;
also on the organizer's socket. After each frame: a reply comes, never `server_error`, the
socket stays open, nothing is logged as an error, and a refused message (an `error` reply)
changed nothing in the database.

Each example starts from a fresh event whose candidate is brought to a drawn stage
(waiting, offered, in the interview, after it) by valid messages, then sends a few frames,
so that the odd ones reach every state the handlers know.
Bounded like test_fuzz_http.py: a third of FUZZ_EXAMPLES (each example is a fresh event and
several frames), derandomized.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import asyncpg
import pytest
import pytest_asyncio
from aiohttp import ClientSession
from hypothesis import event, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from app.live.protocol import CANDIDATE_TYPES, INTERVIEWER_TYPES
from app.passwords import hash_password
from app.views.organizer_live import ORGANIZER_TYPES
from tests.integration.fuzz_live_support import Channel, frames
from tests.integration.fuzz_support import (
    EXAMPLES,
    FUZZ_SETTINGS,
    Database,
    LogWatch,
    changed_tables,
)
from tests.integration.fuzz_world import make_world

# The valid messages that bring the candidate to each stage, in order.
STAGES: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "not checked in": [],
    "waiting": [("candidate", {"type": "check_in"})],
    "offered": [("candidate", {"type": "check_in"}), ("interviewer", {"type": "pick"})],
    "interviewing": [
        ("candidate", {"type": "check_in"}),
        ("interviewer", {"type": "pick"}),
        ("candidate", {"type": "accept"}),
    ],
    "after the interview": [
        ("candidate", {"type": "check_in"}),
        ("interviewer", {"type": "pick"}),
        ("candidate", {"type": "accept"}),
        ("interviewer", {"type": "end"}),
    ],
}
ALLOWED = {"candidate": CANDIDATE_TYPES, "interviewer": INTERVIEWER_TYPES, "organizer": ORGANIZER_TYPES}


class LiveFuzz:
    def __init__(self, settings, db):
        self.settings, self.db = settings, db
        self.port = settings.app.port
        self.logs = LogWatch()
        self.channels: dict[str, Channel] = {}

    async def start(self, http: ClientSession) -> None:
        self.http = http
        self.database = await Database.of(self.db)
        self.password_hash = hash_password("ett-långt-lösenord-42")
        await self.fresh_world()

    async def fresh_world(self) -> None:
        opened = {side for side, channel in self.channels.items() if channel.ws is not None}
        for channel in self.channels.values():
            await channel.close()
        if opened:
            await self.closes_recorded(opened)
        secret = self.settings.app.secret_key.get_secret_value()
        world = await make_world(self.db, self.port, secret, self.password_hash)
        self.event_id = world.extra["live_event"]
        self.candidate_id = world.extra["candidate"]
        self.interviewer_id = world.extra["interviewer"]
        base = f"ws://127.0.0.1:{self.port}"

        def cookie(identity: str) -> str:
            return "; ".join(f"{k}={v}" for k, v in world.cookies[identity].items())

        self.channels = {
            "candidate": Channel(self.http, f"{base}/c/{world.candidate_token}/ws", cookie("candidate")),
            "interviewer": Channel(
                self.http, f"{base}/i/{world.interviewer_token}/ws", cookie("interviewer")
            ),
            "organizer": Channel(self.http, f"{base}/events/{self.event_id}/live/ws", cookie("employer")),
        }

    async def closes_recorded(self, opened: set[str]) -> None:
        """Wait until the server has recorded the last example's sockets as closed: that
        writes the interviewer's presence and the candidate's queue entry (after unlisting
        the socket, in a transaction of its own, app/live/connections.py), which must not
        be taken for the doing of a message of the next example."""
        for _ in range(200):
            if not await self.db.fetchval(
                """
                    SELECT EXISTS (SELECT 1 FROM live_connection
                                   WHERE interviewer_id = $1 OR candidate_id = $2)
                        OR EXISTS (SELECT 1 FROM interviewer_presence
                                   WHERE interviewer_id = $1 AND connected AND $3)
                        OR EXISTS (SELECT 1 FROM queue_entry
                                   WHERE candidate_id = $2 AND disconnected_at IS NULL AND $4
                                     AND state IN ('waiting', 'offered', 'interviewing'))""",
                self.interviewer_id,
                self.candidate_id,
                "interviewer" in opened,
                "candidate" in opened,
            ):
                return
            await asyncio.sleep(0.05)
        raise AssertionError("the closed sockets were not recorded as closed within 10 s")

    async def ids(self) -> list[int]:
        """Real ids a message may name: the event's candidates and interviews."""
        rows = await self.db.fetch(
            """
            SELECT id FROM candidate WHERE event_id = $1
            UNION ALL SELECT id FROM interview WHERE event_id = $1""",
            self.event_id,
        )
        return [row["id"] for row in rows]

    async def bring_to(self, stage: str) -> None:
        for side, message in STAGES[stage]:
            if message["type"] == "pick":
                message = dict(message, candidate=self.candidate_id)
            reply = await self.channels[side].send("text", json.dumps(message))
            assert reply["type"] not in ("error", "closed"), (stage, message, reply)


@pytest_asyncio.fixture(scope="module")
async def live_fuzz(app_server, settings, stack):
    db = await asyncpg.connect(stack.environ["DATABASE_URL"])
    state = LiveFuzz(settings, db)
    try:
        with state.logs:
            async with ClientSession() as http:
                await state.start(http)
                yield state
                for channel in state.channels.values():
                    await channel.close()
    finally:
        await db.close()


# Each message type of each side is a test of its own, so each gets its share of examples;
# None: any frame (odd text, binary, the other side's and the server's types).
CASES = [(side, kind) for side, kinds in ALLOWED.items() for kind in [*sorted(kinds), None]]


@pytest.mark.parametrize("side, kind", CASES)
@hypothesis_settings(FUZZ_SETTINGS, max_examples=max(EXAMPLES // 3 // len(CASES), 4))
@given(data=st.data())
async def test_every_live_message_survives_odd_fields(live_fuzz, side, kind, data):
    await live_fuzz.fresh_world()
    await live_fuzz.bring_to(data.draw(st.sampled_from(sorted(STAGES)), label="stage"))
    ids = await live_fuzz.ids()
    sides = st.sampled_from(sorted(ALLOWED))
    steps = [(side, data.draw(frames(ids, ALLOWED[side], kind), label="frame"))]
    steps += data.draw(
        st.lists(
            sides.flatmap(lambda other: st.tuples(st.just(other), frames(ids, ALLOWED[other]))), max_size=2
        ),
        label="then",
    )
    for channel_name, (frame_kind, frame) in steps:
        channel = live_fuzz.channels[channel_name]
        await channel.open()
        before = await live_fuzz.database.digests()
        reply = await channel.send(frame_kind, frame)
        after = await live_fuzz.database.digests()
        event(f"{channel_name} {reply['type']} {reply.get('code', reply.get('for', ''))}")
        trouble = live_fuzz.logs.trouble()
        assert not trouble, "\n".join(trouble)
        assert reply["type"] != "closed", f"{channel_name} socket closed on {frame[:200]!r}: {reply}"
        assert reply.get("code") != "server_error", f"{channel_name}: {frame[:300]!r}"
        if reply["type"] == "error":
            assert not changed_tables(before, after), (
                f"{channel_name} refused {frame[:300]!r} with {reply}, yet changed "
                f"{changed_tables(before, after)}"
            )
