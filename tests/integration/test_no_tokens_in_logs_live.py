"""No personal link's token reaches the log of a running application process, whatever logs
it: aiohttp's server logger on a request line or a header over its limit, our error log and
its traceback on a crash, the access log (README, "Security headers and logs")."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

import aiohttp
import pytest

from app.localstack.processes import free_port
from app.logs import secret_values
from tests.conftest import ROOT

CANDIDATE_TOKEN = "Zx81kq0PlmN3vB7tYw2Rab9Q"
INTERVIEWER_TOKEN = "Qq7Lm2Nn4Pp6Rr8Ss0Tt1Uu"
REFERER_TOKEN = "Kk5Jj3Hh1Gg9Ff7Dd5Ss3Aa"
CRASH_TOKEN = "Ww2Ee4Rr6Tt8Yy0Uu1Ii3Oo"
PAD = "x" * 9000  # over aiohttp's 8190 bytes for a request line or a header


async def raw_request(port: int, data: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(data)
        await writer.drain()
        return await asyncio.wait_for(reader.read(65536), 10)
    finally:
        writer.close()


# aiohttp's C parser and its Python one word the errors differently.
@pytest.fixture(params=["c-parser", "python-parser"])
async def app_process(stack, request):
    port = free_port()
    parser = {"AIOHTTP_NO_EXTENSIONS": "1"} if request.param == "python-parser" else {}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.integration.crashing_app",
        cwd=ROOT,
        env={
            **os.environ,
            **stack.environ,
            "SNABB_APP_PORT": str(port),
            "SNABB_APP_LOG_LEVEL": "DEBUG",
            **parser,
        },
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(200):
                try:
                    async with http.get(f"http://127.0.0.1:{port}/healthz"):
                        break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.1)
            else:
                raise AssertionError("the application process did not start")
        yield port, process
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.wait(), 30)


async def test_oversized_requests_and_a_crash_log_no_token(app_process, settings):
    port, process = app_process
    host = f"Host: 127.0.0.1:{port}\r\n"
    line = await raw_request(port, f"GET /c/{CANDIDATE_TOKEN}?pad={PAD} HTTP/1.1\r\n{host}\r\n".encode())
    assert line.split(b"\r\n", 1)[0].endswith(b"400 Bad Request")
    # Our page in both languages, with the headers every answer has, and nothing of the
    # request quoted back (app/unreadable_requests.py).
    head, _, body = line.partition(b"\r\n\r\n")
    assert b"Content-Security-Policy: default-src 'none'" in head and b"X-Frame-Options: DENY" in head
    assert "Förfrågan kunde inte tolkas".encode() in body and b"The request could not be understood" in body
    assert CANDIDATE_TOKEN[:12].encode() not in line and b"pad=" not in line
    line = await raw_request(port, f"GET /i/{INTERVIEWER_TOKEN}?pad={PAD} HTTP/1.1\r\n{host}\r\n".encode())
    assert line.split(b"\r\n", 1)[0].endswith(b"400 Bad Request")
    header = await raw_request(
        port,
        (
            f"GET /i/{INTERVIEWER_TOKEN} HTTP/1.1\r\n{host}"
            f"Referer: http://127.0.0.1:{port}/c/{REFERER_TOKEN}?pad={PAD}\r\n\r\n"
        ).encode(),
    )
    assert header.split(b"\r\n", 1)[0].endswith(b"Bad Request")
    async with (
        aiohttp.ClientSession() as http,
        http.get(
            f"http://127.0.0.1:{port}/c/{CRASH_TOKEN}/crash", headers={"Accept": "text/html"}
        ) as response,
    ):
        assert response.status == 500
    process.send_signal(signal.SIGTERM)
    output, _ = await asyncio.wait_for(process.communicate(), 30)
    log = output.decode("utf-8", "replace")
    # Each fault did write its lines: aiohttp's refusal of what it could not read (one line,
    # nothing quoted, no traceback: app/logs.py UnreadableRequestFilter), our error with the
    # traceback, the access log.
    assert log.count("refused a request it could not read (LineTooLong, 400)") >= 3, log[-3000:]
    assert "Error handling request" not in log
    assert "RuntimeError: failed for /c/…/crash and token '[redacted]'" in log, log[-3000:]
    assert "GET /c/…/crash 500" in log
    for token in (CANDIDATE_TOKEN, INTERVIEWER_TOKEN, REFERER_TOKEN, CRASH_TOKEN):
        assert token not in log
        assert token[:12] not in log  # nor a part of one, from a line cut short
    for secret in secret_values(settings):  # at DEBUG, with the Janus connections' chatter
        assert secret not in log
