"""The organizer's live view (/events/{id}/live): the figures follow the event without a
reload; only the owning organization sees it; axe in both languages at both widths."""

from __future__ import annotations

import pytest

from app.live import queue
from tests.accounts import log_in, make_user
from tests.browser.axe import VIEWPORTS
from tests.browser.interviewer_support import (
    checked_in,
    logged_in_page,
    look,
    look_in_swedish_on_a_phone,
    make_meeting_event,
)
from tests.integration.channel_support import new_client, recording, sign_in_interviewer

pytestmark = pytest.mark.browser

FIGURES = ("rooms-in-use", "queue-length", "interviews-done", "no-shows")


async def figures(page) -> tuple[int, ...]:
    return tuple([int(await page.locator(f"#{name}").inner_text()) for name in FIGURES])


async def wait_figures(page, expected: tuple[int, ...], timeout: int = 5000) -> None:
    await page.wait_for_function(
        """(expected) => expected.every(
        ([id, value]) => document.getElementById(id).textContent === String(value))""",
        arg=list(zip(FIGURES, expected)),
        timeout=timeout,
    )


async def organization_of(db, event_id: int) -> int:
    return await db.fetchval("SELECT organization_id FROM event WHERE id = $1", event_id)


async def test_live_view_updates_as_the_event_goes_on(new_page, db, base_url):
    event, interviewers, candidates = await make_meeting_event(db, interviewers=2, candidates=3)
    page, _user = await logged_in_page(new_page, db, await organization_of(db, event.id))
    await page.goto(f"/events/{event.id}")
    await page.get_by_role("link", name="Live view").click()
    await page.wait_for_selector('#connection[data-status="open"]')
    await page.evaluate("window.marker = 'no reload'")
    # Not checked in is not a no-show while the event goes on (they may still come).
    await wait_figures(page, (0, 0, 0, 0))
    assert (
        await page.locator("#no-shows-detail").inner_text()
        == "0 missed their turn twice; 3 not checked in yet"
    )
    assert "Not connected" in await page.locator("#interviewers").inner_text()

    assert await page.locator("#queue-empty").is_visible()
    async with checked_in(base_url, candidates[:2]) as recorders, new_client() as http:
        await wait_figures(page, (0, 2, 0, 0))
        # Who waits, in order, with how long each has waited (going on between states).
        waiting = page.locator("#queue li")
        assert [await waiting.nth(i).locator(".name").inner_text() for i in range(2)] == [
            "Kandidat 0",
            "Kandidat 1",
        ]
        first = await waiting.nth(0).locator(".waited").inner_text()
        await page.wait_for_function(
            "(first) => document.querySelector('#queue li .waited').textContent !== first", arg=first
        )
        assert await page.locator("#queue-empty").is_hidden()
        assert (
            await page.locator("#checked-in").inner_text() == "2 of 3 registered candidates have checked in."
        )
        # Nobody takes candidates yet: said beside those waiting, for the organizer to act on.
        nobody = "No interviewer is taking candidates right now: those waiting are not called in."
        assert await page.locator("#queue-detail").inner_text() == nobody
        assert await sign_in_interviewer(http, base_url, interviewers[0]) == 303
        async with recording(http, f"{base_url}/i/{interviewers[0]}/ws") as lobby:
            await page.wait_for_selector("#interviewers :text('Ready for the next candidate')")
            assert await page.locator("#queue-detail").inner_text() == ""
            dispatched = await lobby.request({"dispatched"}, type="next")
            assert dispatched["type"] == "dispatched", dispatched
            await wait_figures(page, (1, 1, 0, 0))
            await page.wait_for_selector("#interviewers :text('Has called in Kandidat 0')")
            await recorders[0].wait_for(lambda m: m["type"] == "offer")
            await recorders[0].request({"ticket"}, type="accept")
            await page.wait_for_selector("#interviewers :text('Talking to Kandidat 0, until')")
            # What the interviewers tell the queue, the organizer reads too.
            await lobby.request({"ok"}, type="message", text="Fem minuters paus.")
            await page.wait_for_selector("#messages :text('Fem minuters paus.')")
            assert await page.locator("#messages-empty").is_hidden()
            await lobby.request({"ok"}, type="end")
            await wait_figures(page, (0, 1, 1, 0))
    assert await page.evaluate("window.marker") == "no reload"
    # Swedish without a reload: the drawn texts too.
    await page.get_by_role("link", name="Svenska").click()
    await page.wait_for_selector("#interviewers :text('Inte ansluten')")
    assert await page.locator("#checked-in").inner_text() == "2 av 3 anmälda kandidater har checkat in."
    assert await page.evaluate("window.marker") == "no reload"


