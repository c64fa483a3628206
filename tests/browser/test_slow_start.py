"""A slow connection: the text catalog (/texts/<lang>.json) or a page script arrives seconds
late, and the user clicks a control as soon as it shows. The click must do what it says (or
the control must visibly not be ready yet, which Playwright's click waits out): nothing is
lost. web/static/js/live/page-start.js is how every event-day page starts."""

from __future__ import annotations

import asyncio
import re

import pytest

from tests.browser.interviewer_support import checked_in, logged_in_page, make_meeting_event
from tests.integration.channel_support import CANDIDATE_PIN, INTERVIEWER_CODE
from tests.summary_support import make_event

pytestmark = pytest.mark.browser

DELAY_SECONDS = 3


async def delay(page, pattern: str) -> None:
    """Every request matching `pattern` answered DELAY_SECONDS late (the real answer)."""

    async def slow(route):
        await asyncio.sleep(DELAY_SECONDS)
        await route.continue_()

    await page.route(pattern, slow)


async def open_candidate_slowly(new_page, token: str, pattern: str):
    page = await new_page()
    await delay(page, pattern)
    await page.goto(f"/c/{token}")
    await page.fill("#pin", CANDIDATE_PIN)
    await page.get_by_role("button", name="Öppna min sida").click()
    return page


@pytest.mark.parametrize("late", ["**/texts/*.json", "**/static/js/live/channel.js"])
async def test_candidate_clicks_at_once_are_not_lost(new_page, db, late):
    event, _, [token] = await make_meeting_event(db, candidates=1)
    page = await open_candidate_slowly(new_page, token, late)
    # As soon as it shows: the device check starts (the preview plays).
    await page.get_by_role("button", name="Starta testet").click()
    await page.wait_for_function(
        "document.querySelector('[data-device-video]').videoWidth > 0", timeout=20000
    )
    # Check-in, as soon as the page takes clicks: the candidate is in the queue.
    await page.get_by_role("button", name="Checka in").click()
    await page.wait_for_function("document.body.dataset.livePhase === 'waiting'", timeout=20000)
    # The catalog came in the end: the texts drawn before it are in Swedish now.
    await page.get_by_text("Du är näst på tur i kön.").wait_for(timeout=20000)
    assert (
        await db.fetchval("SELECT state FROM queue_entry WHERE candidate_id = $1", event.candidates[0])
        == "waiting"
    )


async def test_interviewer_clicks_at_once_are_not_lost(new_page, db, base_url):
    _event, [interviewer], candidates = await make_meeting_event(db, candidates=1)
    async with checked_in(base_url, candidates):
        page = await new_page(extra_http_headers={"Accept-Language": "sv"})
        await delay(page, "**/texts/*.json")
        await page.goto(f"/i/{interviewer}")
        await page.fill("#code", INTERVIEWER_CODE)
        await page.locator("form.pin-form button[type=submit]").click()
        # As soon as it shows, the catalog still on its way: the candidate is called in.
        await page.locator("#next").click()
        await page.locator("#own-offer").wait_for(timeout=20000)
        await page.locator("#withdraw").click()
        await page.wait_for_function("document.querySelector('#own-offer').hidden", timeout=20000)
        await page.locator("#pause").click()
        await page.wait_for_function(
            "document.querySelector('#pause').dataset.paused === 'true'", timeout=20000
        )
        # Said by the rotation line (a live region), in Swedish once the catalog is in.
        await (
            page.locator("#rotation")
            .get_by_text("Pausad: väntetiderna som kandidaterna ser")
            .wait_for(timeout=20000)
        )


# Every text put into a live region (what a screen reader says), as it is put there.
RECORD_ANNOUNCEMENTS = """
window.announced = [];
new MutationObserver((changes) => {
  for (const change of changes) {
    const node = change.target.nodeType === 1 ? change.target : change.target.parentElement;
    const region = node?.closest?.("[aria-live], [role=status], [role=alert], [role=log]");
    if (region && region.textContent.trim()) window.announced.push(region.textContent.trim());
  }
}).observe(document, {subtree: true, childList: true, characterData: true});
"""


@pytest.mark.parametrize("role", ["interviewer", "candidate"])
async def test_a_swedish_page_speaks_swedish_before_its_catalog_comes(new_page, db, base_url, role):
    """Until the catalog came, what the page's script drew (the connection, the rotation, the
    counts) was English, and a screen reader said each twice, "Connected." then "Ansluten.".
    The texts the scripts draw come with the page (#page-texts): with the catalog never
    coming at all, the page speaks Swedish."""
    _event, [interviewer], [candidate] = await make_meeting_event(db, candidates=1)
    page = await new_page(extra_http_headers={"Accept-Language": "sv"})
    await page.route("**/texts/*.json", lambda route: route.abort())
    await page.add_init_script(RECORD_ANNOUNCEMENTS)
    if role == "interviewer":
        await page.goto(f"/i/{interviewer}")
        await page.fill("#code", INTERVIEWER_CODE)
        await page.locator("form.pin-form button[type=submit]").click()
        await (
            page.locator("#rotation")
            .get_by_text("Du tar emot kandidater: väntetiderna som kandidaterna ser räknar med dig.")
            .wait_for(timeout=20000)
        )
        assert await page.locator("#pause").inner_text() == "Pausa"
    else:
        await page.goto(f"/c/{candidate}")
        await page.fill("#pin", CANDIDATE_PIN)
        await page.get_by_role("button", name="Öppna min sida").click()
        await page.get_by_role("button", name="Checka in").click()
        await page.get_by_text("Du är näst på tur i kön.").wait_for(timeout=20000)
    english = re.compile(r"\b(Connect|Connected|rotation|registered|queue|Waiting|You are|Pause)\b")
    announced = await page.evaluate("window.announced")
    assert [text for text in announced if english.search(text)] == []


async def test_copy_buttons_are_not_ready_before_their_script(new_page, db):
    """The employer's Copy link: clicked as soon as it shows, with its script 3 s late, it
    copies (or, without clipboard access, selects the link for Ctrl-C)."""
    event = await make_event(db, state="published", started_minutes_ago=-600)
    page, _user = await logged_in_page(new_page, db, event.organization_id)
    await delay(page, "**/static/js/copy-button.js")
    await page.goto(f"/events/{event.id}", wait_until="commit")
    await page.get_by_role("button", name="Copy link").click()
    await page.wait_for_function(
        """document.querySelector('[data-copy-status]').textContent !== ''
        || document.activeElement.id === 'invite-link'""",
        timeout=20000,
    )
