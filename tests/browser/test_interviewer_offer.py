"""The interviewer's own pending offer is told once: its banner says whom they called in and
the time left to join, with Withdraw beside it; the status line and "In interviews now" do
not say it again."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from app.live import queue
from tests.browser.axe import VIEWPORTS, assert_accessible
from tests.browser.interviewer_support import (
    checked_in,
    first_in_interview,
    make_meeting_event,
    open_meeting,
    shot,
)

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots-interviewer")
TEXTS = {
    "sv": {
        "called": "Du har kallat in Kandidat 1.",
        "withdraw": "Dra tillbaka kallelsen",
        "withdrawn": "drogs tillbaka",
        "gone": "Kandidat 0 står inte längre i kön.",
    },
    "en": {
        "called": "You have called in Kandidat 1.",
        "withdraw": "Withdraw offer",
        "withdrawn": "withdrawn",
        "gone": "Kandidat 0 is no longer in the queue.",
    },
}


@asynccontextmanager
async def two_waiting(new_page, db, base_url, language, viewport):
    """The meeting web in `language` at `viewport`, two candidates checked in and shown in
    its queue; yields (the page, the candidates' recorders)."""
    _event, (token,), candidates = await make_meeting_event(db, candidates=2)
    async with checked_in(base_url, candidates) as recorders:
        page = await open_meeting(
            await new_page(viewport=VIEWPORTS[viewport], extra_http_headers={"Accept-Language": language}),
            token,
        )
        await page.wait_for_function("document.querySelectorAll('#queue li').length === 2")
        yield page, recorders


@pytest.mark.parametrize(("language", "viewport"), [("sv", "desktop"), ("en", "phone")])
async def test_pending_offer_is_told_once_with_withdraw_beside_it(new_page, db, base_url, language, viewport):
    text = TEXTS[language]
    async with two_waiting(new_page, db, base_url, language, viewport) as (page, recorders):
        await page.locator("#queue button[data-candidate]").nth(1).click()
        await recorders[1].wait_for(lambda m: m["type"] == "offer")
        banner = page.locator("#own-offer")
        await banner.wait_for()
        await page.wait_for_function("document.activeElement.id === 'own-offer'")
        assert await page.locator("#own-offer-name").inner_text() == text["called"]
        assert await page.locator("#own-offer-time").inner_text() != ""
        # Nowhere else: not in the status line, not among the interviews under way.
        assert await page.locator("#lobby-status").inner_text() == ""
        assert "Kandidat 1" not in await page.locator("#talking").inner_text()
        assert await page.locator("#talking-empty").is_visible()
        # Withdraw is beside the words: on the banner's own row on a desktop.
        withdraw = banner.get_by_role("button", name=text["withdraw"])
        words, button = (await page.locator("#own-offer-text").bounding_box(), await withdraw.bounding_box())
        if viewport == "desktop":
            assert abs((words["y"] + words["height"] / 2) - (button["y"] + button["height"] / 2)) < 20
        SHOTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(SHOTS / f"own-offer-{language}-{viewport}.png"))
        await assert_accessible(page)
        await withdraw.click()
        await banner.wait_for(state="hidden")
        assert text["withdrawn"] in await page.locator("#lobby-status").inner_text()


async def test_the_last_notes_come_back_when_an_offer_ends_without_an_interview(new_page, db, base_url):
    """The notes of the interview just ended give way to the next offer's banner, and are
    back in the lobby, as they were, when that offer is withdrawn or turned down."""
    async with first_in_interview(new_page, db, base_url) as (_event, page, recorders, _interview):
        notes = page.get_by_label("Notes", exact=True)
        await notes.fill("Ring tillbaka")
        await page.wait_for_selector("#save-status:text-is('Saved')")
        await page.get_by_role("button", name="End interview").click()
        await page.get_by_role("button", name="Yes, end it").click()
        await page.wait_for_selector("#lobby #record:not([hidden])")
        record = page.locator("#record")

        for take_back in ("withdrawn", "turned down"):
            await page.get_by_role("button", name="Next candidate").click()
            await recorders[1].wait_for(lambda m: m["type"] == "offer")
            await page.wait_for_selector("#own-offer:not([hidden])")
            await record.wait_for(state="hidden")
            if take_back == "withdrawn":
                await page.get_by_role("button", name="Withdraw offer").click()
            else:
                await recorders[1].request({"ok"}, type="leave")
            await page.wait_for_selector("#own-offer", state="hidden")
            await record.wait_for(state="visible")
            assert await notes.input_value() == "Ring tillbaka", take_back
            assert "(ended)" in await page.locator("#record-heading").inner_text()


@asynccontextmanager
async def called_in_with_two_windows(new_page, db, base_url, language):
    """Two windows of one interviewer, two candidates waiting, the first called in by Next
    in the first window (both show the offer); yields (that window, the other, the
    candidates' recorders)."""
    _event, (token,), candidates = await make_meeting_event(db, candidates=2)
    async with checked_in(base_url, candidates) as recorders:
        headers = {"Accept-Language": language}
        here = await open_meeting(await new_page(extra_http_headers=headers), token)
        there = await open_meeting(await new_page(extra_http_headers=headers), token)
        await here.wait_for_function("document.querySelectorAll('#queue li').length === 2")
        await here.locator("#next").click()
        await recorders[0].wait_for(lambda m: m["type"] == "offer")
        await there.locator("#own-offer").wait_for()
        yield here, there, recorders


