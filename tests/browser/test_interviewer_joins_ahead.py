"""While the interviewer's own offer is open, the meeting web is already in the interview's
room, out of sight (web/static/js/live/interviewer-interview.js): the candidate who presses
Join finds the interviewer there, and the call the interviewer sees when the interview
starts is that same one. An offer taken back leaves the room and stops the camera."""

from __future__ import annotations

import asyncio

import pytest

from app.metrics import METRICS
from tests.browser.interviewer_support import checked_in, make_meeting_event, open_meeting
from tests.browser.test_candidate_live import TEXTS, api_join_requests, open_candidate, phase

pytestmark = pytest.mark.browser

CALL = "window.meeting.interview.call"
IN_THE_ROOM_ALONE = f"{CALL}.joined && {CALL}.state.phase === 'alone'"
REMOTE_PLAYING = """(selector) => {
  const video = document.querySelector(selector);
  return !!video && video.videoWidth > 0 && video.readyState >= 2;
}"""


def interviewer_join_reports() -> float:
    return METRICS.registry.get_sample_value("snabb_join_seconds_count", {"role": "interviewer"}) or 0


async def test_the_open_offer_is_joined_out_of_sight_and_left_when_withdrawn(new_page, db, base_url):
    _event, (token,), candidates = await make_meeting_event(db, candidates=1)
    async with checked_in(base_url, candidates):
        page = await open_meeting(await new_page(), token)
        await page.wait_for_function("document.querySelectorAll('#queue li').length === 1")
        await page.locator("#next").click()
        await page.locator("#own-offer").wait_for()
        # In the room, publishing, with nobody else there yet; the lobby is what shows.
        await page.wait_for_function(IN_THE_ROOM_ALONE, timeout=20000)
        assert await page.locator("#interview").is_hidden()
        assert await page.locator("#lobby").is_visible()
        kinds = await page.evaluate(
            f"(window.aheadTracks = {CALL}.el.self.srcObject.getTracks()).map((t) => t.kind).sort()"
        )
        assert kinds == ["audio", "video"]

        await page.locator("#withdraw").click()
        await page.locator("#own-offer").wait_for(state="hidden")
        await page.wait_for_function(
            f"!{CALL}.joined && window.aheadTracks.every((t) => t.readyState === 'ended')"
        )
        assert await page.locator("#interview").is_hidden()


async def test_the_call_joined_ahead_is_the_interviews_call(new_page, db, base_url):
    _event, (token,), (candidate_token,) = await make_meeting_event(db, candidates=1)
    candidate = await open_candidate(new_page, base_url, candidate_token, "en")
    await candidate.get_by_role("button", name=TEXTS["en"]["checkin"]).click()
    await phase(candidate, "waiting")
    interviewer = await open_meeting(await new_page(), token)
    # Both pages go straight to Janus with the join info of `dispatched` and `ticket`.
    joins = {"interviewer": api_join_requests(interviewer), "candidate": api_join_requests(candidate)}
    await interviewer.wait_for_function("document.querySelectorAll('#queue li').length === 1")
    await interviewer.locator("#next").click()
    await interviewer.wait_for_function(IN_THE_ROOM_ALONE, timeout=20000)
    await interviewer.evaluate(f"window.aheadCall = {CALL}.call")
    reports = interviewer_join_reports()

    await phase(candidate, "offer")
    await candidate.get_by_role("button", name=TEXTS["en"]["join"]).click()
    await interviewer.wait_for_selector("#interview:not([hidden])")
    await interviewer.wait_for_function(REMOTE_PLAYING, arg="#interview [data-call-remote]", timeout=20000)
    await candidate.wait_for_function(
        REMOTE_PLAYING, arg="[data-phase=interview] [data-call-remote]", timeout=20000
    )
    # Not joined again: the same call, now shown.
    assert await interviewer.evaluate(f"window.aheadCall === {CALL}.call")
    assert joins == {"interviewer": [], "candidate": []}
    # Its join time is told once the candidate's video came (counted from the interview's start).
    for _ in range(100):
        if interviewer_join_reports() > reports:
            break
        await asyncio.sleep(0.1)
    assert interviewer_join_reports() == reports + 1
