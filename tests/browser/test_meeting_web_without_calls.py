"""The interviewers' meeting web in a browser that cannot make video calls (WebKit as
Debian builds it, without WebRTC: tests/browser/webkit.py): it says so before anyone is
called in, and the candidate called in is told why the interviewer does not come
(PROTOCOL.md, `devices`, `problem` "unsupported"; the candidate's side of the same:
test_candidate_engines.py, test_interviewer_offer.py)."""

from __future__ import annotations

import pytest

from tests.browser.interviewer_support import checked_in, make_meeting_event
from tests.browser.test_candidate_engines import VIEWPORT, shot, visible
from tests.integration.channel_support import INTERVIEWER_CODE

pytestmark = pytest.mark.browser


async def test_the_meeting_web_says_it_cannot_make_calls_and_the_candidate_is_told(webkit_page, db, base_url):
    _event, (token,), candidates = await make_meeting_event(db, candidates=1)
    async with checked_in(base_url, candidates) as [candidate]:
        page = await webkit_page(viewport=VIEWPORT)
        await page.goto(f"/i/{token}")
        await page.fill("#code", INTERVIEWER_CODE)
        await page.submit("form.pin-form button[type=submit]")
        await page.wait_for_selector('#connection[data-status="open"]')
        assert await page.evaluate("typeof RTCPeerConnection") == "undefined"
        assert await visible(page, "#meeting > [data-call-unsupported]")
        await shot(page, "meeting-web-without-calls")

        await page.click("#next")
        await candidate.wait_for(lambda m: m["type"] == "offer")
        assert (await candidate.request({"ticket"}, type="accept"))["type"] == "ticket"
        await candidate.wait_for(
            lambda m: (
                m["type"] == "state"
                and bool(m["interview"])
                and m["interview"]["other_devices"]["problem"] == "unsupported"
            )
        )
