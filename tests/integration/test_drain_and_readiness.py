"""A replica drains on SIGTERM, and /livez and /readyz say what an orchestrator needs.

The app runs as a real process (`python -m app`). SIGTERM must close its listening port at
once, close each live socket with 1001 "going away" (the page then reconnects elsewhere),
record the sockets closed and exit well within `app.shutdown_timeout`.
"""

from __future__ import annotations

import asyncio
import signal
import time

import aiohttp
from aiohttp import ClientSession, WSMsgType

from app.build_info import build_info
from app.application import create_app
from scripts.bench.common import AppProcess
from tests.integration.channel_support import new_client, sign_in_candidate
from tests.integration.live_support import make_live_event
from tests.integration.test_health import wait_for_health
from tests.serving import serving

SHUTDOWN_TIMEOUT = 8


async def test_sigterm_sends_live_sockets_elsewhere_and_exits_in_time(app_server, stack, db, tmp_path):
    live = await make_live_event(db, interviewers=1, candidates=1)
    token = await db.fetchval("SELECT access_token FROM candidate WHERE id = $1", live.candidates[0])
    environ = {
        **stack.environ,
        "SNABB_APP_SHUTDOWN_TIMEOUT": str(SHUTDOWN_TIMEOUT),
        "SNABB_APP_LOG_LEVEL": "INFO",
    }
    app = AppProcess(environ, log_path=tmp_path / "app.log")
    await app.start(30)
    try:
        async with new_client() as http:
            await sign_in_candidate(http, app.url, token)
            ws = await http.ws_connect(f"{app.url}/c/{token}/ws")
            first = await ws.receive_json(timeout=10)
            assert first["type"] == "state"
            assert (
                await db.fetchval(
                    "SELECT count(*) FROM live_connection WHERE candidate_id = $1", live.candidates[0]
                )
                == 1
            )
            async with http.get(f"{app.url}/readyz") as response:
                assert response.status == 200

            started = time.monotonic()
            app.process.send_signal(signal.SIGTERM)
            while True:
                frame = await ws.receive(timeout=SHUTDOWN_TIMEOUT)
                if frame.type in (WSMsgType.CLOSE, WSMsgType.CLOSED, WSMsgType.CLOSING):
                    break
            assert ws.close_code == 1001, (frame, ws.close_code)
            assert frame.extra == "going away"
            await asyncio.wait_for(app.process.wait(), SHUTDOWN_TIMEOUT + 5)
            assert time.monotonic() - started < SHUTDOWN_TIMEOUT + 5
            assert app.process.returncode == 0
            # Its log says when it served and that it stopped (DEPLOYMENT.md, "Logs").
            said = (tmp_path / "app.log").read_text()
            assert f"listening on 127.0.0.1:{app.port}" in said and "stopped (was listening on" in said
            assert f"Snabbintervjuer {build_info()}" in said  # what runs (DEPLOYMENT.md, "Upgrades")
            # Recorded closed by the replica itself, not left for another to reap in a minute.
            assert (
                await db.fetchval(
                    "SELECT count(*) FROM live_connection WHERE candidate_id = $1", live.candidates[0]
                )
                == 0
            )
            try:  # and its port is closed: the proxy tries the next replica
                async with http.get(f"{app.url}/livez") as response:
                    raise AssertionError(f"still answering: {response.status}")
            except aiohttp.ClientConnectionError:
                pass
    finally:
        await app.kill()


async def test_a_janus_down_keeps_a_replica_ready(own_janus, settings):
    """/healthz names the stopped Janus; /readyz stays 200 while another Janus is usable,
    and also when none is (it says so)."""
    solo_settings, janus = own_janus
    servers = [solo_settings.janus.servers[0], *settings.janus.servers]
    both = solo_settings.model_copy(
        update={"janus": solo_settings.janus.model_copy(update={"servers": servers})}
    )
    async with serving(create_app(both), both.app.port) as base, ClientSession() as session:
        await wait_for_health(session, f"{base}/healthz", 200)
        await asyncio.to_thread(janus.stop)
        detail = await wait_for_health(session, f"{base}/healthz", 503)
        assert detail["janus"]["solo"] != "ok" and detail["janus"]["janus1"] == "ok"
        async with session.get(f"{base}/readyz") as response:
            assert response.status == 200, await response.text()
        async with session.get(f"{base}/livez") as response:
            assert (response.status, await response.json()) == (200, {"status": "ok"})
        await asyncio.to_thread(janus.start)
        await wait_for_health(session, f"{base}/healthz", 200)

    async with serving(create_app(solo_settings), solo_settings.app.port) as base, ClientSession() as session:
        await wait_for_health(session, f"{base}/readyz", 200)
        await asyncio.to_thread(janus.stop)
        await wait_for_health(session, f"{base}/healthz", 503)
        # Still ready: every replica has lost the same Janus, and the pages (the call's page
        # says the video service is down) must stay reachable.
        async with session.get(f"{base}/readyz") as response:
            body = await response.json()
            assert response.status == 200, body
        assert body == {"status": "ok", "database": "ok", "janus": "none usable", "main_loop": "ok"}
        await asyncio.to_thread(janus.start)
        await wait_for_health(session, f"{base}/healthz", 200)
