"""/healthz reports the database and each Janus server, and recovers by itself."""

from __future__ import annotations

import asyncio

from aiohttp import ClientSession

from app.application import create_app
from tests.serving import serving


async def test_healthz_ok_with_everything_up(http, base_url):
    async with http.get(f"{base_url}/healthz") as response:
        body = await response.json()
    assert response.status == 200
    assert body == {"status": "ok", "database": "ok", "janus": {"janus1": "ok"}, "main_loop": "ok"}


async def wait_for_health(session: ClientSession, url: str, status: int, timeout: float = 20) -> dict:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        async with session.get(url) as response:
            body = await response.json()
            if response.status == status:
                return body
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"/healthz stayed {response.status}: {body}")
        await asyncio.sleep(0.2)


async def test_healthz_names_a_stopped_janus_and_recovers(own_janus):
    settings, janus = own_janus
    async with serving(create_app(settings), settings.app.port) as base:
        url = f"{base}/healthz"
        async with ClientSession() as session:
            up = await wait_for_health(session, url, 200)
            assert up["janus"] == {"solo": "ok"}

            # Off the event loop: while Janus shuts down it posts events to this very app.
            await asyncio.to_thread(janus.stop)
            down = await wait_for_health(session, url, 503)
            assert down["status"] == "failing"
            assert down["database"] == "ok"
            assert down["janus"]["solo"] != "ok"

            await asyncio.to_thread(janus.start)
            again = await wait_for_health(session, url, 200)
            assert again["janus"] == {"solo": "ok"}
