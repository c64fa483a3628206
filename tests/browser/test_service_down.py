"""While the service's database is away every page keeps its socket and says so, in its
reader's words, in both languages, and says nothing more once it is back (the `service`
message: app/live/PROTOCOL.md, "The database away"). Before, an organizer's live view said
"Connected." beside figures that no longer moved, and a waiting candidate's place stood still
without a word. The server's side (a real PostgreSQL stopped under a real app) is
tests/integration/test_live_database_outage.py; here the message is put into each page's real
socket by the browser's own routing, since the suite's PostgreSQL is shared by every test."""

from __future__ import annotations

import json

import pytest

from tests.browser.axe import VIEWPORTS, assert_accessible
from tests.browser.interviewer_support import checked_in, logged_in_page, make_meeting_event, open_meeting
from tests.browser.test_candidate_live import open_candidate
from tests.browser.test_organizer_live import organization_of

pytestmark = pytest.mark.browser

DOWN = json.dumps({"type": "service", "database": "unavailable"})
BACK = json.dumps({"type": "service", "database": "ok"})
SAID = {
    "candidate": {
        "sv": "Återansluter till tjänsten … Du behåller din plats; kön rör sig igen om en liten stund.",
        "en": "Reconnecting to the service… You keep your place; the queue moves again in a moment.",
    },
    "staff": {
        "sv": "Återansluter till tjänsten … Inget här uppdateras förrän den är tillbaka; ett samtal som pågår fortsätter.",
        "en": "Reconnecting to the service… Nothing here is updated until it is back; a call under way goes on.",
    },
}
CONNECTED = {"sv": "Ansluten.", "en": "Connected."}


async def routed(page) -> list:
    """The page's live sockets, each still connected to the server: `send` reaches the page."""
    sockets: list = []

    def route(ws) -> None:
        ws.connect_to_server()
        sockets.append(ws)

    await page.route_web_socket("**/ws", route)
    return sockets


async def said(page, selector: str, text: str) -> None:
    await page.wait_for_function(
        "([selector, text]) => document.querySelector(selector).textContent === text",
        arg=[selector, text],
        timeout=5000,
    )


@pytest.mark.parametrize("language", ["sv", "en"])
async def test_a_waiting_candidate_is_told_and_keeps_the_place(new_page, db, base_url, language):
    event, _, tokens = await make_meeting_event(db, candidates=2)
    async with checked_in(base_url, tokens[:1]):
        page = await new_page(viewport=VIEWPORTS["phone"])
        sockets = await routed(page)

        async def this_page(**_):
            return page

        page = await open_candidate(this_page, base_url, tokens[1], language)
        await page.locator("[data-checkin]").click()
        await page.wait_for_function("document.body.dataset.livePhase === 'waiting'")
        sockets[-1].send(DOWN)
        await said(page, "[data-live-connection]", SAID["candidate"][language])
        await assert_accessible(page)
        await page.screenshot(path=f"/tmp/service-down-candidate-{language}.png", full_page=True)
        sockets[-1].send(BACK)
        await said(page, "[data-live-connection]", "")
        assert await page.evaluate("document.body.dataset.livePhase") == "waiting"


@pytest.mark.parametrize("language", ["sv", "en"])
async def test_the_meeting_web_and_the_live_view_say_so_instead_of_connected(
    new_page, db, base_url, language
):
    event, (token,), _ = await make_meeting_event(db, candidates=1)
    meeting = await new_page(extra_http_headers={"Accept-Language": language})
    meeting_sockets = await routed(meeting)
    await open_meeting(meeting, token)
    organizer, _user = await logged_in_page(
        new_page, db, await organization_of(db, event.id), language=language
    )
    organizer_sockets = await routed(organizer)
    await organizer.goto(f"/events/{event.id}/live")
    await organizer.wait_for_selector('#connection[data-status="open"]')
    for page, sockets in ((meeting, meeting_sockets), (organizer, organizer_sockets)):
        sockets[-1].send(DOWN)
        await said(page, "#connection", SAID["staff"][language])
        assert await page.locator("#connection").get_attribute("data-status") == "service_down"
        await assert_accessible(page)
        await page.screenshot(path=f"/tmp/service-down-staff-{language}-{len(sockets)}.png")
        sockets[-1].send(BACK)
        await said(page, "#connection", CONNECTED[language])
