"""The health listener (app/health_listener.py) answers while the main event loop is blocked,
and still tells the truth: a loop stalled past the bound, a database that is down, a replica
shutting down; a request it cannot read is refused without a traceback.

The main loop is blocked the way a bug would block it: a handler that calls time.sleep. The
test's own client shares that loop, so the probes run in a thread of their own (urllib), and
each records when its answer came, against when the handler slept.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import socket
import threading
import time
import urllib.error
import urllib.request

import pytest
from aiohttp import ClientSession, web
from pydantic import SecretStr

from app.application import create_app
from app.health_listener import HealthListener, Heartbeat, keep_stamping
from app.keys import JANUS
from app.live.drain import DRAINING
from app.localstack.processes import free_port
from app.settings import DatabaseSettings, load_settings
from tests.integration.test_health import wait_for_health
from tests.own_postgres import throwaway_postgres
from tests.serving import serving

BLOCKED_SECONDS = 4.0
STALL_AFTER = 1.0


def probe(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


class ProbingThread(threading.Thread):
    """/livez and /healthz of the health port every 0.1 s for `seconds`: (answered at, path,
    status, body), the time by time.monotonic."""

    def __init__(self, base: str, seconds: float):
        super().__init__(daemon=True)
        self.base, self.seconds = base, seconds
        self.answers: list[tuple[float, str, int, dict]] = []

    def run(self) -> None:
        until = time.monotonic() + self.seconds
        while time.monotonic() < until:
            for path in ("/livez", "/healthz"):
                status, body = probe(f"{self.base}{path}")
                self.answers.append((time.monotonic(), path, status, body))
            time.sleep(0.1)


def app_with_health_port(stack) -> tuple[web.Application, int, int]:
    port, health_port = free_port(), free_port()
    settings = load_settings(
        {
            **stack.environ,
            "SNABB_APP_PORT": str(port),
            "SNABB_APP_PUBLIC_URL": f"http://127.0.0.1:{port}",
            "SNABB_APP_HEALTH_PORT": str(health_port),
            "SNABB_APP_HEALTH_STALL_AFTER": str(STALL_AFTER),
        }
    )
    return create_app(settings), port, health_port


async def test_answers_while_the_main_loop_is_blocked_and_says_when_it_stalled(stack):
    app, port, health_port = app_with_health_port(stack)
    blocked: dict[str, float] = {}

    async def block_the_loop(request: web.Request) -> web.Response:
        blocked["from"] = time.monotonic()
        time.sleep(BLOCKED_SECONDS)  # the fault: nothing else on this loop runs meanwhile
        blocked["until"] = time.monotonic()
        return web.Response(text="woke")

    app.router.add_get("/test-block-the-loop", block_the_loop)
    async with serving(app, port) as base, ClientSession() as http:
        health = f"http://127.0.0.1:{health_port}"
        ok = await wait_for_health(http, f"{health}/healthz", 200)
        assert ok == {"status": "ok", "database": "ok", "janus": {"janus1": "ok"}, "main_loop": "ok"}

        probes = ProbingThread(health, BLOCKED_SECONDS + 2.0)
        probes.start()
        async with http.get(f"{base}/test-block-the-loop") as response:
            assert await response.text() == "woke"
        await asyncio.to_thread(probes.join)

        during = [a for a in probes.answers if blocked["from"] < a[0] < blocked["until"]]
        assert during, "no probe was answered while the main loop was blocked"
        stalled = [(path, status, body) for _, path, status, body in during if status == 503]
        livez = [body for path, _, body in stalled if path == "/livez"]
        healthz = [body for path, _, body in stalled if path == "/healthz"]
        assert livez and livez[-1]["status"] == "stalled"
        assert livez[-1]["main_loop"].startswith("stalled for ")
        assert healthz and healthz[-1]["status"] == "failing"
        assert healthz[-1]["database"] == "ok"  # its own connection, on its own loop
        assert healthz[-1]["main_loop"].startswith("stalled for ")
        # The loop turns again: the next beat makes it healthy.
        assert await wait_for_health(http, f"{health}/healthz", 200) == ok
        async with http.get(f"{base}/healthz") as response:  # the main port's answer, same shape
            assert (response.status, await response.json()) == (200, ok)


async def test_says_shutting_down_and_refuses_what_it_cannot_read(stack, caplog):
    app, port, health_port = app_with_health_port(stack)
    async with serving(app, port), ClientSession() as http:
        health = f"http://127.0.0.1:{health_port}"
        await wait_for_health(http, f"{health}/readyz", 200)
        with caplog.at_level(logging.DEBUG):
            for method, path, status in (("POST", "/healthz", 405), ("GET", "/nothing", 404)):
                async with http.request(method, f"{health}{path}") as response:
                    assert response.status == status
            for garbage in (b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03\r\n\r\n", b"GET /" + b"x" * 20000):
                answer = await asyncio.to_thread(raw_request, health_port, garbage)
                assert re.match(rb"HTTP/1\.[01] 4\d\d ", answer), answer[:80]
        assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]

        app[DRAINING].set()  # what SIGTERM's on_shutdown does first
        async with http.get(f"{health}/readyz") as response:
            assert (response.status, await response.json()) == (503, {"status": "shutting_down"})
        async with http.get(f"{health}/livez") as response:
            assert response.status == 200  # not hung: only leaving


def raw_request(port: int, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(data + b"\r\n\r\n")
        return connection.recv(4096)


@pytest.fixture
def own_postgres():
    with throwaway_postgres("snabb-health-") as (postgres, _):
        postgres.start()
        yield postgres


async def test_reports_the_database_down_and_back(app_server, own_postgres):
    """The listener's own connection, to a PostgreSQL of this test's own, stopped and started;
    the Janus states from the beats of this (the session app's) loop."""
    heartbeat = Heartbeat(stall_after=STALL_AFTER)
    stamping = asyncio.create_task(keep_stamping(heartbeat, app_server[JANUS]))
    health_port = free_port()
    listener = HealthListener(
        "127.0.0.1",
        health_port,
        DatabaseSettings(url=SecretStr(own_postgres.url)),
        heartbeat,
        lambda: False,
    )
    await listener.start()
    try:
        async with ClientSession() as http:
            health = f"http://127.0.0.1:{health_port}"
            await wait_for_health(http, f"{health}/healthz", 200)
            await asyncio.to_thread(own_postgres.stop)
            down = await wait_for_health(http, f"{health}/healthz", 503)
            assert down["database"].startswith("unavailable: ")
            assert down["janus"] == {"janus1": "ok"} and down["main_loop"] == "ok"
            async with http.get(f"{health}/readyz") as response:
                body = await response.json()
                assert response.status == 503 and body["database"].startswith("unavailable: ")
            async with http.get(f"{health}/livez") as response:
                assert response.status == 200  # the process is fine: restarting it cures nothing
            await asyncio.to_thread(own_postgres.start)
            assert (await wait_for_health(http, f"{health}/readyz", 200))["database"] == "ok"
    finally:
        await listener.stop()
        stamping.cancel()
