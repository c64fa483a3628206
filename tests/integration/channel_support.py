"""What the realtime-channel tests share: signing in as a candidate or an interviewer, a
second application instance on the same database, and a socket whose every message is kept."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import ClientSession, CookieJar, WSMsgType

from app.application import create_app
from app.keys import JANUS
from app.live.queue_frames import place_after, wait_minutes_at
from app.localstack.processes import free_port
from app.settings import Settings
from tests.forms import csrf_from
from tests.serving import serving

CANDIDATE_PIN = "654321"  # tests/integration/live_support.py makes them so
INTERVIEWER_CODE = "123456"


def new_client() -> ClientSession:
    return ClientSession(cookie_jar=CookieJar(unsafe=True))


async def sign_in_candidate(http: ClientSession, base_url: str, token: str) -> None:
    csrf = await csrf_from(http, f"{base_url}/c/{token}")
    async with http.post(
        f"{base_url}/c/{token}", data={"pin": CANDIDATE_PIN, "csrf_token": csrf}, allow_redirects=False
    ) as response:
        assert response.status == 303, await response.text()


async def sign_in_interviewer(
    http: ClientSession, base_url: str, token: str, code: str = INTERVIEWER_CODE
) -> int:
    csrf = await csrf_from(http, f"{base_url}/i/{token}")
    async with http.post(
        f"{base_url}/i/{token}", data={"code": code, "csrf_token": csrf}, allow_redirects=False
    ) as response:
        return response.status


@asynccontextmanager
async def second_instance(settings: Settings) -> AsyncIterator[str]:
    """Another application process, as far as the database can tell: its own pool, its own
    LISTEN connection, its own sockets."""
    port = free_port()
    other = settings.model_copy(update={"app": settings.app.model_copy(update={"port": port})})
    app = create_app(other)
    async with serving(app, port) as url:
        await app[JANUS].connections["janus1"].wait_ready(20)
        yield url


def _brief(message: dict[str, Any]) -> dict[str, Any]:
    """A message's type and what tells it apart, for a failure's report."""
    brief: dict[str, Any] = {k: message[k] for k in ("type", "code", "interview") if k in message}
    if isinstance(message.get("interview"), dict):
        brief["interview"] = {k: message["interview"].get(k) for k in ("id", "state", "room")}
    return brief


class Recorder:
    """A socket that keeps every message it receives, to wait for some and check all."""

    def __init__(self, ws):
        self.ws = ws
        self.messages: list[dict[str, Any]] = []
        self.raw: list[str] = []
        self._arrived = asyncio.Condition()
        self._task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for frame in self.ws:
            if frame.type == WSMsgType.TEXT:
                self.raw.append(frame.data)
                async with self._arrived:
                    self.messages.append(json.loads(frame.data))
                    self._arrived.notify_all()

    async def send(self, **message: Any) -> None:
        await self.ws.send_str(json.dumps(message))

    async def wait_for(
        self, match: Callable[[dict], bool], timeout: float = 10, after: int = 0
    ) -> dict[str, Any]:
        """The first message from index `after` on that matches."""

        async def found():
            async with self._arrived:
                while True:
                    for message in self.messages[after:]:
                        if match(message):
                            return message
                    await self._arrived.wait()

        try:
            return await asyncio.wait_for(found(), timeout)
        except TimeoutError:
            # What did come, so that a failure in CI says which socket missed what.
            seen = [_brief(m) for m in self.messages[after:][-12:]]
            raise AssertionError(f"no matching message within {timeout} s; the last ones: {seen}") from None

    async def request(self, reply_types: set[str], **message: Any) -> dict[str, Any]:
        """Send and wait for the reply (a message of one of reply_types, or an error)."""
        mark = len(self.messages)
        await self.send(**message)
        return await self.wait_for(lambda m: m["type"] in reply_types | {"error"}, after=mark)

    async def close(self) -> None:
        await self.ws.close()
        await asyncio.gather(self._task, return_exceptions=True)


@asynccontextmanager
async def recording(http: ClientSession, url: str) -> AsyncIterator[Recorder]:
    async with http.ws_connect(url) as ws:
        recorder = Recorder(ws)
        try:
            yield recorder
        finally:
            await recorder.close()


@asynccontextmanager
async def candidate_and_lobby(
    url: str, candidate_link: str, interviewer_link: str
) -> AsyncIterator[tuple[Recorder, Recorder]]:
    """The candidate's and the interviewer's sockets, each signed in on a client of its own."""
    async with new_client() as candidate_http, new_client() as interviewer_http:
        await sign_in_candidate(candidate_http, url, candidate_link)
        assert await sign_in_interviewer(interviewer_http, url, interviewer_link) == 303
        async with (
            recording(candidate_http, f"{url}/c/{candidate_link}/ws") as candidate,
            recording(interviewer_http, f"{url}/i/{interviewer_link}/ws") as lobby,
        ):
            yield candidate, lobby


@asynccontextmanager
async def interviewer_in_interview_twice(
    url: str, db: Any, interviewer_id: int
) -> AsyncIterator[tuple[Recorder, Recorder]]:
    """Two sockets of one interviewer signed in on one client (a laptop and a phone), each
    with a state showing their interview, after the states of their arrival are through."""
    token = await db.fetchval("SELECT access_token FROM event_interviewer WHERE id = $1", interviewer_id)
    async with new_client() as http:
        assert await sign_in_interviewer(http, url, token) == 303
        socket = f"{url}/i/{token}/ws"
        async with recording(http, socket) as laptop, recording(http, socket) as phone:
            for page in (laptop, phone):
                await page.wait_for(lambda m: m["type"] == "state" and m["interview"])
            await asyncio.sleep(0.3)
            yield laptop, phone


class Page:
    """What the candidate's page keeps of the queue (web/static/js/live/queue-place.js, in
    Python): the last state's `queue`, moved by each `queue` message it can apply, and the
    waits' inputs (`wait`) of the last state or message applied (candidate.js)."""

    def __init__(self, recorder):
        self.recorder, self.read, self.queue, self.unapplied = recorder, 0, None, 0
        self.wait: dict | None = None

    def catch_up(self) -> None:
        for message in self.recorder.messages[self.read :]:
            if message["type"] == "state":
                self.queue, self.wait = message["queue"], message.get("wait")
            elif message["type"] == "queue":
                q = self.queue
                if q is None or q["v"] is None or q["v"] > message["prev"] or q["position"] is None:
                    self.unapplied += 1
                    continue
                position = place_after(q["position"], message["left"], message["joined"])
                wait = self.wait = message["wait"]
                self.queue = {
                    **q,
                    "v": message["v"],
                    "position": position,
                    "wait_minutes": None
                    if wait is None
                    else wait_minutes_at(position, wait["free_in"], wait["average"]),
                }
        self.read = len(self.recorder.messages)

    def shown(self) -> tuple[int, int | None] | None:
        self.catch_up()
        if self.queue is None or self.queue["state"] != "waiting":
            return None
        return self.queue["position"], self.queue["wait_minutes"]

    async def reaches(self, position: int | None, timeout: float = 10) -> None:
        """Wait until the page shows this place (None: not waiting)."""
        for _ in range(int(timeout / 0.05)):
            shown = self.shown()
            if (shown and shown[0]) == position or (shown is None and position is None):
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"the page shows {self.shown()}, not place {position}")