async def test_only_the_owning_organization_sees_it(app_server, db, base_url):
    event, _interviewers, _candidates = await make_meeting_event(db, candidates=1)
    owner = await make_user(db, organization_id=await organization_of(db, event.id))
    outsider = await make_user(db)
    # An interviewer of the event from another organization sees the event, not the live view.
    interviewing = await make_user(db)
    await db.execute(
        "UPDATE event_interviewer SET user_id = $1 WHERE id = $2", interviewing["id"], event.interviewers[0]
    )
    for user, status in ((owner, 200), (outsider, 404), (interviewing, 404)):
        async with new_client() as http:
            await log_in(http, base_url, user["email"])
            async with http.get(f"{base_url}/events/{event.id}/live") as response:
                assert response.status == status, user
            async with http.get(
                f"{base_url}/events/{event.id}/live/ws",
                headers={
                    "Connection": "Upgrade",
                    "Upgrade": "websocket",
                    "Sec-WebSocket-Version": "13",
                    "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
                },
            ) as reply:
                assert reply.status == (101 if status == 200 else 404)
            # Without the upgrade: would it be let in (the page asks when its handshakes fail)?
            async with http.get(f"{base_url}/events/{event.id}/live/ws") as reply:
                assert reply.status == (204 if status == 200 else 404)
    async with new_client() as http:
        async with http.get(f"{base_url}/events/{event.id}/live", allow_redirects=False) as reply:
            assert reply.status == 303 and reply.headers["Location"].startswith("/login")
        async with http.get(f"{base_url}/events/{event.id}/live/ws", allow_redirects=False) as reply:
            assert reply.status == 401  # logged out: the page loads itself again, to log in


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("language", ["sv", "en"])
async def test_live_view_meets_wcag_aa(new_page, db, base_url, language, viewport):
    event, interviewers, candidates = await make_meeting_event(db, interviewers=2, candidates=3)
    page, _user = await logged_in_page(
        new_page, db, await organization_of(db, event.id), language=language, viewport=viewport
    )
    async with checked_in(base_url, candidates[:2]), new_client() as http:
        await sign_in_interviewer(http, base_url, interviewers[0])
        async with recording(http, f"{base_url}/i/{interviewers[0]}/ws") as lobby:
            await lobby.request({"dispatched"}, type="next")
            await page.goto(f"/events/{event.id}/live")
            await wait_figures(page, (1, 1, 0, 0))
            await look(page, f"organizer-live-{language}-{viewport}")
            await page.goto(f"/events/{event.id}")
            await look(page, f"event-page-{language}-{viewport}")


async def test_once_the_events_time_is_over_the_view_says_so(new_page, db, base_url):
    """Nobody is called after the end: those not checked in are no-shows now, those still
    waiting were not interviewed, and an interviewer idle then is done, not "ready"."""
    event, interviewers, candidates = await make_meeting_event(db, interviewers=1, candidates=3)
    page, _user = await logged_in_page(new_page, db, await organization_of(db, event.id))
    async with checked_in(base_url, candidates[:2]), new_client() as http:
        assert await sign_in_interviewer(http, base_url, interviewers[0]) == 303
        # The second one's page away long past the grace period: away, not waiting.
        await db.execute(
            "UPDATE queue_entry SET disconnected_at = now() - interval '1 hour' WHERE candidate_id = $1",
            event.candidates[1],
        )
        async with recording(http, f"{base_url}/i/{interviewers[0]}/ws"):
            await page.goto(f"/events/{event.id}/live")
            await wait_figures(page, (0, 1, 0, 0))
            # The one away is not among those waiting, and not gone from the figures either.
            assert await page.locator("#queue-detail").inner_text() == (
                "1 more checked in is away from their page, and is called in once back."
            )
            # The end 2 s from now: no change comes then, the page's clock does it.
            await db.execute(
                "UPDATE event SET starts_at = now() - make_interval(mins => duration_minutes)"
                " + interval '2 seconds' WHERE id = $1",
                event.id,
            )
            await queue.notify(db, event.id, "event_state")  # the page learns the new end
            # (The figure of those waiting gives way to those not interviewed.)
            await page.wait_for_function(
                "document.getElementById('no-shows').textContent === '1'", timeout=15000
            )
            await page.locator("#event-state").get_by_text("The event is over").wait_for()
            said = page.locator("#event-state-said")  # a live region there before its text
            assert await said.get_attribute("role") == "status"
            assert (await said.inner_text()).startswith("The event is over")
            # Nobody waits once it is over: the one still checked in was not interviewed, nor
            # the one away from their page at the end (listed by name: only the one waiting).
            assert await page.locator("#queue-figure").is_hidden()
            assert await page.locator("#not-interviewed").inner_text() == "2"
            assert await page.locator("#queue-empty-over").is_hidden()
            assert await page.locator("#queue-empty-away").is_hidden()  # (someone is listed)
            assert await page.get_by_role("heading", name="Still waiting at the end (1)").is_visible()
            assert await page.get_by_role("heading", name="Waiting", exact=True).count() == 0
            assert await page.locator("#queue li .name").inner_text() == "Kandidat 0"
            assert await page.locator("#queue li .waited").count() == 0
            await page.wait_for_selector(
                '#interviewers :text("Done: nobody is called after the event\'s end")'
            )
            await look(page, "organizer-live-over-en-desktop")
            # A state cut well after the end: still no wait runs on.
            await queue.notify(db, event.id, "event_state")
            await page.wait_for_timeout(1500)
            assert await page.locator("#queue li .waited").count() == 0
            shown = page.locator("#queue-title-over").filter(has_text="slutet")
            await look_in_swedish_on_a_phone(page, shown, "organizer-live-over-sv-phone")


