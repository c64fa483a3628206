"""The live lists of names in the viewer's language's order (web/static/js/live/names.js),
sorted again when they switch language without a reload: the interviewers' lobby (the
registered candidates) and the organizer's live view (the interviewers)."""

from __future__ import annotations

import pytest

from tests.browser.interviewer_support import logged_in_page, make_meeting_event, open_meeting
from tests.integration.test_name_order import NAMES, ORDER

pytestmark = pytest.mark.browser


async def rows(page, body: str) -> list[str]:
    return [text.strip() for text in await page.locator(f"{body} th").all_inner_texts()]


async def wait_rows(page, body: str, expected: list[str]) -> None:
    await page.wait_for_function(
        """([body, expected]) => JSON.stringify(
        [...document.querySelectorAll(body + ' th')].map((th) => th.textContent.trim()))
        === JSON.stringify(expected)""",
        arg=[body, expected],
        timeout=15000,
    )


async def test_lobby_candidates_in_the_viewers_order(new_page, db, base_url):
    event, [token], _ = await make_meeting_event(db, candidates=len(NAMES))
    for candidate_id, name in zip(event.candidates, NAMES):
        await db.execute("UPDATE candidate SET name = $2 WHERE id = $1", candidate_id, name)
    page = await open_meeting(await new_page(extra_http_headers={"Accept-Language": "sv"}), token)
    await wait_rows(page, "#candidates", ORDER["sv"])
    await page.get_by_role("link", name="English").click()
    await wait_rows(page, "#candidates", ORDER["en"])
    assert await rows(page, "#candidates") == ORDER["en"]


async def test_organizer_live_view_interviewers_in_the_viewers_order(new_page, db, base_url):
    event, _, _ = await make_meeting_event(db, interviewers=len(NAMES), candidates=1)
    for interviewer_id, name in zip(event.interviewers, NAMES):
        await db.execute("UPDATE event_interviewer SET name = $2 WHERE id = $1", interviewer_id, name)
    organization = await db.fetchval("SELECT organization_id FROM event WHERE id = $1", event.id)
    page, _user = await logged_in_page(new_page, db, organization, language="sv")
    await page.goto(f"/events/{event.id}/live")
    await wait_rows(page, "#interviewers", ORDER["sv"])
    await page.get_by_role("link", name="English").click()
    await wait_rows(page, "#interviewers", ORDER["en"])
