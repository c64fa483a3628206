"""A candidate's page opened before check-in opens shows Check in when the wall clock says
so (web/static/js/live/candidate-day-clock.js, atTheWallClock), also when its timers did not run
meanwhile (a laptop asleep, a tab in the background): the page looks again when it shows."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from tests.browser.test_candidate_live import TEXTS, open_candidate, tokens

from tests.integration.live_support import make_live_event

pytestmark = pytest.mark.browser

OPENS_IN_SECONDS = 4


async def test_check_in_shows_when_the_page_is_back_after_its_timers_stood_still(new_page, base_url, db):
    event = await make_live_event(db, interviewers=1, candidates=1, state="published")
    # Check-in opens checkin_opens_minutes (30) before the start: in a few seconds from now.
    await db.execute(
        "UPDATE event SET starts_at = now() + make_interval(mins => 30, secs => $2) WHERE id = $1",
        event.id,
        OPENS_IN_SECONDS,
    )
    [token], _ = await tokens(db, event)
    page = await open_candidate(new_page, base_url, token, "en")
    assert await page.is_visible("[data-checkin-closed]")
    assert await page.get_by_role("heading", name="On the day").is_visible()
    # The page's timers stand still from here (a laptop put to sleep).
    await page.clock.install()
    await page.clock.pause_at(dt.datetime.now(dt.timezone.utc))
    await asyncio.sleep(OPENS_IN_SECONDS + 1)
    assert await page.is_visible("[data-checkin-closed]")
    # Woken: the clock is right again, no timer has run; the page shows again.
    await page.clock.set_system_time(dt.datetime.now(dt.timezone.utc))
    await page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    # Shown by that look alone, before any timer of the page runs again.
    await page.locator("[data-checkin-ready]:not([hidden])").wait_for()
    await page.clock.resume()
    await page.get_by_role("button", name=TEXTS["en"]["checkin"]).wait_for()
    assert await page.is_hidden("[data-checkin-closed]")
    assert await page.get_by_role("heading", name="On the day").is_hidden()


async def test_a_page_left_open_follows_the_event_moved_meanwhile(new_page, base_url, db):
    """Before check-in the page has no socket: it asks whether what it was drawn from still
    holds (candidate-page-watch.js) and loads itself again when not."""
    event = await make_live_event(db, interviewers=1, candidates=1, state="published")
    await db.execute("UPDATE event SET starts_at = now() + interval '3 hours' WHERE id = $1", event.id)
    [token], _ = await tokens(db, event)
    page = await open_candidate(new_page, base_url, token, "en")
    closed_text = await page.text_content("[data-checkin-closed]")
    asked = []
    page.on(
        "request", lambda request: asked.append(request.url) if request.url.endswith("/version") else None
    )
    # Nothing moved: the page asks when it shows again and stays as it is.
    await page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    await page.wait_for_timeout(500)
    assert asked and await page.text_content("[data-checkin-closed]") == closed_text
    # The organizer moves the event to begin in half an hour: check-in opens in seconds.
    await db.execute(
        "UPDATE event SET starts_at = now() + make_interval(mins => 30, secs => $2) WHERE id = $1",
        event.id,
        OPENS_IN_SECONDS,
    )
    await page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    await page.wait_for_function(
        "(before) => document.querySelector('[data-checkin-closed]')?.textContent !== before",
        arg=closed_text,
    )
    await page.wait_for_function("!!window.candidatePage")
    # Drawn from the new time: check-in opens in seconds by it, not hours from now.
    await page.get_by_role("button", name=TEXTS["en"]["checkin"]).wait_for()


async def test_a_page_left_open_says_the_event_was_cancelled(new_page, base_url, db):
    event = await make_live_event(db, interviewers=1, candidates=1, state="published")
    await db.execute("UPDATE event SET starts_at = now() + interval '3 hours' WHERE id = $1", event.id)
    [token], _ = await tokens(db, event)
    page = await open_candidate(new_page, base_url, token, "en")
    await db.execute("UPDATE event SET state = 'cancelled' WHERE id = $1", event.id)
    await page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    await page.get_by_text("This event has been cancelled. You do not need to do anything.").wait_for()
