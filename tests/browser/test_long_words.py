"""A web address is one long word: in a message to the queue or in a job text it wraps inside
its box, so a phone's page is never wider than the screen and a desktop column keeps it."""

from __future__ import annotations

import pytest

from tests.browser.axe import VIEWPORTS, assert_accessible
from tests.browser.interviewer_support import make_meeting_event, open_meeting
from tests.browser.test_candidate_live import open_candidate, phase
from tests.candidate_support import make_event

pytestmark = pytest.mark.browser

SHORT_URL = "Läs mer: https://www.arbetsformedlingen.se/platsbanken/annonser/29384756"
LONG_URL = "https://example.se/" + "a1b2c3d4e5" * 28  # 299 characters, no place to break
PAGE_WIDTH = "document.documentElement.scrollWidth"
# Elements whose content is wider than their own box (what would run out of a column).
OVERFLOWING = """selector => [...document.querySelectorAll(selector)]
    .filter(element => element.scrollWidth > element.clientWidth + 1).map(element => element.textContent)"""


async def test_a_long_web_address_in_a_message_wraps_in_the_waiting_room_and_meeting_web(
    new_page, db, base_url
):
    event, (interviewer_token,), (token, *_others) = await make_meeting_event(db, candidates=2)
    candidate = await open_candidate(new_page, base_url, token, "sv", viewport="phone")
    await candidate.get_by_role("button", name="Checka in").click()
    await phase(candidate, "waiting")
    assert await candidate.evaluate(PAGE_WIDTH) <= VIEWPORTS["phone"]["width"]

    meeting = await open_meeting(await new_page(viewport=VIEWPORTS["desktop"]), interviewer_token)
    for text in (SHORT_URL, LONG_URL):
        await meeting.fill("#message-text", text)
        await meeting.locator("#message-form button[type=submit]").click()
        await candidate.get_by_text(text).wait_for()
        await meeting.locator("#messages li", has_text=text).wait_for()

    assert await candidate.evaluate(PAGE_WIDTH) <= VIEWPORTS["phone"]["width"]
    assert await candidate.evaluate(OVERFLOWING, "[data-messages] li") == []
    assert await meeting.evaluate(OVERFLOWING, "#messages li") == []
    assert await meeting.evaluate(PAGE_WIDTH) <= VIEWPORTS["desktop"]["width"]
    await assert_accessible(candidate)


@pytest.mark.parametrize("viewport", VIEWPORTS)
async def test_a_long_web_address_in_the_job_text_wraps_on_the_invitation(new_page, db, viewport):
    event = await make_event(db)
    await db.execute(
        "UPDATE event SET job_description = $2 WHERE id = $1",
        event["id"],
        f"Vi söker lagerarbetare.\n\n{SHORT_URL}\n\nAnsök här: {LONG_URL}",
    )
    page = await new_page(viewport=VIEWPORTS[viewport])
    await page.goto(f"/r/{event['invite_token']}")
    await page.get_by_text("Ansök här").wait_for()
    assert await page.evaluate(PAGE_WIDTH) <= VIEWPORTS[viewport]["width"]
    assert await page.evaluate(OVERFLOWING, ".prewrap") == []
    # A word that fits its line is not broken: the first paragraph stays on one line.
    first = page.locator(".prewrap", has_text="Vi söker lagerarbetare.")
    line_height = await first.evaluate("p => parseFloat(getComputedStyle(p).lineHeight)")
    assert (await first.bounding_box())["height"] < 1.5 * line_height
