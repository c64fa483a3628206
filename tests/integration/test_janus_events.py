"""Janus's event handler, configured by our template, reaches the control plane."""
from __future__ import annotations

import asyncio

from app.views.janus_events import EVENT_SUBSCRIBERS
from tests.janus_probe import JanusProbe, added_token

SESSION_EVENT = 1


async def test_janus_posts_session_events(app_server, settings):
    received: list[dict] = []

    async def collect(_app, events):
        received.extend(events)

    app_server[EVENT_SUBSCRIBERS].append(collect)
    try:
        token = await added_token(settings)
        async with JanusProbe(settings.janus.servers[0].url, token) as probe:
            await probe.open_videoroom()
            session_id = probe.session_id
        for _ in range(100):
            if any(e["type"] == SESSION_EVENT and e.get("session_id") == session_id
                   and e["event"]["name"] == "created" for e in received):
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError(f"no session event for {session_id}: {received[:5]}")
    finally:
        app_server[EVENT_SUBSCRIBERS].remove(collect)
