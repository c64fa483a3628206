"""Fixtures for tests that need a Janus of their own (to stop, freeze or kill it)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import asyncpg
import pytest_asyncio
from aiohttp import ClientSession, CookieJar

from app.janus_config import render_janus_config
from app.localstack.janus_server import LocalJanus
from app.localstack.processes import free_port
from app.settings import load_settings
from tests.accounts import log_in, make_user


@pytest_asyncio.fixture
async def own_janus(stack):
    """A Janus of this test's own, to stop and start without disturbing the others."""
    ws_port, admin_port, app_port = free_port(), free_port(), free_port()
    environ = dict(
        stack.environ,
        SNABB_APP_PORT=str(app_port),
        SNABB_JANUS_SERVER_WS_PORT=str(ws_port),
        SNABB_JANUS_SERVER_ADMIN_WS_PORT=str(admin_port),
        SNABB_JANUS_SERVER_EVENT_BACKEND_URL=f"http://127.0.0.1:{app_port}/janus/events",
        # An app made from these settings knows this Janus only, not the fleet
        # that the session's other apps share (tests/integration/test_janus_fleet.py
        # adds it to that fleet itself).
        SNABB_JANUS_FLEET="settings",
        SNABB_JANUS_SERVERS=json.dumps(
            [
                {
                    "name": "solo",
                    "url": f"ws://127.0.0.1:{ws_port}",
                    "public_url": f"ws://127.0.0.1:{ws_port}",
                    "admin_url": f"ws://127.0.0.1:{admin_port}",
                }
            ]
        ),
    )
    settings = load_settings(environ)
    # Placement counts a server's rooms from the interviews placed there, by name: the
    # Janus servers of earlier tests were named "solo" too, and may have left live ones.
    connection = await asyncpg.connect(stack.environ["DATABASE_URL"])
    try:
        await connection.execute("""
            UPDATE interview SET state = 'ended', ended_at = now(), end_reason = 'interviewer'
            WHERE janus_server = 'solo' AND state IN ('offered', 'active')""")
    finally:
        await connection.close()
    with tempfile.TemporaryDirectory() as folder:
        render_janus_config(settings, Path(folder) / "janus", "solo")
        janus = LocalJanus(Path(folder) / "janus", ws_port, admin_port, Path(folder) / "janus.log")
        janus.start()
        try:
            yield settings, janus
        finally:
            janus.stop()


@pytest_asyncio.fixture
async def pool(stack):
    """A pool of this test's own on the session database: a second "process" beside the app."""
    own = await asyncpg.create_pool(stack.environ["DATABASE_URL"], min_size=1, max_size=4)
    try:
        yield own
    finally:
        await own.close()


@pytest_asyncio.fixture
async def employer(db, base_url, app_server):
    """A new employer's account, logged in: (its aiohttp session, the user)."""
    user = await make_user(db)
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as http:
        await log_in(http, base_url, user["email"])
        yield http, user
