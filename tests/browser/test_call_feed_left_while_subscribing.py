"""A participant who leaves while the other page is still subscribing to them has left; the
other page's call goes on (docs/calls.md, "Rejoin"). The interviewer's page, alone in the
room, begins to watch the candidate who just joined; before Janus has given it the handle
for that (held back here, on the page's own Janus connection), the candidate's page closes,
and the page hears the candidate's feed leave before its subscription is made. The call is
alone again, not failed (it failed, for good, before: the subscription's join then went to
a feed no longer there), and the candidate who opens the page again is seen. (Janus's "no
such feed" for a join already sent: tests/js/room-feeds.test.mjs.)"""

from __future__ import annotations

import json
import re

import pytest

from tests.browser.interviewer_support import make_meeting_event, open_meeting
from tests.browser.test_candidate_live import open_candidate

pytestmark = pytest.mark.browser

# Janus's WebSocket (ws://host:port), not the page's own live socket (/i/{token}/ws).
JANUS_URL = re.compile(r"^wss?://[^/]+/?$")
INTERVIEWER_CALL = "window.meeting.interview.call"
INTERVIEWER_VIDEO = "#interview [data-call-remote]"
CANDIDATE_VIDEO = "[data-phase=interview] [data-call-remote]"


def _decoded(selector: str) -> str:
    return f"""() => {{
        const video = document.querySelector({selector!r});
        return !!video && video.videoWidth > 0 && video.readyState >= 2; }}"""


class JanusRelay:
    """The page's connections to Janus through a relay that, while `holding`, keeps back
    Janus's answers to the page's requests to attach a handle (and passes them on at
    `release`); it notes whether a feed's leaving has come through."""

    def __init__(self) -> None:
        self.holding = False
        self.attaching: set[str] = set()
        self.held: list = []
        self.left = False

    async def route(self, page) -> None:
        await page.route_web_socket(JANUS_URL, self._relay)

    def _relay(self, socket) -> None:
        server = socket.connect_to_server()

        def to_server(message) -> None:
            found = _json(message)
            if found.get("janus") == "attach":
                self.attaching.add(found.get("transaction"))
            server.send(message)

        def to_page(message) -> None:
            found = _json(message)
            if self.holding and found.get("transaction") in self.attaching:
                self.held.append((socket, message))
                return
            data = found.get("plugindata", {}).get("data", {})
            if "leaving" in data or "unpublished" in data:
                self.left = True
            socket.send(message)

        socket.on_message(to_server)
        server.on_message(to_page)

    def release(self) -> None:
        self.holding = False
        for socket, message in self.held:
            socket.send(message)
        self.held.clear()


def _json(message) -> dict:
    try:
        found = json.loads(message)
    except (TypeError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


async def test_a_candidate_gone_while_their_feed_is_being_subscribed_to_leaves_the_call_alone_not_failed(
    new_page, db, base_url
):
    _event, (interviewer_token,), (token,) = await make_meeting_event(db, candidates=1)
    interviewer = await new_page(extra_http_headers={"Accept-Language": "en"})
    errors: list[str] = []
    interviewer.on("pageerror", lambda error: errors.append(str(error)))
    janus = JanusRelay()
    await janus.route(interviewer)
    await open_meeting(interviewer, interviewer_token)
    candidate = await open_candidate(new_page, base_url, token, "en")
    await candidate.locator("[data-checkin]").click()
    await candidate.wait_for_function("document.body.dataset.livePhase === 'waiting'")
    await interviewer.locator("#next").click()
    await candidate.wait_for_function("document.body.dataset.livePhase === 'offer'")
    # The interviewer is in the room ahead of the candidate, alone.
    await interviewer.wait_for_function(f"{INTERVIEWER_CALL}.state.phase === 'alone'", timeout=20000)
    janus.holding = True
    await candidate.locator("[data-join]").click()
    await interviewer.wait_for_selector("#interview:not([hidden])")
    for _ in range(400):  # the page asked for a handle to watch the candidate: held back
        if janus.held:
            break
        await interviewer.wait_for_timeout(50)
    assert janus.held, "the interviewer's page never began to subscribe to the candidate"
    # The candidate's page closes: Janus ends its session, and their feed leaves.
    await candidate.context.close()
    for _ in range(400):
        if janus.left:
            break
        await interviewer.wait_for_timeout(50)
    assert janus.left, "the candidate's feed never left"
    janus.release()
    # The call is alone again (the candidate gone), not failed, and nothing broke on the page.
    await interviewer.wait_for_function(f"{INTERVIEWER_CALL}.state.phase === 'alone'", timeout=10000)
    await interviewer.wait_for_timeout(
        2000
    )  # time for what failed the call before: a join for the gone feed, refused
    assert await interviewer.evaluate(f"{INTERVIEWER_CALL}.state.phase") == "alone"
    assert await interviewer.locator("#rejoin").is_hidden()
    assert errors == []
    # The candidate back on a new page: the interviewer sees them.
    candidate = await open_candidate(new_page, base_url, token, "en")
    await interviewer.wait_for_function(_decoded(INTERVIEWER_VIDEO), timeout=60000)
    await candidate.wait_for_function(_decoded(CANDIDATE_VIDEO), timeout=60000)
