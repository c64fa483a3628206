"""The candidate's page works out its place and wait from the queue message all waiting pages
share (web/static/js/live/queue-place.js, app/live/PROTOCOL.md "The queue message"): after
others ahead of them leave, it shows what a whole state would, in Swedish and English, and
the page passes axe."""

from __future__ import annotations

import pytest

from app.live import queue
from tests.browser.axe import assert_accessible
from tests.browser.csp import wait_for_function
from tests.browser.test_candidate_live import (
    TEXTS,
    interviewer_socket,
    open_candidate,
    phase,
)
from tests.integration.channel_support import CANDIDATE_PIN
from tests.integration.live_support import make_live_event

pytestmark = pytest.mark.browser
SHOTS = "/tmp/shots-queue-place"
WORDS = {
    "sv": ("Du är nummer {} i kön.", "Beräknad väntetid: ungefär {} minuter."),
    "en": ("You are number {} in the queue.", "Estimated wait: about {} minutes."),
}
SHOWN = (
    "[document.querySelector('[data-position]').textContent, "
    "document.querySelector('[data-wait]').textContent]"
)


@pytest.mark.parametrize("language", ["sv", "en"])
async def test_the_place_and_wait_after_others_ahead_leave(new_page, base_url, db, settings, language):
    event = await make_live_event(db, interviewers=1, candidates=5, interview_minutes=10)
    ahead, mine = event.candidates[:4], event.candidates[4]
    for candidate_id in ahead:
        await queue.check_in(db, candidate_id, settings.live)
    token = await db.fetchval("SELECT access_token FROM candidate WHERE id = $1", mine)
    interviewer_token = await db.fetchval(
        "SELECT access_token FROM event_interviewer WHERE id = $1", event.interviewers[0]
    )
    place, wait = WORDS[language]
    async with interviewer_socket(base_url, interviewer_token):
        page = await open_candidate(new_page, base_url, token, language)
        await page.get_by_role("button", name=TEXTS[language]["checkin"]).click()
        await phase(page, "waiting")
        # One interviewer free now, ten-minute interviews: the fifth waits four of them.
        await wait_for_function(page, f"{SHOWN}.join('|') === {place.format(5) + '|' + wait.format(40)!r}")
        # The check-in's own reply came with a state of no version yet; the round of the
        # change gives it one (PROTOCOL.md, the state's `queue.v`).
        await wait_for_function(page, "window.candidatePage.state.queue.v !== null")

        await page.evaluate("""window.candidatePage.channel.addEventListener('message', (e) => {
          if (e.detail.type === 'queue') window.__queueMessages = (window.__queueMessages || 0) + 1;
        })""")
        # Two ahead leave, the second and the third: the page is third, twenty minutes.
        for candidate_id in ahead[1:3]:
            await queue.leave(db, candidate_id)
        await wait_for_function(page, f"{SHOWN}.join('|') === {place.format(3) + '|' + wait.format(20)!r}")
        await page.screenshot(path=f"{SHOTS}-{language}.png", full_page=True)
        await assert_accessible(page)

        # And the first leaves too: second, ten minutes; the database agrees.
        await queue.leave(db, ahead[0])
        await wait_for_function(page, f"{SHOWN}.join('|') === {place.format(2) + '|' + wait.format(10)!r}")
        # Drawn from the shared message (a whole state comes instead only when the server
        # could not read the event: then everyone gets one).
        assert await page.evaluate("window.__queueMessages") >= 1
        places = await queue.waiting_positions(db, event.id, settings.live)
        assert [(w.candidate_id, w.position, w.wait_seconds) for w in places] == [
            (ahead[3], 1, 0.0),
            (mine, 2, 600.0),
        ]

        # A message the page cannot apply (from before its version): it is not drawn; the
        # page asks for its whole state (sync), which shows the same place.
        await page.evaluate("""window.candidatePage.channel.receive(JSON.stringify({
          type: "queue", v: 0, prev: -1, now: new Date().toISOString(), left: [1],
          joined: [], wait: null}))""")
        await wait_for_function(page, "window.candidatePage.channel.lastState.queue.position === 2")
        assert await page.evaluate(SHOWN) == [place.format(2), wait.format(10)]


async def test_the_wait_counts_down_while_the_interview_ahead_goes_on(new_page, base_url, db, settings):
    """Nothing moves while the one interviewer holds the interview before this page's turn,
    so no state comes: the page works the wait out again from the waits' inputs as time
    passes (it stood still until the next change, or a reload)."""
    event = await make_live_event(db, interviewers=1, candidates=2, interview_minutes=10)
    first, mine = event.candidates
    await queue.check_in(db, first, settings.live)
    token = await db.fetchval("SELECT access_token FROM candidate WHERE id = $1", mine)
    interviewer_token = await db.fetchval(
        "SELECT access_token FROM event_interviewer WHERE id = $1", event.interviewers[0]
    )
    page = await new_page()
    await page.clock.install()  # before the page's timers are made: they run on this clock
    await page.context.add_cookies([{"name": "lang", "value": "en", "url": base_url}])
    await page.goto(f"/c/{token}")
    await page.fill("#pin", CANDIDATE_PIN)
    await page.get_by_role("button", name=TEXTS["en"]["open"]).click()
    await page.wait_for_function("!!window.candidatePage")
    async with interviewer_socket(base_url, interviewer_token) as lobby:
        await page.get_by_role("button", name=TEXTS["en"]["checkin"]).click()
        await phase(page, "waiting")
        assert (await lobby.request({"dispatched"}, type="next"))["candidate"] == first
        # Next, behind an interview of ten minutes.
        await wait_for_function(
            page, f"{SHOWN}.join('|') === 'You are next in the queue.|Estimated wait: about 10 minutes.'"
        )
        assert await page.evaluate("window.candidatePage.state.wait") == {
            "free_in": [600.0],
            "average": 600.0,
        }
        # Six minutes on, with no news (the page's clock is moved for the wait alone: moved
        # as a whole, the socket's pings would go unanswered and it would reconnect), and
        # the page's next look at it.
        await page.evaluate("window.candidatePage.waiting.receivedAt -= 6 * 60000")
        await page.clock.run_for(15000)
        await wait_for_function(page, f"{SHOWN}[1] === 'Estimated wait: about 4 minutes.'")
        await page.evaluate("window.candidatePage.waiting.receivedAt -= 4 * 60000")
        await page.clock.run_for(15000)
        await wait_for_function(page, f"{SHOWN}[1] === 'Estimated wait: about a minute or less.'")
