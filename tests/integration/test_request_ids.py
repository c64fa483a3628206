"""Every record of a request carries its id, and so do the response and its error page
(README, "Logs"): a user's "it failed at 14:02, reference 1f3a…" finds its log lines."""

from __future__ import annotations

import asyncio
import io
import json
import logging

from aiohttp import ClientSession, web

from app.localstack.processes import free_port
from app.logs import log_handler
from app.request_ids import HEADER, request_id_middleware
from tests.serving import serving

PROXY_ID = "0123456789abcdef0123456789abcdef"  # nginx's $request_id: 32 hex digits


def json_lines(settings):
    stream = io.StringIO()
    handler = log_handler(
        settings.model_copy(update={"app": settings.app.model_copy(update={"log_format": "json"})}), stream
    )
    return stream, handler


async def test_an_error_page_names_the_request_and_its_log_lines_carry_it(
    app_server, settings, http, base_url
):
    stream, handler = json_lines(settings)
    root = logging.getLogger()
    root.addHandler(handler)
    # setLevel, not the attribute: loggers cache what isEnabledFor said.
    level = root.level
    root.setLevel(logging.INFO)
    access = logging.getLogger("aiohttp.access")
    access_level = access.level
    access.setLevel(logging.INFO)

    def access_lines() -> list[dict]:
        lines = [json.loads(line) for line in stream.getvalue().splitlines()]
        return [
            line
            for line in lines
            if line["request_id"] == PROXY_ID
            and line["logger"] == "aiohttp.access"
            and "/no/such/page 404" in line["message"]
        ]

    try:
        async with http.get(
            f"{base_url}/no/such/page",
            headers={HEADER: PROXY_ID, "Accept": "text/html", "Accept-Language": "sv"},
        ) as response:
            assert response.status == 404
            assert response.headers[HEADER] == PROXY_ID
            page = await response.text()
        # The access line is written once the response has gone out: a moment later.
        for _ in range(100):
            if access_lines():
                break
            await asyncio.sleep(0.05)
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        access.setLevel(access_level)
    assert f"uppge denna referens: {PROXY_ID}" in page
    assert access_lines(), stream.getvalue()


async def test_an_unreadable_id_is_replaced_by_one_of_ours(app_server, http, base_url):
    async with http.get(f"{base_url}/", headers={HEADER: "not one; of ours"}) as response:
        made = response.headers[HEADER]
    async with http.get(f"{base_url}/") as response:
        other = response.headers[HEADER]
    assert len(made) == 16 and int(made, 16) >= 0 and made != other


async def test_records_written_while_handling_carry_the_id_and_others_do_not(settings):
    stream, handler = json_lines(settings)
    log = logging.getLogger("tests.request_ids")

    async def handler_that_logs(request):
        log.warning("handling the request")
        return web.Response(text="ok")

    app = web.Application(middlewares=[request_id_middleware])
    app.router.add_get("/", handler_that_logs)
    log.addHandler(handler)
    try:
        async with serving(app, free_port()) as url, ClientSession() as http:
            for request_id in ("first-request", "second-request"):
                async with http.get(url + "/", headers={HEADER: request_id}) as response:
                    assert response.status == 200
            log.warning("outside any request")
    finally:
        log.removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [(line["message"], line["request_id"]) for line in lines] == [
        ("handling the request", "first-request"),
        ("handling the request", "second-request"),
        ("outside any request", "-"),
    ]