@pytest.mark.parametrize("language", ["sv", "en"])
async def test_another_window_says_the_offer_was_withdrawn_and_forgets_it_at_the_next_offer(
    new_page, db, base_url, language
):
    """Two windows of one interviewer: Withdraw pressed in one, the other said the candidate
    did not join, and kept saying so under the next offer's banner."""
    text = TEXTS[language]
    async with called_in_with_two_windows(new_page, db, base_url, language) as (here, there, recorders):
        await here.locator("#withdraw").click()
        await there.locator("#own-offer").wait_for(state="hidden")
        await there.wait_for_function(
            f"document.querySelector('#lobby-status').textContent.includes({text['withdrawn']!r})"
        )
        assert "Kandidat 0" in await there.locator("#lobby-status").inner_text()
        # The next offer, from either window: nothing of the one before under its banner.
        await here.locator("#next").click()
        await there.locator("#own-offer").wait_for()
        await there.wait_for_function("document.querySelector('#lobby-status').textContent === ''")
        await here.wait_for_function("document.querySelector('#lobby-status').textContent === ''")


@pytest.mark.parametrize("language", ["sv", "en"])
async def test_every_window_says_the_candidate_left_as_they_were_called_in(new_page, db, base_url, language):
    """The candidate left the queue while called in, the offer's time still running: both
    windows of the interviewer say they are no longer in the queue (told by the server,
    `offer_ended`), not that they did not join or that the offer was withdrawn."""
    text = TEXTS[language]
    async with called_in_with_two_windows(new_page, db, base_url, language) as (here, there, recorders):
        assert (await recorders[0].request({"ok"}, type="leave"))["type"] == "ok"
        for page in (here, there):
            await page.locator("#own-offer").wait_for(state="hidden")
            await page.wait_for_function(
                f"document.querySelector('#lobby-status').textContent.includes({text['gone']!r})"
            )
            assert text["withdrawn"] not in await page.locator("#lobby-status").inner_text()
        await shot(there, f"offer-ended-left-{language}")


UNSUPPORTED = {
    "sv": {
        "offer": "Hens webbläsare klarar inte videosamtal",
        "call": "Webbläsaren som Kandidat 0 använder klarar inte videosamtal.",
    },
    "en": {
        "offer": "Their browser cannot make video calls",
        "call": "Kandidat 0's browser cannot make video calls.",
    },
}


@pytest.mark.parametrize(("language", "viewport"), [("sv", "phone"), ("en", "desktop")])
async def test_a_candidate_whose_browser_cannot_make_calls_is_said_at_the_offer_and_in_the_call(
    new_page, db, base_url, language, viewport
):
    """The candidate's page, in a browser without WebRTC, says so over its socket as the
    offer shows (PROTOCOL.md, `devices`, `problem` "unsupported"; the page itself:
    test_candidate_engines.py in WebKit): the offer's banner says what the interviewer can
    do, and the call, once they accepted, says why nobody comes; no word of it is left in
    the banner for the next offer."""
    text = UNSUPPORTED[language]
    async with two_waiting(new_page, db, base_url, language, viewport) as (page, recorders):
        await page.locator("#next").click()
        await recorders[0].wait_for(lambda m: m["type"] == "offer")
        await page.locator("#own-offer").wait_for()
        assert await page.locator("#own-offer-problem").inner_text() == ""
        # (This browser can make calls: the meeting web says nothing of it.)
        assert not await page.locator("[data-call-unsupported]").is_visible()
        await recorders[0].send(type="devices", microphone=True, camera=True, problem="unsupported")
        await page.wait_for_function(
            "([text]) => document.querySelector('#own-offer-problem').textContent.startsWith(text)",
            arg=[text["offer"]],
        )
        await shot(page, f"offer-unsupported-{language}-{viewport}")
        await assert_accessible(page)
        # They accepted (the page's Join: its call cannot start): the call says why.
        assert (await recorders[0].request({"ticket"}, type="accept"))["type"] == "ticket"
        await page.wait_for_function(
            "([text]) => document.querySelector('[data-call-status]').textContent.startsWith(text)",
            arg=[text["call"]],
        )
        await shot(page, f"call-unsupported-{language}-{viewport}")
        # The interview ended; the next offer's banner has nothing of it.
        await page.locator("#end").click()
        await page.locator("#end-yes").click()
        await page.locator("#lobby").wait_for()
        await page.locator("#next").click()
        await recorders[1].wait_for(lambda m: m["type"] == "offer")
        await page.locator("#own-offer").wait_for()
        assert await page.locator("#own-offer-problem").inner_text() == ""


async def test_an_offer_that_ended_long_before_the_event_is_not_said_again_at_its_end(new_page, db, base_url):
    """The line spoke of an offer that ended minutes ago (the candidate may have been
    interviewed by someone else since): the event's end does not bring it back as news."""
    async with called_in_with_two_windows(new_page, db, base_url, "en") as (here, _there, recorders):
        assert (await recorders[0].request({"ok"}, type="leave"))["type"] == "ok"
        gone = TEXTS["en"]["gone"]
        await here.wait_for_function(
            f"document.querySelector('#lobby-status').textContent.includes({gone!r})"
        )
        await here.evaluate("window.meeting.status.endedOffer.at -= 60000")  # a minute ago
        event_id = await db.fetchval(
            "SELECT event_id FROM queue_entry WHERE candidate_id = (SELECT candidate_id FROM interview"
            " WHERE state <> 'offered' ORDER BY id DESC LIMIT 1)"
        )
        await db.execute(
            "UPDATE event SET starts_at = now() - make_interval(mins => duration_minutes) WHERE id = $1",
            event_id,
        )
        await queue.notify(db, event_id, "event_state")
        await here.wait_for_selector(
            "#rotation:text-is('The event is over: no more candidates are called in.')"
        )
        await here.wait_for_function("document.querySelector('#lobby-status').textContent === ''")
