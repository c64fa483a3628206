"""A call inside a network namespace (tests/netns.py), addressed like a deployment's: two
Chromium pages, video frames decoding on both sides, straight to Janus over UDP."""

from __future__ import annotations

import time
from urllib.parse import quote

import pytest

from tests.netns import SERVER_ADDRESS, connection_paths, frames_flowing

pytestmark = pytest.mark.browser
DIRECT_UDP = {"kind": "direct", "candidateType": "host", "transport": "udp"}


async def open_room(netns_page, ticket):
    page = await netns_page()
    await page.goto(f"/test-pages/room.html#{quote(ticket)}")
    return page


async def test_a_call_in_the_namespace_flows_both_ways_directly(netns, netns_page, interview_tickets):
    assert SERVER_ADDRESS in netns.base_url
    started = time.monotonic()
    pages = [await open_room(netns_page, ticket) for ticket in await interview_tickets()]
    for page in pages:
        await frames_flowing(page, timeout=120)
        assert await page.evaluate("window.callState.failures") == []
    print(f"direct: frames flowing both ways {time.monotonic() - started:.1f} s after opening")
    for page in pages:
        paths = await connection_paths(page)
        assert len(paths) >= 2 and all(path == DIRECT_UDP for path in paths), paths
