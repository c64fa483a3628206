"""Janus's event handler, configured by our template, reaches the control plane."""

from __future__ import annotations

import asyncio

from app.views.janus_events import EVENT_SUBSCRIBERS
from tests.janus_probe import JanusProbe, added_token

HANDLE_EVENT = 2  # sessions are not posted: the app reads handles, webrtc and media


async def test_janus_posts_handle_events(app_server, settings):
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
            if any(
                e["type"] == HANDLE_EVENT
                and e.get("session_id") == session_id
                and e["event"]["name"] == "attached"
                for e in received
            ):
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError(f"no handle event for {session_id}: {received[:5]}")
    finally:
        app_server[EVENT_SUBSCRIBERS].remove(collect)
    assert {e["type"] for e in received} <= {HANDLE_EVENT, 16, 32}, "only the kinds the app reads"
