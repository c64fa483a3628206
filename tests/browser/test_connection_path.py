"""web/static/js/live/connection-path.js in words, in both languages. Which path a real call
takes is read from its selected candidate pair in the namespace tests
(tests/browser/netns/test_turn_fallback.py)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

WORDS = """async (code) => {
  const texts = await import("/static/js/live/texts.js");
  const { pathText, connectionPath } = await import("/static/js/live/connection-path.js");
  await texts.setLanguage(code);
  return {
    none: pathText(null), nothingYet: await connectionPath(new RTCPeerConnection()),
    closed: await connectionPath(null),
    udp: pathText({kind: "direct", transport: "udp"}),
    tcp: pathText({kind: "direct", transport: "tcp"}),
    relayUdp: pathText({kind: "relay", transport: "udp"}),
    relayTcp: pathText({kind: "relay", transport: "tcp"}),
    relayTls: pathText({kind: "relay", transport: "tls"}),
  };
}"""


async def test_the_path_in_words_in_swedish_and_english(new_page):
    page = await new_page()
    await page.goto("/test-pages/call.html")
    assert await page.evaluate(WORDS, "sv") == {
        "none": "",
        "nothingYet": None,
        "closed": None,
        "udp": "Direktanslutning (UDP)",
        "tcp": "Direktanslutning (TCP)",
        "relayUdp": "Via en reläserver (TURN över UDP)",
        "relayTcp": "Via en reläserver (TURN över TCP)",
        "relayTls": "Via en reläserver (TURN över TLS)",
    }
    english = await page.evaluate(WORDS, "en")
    assert english["udp"] == "Direct connection (UDP)"
    assert english["relayTls"] == "Through a relay server (TURN over TLS)"
