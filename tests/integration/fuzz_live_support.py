"""For the realtime channel's fuzz: the client message types and their fields as
app/live/PROTOCOL.md states them, odd frames built from them, and a socket that answers.
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

from aiohttp import ClientSession, ClientWebSocketResponse, WSMsgType
from hypothesis import strategies as st

from app.live.protocol import CANDIDATE_TYPES, INTERVIEWER_TYPES, MAX_FRAME
from tests.integration.fuzz_inputs import json_values, odd_text

PROTOCOL = Path(__file__).resolve().parents[2] / "app" / "live" / "PROTOCOL.md"
# Every client message gets exactly one of these (PROTOCOL.md "Replies"); a state comes first.
REPLIES = {"ok", "error", "pong", "ticket", "prepared", "dispatched", "queue_empty", "saved", "record"}
REPLY_TIMEOUT = 15.0


def client_messages() -> dict[str, set[str]]:
    """{type: its fields} for every row of PROTOCOL.md's table sent by a client."""
    found: dict[str, set[str]] = {}
    for line in PROTOCOL.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and "→ server" in cells[1]:
            fields = set(re.findall(r"`(\w+)`", cells[2]))
            for kind in re.findall(r"`(\w+)`", cells[0]):
                found[kind] = fields
    return found


MESSAGES = client_messages()
assert set(MESSAGES) == CANDIDATE_TYPES | INTERVIEWER_TYPES, (
    "PROTOCOL.md and app/live/protocol.py name different client messages"
)
FIELDS = sorted({field for fields in MESSAGES.values() for field in fields})
ODD_FRAMES = (
    "",
    " ",
    "null",
    "[]",
    '"ping"',
    "{}",
    '{"type": 1}',
    '{"type": null}',
    '{"type": ["ping"]}',
    "[" * 10_000,
    '{"type": "ping"',
    '"\\ud800"',
    '{"type": "\\ud800"}',
    '{"type": "save", "notes": "\\u0000"}',
    '{"type": "feedback", "interested": NaN}',
    '{"type": "message", "text": "' + "x" * (MAX_FRAME - 40) + '"}',  # just under the limit
)
ALL_TYPES = sorted(MESSAGES) + ["state", "offer", "error", "ok", "pong", "PING", "", "ping "]


def plausible(field: str, ids: list[int]) -> st.SearchStrategy:
    """A value of the shape the field wants, or near it."""
    number = st.one_of(st.sampled_from(ids), st.integers(-2, 2**64))
    return {
        "candidate": number,
        "interview": st.one_of(st.none(), number),
        "interested": st.booleans(),
        "questions_covered": st.lists(number, max_size=5),
        "ratings": st.dictionaries(
            st.sampled_from(["1", "2", "21", "0", "x", "١"]), st.integers(-1, 7), max_size=3
        ),
    }.get(field, odd_text())


def frames(
    ids: list[int], allowed: frozenset[str], kind: str | None = None
) -> st.SearchStrategy[tuple[str, str | bytes]]:
    """Frames up to the channel's limit: a larger one is a known finding with a test of
    its own (test_fuzz_findings.py::test_oversized_frame_is_a_malformed_error). With
    `kind`, a message of that type."""
    return any_frames(ids, allowed, kind).filter(
        lambda frame: len(frame[1] if frame[0] == "binary" else frame[1].encode()) <= MAX_FRAME  # type: ignore[arg-type]  # hypothesis's TypeGuard overload is picked for a plain bool
    )


@st.composite
def any_frames(draw, ids: list[int], allowed: frozenset[str], kind: str | None) -> tuple[str, str | bytes]:
    """("text" | "binary", data): mostly a message this side may send, with its own fields
    plausible or odd, sometimes missing, sometimes with others'."""
    if kind is not None:
        return "text", json.dumps(draw(messages(ids, st.just(kind))))
    kind = draw(st.sampled_from(["message"] * 6 + ["odd", "binary"]))
    if kind == "binary":
        return "binary", draw(st.one_of(st.binary(max_size=100), st.just(b'{"type": "ping"}')))
    if kind == "odd":
        return "text", draw(st.sampled_from(ODD_FRAMES))
    own = st.sampled_from(sorted(allowed))
    return "text", json.dumps(draw(messages(ids, st.one_of(own, own, st.sampled_from(ALL_TYPES)))))


@st.composite
def messages(draw, ids: list[int], types: st.SearchStrategy[str]) -> dict:
    message = {"type": draw(types)}
    fields = sorted(MESSAGES.get(message["type"], set()))
    chosen = [f for f in fields if draw(st.integers(0, 3)) > 0]
    chosen += draw(st.lists(st.sampled_from(FIELDS), max_size=2))
    for field in chosen:
        value = plausible(field, ids)
        message[field] = draw(st.one_of(value, value, value, json_values()))
    return message


class Channel:
    """One open socket, sending a frame and reading up to its reply."""

    def __init__(self, http: ClientSession, url: str, cookie: str):
        self.http, self.url, self.cookie = http, url, cookie
        self.ws: ClientWebSocketResponse | None = None

    async def open(self):
        if self.ws is None or self.ws.closed:
            self.ws = await self.http.ws_connect(self.url, headers={"Cookie": self.cookie})
            # A state may come before the socket is recorded as open (the hub's, for a
            # change just before); a pong only once the socket reads: recorded by then.
            await self.ws.send_str('{"type": "ping"}')
            await self.read_until({"pong"})
        return self.ws

    async def send(self, kind: str, data: str | bytes) -> dict:
        ws = await self.open()
        if kind == "binary":
            await ws.send_bytes(data)
        else:
            await ws.send_str(data)
        return await self.read_until(REPLIES)

    async def read_until(self, types: set[str]) -> dict:
        """The next message of one of `types` (states and offers before it are passed
        over), or {"type": "closed"} when the server closes the socket instead."""

        async def read() -> dict:
            while True:
                frame = await self.ws.receive()
                if frame.type != WSMsgType.TEXT:
                    return {"type": "closed", "code": self.ws.close_code}
                message = json.loads(frame.data)
                if message["type"] in types:
                    return message

        return await asyncio.wait_for(read(), REPLY_TIMEOUT)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
