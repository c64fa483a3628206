"""TURN fallback, inside a network namespace (tests/netns.py): where the network lets no UDP
through, the call connects through the local coturn (app/localstack/coturn.py) over TCP, and
where it lets only TLS through, over TLS (and with UDP to Janus alone blocked, over UDP), with the per-ticket credentials /api/join gives
(app/turn.py). Video decodes on both sides, and each page's selected candidate pair says
which path it is on (web/static/js/live/connection-path.js)."""

from __future__ import annotations

import time

import pytest

from tests.browser.netns.test_netns_call import open_room
from tests.netns import connection_paths, frames_flowing

pytestmark = pytest.mark.browser


async def call_through(netns, netns_page, interview_tickets, transport: str) -> float:
    """Open both sides' pages; returns the seconds until frames flowed on both."""
    started = time.monotonic()
    pages = [await open_room(netns_page, ticket) for ticket in await interview_tickets()]
    for page in pages:
        await frames_flowing(page, timeout=120)
    took = time.monotonic() - started
    for page in pages:
        paths = await connection_paths(page)
        # The publisher's connection and the subscriber's: both relayed, over `transport`.
        assert len(paths) >= 2, paths
        assert all(
            path == {"kind": "relay", "candidateType": "relay", "transport": transport} for path in paths
        ), paths
        assert await page.evaluate("window.callState.failures") == []
    print(f"TURN/{transport.upper()}: frames flowing both ways {took:.1f} s after opening")
    return took


# Each network leaves one way through the relay open: with several, ICE may settle on any
# that answers first (under load, TURN/TCP before TURN/UDP was seen).
NETWORKS = {
    "udp": lambda shaping: shaping.block_udp_to_janus(turn_tcp=False),  # UDP to Janus blocked
    "tcp": lambda shaping: shaping.only_tcp(turn_tls=False),  # no UDP at all
    "tls": lambda shaping: shaping.only_tls_to_turn(),  # no UDP, and only TLS to the relay
}


@pytest.mark.parametrize("transport", NETWORKS)
async def test_blocked_networks_connect_through_turn(netns, netns_page, interview_tickets, transport):
    NETWORKS[transport](netns.shaping)  # from the start: before either page opens
    await call_through(netns, netns_page, interview_tickets, transport)
