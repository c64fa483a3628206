"""The health listener, a process of its own (app/health_process.py, started and fed by
app/health_listener.py), answers while the main event loop is blocked, and still tells the
truth: a loop stalled past the bound, a database that is down, a replica shutting down; a
request it cannot read is refused without a traceback. It dies with the app, however the app
dies, and is started again when it dies alone; the database URL is never in its command line.

The main loop is blocked the way a bug would block it: a handler that calls time.sleep. The
test's own client shares that loop, so the probes run in a thread of their own (urllib), and
each records when its answer came, against when the handler slept.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from aiohttp import ClientSession, web
from pydantic import SecretStr

from app.application import create_app
from app.health_listener import HealthProcess, beat, keep_beating, listener_settings
from app.keys import JANUS, SETTINGS
from app.live.drain import DRAINING
from app.localstack.processes import free_port
from app.settings import load_settings
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


async def test_answers_while_the_main_loop_is_blocked_and_says_when_it_stalled(stack, caplog):
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
    # And the app's log says so afterwards, once, with how long (what /livez said is gone).
    said = [r.getMessage() for r in caplog.records if "the main loop did not turn" in r.getMessage()]
    assert len(said) == 1 and re.search(r"did not turn for \d+\.\d s", said[0]), said


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

        app[DRAINING].set()  # what SIGTERM's on_shutdown does first; the beat goes at once
        assert await wait_for_health(http, f"{health}/readyz", 503, timeout=2) == {"status": "shutting_down"}
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
    health_port = free_port()
    settings = app_server[SETTINGS]
    settings = settings.model_copy(
        update={
            "app": settings.app.model_copy(update={"health_port": health_port}),
            "database": settings.database.model_copy(update={"url": SecretStr(own_postgres.url)}),
        }
    )
    listener = HealthProcess(listener_settings(settings))
    await listener.start(beat(app_server[JANUS], False))
    beating = asyncio.create_task(keep_beating(listener, app_server))
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
        beating.cancel()
        await asyncio.gather(beating, return_exceptions=True)
        await listener.stop()


def children_of(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def gone(pid: int) -> bool:
    """Ended: no such process, or a zombie nobody has reaped yet (a container's first process
    may not reap orphans)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def wait_until(condition, seconds: float) -> bool:
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def port_is_free(port: int) -> bool:
    """Free for a new listener, which sets SO_REUSEADDR as aiohttp's does: the probes' closed
    connections may wait out TIME_WAIT, a listening socket may not be there."""
    with socket.socket() as probe_socket:
        probe_socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe_socket.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def health_answers(port: int) -> bool:
    try:
        return probe(f"http://127.0.0.1:{port}/healthz")[0] == 200
    except OSError:
        return False


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
def test_restarted_when_it_dies_gone_when_the_app_is_killed_and_no_secret_in_its_argv(stack, tmp_path):
    """The app as `python -m app` runs it: its listener killed is started again; the app
    killed with SIGKILL (no shutdown of its own) takes its listener along within a second or
    two, and the health port is free for the replica that replaces it."""
    port, health_port = free_port(), free_port()
    environ = {
        **stack.environ,
        "SNABB_APP_PORT": str(port),
        "SNABB_APP_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "SNABB_APP_HEALTH_PORT": str(health_port),
    }
    database_url = load_settings(environ).database.url.get_secret_value()
    log_file = tmp_path / "app.log"
    with log_file.open("wb") as stderr:
        app = subprocess.Popen([sys.executable, "-m", "app"], env=environ, stderr=stderr)
    try:
        assert wait_until(lambda: health_answers(health_port), 60), "the health port never answered"
        (listener,) = children_of(app.pid)
        argv = Path(f"/proc/{listener}/cmdline").read_bytes().split(b"\0")
        assert argv[-3:-1] == [b"-m", b"app.health_process"]
        assert database_url.encode() not in b" ".join(argv)
        password = urllib.parse.urlsplit(database_url).password
        assert not password or password.encode() not in b" ".join(argv)

        os.kill(listener, signal.SIGKILL)  # it dies alone: the app starts another
        assert wait_until(lambda: children_of(app.pid) not in ([], [listener]), 10)
        assert wait_until(lambda: health_answers(health_port), 20)
        (listener,) = children_of(app.pid)

        app.kill()
        app.wait()
        assert wait_until(lambda: gone(listener), 3), "the health listener outlived the app"
        assert wait_until(lambda: port_is_free(health_port), 3)
    finally:
        if app.poll() is None:
            app.kill()
            app.wait()
    log = log_file.read_text()
    assert "the health listener (pid " in log and "exited with status -9; starting a new one" in log
    assert database_url not in log
