"""An open offer while the video service is down: the server keeps the offer and stops its
clock (app/live/reconciler.py marks the interview's media lost), so the candidate's page
must not count the time to join down to "run out" meanwhile, nor offer a Join that would
only reach the lost server; nor may the interviewer's banner count down."""

from __future__ import annotations

import pytest

from app.live.queue import notify
from tests.browser.interviewer_support import make_meeting_event
from tests.browser.test_candidate_live import TEXTS, interviewer_socket, offered, open_candidate
from tests.browser.test_interviewer_live import one_called_in

pytestmark = pytest.mark.browser

# As the reconciler marks it when no media server can take the room, 100 s ago, with 15 s of
# the time to join left then (of the tests' 20: never more than an offer gives): already past
# the offer's deadline by the wall clock.
MEDIA_LOST = """UPDATE interview SET media_lost_at = now() - interval '100 seconds',
                                     offer_expires_at = now() - interval '85 seconds'
                 WHERE id = $1 RETURNING event_id"""
MEDIA_BACK = """UPDATE interview SET media_lost_at = NULL, offer_expires_at = now() + interval '12 seconds'
                 WHERE id = $1 RETURNING event_id"""


async def told(db, sql: str, interview_id: int) -> None:
    event_id = await db.fetchval(sql, interview_id)
    await notify(db, event_id, "media")


@pytest.mark.parametrize("language", ["sv", "en"])
async def test_the_candidates_offer_stands_still_while_the_video_service_is_down(
    new_page, db, base_url, language
):
    event, (interviewer_token,), (token,) = await make_meeting_event(db, candidates=1)
    page = await open_candidate(new_page, base_url, token, language)
    async with interviewer_socket(base_url, interviewer_token) as interviewer:
        await offered(page, interviewer, language)
        # (Of this event: other tests leave offers of their own in the database.)
        interview = await db.fetchval(
            "SELECT id FROM interview WHERE state = 'offered' AND event_id = $1", event.id
        )
        join = page.get_by_role("button", name=TEXTS[language]["join"])
        await told(db, MEDIA_LOST, interview)
        still = {"sv": "står still på 15 sekunder", "en": "stands still at 15 seconds"}[language]
        text = page.locator("[data-offer-text]")
        await text.filter(has_text=still).wait_for()
        assert await join.is_disabled()
        await page.wait_for_timeout(1500)  # a second on: still 15, never "run out"
        assert still in await text.inner_text()

        # Back: the new deadline from the server, and Join again.
        await told(db, MEDIA_BACK, interview)
        await page.wait_for_function("!document.querySelector('[data-join]').disabled")
        assert "15" not in await text.inner_text()


async def test_the_interviewers_banner_stands_still_while_the_video_service_is_down(new_page, db, base_url):
    async with one_called_in(new_page, db, base_url) as (page, candidate):
        interview = next(m["interview"] for m in candidate.messages if m["type"] == "offer")
        await told(db, MEDIA_LOST, interview)
        banner = page.locator("#own-offer-time")
        await banner.filter(has_text="the time for them to join stands still at").wait_for()
        assert "stands still at 15 s until it is back" in await banner.inner_text()
