"""Deleting an event while it is being held (app/live/cancelling.py): the confirmation says
that the interviews under way end and offers the summary so far; after it the interviewer in
the lobby is told the event is cancelled and can call in nobody, Next nor Pick, and a page
whose socket drops then loads its link, which says the event is cancelled."""

from __future__ import annotations

import pytest

from app.events import queries as event_queries
from app.live import cancelling, queue
from tests.browser.interviewer_support import (
    checked_in,
    first_in_interview,
    logged_in_page,
    look,
    make_meeting_event,
    open_meeting,
)

pytestmark = pytest.mark.browser

TEXTS = {
    "en": {
        "delete": "Yes, delete the event",
        "under_way": "the interviews under way end at once",
        "pdf": "Download PDF",
        "cancelled": "The event has been cancelled: no more candidates are called in.",
        "landing": "This event has been cancelled.",
    },
    "sv": {
        "delete": "Ja, ta bort intervjutillfället",
        "under_way": "intervjuerna som är igång avslutas direkt",
        "pdf": "Ladda ned PDF",
        "cancelled": "Intervjutillfället är inställt: inga fler kandidater kallas in.",
        "landing": "Det här intervjutillfället har ställts in.",
    },
}


@pytest.mark.parametrize("language", ["sv", "en"])
async def test_deleting_an_event_being_held(new_page, db, base_url, language):
    text = TEXTS[language]
    event, (token,), tokens = await make_meeting_event(db, candidates=2)
    organization = await db.fetchval("SELECT organization_id FROM event WHERE id = $1", event.id)
    async with checked_in(base_url, tokens) as (first, _second):
        lobby = await open_meeting(await new_page(extra_http_headers={"Accept-Language": language}), token)
        await lobby.wait_for_function("document.querySelectorAll('#queue li').length === 2")
        await lobby.locator("#next").click()
        await first.wait_for(lambda m: m["type"] == "offer")
        await lobby.locator("#withdraw").click()  # back in the lobby, Pick at hand
        await lobby.wait_for_function("!document.querySelector('#queue button.pick').disabled")

        page, _user = await logged_in_page(new_page, db, organization, language=language)
        await page.goto(f"/events/{event.id}/delete")
        await page.get_by_text(text["under_way"], exact=False).wait_for()
        pdf = page.get_by_role("link", name=text["pdf"])
        assert await pdf.get_attribute("href") == f"/events/{event.id}/summary.pdf"
        await look(page, f"delete-while-held-{language}")
        # (Caught as the redirect arrives: once shown, the notice leaves the address.)
        async with page.expect_navigation(url="**/events?notice=deleted"):
            await page.get_by_role("button", name=text["delete"]).click()

        await lobby.get_by_text(text["cancelled"]).wait_for()
        assert await lobby.locator("#next").is_disabled()
        # Nobody is listed as waiting for an event that is cancelled (their pages say so).
        await lobby.wait_for_function("document.querySelectorAll('#queue li').length === 0")
        assert await lobby.locator("#queue-count").inner_text() == ""
        await look(lobby, f"lobby-cancelled-{language}")

        # Its socket drops (a network blip, a server restarting): the page does not try to
        # reconnect for ever to an event that is gone; it loads its link, which says why.
        await lobby.evaluate("window.meeting.channel.ws.close()")
        await lobby.get_by_text(text["landing"]).wait_for(timeout=20000)


async def test_an_interview_under_way_ends_with_the_event_said_cancelled(new_page, db, base_url):
    """Not "The event is over too. Finish your notes below": a deleted event has no summary
    left to finish notes for."""
    async with first_in_interview(new_page, db, base_url) as (event, page, _recorders, _interview):
        async with db.transaction():  # as the employer's Delete does (app/events/workflow.py)
            await event_queries.cancel(db, event.id)
            await cancelling.end_event_day(db, event.id)
            await queue.notify(db, event.id, "event_state")
        await page.get_by_text("The event has been cancelled by its organizer").wait_for()
        assert "Finish your notes" not in await page.locator("#lobby-status").inner_text()