async def test_before_its_start_those_not_checked_in_are_not_no_shows(new_page, db, base_url):
    """Check-in open, the start ahead: those not checked in may still come, so they are
    counted as not checked in yet, not as no-shows; nor may it be ended. Once an interviewer
    has called a candidate in, it is being held: no-shows are counted, and it may be ended."""
    event, interviewers, candidates = await make_meeting_event(db, interviewers=1, candidates=3)
    await db.execute("UPDATE event SET starts_at = now() + interval '10 minutes' WHERE id = $1", event.id)
    page, _user = await logged_in_page(new_page, db, await organization_of(db, event.id))
    async with checked_in(base_url, candidates[:1]), new_client() as http:
        await page.goto(f"/events/{event.id}/live")
        await page.wait_for_function("document.getElementById('not-checked-in').textContent === '2'")
        assert await page.locator("#no-shows-figure").is_hidden()
        assert await page.get_by_text("No-shows", exact=True).is_hidden()
        assert await page.locator("#end-now").is_hidden()
        await look(page, "organizer-live-before-start-en-desktop")
        shown = page.locator("#not-checked-in-figure dt").filter(has_text="inte checkat in")
        await look_in_swedish_on_a_phone(page, shown, "organizer-live-before-start-sv-phone")
        await page.get_by_role("link", name="English").click()
        assert await sign_in_interviewer(http, base_url, interviewers[0]) == 303
        async with recording(http, f"{base_url}/i/{interviewers[0]}/ws") as lobby:
            await lobby.request({"dispatched"}, type="next")
            await page.locator("#no-shows-figure").wait_for()
            assert await page.locator("#not-checked-in-figure").is_hidden()
            assert await page.locator("#no-shows").inner_text() == "0"
            await page.get_by_role("link", name="End the event now").wait_for()


@pytest.mark.parametrize(("language", "viewport"), [("en", "desktop"), ("sv", "phone")])
async def test_the_organizer_ends_the_event_early_from_the_live_view(
    new_page, db, base_url, language, viewport
):
    """Everyone is done before the set end: the organizer ends it from where they watch it,
    is asked first, and the view then says that nobody more is called."""
    event, _interviewers, candidates = await make_meeting_event(db, interviewers=1, candidates=2)
    page, _user = await logged_in_page(
        new_page, db, await organization_of(db, event.id), language=language, viewport=viewport
    )
    sv = language == "sv"
    async with checked_in(base_url, candidates[:1]):
        await page.goto(f"/events/{event.id}/live")
        await wait_figures(page, (0, 1, 0, 0))
        await page.get_by_role(
            "link", name="Avsluta intervjutillfället nu" if sv else "End the event now"
        ).click()
        await page.wait_for_url(f"**/events/{event.id}/end")
        assert (
            "1 kandidat som fortfarande väntar" if sv else "1 candidate still waiting is told"
        ) in await page.locator("main").inner_text()
        await look(page, f"event-end-{language}-{viewport}")
        # Keyboard alone: the confirming button takes the focus and Enter.
        button = page.get_by_role(
            "button", name="Ja, avsluta intervjutillfället nu" if sv else "Yes, end the event now"
        )
        await button.focus()
        # Nobody was in an interview: the notice does not speak of interviews going on.
        # (Caught as the redirect arrives: once shown, the notice leaves the address.)
        async with page.expect_navigation(url=f"**/events/{event.id}?notice=finished_now"):
            await page.keyboard.press("Enter")
        await page.locator("#ended-early").wait_for()
        notice = await page.locator("p.notice[role=status]").first.inner_text()
        assert notice == (
            "Intervjutillfället är avslutat. Inga fler kallas in från kön; ingen intervju pågick."
            if sv
            else "The event has ended. No one else is called in from the queue; no interview was going on."
        )
        await look(page, f"event-ended-early-{language}-{viewport}")
        await page.goto(f"/events/{event.id}/live")
        # Nobody was in an interview: it is finished at once.
        over = "Intervjutillfället är avslutat." if sv else "The event has finished."
        await page.locator("#event-state").get_by_text(over).wait_for()
        assert await page.locator("#end-now").is_hidden()
